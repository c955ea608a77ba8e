//! Password attempts: one counter item per address, reserved before a
//! password is checked.

use super::{key, n, sdk, DynamoStore, Item, COUNTER_MOVED};
use crate::domain::TenantId;
use crate::store::{keys, table, Attempt, AttemptStore};
use async_trait::async_trait;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{ReturnValue, ReturnValuesOnConditionCheckFailure};
use chrono::{DateTime, Utc};

pub(super) fn attempts_key(tenant: &TenantId, address: &str) -> Item {
    key(keys::attempts(tenant, address), keys::COUNTER)
}

fn number(item: Option<&Item>, name: &str) -> Option<i64> {
    item.and_then(|i| i.get(name)).and_then(|v| v.as_n().ok()).and_then(|v| v.parse().ok())
}

/// Counters of addresses nobody tries any more go a day after their lock would end.
fn purge(lock_until: DateTime<Utc>) -> i64 {
    (lock_until + chrono::Duration::days(1)).timestamp()
}

#[async_trait]
impl AttemptStore for DynamoStore {
    async fn reserve_attempt(
        &self,
        tenant: &TenantId,
        address: &str,
        max: u32,
        now: DateTime<Utc>,
        lock_until: DateTime<Utc>,
    ) -> anyhow::Result<Attempt> {
        for _ in 0..COUNTER_MOVED.tries {
            // Count this attempt, if fewer than `max` are counted.
            let result = self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(attempts_key(tenant, address)))
                .update_expression(
                    "SET failures = if_not_exists(failures, :zero) + :one, lockedUntil = :until, #purge = :purge",
                )
                .condition_expression("attribute_not_exists(failures) OR failures < :max")
                .expression_attribute_names("#purge", table::TTL_ATTRIBUTE)
                .expression_attribute_values(":zero", n(0))
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":max", n(max))
                .expression_attribute_values(":until", n(lock_until.timestamp()))
                .expression_attribute_values(":purge", n(purge(lock_until)))
                .return_values(ReturnValue::UpdatedNew)
                .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
                .send()
                .await;
            let refused = match result {
                Ok(out) => {
                    let count = number(out.attributes.as_ref(), "failures").unwrap_or(1);
                    return Ok(Attempt::Granted { count: count.clamp(1, max as i64) as u32 });
                }
                Err(e) => match e.as_service_error() {
                    Some(UpdateItemError::ConditionalCheckFailedException(c)) => c.item().cloned(),
                    _ => return Err(sdk("reserve attempt")(e)),
                },
            };
            // The limit is reached: locked while its lock lasts.
            let ends = number(refused.as_ref(), "lockedUntil").unwrap_or(i64::MAX);
            if now.timestamp() < ends {
                return Ok(Attempt::Locked);
            }
            // The lock is over: this attempt starts the count again, unless
            // another request did so first (then count as usual).
            let restart = self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(attempts_key(tenant, address)))
                .update_expression("SET failures = :one, lockedUntil = :until, #purge = :purge")
                .condition_expression("failures >= :max AND lockedUntil <= :now")
                .expression_attribute_names("#purge", table::TTL_ATTRIBUTE)
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":max", n(max))
                .expression_attribute_values(":now", n(now.timestamp()))
                .expression_attribute_values(":until", n(lock_until.timestamp()))
                .expression_attribute_values(":purge", n(purge(lock_until)))
                .send()
                .await;
            if super::condition_held(restart, "restart attempts")? {
                return Ok(Attempt::Granted { count: 1 });
            }
        }
        anyhow::bail!("attempt counter kept changing")
    }

    async fn attempt_succeeded(&self, tenant: &TenantId, address: &str, count: u32, max: u32) -> anyhow::Result<()> {
        let reset = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(attempts_key(tenant, address)))
            .update_expression("SET failures = :zero")
            .condition_expression("failures = :count")
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":count", n(count))
            .send()
            .await;
        if super::condition_held(reset, "reset attempts")? {
            return Ok(());
        }
        // Others were counted meanwhile: take back only this attempt, and
        // never undo a lock their failures reached.
        let take_back = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(attempts_key(tenant, address)))
            .update_expression("SET failures = failures - :one")
            .condition_expression("failures > :zero AND failures < :max")
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":max", n(max))
            .send()
            .await;
        super::condition_held(take_back, "take back attempt")?;
        Ok(())
    }
}
