//! Outbox mails: an item per mail (`OUTBOX#<id>`), written in the
//! transactions of the other aggregates, claimed, then deleted once sent.

use super::{key, n, s, sdk, time, DynamoStore, Item};
use crate::domain::OutboxMail;
use crate::store::{keys, table, MailClaim, OutboxStore, Quota, WriteError};
use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{ReturnValue, ReturnValuesOnConditionCheckFailure};
use chrono::{DateTime, Utc};

/// The `status` of an outbox item: waiting, being sent under a lease, or
/// refused by SES for good (a sent mail's item is deleted).
pub mod status {
    pub const PENDING: &str = "PENDING";
    pub const SENDING: &str = "SENDING";
    pub const REJECTED: &str = "REJECTED";
}
use status::{PENDING, REJECTED, SENDING};

fn mail_key(id: &str) -> Item {
    key(keys::outbox(id), keys::MAIL)
}

/// The outbox item of a mail: pending, removed by TTL after `OutboxMail::KEPT_FOR`.
pub(super) fn mail_item(mail: &OutboxMail) -> anyhow::Result<Item> {
    let mut item: Item = serde_dynamo::to_item(mail)?;
    item.extend(mail_key(&mail.id));
    item.insert("status".into(), s(PENDING));
    item.insert(table::TTL_ATTRIBUTE.into(), n((mail.created_at + OutboxMail::KEPT_FOR).timestamp()));
    Ok(item)
}

fn status_of(item: &Item) -> Option<&str> {
    item.get("status").and_then(|v| v.as_s().ok()).map(String::as_str)
}

impl DynamoStore {
    /// The puts that write `mails` into a transaction.
    pub(super) fn mail_puts(
        &self,
        mails: &[OutboxMail],
    ) -> anyhow::Result<Vec<aws_sdk_dynamodb::types::TransactWriteItem>> {
        mails.iter().map(|m| self.put(mail_item(m)?, Some(super::NOT_EXISTS))).collect()
    }
}

#[async_trait]
impl OutboxStore for DynamoStore {
    async fn put_mail(&self, mail: &OutboxMail, budget: &Quota) -> anyhow::Result<bool> {
        let mut items = self.mail_puts(std::slice::from_ref(mail))?;
        items.push(self.quota_take(budget)?);
        match self.transact_conditional(items, "write a mail").await {
            Ok(()) => Ok(true),
            // The mail's id is new: only the budget's condition can fail.
            Err(WriteError::Conflict) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    async fn claim_mail(&self, id: &str, now: DateTime<Utc>, lease_until: DateTime<Utc>) -> anyhow::Result<MailClaim> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(mail_key(id)))
            .update_expression("SET #status = :sending, leaseUntil = :lease ADD attempts :one")
            .condition_expression(
                "attribute_exists(pk) AND (#status = :pending OR (#status = :sending AND leaseUntil < :now))",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":sending", s(SENDING))
            .expression_attribute_values(":pending", s(PENDING))
            .expression_attribute_values(":lease", time(lease_until)?)
            .expression_attribute_values(":now", time(now)?)
            .expression_attribute_values(":one", n(1))
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(out) => {
                let item = out.attributes.context("claimed mail")?;
                Ok(MailClaim::Claimed(Box::new(serde_dynamo::from_item(item).context("outbox mail")?)))
            }
            Err(e) => match e.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(c)) => Ok(match c.item() {
                    None => MailClaim::Gone,
                    Some(item) if status_of(item) == Some(REJECTED) => MailClaim::Rejected,
                    Some(_) => MailClaim::Busy,
                }),
                _ => Err(sdk("claim mail")(e)),
            },
        }
    }

    async fn mail_sent(&self, id: &str) -> anyhow::Result<()> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(mail_key(id)))
            .send()
            .await
            .map_err(sdk("remove sent mail"))?;
        Ok(())
    }

    async fn release_mail(&self, id: &str) -> anyhow::Result<()> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(mail_key(id)))
            .update_expression("SET #status = :pending REMOVE leaseUntil")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":pending", s(PENDING))
            .send()
            .await;
        super::condition_held(result, "release mail")?;
        Ok(())
    }

    async fn mail_rejected(&self, id: &str, reason: &str) -> anyhow::Result<()> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(mail_key(id)))
            .update_expression("SET #status = :rejected, rejection = :why REMOVE leaseUntil")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":rejected", s(REJECTED))
            .expression_attribute_values(":why", s(reason))
            .send()
            .await;
        super::condition_held(result, "reject mail")?;
        Ok(())
    }
}
