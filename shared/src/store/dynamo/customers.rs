//! Customers: profile items, uniqueness guards, numbers, listing, erasure.

use super::items::{
    self, customer_from_item, customer_item, guards, profile_key, token_item, unique_values, EMAIL_KEY,
};
use super::{
    failed_at, key, n, s, sdk, verdict, DynamoStore, Item, Transaction, TxError, GUARD_OWNER, NOT_EXISTS, PROFILE_MOVED,
};
use crate::domain::{Customer, CustomerRecord, Erasure, TenantId};
use crate::store::table::GSI1;
use crate::store::{keys, ChangeEffects, CustomerStore, NewCustomer, Progress, UniqueKey, WriteError};
use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// The key of the guard or receipt an item of the customer's partition
/// names: an order's id guard, a contract's id guard, a ledger entry's
/// idempotency receipt.
fn named_guard(tenant: &TenantId, item: &Item) -> Option<Item> {
    let sk = item.get("sk").and_then(|v| v.as_s().ok())?;
    let guard = if let Some((_, order_id)) = keys::order_sk_parts(sk) {
        keys::order_guard(tenant, order_id)
    } else if let Some(contract_id) = sk.strip_prefix(keys::CONTRACT) {
        keys::contract_guard(tenant, contract_id)
    } else if sk.starts_with(keys::LEDGER) {
        keys::loyalty_receipt(tenant, item.get("idempotencyKey").and_then(|v| v.as_s().ok())?)
    } else {
        return None;
    };
    Some(key(guard, keys::GUARD))
}

#[async_trait]
impl CustomerStore for DynamoStore {
    async fn next_customer_number(&self, tenant: &TenantId) -> anyhow::Result<u64> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::customer_number_counter(tenant), keys::COUNTER)))
            .update_expression("ADD #v :one")
            .expression_attribute_names("#v", "value")
            .expression_attribute_values(":one", n(1))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(sdk("next customer number"))?;
        let value = out.attributes.as_ref().and_then(|a| a.get("value")).and_then(|v| v.as_n().ok());
        value.context("counter value missing")?.parse().context("counter value not a number")
    }

    async fn create_customer(&self, new: NewCustomer<'_>) -> Result<bool, WriteError> {
        let budget = new.mail_budget.filter(|_| !new.mails.is_empty());
        let mut tx = self.new_customer(&new)?;
        for put in self.mail_puts(new.mails)? {
            tx.push(put);
        }
        let Some(budget) = budget else {
            return self.commit(tx, "create customer").await.map(|()| true);
        };
        let at = tx.items.len();
        tx.push(self.quota_take(budget)?);
        let Transaction { items, guards, customer_check } = tx;
        match self.transact(items).await {
            // Only the budget said no: the customer is still created, mail-less.
            Err(TxError::Cancelled(codes)) if (0..codes.len()).all(|i| failed_at(&codes, i) == (i == at)) => {
                self.commit(self.new_customer(&new)?, "create customer").await.map(|()| false)
            }
            result => verdict(result, &guards, customer_check, "create customer").map(|()| true),
        }
    }

    async fn customer_id_by(&self, tenant: &TenantId, kind: UniqueKey, value: &str) -> anyhow::Result<Option<String>> {
        let item = self.get_item(key(keys::guard(tenant, kind, value), keys::GUARD)).await?;
        Ok(item.and_then(|i| i.get(GUARD_OWNER).and_then(|v| v.as_s().ok()).cloned()))
    }

    async fn get_customer(&self, tenant: &TenantId, id: &str) -> anyhow::Result<Option<CustomerRecord>> {
        self.get_item(profile_key(tenant, id)).await?.map(customer_from_item).transpose()
    }

    async fn update_customer(
        &self,
        before: &Customer,
        after: &Customer,
        effects: &ChangeEffects<'_>,
    ) -> Result<(), WriteError> {
        let t = &after.tenant_id;
        let mut values = HashMap::from([(":expected".to_string(), n(before.version))]);
        let mut names = HashMap::from([("#version".to_string(), "version".to_string())]);
        let mut sets = vec![format!("{EMAIL_KEY} = :emailKey")];
        values.insert(":emailKey".into(), s(after.email.normalized()));
        let fields: Item = serde_dynamo::to_item(after).map_err(anyhow::Error::from)?;
        // Ids never change; everything else is written as the new state.
        for (i, (name, value)) in fields.into_iter().filter(|(k, _)| k != "id" && k != "tenantId").enumerate() {
            sets.push(format!("#f{i} = :f{i}"));
            names.insert(format!("#f{i}"), name);
            values.insert(format!(":f{i}"), value);
        }
        // A changed email (by the back office) ends any pending change: its
        // link must not work again should the email ever come back.
        let email_moved = before.email.normalized() != after.email.normalized();
        let mut expression = match email_moved {
            true => format!("SET {} REMOVE pendingEmailChange", sets.join(", ")),
            false => format!("SET {}", sets.join(", ")),
        };
        let mut adds = vec![];
        if effects.end_sessions {
            adds.push("tokenVersion :one");
            values.insert(":one".into(), n(1));
        }
        // The address it holds verified now, and the one it held verified
        // before a move: an erasure covers both.
        let mut proven_keys: Vec<String> = [(after, after.email_verified), (before, before.email_verified)]
            .into_iter()
            .filter(|(_, verified)| *verified)
            .map(|(c, _)| c.email.normalized())
            .collect();
        proven_keys.dedup();
        if !proven_keys.is_empty() {
            adds.push("provenEmails :proven");
            values.insert(":proven".into(), AttributeValue::Ss(proven_keys));
        }
        if !adds.is_empty() {
            expression.push_str(&format!(" ADD {}", adds.join(", ")));
        }
        let condition = "#version = :expected";
        let changed: Vec<_> = unique_values(before)
            .into_iter()
            .zip(unique_values(after))
            .filter(|((_, old), (_, new))| old != new)
            .map(|((kind, old), (_, new))| (kind, old, new))
            .collect();

        if changed.is_empty() && effects.mails.is_empty() {
            let result = self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(profile_key(t, &after.id)))
                .update_expression(expression)
                .condition_expression(condition)
                .set_expression_attribute_names(Some(names))
                .set_expression_attribute_values(Some(values))
                .send()
                .await;
            return super::held_or_conflict(result, "update customer");
        }

        // A unique value changes: its guard moves in the same transaction.
        let mut tx = Transaction::default();
        tx.push(self.update_named(profile_key(t, &after.id), &expression, condition, names, values)?);
        for (kind, old, new) in changed {
            if let Some(old) = old {
                tx.release(self, keys::guard(t, kind, &old), &after.id, false)?;
            }
            if let Some(new) = new {
                tx.claim(self, kind, keys::guard(t, kind, &new), &after.id)?;
            }
        }
        for put in self.mail_puts(effects.mails)? {
            tx.push(put);
        }
        self.commit(tx, "update customer").await
    }

    async fn delete_customer(&self, record: &CustomerRecord, now: DateTime<Utc>) -> anyhow::Result<()> {
        let t = &record.customer.tenant_id;
        // Profile and guards go together, and the erasure record comes in
        // their place: the email is free, and the customer gone for every
        // read, the moment this commits. The profile goes only at the
        // version whose guards are released with it: a unique value changed
        // meanwhile (its guard moved) is read again, so that no guard stays
        // behind owned by nobody (its value `TAKEN` for good).
        let mut current = record.clone();
        for attempt in 0.. {
            let c = &current.customer;
            let mut tx = Transaction::default();
            tx.push(self.delete_at_version(profile_key(t, &c.id), c.version)?);
            for (_, guard) in guards(c) {
                tx.release(self, guard, &c.id, true)?;
            }
            tx.push(self.put(erasure_item(t, &Erasure::of(&current, now))?, Some(NOT_EXISTS))?);
            match self.transact(tx.items).await {
                Ok(()) => return Ok(()),
                Err(TxError::Cancelled(codes)) if failed_at(&codes, 0) && PROFILE_MOVED.retries_after(attempt) => {
                    match self.get_customer(t, &c.id).await? {
                        Some(again) => current = again,
                        // Erased by a request of its own meanwhile.
                        None => return Ok(()),
                    }
                }
                Err(e) => return Err(e.unexpected("erasure")),
            }
        }
        unreachable!("the loop returns")
    }

    async fn erasure(&self, tenant: &TenantId, id: &str) -> anyhow::Result<Option<Erasure>> {
        let item = self.get_item(key(keys::customer(tenant, id), keys::ERASURE)).await?;
        item.map(|i| serde_dynamo::from_item(i).context("erasure")).transpose()
    }

    async fn restart_erasure(&self, tenant: &TenantId, id: &str) -> anyhow::Result<bool> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::customer(tenant, id), keys::ERASURE)))
            .update_expression("ADD round :one")
            .condition_expression(super::EXISTS)
            .expression_attribute_values(":one", n(1))
            .send()
            .await;
        super::condition_held(result, "restart erasure")
    }

    async fn finish_erasure(
        &self,
        tenant: &TenantId,
        erasure: &Erasure,
        deadline: std::time::Instant,
    ) -> anyhow::Result<Progress> {
        let t = tenant;
        let pk = keys::customer(t, &erasure.customer_id);
        // A later delivery of a record whose job is done: nothing to do (the
        // subscriptions of its addresses may be a newer subscriber's now).
        if self.get_item(key(pk.clone(), keys::ERASURE)).await?.is_none() {
            return Ok(Progress::Done);
        }
        // Everything the customer owned: its partition (sessions, orders,
        // standing, ledger, contracts), read consistently, the guards and
        // receipts those items name, and what GSI1 lists under it (tokens;
        // guards and receipts again, should an item have been missed). No
        // write for the customer lands after the profile went: each checks
        // that the profile is there. The erasure record goes last.
        let own = self
            .query_all("list the customer's items", |q| {
                q.key_condition_expression("pk = :p")
                    .expression_attribute_values(":p", s(pk.clone()))
                    .projection_expression("pk, sk, idempotencyKey")
                    .consistent_read(true)
            })
            .await?;
        let mut rest: Vec<Item> = own.iter().filter_map(|i| named_guard(t, i)).collect();
        let not_the_record = |i: &Item| items::sort_key(i) != Some(keys::ERASURE);
        rest.extend(own.into_iter().filter(not_the_record).map(|mut i| {
            i.remove("idempotencyKey");
            i
        }));
        rest.extend(self.keys_in(true, &pk).await?);
        // The subscriptions of every address it proved, unless the address
        // belongs to another customer by now (theirs, then).
        for address in &erasure.addresses {
            match self.customer_id_by(t, UniqueKey::Email, address).await? {
                Some(owner) if owner != erasure.customer_id => {}
                _ => rest.extend(self.subscriber_keys(t, address).await?),
            }
        }
        rest.sort_by_key(|k| format!("{:?}", (k.get("pk"), k.get("sk"))));
        rest.dedup();
        // A batch at a time, looking at the deadline before each but the
        // first (every run makes progress): a long history stops with what
        // it removed so far kept, and the next run lists what is left.
        for (i, batch) in rest.chunks(25).enumerate() {
            if i > 0 && std::time::Instant::now() >= deadline {
                return Ok(Progress::More);
            }
            self.delete_all(batch.to_vec()).await?;
        }
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, keys::ERASURE)))
            .send()
            .await
            .map_err(sdk("remove the erasure record"))?;
        Ok(Progress::Done)
    }

    async fn pending_erasures(&self) -> anyhow::Result<Vec<(TenantId, Erasure)>> {
        let found = self
            .query_all("list the erasures", |q| {
                q.index_name(GSI1)
                    .key_condition_expression("gsi1pk = :p")
                    .expression_attribute_values(":p", s(keys::ERASURES))
            })
            .await?;
        // One record that does not read is logged, not a failed listing.
        Ok(found
            .into_iter()
            .filter_map(|item| {
                let pk = item.get("pk").and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
                let read = match keys::ItemKey::parse(&pk, keys::ERASURE) {
                    keys::ItemKey::Erasure(c) => serde_dynamo::from_item(item).map(|e| (c.tenant, e)).ok(),
                    _ => None,
                };
                if read.is_none() {
                    tracing::warn!(pk = %pk, "an erasure record that does not read: not listed");
                }
                read
            })
            .collect())
    }

    async fn list_customers(
        &self,
        tenant: &TenantId,
        from_id: &str,
        to_id: &str,
        reverse: bool,
        limit: i32,
    ) -> anyhow::Result<(Vec<Customer>, bool)> {
        let out = self.gsi1_range(&keys::customers_index(tenant), from_id, to_id, reverse, limit).await?;
        let customers = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|i| serde_dynamo::from_item(i).context("customer"))
            .collect::<anyhow::Result<Vec<Customer>>>()?;
        Ok((customers, out.last_evaluated_key.is_some()))
    }
}

impl DynamoStore {
    /// The transaction that creates `new`'s customer, guards, tokens and
    /// session, without its mails.
    fn new_customer(&self, new: &NewCustomer<'_>) -> Result<Transaction, WriteError> {
        let c = &new.record.customer;
        let mut tx = Transaction::default();
        for (kind, guard) in guards(c) {
            tx.claim(self, kind, guard, &c.id)?;
        }
        tx.push(self.put(customer_item(new.record)?, Some(NOT_EXISTS))?);
        if new.id_given {
            let check = aws_sdk_dynamodb::types::ConditionCheck::builder()
                .table_name(&self.table)
                .set_key(Some(key(keys::customer(&c.tenant_id, &c.id), keys::ERASURE)))
                .condition_expression(NOT_EXISTS)
                .build()
                .map_err(anyhow::Error::from)?;
            tx.push(aws_sdk_dynamodb::types::TransactWriteItem::builder().condition_check(check).build());
        }
        for token in new.tokens {
            tx.push(self.put(token_item(&c.tenant_id, token)?, None)?);
        }
        if let Some(session) = new.session {
            tx.push(self.put(items::session_item(&c.tenant_id, session)?, None)?);
        }
        Ok(tx)
    }
}

/// The erasure record of a customer, in its partition; listed in GSI1 under
/// `ERASURES` by start, so that an operator sees every unfinished one.
fn erasure_item(tenant: &TenantId, erasure: &Erasure) -> anyhow::Result<Item> {
    let item: Item = serde_dynamo::to_item(erasure)?;
    let pk = keys::customer(tenant, &erasure.customer_id);
    let listed = keys::erasures_position(erasure.started_at, tenant, &erasure.customer_id);
    Ok(items::with_keys(item, pk, keys::ERASURE, Some((keys::ERASURES.to_string(), listed))))
}

impl DynamoStore {
    /// A delete of `key` that holds only while the item is at `version`.
    fn delete_at_version(&self, key: Item, version: i64) -> anyhow::Result<aws_sdk_dynamodb::types::TransactWriteItem> {
        let del = aws_sdk_dynamodb::types::Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key))
            .condition_expression("#version = :v")
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(":v", n(version))
            .build()?;
        Ok(aws_sdk_dynamodb::types::TransactWriteItem::builder().delete(del).build())
    }
}
