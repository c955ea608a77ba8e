//! Fixed-window quotas: a counter item per window, removed by TTL after it.

use super::{key, n, DynamoStore};
use crate::store::{keys, table, QuotaStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[async_trait]
impl QuotaStore for DynamoStore {
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
        super::condition_held(result, "take quota")
    }
}
