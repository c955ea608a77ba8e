//! Newsletter subscriptions (an item per address, listed by status in GSI1)
//! and back-in-stock alerts (a partition per item, sorted by country).

use super::items::{back_in_stock_item, back_in_stock_key, gsi1_sort_key, newsletter_item, newsletter_key, token_item};
use super::{failed_at, s, sdk, time, values, DynamoStore, TxError, EXISTS};
use crate::domain::OutboxMail;
use crate::domain::{BackInStockSubscription, NewsletterState, NewsletterSubscription, OneTimeToken, TenantId};
use crate::store::{keys, Quota, SubscriptionStore, WriteError};
use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

#[async_trait]
impl SubscriptionStore for DynamoStore {
    async fn get_newsletter(
        &self,
        tenant: &TenantId,
        email_key: &str,
    ) -> anyhow::Result<Option<NewsletterSubscription>> {
        let item = self.get_item(newsletter_key(tenant, email_key)).await?;
        item.map(|i| serde_dynamo::from_item(i).context("newsletter subscription")).transpose()
    }

    async fn newsletters(
        &self,
        tenant: &TenantId,
        email_keys: &[String],
    ) -> anyhow::Result<Vec<Option<NewsletterSubscription>>> {
        anyhow::ensure!(email_keys.len() <= 100, "at most 100 subscriptions a read");
        if email_keys.is_empty() {
            return Ok(vec![]);
        }
        // BatchGetItem refuses a key asked for twice.
        let mut wanted: Vec<super::Item> = Vec::with_capacity(email_keys.len());
        for key in email_keys.iter().map(|k| newsletter_key(tenant, k)) {
            if !wanted.contains(&key) {
                wanted.push(key);
            }
        }
        let found = self.get_items(wanted.clone()).await?;
        let by_key: Vec<(&super::Item, Option<NewsletterSubscription>)> = wanted
            .iter()
            .zip(found)
            .map(|(k, i)| Ok((k, i.map(serde_dynamo::from_item).transpose().context("newsletter subscription")?)))
            .collect::<anyhow::Result<_>>()?;
        Ok(email_keys
            .iter()
            .map(|k| {
                let key = newsletter_key(tenant, k);
                by_key.iter().find(|(w, _)| **w == key).and_then(|(_, s)| s.clone())
            })
            .collect())
    }

    async fn back_in_stock_of(
        &self,
        tenant: &TenantId,
        email_key: &str,
    ) -> anyhow::Result<Vec<BackInStockSubscription>> {
        let items = self
            .query_all("list an address's alerts", |q| {
                q.index_name(crate::store::table::GSI1)
                    .key_condition_expression("gsi1pk = :p AND begins_with(gsi1sk, :b)")
                    .expression_attribute_values(":p", s(keys::subscriber_index(tenant, email_key)))
                    .expression_attribute_values(":b", s("BIS#"))
            })
            .await?;
        items.into_iter().map(|i| serde_dynamo::from_item(i).context("back-in-stock subscription")).collect()
    }

    async fn put_newsletter(
        &self,
        tenant: &TenantId,
        subscription: &NewsletterSubscription,
        tokens: &[OneTimeToken],
        mails: &[OutboxMail],
    ) -> anyhow::Result<()> {
        let mut items = vec![self.put(newsletter_item(tenant, subscription)?, None)?];
        for token in tokens {
            items.push(self.put(token_item(tenant, token)?, None)?);
        }
        items.extend(self.mail_puts(mails)?);
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
        let mut items = Vec::new();
        if let Some(token) = using {
            items.push(self.spend(tenant, token)?);
        }
        items.push(self.update_named(
            newsletter_key(tenant, email_key),
            "SET #status = :status, gsi1sk = :gsk, updatedAt = :now, confirmedAt = :confirmed",
            EXISTS,
            HashMap::from([("#status".to_string(), "status".to_string())]),
            values([
                (":status", s(status.as_str())),
                (":gsk", s(keys::newsletter_position(status.as_str(), email_key))),
                (":now", time(now)?),
                (":confirmed", confirmed),
            ]),
        )?);
        self.transact_conditional(items, "set newsletter status").await
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
            Some(st) => {
                (keys::newsletter_position(st.as_str(), ""), keys::newsletter_position(st.as_str(), "\u{10FFFF}"))
            }
            None => ("A".to_string(), "\u{10FFFF}".to_string()),
        };
        let from = match after {
            Some(a) if a > lo.as_str() => format!("{a}\0"),
            _ => lo,
        };
        let out = self.gsi1_range(&keys::newsletters_index(tenant), &from, &hi, false, limit).await?;
        let mut found = Vec::new();
        for item in out.items.unwrap_or_default() {
            let position = gsi1_sort_key(&item).unwrap_or_default().to_string();
            found.push((position, serde_dynamo::from_item(item).context("newsletter subscription")?));
        }
        Ok((found, out.last_evaluated_key.is_some()))
    }

    async fn put_back_in_stock(&self, tenant: &TenantId, sub: &BackInStockSubscription) -> anyhow::Result<()> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(back_in_stock_item(tenant, sub)?))
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
        after: Option<&BackInStockSubscription>,
        limit: usize,
    ) -> anyhow::Result<Vec<BackInStockSubscription>> {
        let start = after.map(|a| back_in_stock_key(tenant, &a.item, a.country_code.as_str(), &a.email.normalized()));
        let q = self
            .client
            .query()
            .table_name(&self.table)
            .expression_attribute_values(":p", s(keys::back_in_stock(tenant, item)))
            .set_exclusive_start_key(start)
            .limit(i32::try_from(limit).unwrap_or(i32::MAX).max(1));
        let q = match country {
            Some(c) => q
                .key_condition_expression("pk = :p AND begins_with(sk, :c)")
                .expression_attribute_values(":c", s(format!("{c}#"))),
            None => q.key_condition_expression("pk = :p"),
        };
        let out = q.send().await.map_err(sdk("list back-in-stock subscriptions"))?;
        out.items
            .unwrap_or_default()
            .into_iter()
            .map(|i| serde_dynamo::from_item(i).context("back-in-stock subscription"))
            .collect()
    }

    async fn claim_back_in_stock(
        &self,
        tenant: &TenantId,
        sub: &BackInStockSubscription,
        mail: Option<&OutboxMail>,
        budget: &Quota,
    ) -> anyhow::Result<Option<bool>> {
        let key = back_in_stock_key(tenant, &sub.item, sub.country_code.as_str(), &sub.email.normalized());
        let mut items = vec![self.delete(key.clone(), Some(EXISTS))?];
        if let Some(mail) = mail {
            items.extend(self.mail_puts(std::slice::from_ref(mail))?);
            items.push(self.quota_take(budget)?);
        }
        match self.transact(items).await {
            Ok(()) => Ok(Some(mail.is_some())),
            Err(TxError::Cancelled(codes)) if failed_at(&codes, 0) => Ok(None),
            // Only the budget had no room: the subscription ends unmailed.
            Err(TxError::Cancelled(_)) => {
                let ended = self.transact(vec![self.delete(key, Some(EXISTS))?]).await;
                match ended {
                    Ok(()) => Ok(Some(false)),
                    Err(TxError::Cancelled(_)) => Ok(None),
                    Err(e) => Err(e.unexpected("end back-in-stock subscription")),
                }
            }
            Err(e) => Err(e.unexpected("claim back-in-stock subscription")),
        }
    }
}

impl DynamoStore {
    /// The keys of everything an address subscribed to: its newsletter
    /// subscription and tokens, its back-in-stock alerts (1 RT per page of
    /// GSI1).
    pub(super) async fn subscriber_keys(&self, tenant: &TenantId, email_key: &str) -> anyhow::Result<Vec<super::Item>> {
        let mut found = vec![newsletter_key(tenant, email_key)];
        found.extend(self.keys_in(true, &keys::subscriber_index(tenant, email_key)).await?);
        Ok(found)
    }
}
