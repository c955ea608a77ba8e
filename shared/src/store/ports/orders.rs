//! The order port: the customer's order history and what recording an order writes.

use super::errors::WriteError;
use crate::domain::{LoyaltyTransaction, Order, OrderRange, Standing, TenantId};
use async_trait::async_trait;

/// Everything recording an order writes, atomically.
pub struct OrderWrite<'a> {
    /// The order as it is now.
    pub order: &'a Order,
    /// The order as it was stored (its head: no items), if it was; the
    /// write holds only while its revision is still stored.
    pub previous: Option<&'a Order>,
    /// The customer's standing after the order; written only while the
    /// stored one is still `standing.revision - 1`.
    pub standing: &'a Standing,
    /// The ledger entry of the points and stamps the order moved, if any.
    pub transaction: Option<&'a LoyaltyTransaction>,
}

/// Orders of the order system, read as the customer's history; each
/// recorded with the customer's standing in one transaction.
#[async_trait]
pub trait OrderStore: Send + Sync {
    /// The order recorded under `order_id` in the tenant, without its items
    /// (the head its id's guard keeps), and the standing of `customer_id`,
    /// read together and consistently (1 RT).
    async fn order_head_and_standing(
        &self,
        tenant: &TenantId,
        order_id: &str,
        customer_id: &str,
    ) -> anyhow::Result<(Option<Order>, Standing)>;

    /// A whole order, as `head` locates it (1 RT, consistent).
    async fn get_order(&self, tenant: &TenantId, head: &Order) -> anyhow::Result<Option<Order>>;

    /// Writes the order (moving it in the history when `placedAt` changed),
    /// its guard, the standing and the ledger entry in one transaction
    /// (1 RT); `Conflict` when the order or the standing changed meanwhile.
    async fn record_order(&self, tenant: &TenantId, write: OrderWrite<'_>) -> Result<(), WriteError>;

    /// Up to `limit` of a customer's orders in `range`, newest first, after
    /// the position `after` (an opaque sort key), each with its position,
    /// and whether more may follow (1 RT per page read; a store filter may
    /// read more than one).
    async fn list_orders(
        &self,
        tenant: &TenantId,
        customer_id: &str,
        range: &OrderRange,
        after: Option<&str>,
        limit: usize,
    ) -> anyhow::Result<(Vec<(String, Order)>, bool)>;
}
