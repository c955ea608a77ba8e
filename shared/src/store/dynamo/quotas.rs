//! Fixed-window quotas: a counter item per window, removed by TTL after it.

use super::{key, n, DynamoStore, Item};
use crate::store::{keys, table, Quota, QuotaStore};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::TransactWriteItem;
use std::collections::HashMap;

/// Counts one more unit while there is room; the window's TTL rides along.
const TAKE: &str = "ADD #c :one SET #purge = :exp";
const ROOM_LEFT: &str = "attribute_not_exists(#c) OR #c < :max";

fn take_key(quota: &Quota) -> Item {
    key(keys::quota(&quota.key), keys::COUNTER)
}

fn take_names() -> HashMap<String, String> {
    HashMap::from([("#c".into(), "count".into()), ("#purge".into(), table::TTL_ATTRIBUTE.into())])
}

fn take_values(quota: &Quota) -> Item {
    HashMap::from([
        (":one".into(), n(1)),
        (":max".into(), n(quota.max)),
        (":exp".into(), n(quota.window_ends.timestamp())),
    ])
}

impl DynamoStore {
    /// Takes one unit of `quota` as part of a transaction: its condition
    /// fails when the quota has no room.
    pub(super) fn quota_take(&self, quota: &Quota) -> anyhow::Result<TransactWriteItem> {
        self.update_named(take_key(quota), TAKE, ROOM_LEFT, take_names(), take_values(quota))
    }
}

#[async_trait]
impl QuotaStore for DynamoStore {
    async fn take_quota(&self, quota: &Quota) -> anyhow::Result<bool> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(take_key(quota)))
            .update_expression(TAKE)
            .condition_expression(ROOM_LEFT)
            .set_expression_attribute_names(Some(take_names()))
            .set_expression_attribute_values(Some(take_values(quota)))
            .send()
            .await;
        super::condition_held(result, "take quota")
    }
}
