//! Orders: the order's item in its customer's partition (the history,
//! sorted by placement), the guard of its order id (holding the order's
//! head, so that a replay is told from a change in one read), and the
//! customer's standing and ledger entry, written together.

use super::items::{standing_item, standing_key, with_keys};
use super::{key, s, DynamoStore, Item, NOT_EXISTS};
use crate::domain::OrderRange;
use crate::domain::{Order, Standing, TenantId};
use crate::store::{keys, OrderStore, OrderWrite, WriteError};
use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;

/// The guard of an order id: the order without its items, listed under the
/// customer in GSI1 so that erasure finds it.
fn guard_item(tenant: &TenantId, order: &Order) -> anyhow::Result<Item> {
    let head = Order { items: vec![], ..order.clone() };
    let item: Item = serde_dynamo::to_item(&head)?;
    let listed = (keys::customer(tenant, &order.customer_id), format!("{}{}", keys::ORDER, order.order_id));
    Ok(with_keys(item, keys::order_guard(tenant, &order.order_id), keys::GUARD, Some(listed)))
}

fn order_key(tenant: &TenantId, order: &Order) -> Item {
    key(keys::customer(tenant, &order.customer_id), &keys::order_sk(order.placed_at, &order.order_id))
}

fn order_item(tenant: &TenantId, order: &Order) -> anyhow::Result<Item> {
    let item: Item = serde_dynamo::to_item(order)?;
    Ok(with_keys(
        item,
        keys::customer(tenant, &order.customer_id),
        &keys::order_sk(order.placed_at, &order.order_id),
        None,
    ))
}

/// The condition that a revisioned item is still at `revision` (absent when 0).
pub(super) fn at_revision(revision: i64) -> (String, Option<AttributeValue>) {
    match revision {
        0 => (NOT_EXISTS.to_string(), None),
        r => ("revision = :rev".to_string(), Some(super::n(r))),
    }
}

impl DynamoStore {
    /// A put of `item` that holds only while the stored item is at `revision`.
    pub(super) fn put_at_revision(
        &self,
        item: Item,
        revision: i64,
    ) -> anyhow::Result<aws_sdk_dynamodb::types::TransactWriteItem> {
        let (condition, value) = at_revision(revision);
        let put = aws_sdk_dynamodb::types::Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(condition)
            .set_expression_attribute_values(value.map(|v| [(":rev".to_string(), v)].into()))
            .build()?;
        Ok(aws_sdk_dynamodb::types::TransactWriteItem::builder().put(put).build())
    }

    /// The item at `wanted` (read as a `T`) and the customer's standing, in
    /// one consistent batch get: what a write conditioned on both needs.
    pub(super) async fn with_standing<T: serde::de::DeserializeOwned>(
        &self,
        wanted: Item,
        tenant: &TenantId,
        customer_id: &str,
        what: &'static str,
    ) -> anyhow::Result<(Option<T>, Standing)> {
        let mut found = self.get_items(vec![wanted, standing_key(tenant, customer_id)]).await?.into_iter();
        let item = found.next().flatten().map(|i| serde_dynamo::from_item(i).context(what)).transpose()?;
        let standing = found.next().flatten().map(|i| serde_dynamo::from_item(i).context("standing")).transpose()?;
        Ok((item, standing.unwrap_or_default()))
    }

    /// The ledger entry written with the standing of its revision.
    pub(super) fn ledger_put(
        &self,
        tenant: &TenantId,
        customer_id: &str,
        standing: &Standing,
        transaction: &crate::domain::LoyaltyTransaction,
    ) -> anyhow::Result<aws_sdk_dynamodb::types::TransactWriteItem> {
        let item: Item = serde_dynamo::to_item(transaction)?;
        let item = with_keys(item, keys::customer(tenant, customer_id), &keys::ledger_sk(standing.revision), None);
        self.put(item, Some(NOT_EXISTS))
    }
}

#[async_trait]
impl OrderStore for DynamoStore {
    async fn order_head_and_standing(
        &self,
        tenant: &TenantId,
        order_id: &str,
        customer_id: &str,
    ) -> anyhow::Result<(Option<Order>, Standing)> {
        self.with_standing(key(keys::order_guard(tenant, order_id), keys::GUARD), tenant, customer_id, "order head")
            .await
    }

    async fn get_order(&self, tenant: &TenantId, head: &Order) -> anyhow::Result<Option<Order>> {
        self.get_item(order_key(tenant, head)).await?.map(|i| serde_dynamo::from_item(i).context("order")).transpose()
    }

    async fn record_order(&self, tenant: &TenantId, w: OrderWrite<'_>) -> Result<(), WriteError> {
        let mut items = vec![
            self.put_at_revision(guard_item(tenant, w.order)?, w.previous.map_or(0, |p| p.revision))?,
            self.put(order_item(tenant, w.order)?, None)?,
            self.put_at_revision(standing_item(tenant, &w.order.customer_id, w.standing)?, w.standing.revision - 1)?,
        ];
        // A new placement time moves the order in the history.
        if let Some(p) = w.previous.filter(|p| order_key(tenant, p) != order_key(tenant, w.order)) {
            items.push(self.delete(order_key(tenant, p), None)?);
        }
        if let Some(t) = w.transaction {
            items.push(self.ledger_put(tenant, &w.order.customer_id, w.standing, t)?);
        }
        self.transact_for_customer(items, tenant, &w.order.customer_id, "record order").await
    }

    async fn list_orders(
        &self,
        tenant: &TenantId,
        customer_id: &str,
        range: &OrderRange,
        after: Option<&str>,
        limit: usize,
    ) -> anyhow::Result<(Vec<(String, Order)>, bool)> {
        let lower = range.from.map_or_else(|| keys::ORDER.to_string(), |f| keys::order_bound(f, false));
        let upper = range.to.map_or_else(|| "ORDER$".to_string(), |t| keys::order_bound(t, true));
        let pk = keys::customer(tenant, customer_id);
        let mut values = super::values([(":pk", s(pk.clone())), (":lower", s(lower)), (":upper", s(upper))]);
        if let Some(store) = &range.store_id {
            values.insert(":store".into(), s(store.clone()));
        }
        let filter = range.store_id.as_ref().map(|_| "storeId = :store");
        self.newest_first(&pk, "pk = :pk AND sk BETWEEN :lower AND :upper", filter, values, after, limit, "list orders")
            .await
    }
}
