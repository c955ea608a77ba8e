//! The `Store` on DynamoDB: one table, uniqueness by transactional guards,
//! optimistic concurrency by `version` conditions.

use super::{keys, table, FailureOutcome, NewCustomer, PasswordReset, Store, UniqueKey, WriteError};
use crate::domain::{
    ApiKey, BackInStockSubscription, Credentials, Customer, CustomerRecord, Email, NewsletterState,
    NewsletterSubscription, OneTimeToken, Session, TenantId, REMEMBERED_ROTATIONS,
};
use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, DeleteRequest, KeysAndAttributes, Put, ReturnValue, TransactWriteItem, Update, WriteRequest,
};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

type Item = HashMap<String, AttributeValue>;

#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// A timestamp in the same form serde gives it inside whole items.
fn time(t: DateTime<Utc>) -> anyhow::Result<AttributeValue> {
    Ok(serde_dynamo::to_attribute_value(t)?)
}

fn sdk<E, R>(what: &'static str) -> impl FnOnce(SdkError<E, R>) -> anyhow::Error
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    // A service error says what DynamoDB refused; anything else (network,
    // timeouts) needs the whole chain.
    move |e| match e.as_service_error() {
        Some(service) => anyhow::anyhow!("{what}: {service}"),
        None => anyhow::anyhow!("{what}: {}", DisplayErrorContext(e)),
    }
}

/// True when DynamoDB refused a write because its condition did not hold.
fn condition_failed<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> bool {
    e.as_service_error().and_then(|s| s.code()) == Some("ConditionalCheckFailedException")
}

/// The customer's item: its profile and credentials side by side, plus keys.
fn customer_item(rec: &CustomerRecord) -> anyhow::Result<Item> {
    let c = &rec.customer;
    let mut item: Item = serde_dynamo::to_item(c)?;
    item.extend(serde_dynamo::to_item::<_, Item>(&rec.credentials)?);
    item.insert("pk".into(), s(keys::customer(&c.tenant_id, &c.id)));
    item.insert("sk".into(), s(keys::PROFILE));
    item.insert("emailKey".into(), s(c.email.normalized()));
    item.insert("gsi1pk".into(), s(keys::customers_index(&c.tenant_id)));
    item.insert("gsi1sk".into(), s(&c.id));
    Ok(item)
}

fn customer_from_item(item: Item) -> anyhow::Result<CustomerRecord> {
    let credentials: Credentials = serde_dynamo::from_item(item.clone()).context("customer credentials")?;
    let customer: Customer = serde_dynamo::from_item(item).context("customer profile")?;
    Ok(CustomerRecord { customer, credentials })
}

/// The TTL attribute of an item that expires at `expires_at` (see `table::TTL_GRACE`).
fn purge_at(expires_at: DateTime<Utc>) -> AttributeValue {
    n((expires_at + table::TTL_GRACE).timestamp())
}

fn session_item(tenant: &TenantId, session: &Session) -> anyhow::Result<Item> {
    let mut item: Item = serde_dynamo::to_item(session)?;
    item.insert(table::TTL_ATTRIBUTE.into(), purge_at(session.expires_at));
    item.insert("pk".into(), s(keys::customer(tenant, &session.customer_id)));
    item.insert("sk".into(), s(keys::session_sk(&session.id)));
    Ok(item)
}

/// A token item, also listed under its customer in GSI1 so that erasing the
/// customer finds it.
fn token_item(tenant: &TenantId, token: &OneTimeToken) -> anyhow::Result<Item> {
    let mut item: Item = serde_dynamo::to_item(token)?;
    item.insert(table::TTL_ATTRIBUTE.into(), purge_at(token.expires_at));
    item.insert("pk".into(), s(keys::token(tenant, &token.hash)));
    item.insert("sk".into(), s(keys::TOKEN));
    // Listed under its customer, or under its address when it has none.
    let owner = match token.customer_id.as_str() {
        "" => keys::subscriber_index(tenant, &token.email_key),
        id => keys::customer(tenant, id),
    };
    item.insert("gsi1pk".into(), s(owner));
    item.insert("gsi1sk".into(), s(format!("{}#{}", keys::TOKEN, token.hash)));
    Ok(item)
}

fn newsletter_item(tenant: &TenantId, sub: &NewsletterSubscription) -> anyhow::Result<Item> {
    let email_key = sub.email.normalized();
    let mut item: Item = serde_dynamo::to_item(sub)?;
    item.insert("pk".into(), s(keys::newsletter(tenant, &email_key)));
    item.insert("sk".into(), s(keys::NEWSLETTER));
    item.insert("gsi1pk".into(), s(keys::newsletters_index(tenant)));
    item.insert("gsi1sk".into(), s(format!("{}#{email_key}", sub.status.as_str())));
    Ok(item)
}

fn back_in_stock_key(tenant: &TenantId, item: &str, country: &str, email_key: &str) -> Item {
    key(keys::back_in_stock(tenant, item), &format!("{country}#{email_key}"))
}

/// The customer's unique values, one per kind, in a fixed order.
fn unique_values(c: &Customer) -> [(UniqueKey, Option<String>); 3] {
    [
        (UniqueKey::Email, Some(c.email.normalized())),
        (UniqueKey::Ref, c.reference.clone()),
        (UniqueKey::ExternalId, c.external_id.clone()),
    ]
}

/// The uniqueness guards a customer owns.
fn guard_keys(c: &Customer) -> Vec<String> {
    unique_values(c).into_iter().filter_map(|(kind, v)| v.map(|v| keys::guard(&c.tenant_id, kind, &v))).collect()
}

fn key(pk: String, sk: &str) -> Item {
    HashMap::from([("pk".to_string(), s(pk)), ("sk".to_string(), s(sk))])
}

/// Why a transaction was cancelled, one code per item ("None" where fine).
enum TxError {
    Cancelled(Vec<String>),
    Other(anyhow::Error),
}

impl TxError {
    /// For a transaction no condition should refuse: any refusal is a failure.
    fn unexpected(self, what: &str) -> anyhow::Error {
        match self {
            TxError::Cancelled(codes) => anyhow::anyhow!("{what} cancelled: {codes:?}"),
            TxError::Other(e) => e,
        }
    }
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    /// Opens the HTTPS connection to DynamoDB (TCP and the TLS handshake) by
    /// reading a key that never exists. Done during init, overlapped with the
    /// signing-key read, so that the first request pays for neither
    /// (README, "Performance").
    pub async fn open_connection(&self) -> anyhow::Result<()> {
        self.client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key("#connection".into(), "#connection")))
            .send()
            .await
            .map_err(sdk("open connection"))?;
        Ok(())
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    fn put(&self, item: Item, condition: Option<&str>) -> anyhow::Result<TransactWriteItem> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .set_condition_expression(condition.map(String::from))
            .build()?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    fn delete(&self, key: Item, condition: Option<&str>) -> anyhow::Result<TransactWriteItem> {
        let del = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key))
            .set_condition_expression(condition.map(String::from))
            .build()?;
        Ok(TransactWriteItem::builder().delete(del).build())
    }

    fn update(&self, key: Item, expression: &str, condition: &str, values: Item) -> anyhow::Result<TransactWriteItem> {
        let upd = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key))
            .update_expression(expression)
            .condition_expression(condition)
            .set_expression_attribute_values(Some(values))
            .build()?;
        Ok(TransactWriteItem::builder().update(upd).build())
    }

    /// Runs a transaction. Concurrent transactions on the same items may be
    /// cancelled with `TransactionConflict` before their conditions are even
    /// evaluated; those are retried so that the caller sees the real outcome.
    async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<(), TxError> {
        let mut delay = std::time::Duration::from_millis(10);
        for attempt in 0.. {
            let result = self.client.transact_write_items().set_transact_items(Some(items.clone())).send().await;
            let err = match result {
                Ok(_) => return Ok(()),
                Err(e) => e,
            };
            let codes = match err.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(c)) => {
                    c.cancellation_reasons().iter().map(|r| r.code().unwrap_or("None").to_string()).collect::<Vec<_>>()
                }
                _ => return Err(TxError::Other(anyhow::anyhow!("transaction: {}", DisplayErrorContext(err)))),
            };
            let conflict_only = codes.iter().any(|c| c == "TransactionConflict")
                && !codes.iter().any(|c| c == "ConditionalCheckFailed");
            if conflict_only && attempt < 8 {
                tokio::time::sleep(delay + std::time::Duration::from_millis(rand::random::<u64>() % 20)).await;
                delay *= 2;
                continue;
            }
            return Err(TxError::Cancelled(codes));
        }
        unreachable!("the retry loop returns")
    }

    /// A transaction whose only expected failure is a condition: `Conflict`.
    async fn transact_conditional(&self, items: Vec<TransactWriteItem>) -> Result<(), WriteError> {
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(TxError::Cancelled(codes)) if codes.iter().any(|c| c == "ConditionalCheckFailed") => {
                Err(WriteError::Conflict)
            }
            Err(e) => Err(WriteError::Other(e.unexpected("transaction"))),
        }
    }

    /// A transaction that writes uniqueness guards at the given item
    /// indexes: a failed guard is `Taken`, any other failed condition
    /// `Conflict`.
    async fn transact_guarded(
        &self,
        items: Vec<TransactWriteItem>,
        guards: &[(usize, UniqueKey)],
        what: &str,
    ) -> Result<(), WriteError> {
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(TxError::Cancelled(codes)) => {
                let failed = |i: usize| codes.get(i).is_some_and(|c| c == "ConditionalCheckFailed");
                match guards.iter().find(|(i, _)| failed(*i)) {
                    Some((_, kind)) => Err(WriteError::Taken(*kind)),
                    None if codes.iter().any(|c| c == "ConditionalCheckFailed") => Err(WriteError::Conflict),
                    None => Err(WriteError::Other(TxError::Cancelled(codes).unexpected(what))),
                }
            }
            Err(e) => Err(WriteError::Other(e.unexpected(what))),
        }
    }

    /// The keys (`pk`, `sk`) of every item in a partition of the table, or
    /// of GSI1 (whose items carry the table keys too).
    async fn keys_in(&self, index: Option<&str>, partition: &str) -> anyhow::Result<Vec<Item>> {
        let pk = if index.is_some() { "gsi1pk" } else { "pk" };
        let mut found = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .set_index_name(index.map(String::from))
                .key_condition_expression("#p = :p")
                .expression_attribute_names("#p", pk)
                .expression_attribute_values(":p", s(partition))
                .projection_expression("pk, sk")
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(sdk("list partition"))?;
            found.extend(out.items.unwrap_or_default());
            match out.last_evaluated_key {
                Some(k) => start = Some(k),
                None => return Ok(found),
            }
        }
    }

    /// One page of a GSI1 partition's items with sort keys in `[from, to]`.
    async fn gsi1_range(
        &self,
        partition: &str,
        from: &str,
        to: &str,
        limit: i32,
    ) -> anyhow::Result<aws_sdk_dynamodb::operation::query::QueryOutput> {
        self.client
            .query()
            .table_name(&self.table)
            .index_name("gsi1")
            .key_condition_expression("gsi1pk = :p AND gsi1sk BETWEEN :from AND :to")
            .expression_attribute_values(":p", s(partition))
            .expression_attribute_values(":from", s(from))
            .expression_attribute_values(":to", s(to))
            .limit(limit)
            .send()
            .await
            .map_err(sdk("query index range"))
    }

    /// Deletes items by key, 25 per request, retrying what DynamoDB leaves unprocessed.
    async fn delete_all(&self, keys: Vec<Item>) -> anyhow::Result<()> {
        for chunk in keys.chunks(25) {
            let mut requests: Vec<WriteRequest> = chunk
                .iter()
                .map(|k| -> anyhow::Result<WriteRequest> {
                    Ok(WriteRequest::builder()
                        .delete_request(DeleteRequest::builder().set_key(Some(k.clone())).build()?)
                        .build())
                })
                .collect::<anyhow::Result<_>>()?;
            for attempt in 0..8u32 {
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, requests)
                    .send()
                    .await
                    .map_err(sdk("delete items"))?;
                requests = out.unprocessed_items.and_then(|mut u| u.remove(&self.table)).unwrap_or_default();
                if requests.is_empty() {
                    break;
                }
                anyhow::ensure!(attempt < 7, "items left undeleted after retries");
                tokio::time::sleep(std::time::Duration::from_millis(20 << attempt)).await;
            }
        }
        Ok(())
    }

    async fn get_item(&self, key: Item) -> anyhow::Result<Option<Item>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk("get item"))?;
        Ok(out.item)
    }
}

#[async_trait]
impl Store for DynamoStore {
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

    async fn create_customer(&self, new: NewCustomer<'_>) -> Result<(), WriteError> {
        let c = &new.record.customer;
        let t = &c.tenant_id;
        let not_exists = Some("attribute_not_exists(pk)");
        let guard = |pk: String| -> anyhow::Result<TransactWriteItem> {
            let mut item = key(pk, keys::GUARD);
            item.insert("customerId".into(), s(&c.id));
            self.put(item, not_exists)
        };
        // Guards first, in a known order, so a cancellation reason maps back to its key.
        let mut guards = vec![(UniqueKey::Email, guard(keys::email_guard(t, &c.email.normalized()))?)];
        if let Some(r) = &c.reference {
            guards.push((UniqueKey::Ref, guard(keys::ref_guard(t, r))?));
        }
        if let Some(x) = &c.external_id {
            guards.push((UniqueKey::ExternalId, guard(keys::external_id_guard(t, x))?));
        }
        let kinds: Vec<UniqueKey> = guards.iter().map(|(k, _)| *k).collect();
        let mut items: Vec<TransactWriteItem> = guards.into_iter().map(|(_, g)| g).collect();
        items.push(self.put(customer_item(new.record)?, not_exists)?);
        for token in new.tokens {
            items.push(self.put(token_item(t, token)?, None)?);
        }
        if let Some(session) = new.session {
            items.push(self.put(session_item(t, session)?, None)?);
        }
        let guards: Vec<(usize, UniqueKey)> = kinds.into_iter().enumerate().collect();
        self.transact_guarded(items, &guards, "create customer").await
    }

    async fn customer_id_by(&self, tenant: &TenantId, kind: UniqueKey, value: &str) -> anyhow::Result<Option<String>> {
        let item = self.get_item(key(keys::guard(tenant, kind, value), keys::GUARD)).await?;
        Ok(item.and_then(|i| i.get("customerId").and_then(|v| v.as_s().ok()).cloned()))
    }

    async fn get_customer(&self, tenant: &TenantId, id: &str) -> anyhow::Result<Option<CustomerRecord>> {
        self.get_item(key(keys::customer(tenant, id), keys::PROFILE)).await?.map(customer_from_item).transpose()
    }

    async fn get_customer_and_session(
        &self,
        tenant: &TenantId,
        customer_id: &str,
        session_id: &str,
    ) -> anyhow::Result<(Option<CustomerRecord>, Option<Session>)> {
        let pk = keys::customer(tenant, customer_id);
        let session_sk = keys::session_sk(session_id);
        let wanted = KeysAndAttributes::builder()
            .keys(key(pk.clone(), keys::PROFILE))
            .keys(key(pk, &session_sk))
            .consistent_read(true)
            .build()?;
        let out = self
            .client
            .batch_get_item()
            .request_items(&self.table, wanted)
            .send()
            .await
            .map_err(sdk("get customer and session"))?;
        // Two small items never exceed BatchGetItem's limits, so nothing is left unprocessed.
        let mut customer = None;
        let mut session = None;
        for item in out.responses.and_then(|mut r| r.remove(&self.table)).unwrap_or_default() {
            match item.get("sk").and_then(|v| v.as_s().ok()).map(String::as_str) {
                Some(keys::PROFILE) => customer = Some(customer_from_item(item)?),
                Some(_) => session = Some(serde_dynamo::from_item(item).context("session")?),
                None => {}
            }
        }
        Ok((customer, session))
    }

    async fn record_login(&self, tenant: &TenantId, session: &Session, now: DateTime<Utc>) -> anyhow::Result<()> {
        let values = HashMap::from([
            (":now".to_string(), time(now)?),
            (":zero".to_string(), n(0)),
            (":null".to_string(), AttributeValue::Null(true)),
        ]);
        let items = vec![
            self.put(session_item(tenant, session)?, Some("attribute_not_exists(pk)"))?,
            self.update(
                key(keys::customer(tenant, &session.customer_id), keys::PROFILE),
                "SET lastLoginAt = :now, failedLogins = :zero, lockedUntil = :null",
                "attribute_exists(pk)",
                values,
            )?,
        ];
        self.transact(items).await.map_err(|e| e.unexpected("login"))
    }

    async fn record_login_failure(
        &self,
        tenant: &TenantId,
        customer_id: &str,
        max_failures: u32,
        lock_until: DateTime<Utc>,
    ) -> anyhow::Result<FailureOutcome> {
        let k = key(keys::customer(tenant, customer_id), keys::PROFILE);
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(k.clone()))
            .update_expression("ADD failedLogins :one")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":one", n(1))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(sdk("count login failure"))?;
        let failures: u32 = out
            .attributes
            .as_ref()
            .and_then(|a| a.get("failedLogins"))
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if failures < max_failures {
            return Ok(FailureOutcome::Counted);
        }
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(k))
            .update_expression("SET lockedUntil = :until, failedLogins = :zero")
            .expression_attribute_values(":until", time(lock_until)?)
            .expression_attribute_values(":zero", n(0))
            .send()
            .await
            .map_err(sdk("lock account"))?;
        Ok(FailureOutcome::Locked)
    }

    async fn rotate_refresh_token(
        &self,
        tenant: &TenantId,
        session: &Session,
        new_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), WriteError> {
        let mut rotated = session.rotated_hashes.clone();
        rotated.push(session.refresh_hash.clone());
        let skip = rotated.len().saturating_sub(REMEMBERED_ROTATIONS);
        let rotated: Vec<AttributeValue> = rotated.into_iter().skip(skip).map(s).collect();
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::customer(tenant, &session.customer_id), &keys::session_sk(&session.id))))
            .update_expression("SET refreshHash = :new, rotatedHashes = :rotated, expiresAt = :exp, #purge = :purge")
            .condition_expression("refreshHash = :old")
            .expression_attribute_values(":new", s(new_hash))
            .expression_attribute_values(":old", s(&session.refresh_hash))
            .expression_attribute_values(":rotated", AttributeValue::L(rotated))
            .expression_attribute_values(":exp", n(expires_at.timestamp()))
            .expression_attribute_names("#purge", table::TTL_ATTRIBUTE)
            .expression_attribute_values(":purge", purge_at(expires_at))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if condition_failed(&e) => Err(WriteError::Conflict),
            Err(e) => Err(WriteError::Other(sdk("rotate refresh token")(e))),
        }
    }

    async fn delete_session(&self, tenant: &TenantId, customer_id: &str, session_id: &str) -> anyhow::Result<()> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::customer(tenant, customer_id), &keys::session_sk(session_id))))
            .send()
            .await
            .map_err(sdk("delete session"))?;
        Ok(())
    }

    async fn put_token(&self, tenant: &TenantId, token: &OneTimeToken) -> anyhow::Result<()> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(token_item(tenant, token)?))
            .send()
            .await
            .map_err(sdk("put token"))?;
        Ok(())
    }

    async fn get_token(&self, tenant: &TenantId, hash: &str) -> anyhow::Result<Option<OneTimeToken>> {
        let item = self.get_item(key(keys::token(tenant, hash), keys::TOKEN)).await?;
        item.map(|i| serde_dynamo::from_item(i).context("token")).transpose()
    }

    async fn confirm_email(
        &self,
        tenant: &TenantId,
        token: &OneTimeToken,
        now: DateTime<Utc>,
    ) -> Result<(), WriteError> {
        let values = HashMap::from([
            (":true".to_string(), AttributeValue::Bool(true)),
            (":one".to_string(), n(1)),
            (":now".to_string(), time(now)?),
            (":ek".to_string(), s(&token.email_key)),
        ]);
        let items = vec![
            self.delete(key(keys::token(tenant, &token.hash), keys::TOKEN), Some("attribute_exists(pk)"))?,
            self.update(
                key(keys::customer(tenant, &token.customer_id), keys::PROFILE),
                "SET emailVerified = :true, version = version + :one, updatedAt = :now",
                "attribute_exists(pk) AND emailKey = :ek",
                values,
            )?,
        ];
        self.transact_conditional(items).await
    }

    async fn reset_password(&self, tenant: &TenantId, reset: PasswordReset<'_>) -> Result<(), WriteError> {
        let token = reset.token;
        let values = HashMap::from([
            (":hash".to_string(), s(reset.password_hash)),
            (":true".to_string(), AttributeValue::Bool(true)),
            (":one".to_string(), n(1)),
            (":zero".to_string(), n(0)),
            (":null".to_string(), AttributeValue::Null(true)),
            (":now".to_string(), time(reset.now)?),
            (":ek".to_string(), s(&token.email_key)),
            (":tv".to_string(), n(token.token_version)),
        ]);
        let mut items = vec![
            self.delete(key(keys::token(tenant, &token.hash), keys::TOKEN), Some("attribute_exists(pk)"))?,
            self.update(
                key(keys::customer(tenant, &token.customer_id), keys::PROFILE),
                "SET passwordHash = :hash, tokenVersion = tokenVersion + :one, emailVerified = :true, \
                 version = version + :one, updatedAt = :now, failedLogins = :zero, lockedUntil = :null",
                "attribute_exists(pk) AND emailKey = :ek AND tokenVersion = :tv",
                values,
            )?,
        ];
        if let Some(session) = reset.session {
            items.push(self.put(session_item(tenant, session)?, None)?);
        }
        self.transact_conditional(items).await
    }

    async fn update_customer(&self, before: &Customer, after: &Customer) -> Result<(), WriteError> {
        let t = &after.tenant_id;
        let pk = keys::customer(t, &after.id);
        let mut values = HashMap::from([(":expected".to_string(), n(before.version))]);
        let mut names = HashMap::from([("#version".to_string(), "version".to_string())]);
        let mut sets = vec!["emailKey = :emailKey".to_string()];
        values.insert(":emailKey".into(), s(after.email.normalized()));
        let fields: Item = serde_dynamo::to_item(after).map_err(anyhow::Error::from)?;
        // Ids never change; everything else is written as the new state.
        for (i, (name, value)) in fields.into_iter().filter(|(k, _)| k != "id" && k != "tenantId").enumerate() {
            sets.push(format!("#f{i} = :f{i}"));
            names.insert(format!("#f{i}"), name);
            values.insert(format!(":f{i}"), value);
        }
        let expression = format!("SET {}", sets.join(", "));
        let changed_guards: Vec<(UniqueKey, Option<String>, Option<String>)> = unique_values(before)
            .into_iter()
            .zip(unique_values(after))
            .filter(|((_, old), (_, new))| old != new)
            .map(|((kind, old), (_, new))| (kind, old, new))
            .collect();

        if changed_guards.is_empty() {
            let result = self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(key(pk, keys::PROFILE)))
                .update_expression(expression)
                .condition_expression("#version = :expected")
                .set_expression_attribute_names(Some(names))
                .set_expression_attribute_values(Some(values))
                .send()
                .await;
            return match result {
                Ok(_) => Ok(()),
                Err(e) if condition_failed(&e) => Err(WriteError::Conflict),
                Err(e) => Err(WriteError::Other(sdk("update customer")(e))),
            };
        }

        // A unique value changes: its guard moves in the same transaction.
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(pk, keys::PROFILE)))
            .update_expression(expression)
            .condition_expression("#version = :expected")
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .build()
            .map_err(anyhow::Error::from)?;
        let mut items = vec![TransactWriteItem::builder().update(update).build()];
        let mut taken_at = Vec::new();
        for (kind, old, new) in &changed_guards {
            if let Some(old) = old {
                let del = Delete::builder()
                    .table_name(&self.table)
                    .set_key(Some(key(keys::guard(t, *kind, old), keys::GUARD)))
                    .condition_expression("customerId = :id")
                    .expression_attribute_values(":id", s(&after.id))
                    .build()
                    .map_err(anyhow::Error::from)?;
                items.push(TransactWriteItem::builder().delete(del).build());
            }
            if let Some(new) = new {
                let mut guard = key(keys::guard(t, *kind, new), keys::GUARD);
                guard.insert("customerId".into(), s(&after.id));
                taken_at.push((items.len(), *kind));
                items.push(self.put(guard, Some("attribute_not_exists(pk)"))?);
            }
        }
        self.transact_guarded(items, &taken_at, "update customer").await
    }

    async fn change_password(
        &self,
        tenant: &TenantId,
        customer_id: &str,
        password_hash: &str,
        token_version: i64,
        session: &Session,
        now: DateTime<Utc>,
    ) -> Result<(), WriteError> {
        let values = HashMap::from([
            (":hash".to_string(), s(password_hash)),
            (":one".to_string(), n(1)),
            (":tv".to_string(), n(token_version)),
            (":now".to_string(), time(now)?),
        ]);
        let items = vec![
            self.update(
                key(keys::customer(tenant, customer_id), keys::PROFILE),
                "SET passwordHash = :hash, tokenVersion = tokenVersion + :one, version = version + :one, updatedAt = :now",
                "attribute_exists(pk) AND tokenVersion = :tv",
                values,
            )?,
            self.put(session_item(tenant, session)?, Some("attribute_not_exists(pk)"))?,
        ];
        self.transact_conditional(items).await
    }

    async fn revoke_all_sessions(&self, tenant: &TenantId, customer_id: &str) -> anyhow::Result<()> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::customer(tenant, customer_id), keys::PROFILE)))
            .update_expression("ADD tokenVersion :one")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":one", n(1))
            .send()
            .await
            .map_err(sdk("revoke sessions"))?;
        Ok(())
    }

    async fn change_email(
        &self,
        tenant: &TenantId,
        token: &OneTimeToken,
        new_email: &Email,
        now: DateTime<Utc>,
    ) -> Result<(), WriteError> {
        let mut guard = key(keys::email_guard(tenant, &new_email.normalized()), keys::GUARD);
        guard.insert("customerId".into(), s(&token.customer_id));
        let values = HashMap::from([
            (":email".to_string(), s(new_email.as_str())),
            (":ek".to_string(), s(new_email.normalized())),
            (":old".to_string(), s(&token.email_key)),
            (":true".to_string(), AttributeValue::Bool(true)),
            (":one".to_string(), n(1)),
            (":now".to_string(), time(now)?),
        ]);
        let old_guard = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::email_guard(tenant, &token.email_key), keys::GUARD)))
            .condition_expression("customerId = :id")
            .expression_attribute_values(":id", s(&token.customer_id))
            .build()
            .map_err(anyhow::Error::from)?;
        let items = vec![
            self.delete(key(keys::token(tenant, &token.hash), keys::TOKEN), Some("attribute_exists(pk)"))?,
            TransactWriteItem::builder().delete(old_guard).build(),
            self.put(guard, Some("attribute_not_exists(pk)"))?,
            self.update(
                key(keys::customer(tenant, &token.customer_id), keys::PROFILE),
                "SET email = :email, emailKey = :ek, emailVerified = :true, version = version + :one, updatedAt = :now",
                "attribute_exists(pk) AND emailKey = :old",
                values,
            )?,
        ];
        // Index 2 is the new address's guard.
        self.transact_guarded(items, &[(2, UniqueKey::Email)], "email change").await
    }

    async fn delete_customer(&self, customer: &Customer) -> anyhow::Result<()> {
        let pk = keys::customer(&customer.tenant_id, &customer.id);
        // Profile and guards go together: the email is free the moment the customer is gone.
        let mut items = vec![self.delete(key(pk.clone(), keys::PROFILE), None)?];
        for guard in guard_keys(customer) {
            let del = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(key(guard, keys::GUARD)))
                .condition_expression("attribute_not_exists(pk) OR customerId = :id")
                .expression_attribute_values(":id", s(&customer.id))
                .build()?;
            items.push(TransactWriteItem::builder().delete(del).build());
        }
        self.transact(items).await.map_err(|e| e.unexpected("erasure"))?;
        // Then everything else it owned: sessions, and tokens found through GSI1.
        let mut rest = self.keys_in(None, &pk).await?;
        rest.extend(self.keys_in(Some("gsi1"), &pk).await?);
        self.delete_all(rest).await?;
        self.erase_subscriber(&customer.tenant_id, &customer.email.normalized()).await
    }

    async fn list_customers(
        &self,
        tenant: &TenantId,
        from_id: &str,
        to_id: &str,
        limit: i32,
    ) -> anyhow::Result<(Vec<Customer>, bool)> {
        let out = self.gsi1_range(&keys::customers_index(tenant), from_id, to_id, limit).await?;
        let customers = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|i| serde_dynamo::from_item(i).context("customer"))
            .collect::<anyhow::Result<Vec<Customer>>>()?;
        Ok((customers, out.last_evaluated_key.is_some()))
    }

    async fn put_api_key(&self, api_key: &ApiKey) -> anyhow::Result<()> {
        let mut item: Item = serde_dynamo::to_item(api_key)?;
        item.insert("pk".into(), s(keys::api_key(&api_key.id)));
        item.insert("sk".into(), s(keys::API_KEY));
        item.insert("gsi1pk".into(), s(keys::api_keys_index(&api_key.tenant_id)));
        item.insert("gsi1sk".into(), s(&api_key.id));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
            .map_err(sdk("put api key"))?;
        Ok(())
    }

    async fn get_api_key(&self, id: &str) -> anyhow::Result<Option<ApiKey>> {
        let item = self.get_item(key(keys::api_key(id), keys::API_KEY)).await?;
        item.map(|i| serde_dynamo::from_item(i).context("api key")).transpose()
    }

    async fn list_api_keys(&self, tenant: &TenantId) -> anyhow::Result<Vec<ApiKey>> {
        let mut found = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .index_name("gsi1")
                .key_condition_expression("gsi1pk = :p")
                .expression_attribute_values(":p", s(keys::api_keys_index(tenant)))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(sdk("list api keys"))?;
            for item in out.items.unwrap_or_default() {
                found.push(serde_dynamo::from_item(item).context("api key")?);
            }
            match out.last_evaluated_key {
                Some(k) => start = Some(k),
                None => return Ok(found),
            }
        }
    }

    async fn revoke_api_key(&self, id: &str, at: DateTime<Utc>) -> anyhow::Result<bool> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::api_key(id), keys::API_KEY)))
            .update_expression("SET revokedAt = :at")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":at", time(at)?)
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(sdk("revoke api key")(e)),
        }
    }

    async fn get_newsletter(
        &self,
        tenant: &TenantId,
        email_key: &str,
    ) -> anyhow::Result<Option<NewsletterSubscription>> {
        let item = self.get_item(key(keys::newsletter(tenant, email_key), keys::NEWSLETTER)).await?;
        item.map(|i| serde_dynamo::from_item(i).context("newsletter subscription")).transpose()
    }

    async fn put_newsletter(
        &self,
        tenant: &TenantId,
        subscription: &NewsletterSubscription,
        tokens: &[OneTimeToken],
    ) -> anyhow::Result<()> {
        let mut items = vec![self.put(newsletter_item(tenant, subscription)?, None)?];
        for token in tokens {
            items.push(self.put(token_item(tenant, token)?, None)?);
        }
        self.transact(items).await.map_err(|e| e.unexpected("newsletter write"))
    }

    async fn set_newsletter_status(
        &self,
        tenant: &TenantId,
        email_key: &str,
        status: NewsletterState,
        using: Option<&OneTimeToken>,
        now: DateTime<Utc>,
    ) -> Result<(), WriteError> {
        let confirmed = if status == NewsletterState::Subscribed { time(now)? } else { AttributeValue::Null(true) };
        let values = HashMap::from([
            (":status".to_string(), s(status.as_str())),
            (":gsk".to_string(), s(format!("{}#{email_key}", status.as_str()))),
            (":now".to_string(), time(now)?),
            (":confirmed".to_string(), confirmed),
        ]);
        let mut items = Vec::new();
        if let Some(token) = using {
            items.push(self.delete(key(keys::token(tenant, &token.hash), keys::TOKEN), Some("attribute_exists(pk)"))?);
        }
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::newsletter(tenant, email_key), keys::NEWSLETTER)))
            .update_expression("SET #status = :status, gsi1sk = :gsk, updatedAt = :now, confirmedAt = :confirmed")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#status", "status")
            .set_expression_attribute_values(Some(values))
            .build()
            .map_err(anyhow::Error::from)?;
        items.push(TransactWriteItem::builder().update(update).build());
        self.transact_conditional(items).await
    }

    async fn list_newsletters(
        &self,
        tenant: &TenantId,
        status: Option<NewsletterState>,
        after: Option<&str>,
        limit: i32,
    ) -> anyhow::Result<(Vec<(String, NewsletterSubscription)>, bool)> {
        // Sort keys are `<STATUS>#<email>`; U+10FFFF sorts after every email.
        let (lo, hi) = match status {
            Some(st) => (format!("{}#", st.as_str()), format!("{}#\u{10FFFF}", st.as_str())),
            None => ("A".to_string(), "\u{10FFFF}".to_string()),
        };
        let from = match after {
            Some(a) if a > lo.as_str() => format!("{a}\0"),
            _ => lo,
        };
        let out = self.gsi1_range(&keys::newsletters_index(tenant), &from, &hi, limit).await?;
        let mut found = Vec::new();
        for item in out.items.unwrap_or_default() {
            let position = item.get("gsi1sk").and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
            found.push((position, serde_dynamo::from_item(item).context("newsletter subscription")?));
        }
        Ok((found, out.last_evaluated_key.is_some()))
    }

    async fn put_back_in_stock(&self, tenant: &TenantId, sub: &BackInStockSubscription) -> anyhow::Result<()> {
        let email_key = sub.email.normalized();
        let mut item: Item = serde_dynamo::to_item(sub)?;
        item.extend(back_in_stock_key(tenant, &sub.item, sub.country_code.as_str(), &email_key));
        item.insert("gsi1pk".into(), s(keys::subscriber_index(tenant, &email_key)));
        item.insert("gsi1sk".into(), s(format!("BIS#{}#{}", sub.item, sub.country_code.as_str())));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(sdk("put back-in-stock subscription"))?;
        Ok(())
    }

    async fn delete_back_in_stock(
        &self,
        tenant: &TenantId,
        item: &str,
        country: &str,
        email_key: &str,
    ) -> anyhow::Result<bool> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(back_in_stock_key(tenant, item, country, email_key)))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(sdk("delete back-in-stock subscription"))?;
        Ok(out.attributes.is_some())
    }

    async fn list_back_in_stock(
        &self,
        tenant: &TenantId,
        item: &str,
        country: Option<&str>,
    ) -> anyhow::Result<Vec<BackInStockSubscription>> {
        let mut found = Vec::new();
        let mut start = None;
        loop {
            let mut query = self
                .client
                .query()
                .table_name(&self.table)
                .expression_attribute_values(":p", s(keys::back_in_stock(tenant, item)))
                .set_exclusive_start_key(start);
            query = match country {
                Some(c) => query
                    .key_condition_expression("pk = :p AND begins_with(sk, :c)")
                    .expression_attribute_values(":c", s(format!("{c}#"))),
                None => query.key_condition_expression("pk = :p"),
            };
            let out = query.send().await.map_err(sdk("list back-in-stock subscriptions"))?;
            for i in out.items.unwrap_or_default() {
                found.push(serde_dynamo::from_item(i).context("back-in-stock subscription")?);
            }
            match out.last_evaluated_key {
                Some(k) => start = Some(k),
                None => return Ok(found),
            }
        }
    }

    async fn claim_back_in_stock(&self, tenant: &TenantId, sub: &BackInStockSubscription) -> anyhow::Result<bool> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(back_in_stock_key(tenant, &sub.item, sub.country_code.as_str(), &sub.email.normalized())))
            .condition_expression("attribute_exists(pk)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(sdk("claim back-in-stock subscription")(e)),
        }
    }

    async fn erase_subscriber(&self, tenant: &TenantId, email_key: &str) -> anyhow::Result<()> {
        let mut keys_found = vec![key(keys::newsletter(tenant, email_key), keys::NEWSLETTER)];
        keys_found.extend(self.keys_in(Some("gsi1"), &keys::subscriber_index(tenant, email_key)).await?);
        self.delete_all(keys_found).await
    }

    async fn take_quota(&self, quota_key: &str, max: u32, window_ends: DateTime<Utc>) -> anyhow::Result<bool> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::quota(quota_key), keys::COUNTER)))
            .update_expression("ADD #c :one SET #purge = :exp")
            .condition_expression("attribute_not_exists(#c) OR #c < :max")
            .expression_attribute_names("#c", "count")
            .expression_attribute_names("#purge", table::TTL_ATTRIBUTE)
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":max", n(max))
            .expression_attribute_values(":exp", n(window_ends.timestamp()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(sdk("take quota")(e)),
        }
    }
}
