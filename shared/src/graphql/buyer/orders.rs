//! Orders: `Order`, its lines and status, and the order connection.

use super::money::MoneyObject;
use super::paging::PageInfo;
use crate::domain;
use async_graphql::{Enum, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

/// An order's status, as the order system reports it. `CANCELLED` and `RETURNED` orders do not count in
/// `totalOrders` and `totalSpent`, and what they earned is taken back.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::OrderStatus", name = "OrderStatus")]
pub enum OrderStatusObject {
    /// Placed.
    Placed,
    /// Paid.
    Paid,
    /// Shipped.
    Shipped,
    /// Completed.
    Completed,
    /// Cancelled: no longer counted; its points and stamps are taken back (`REVERSE`).
    Cancelled,
    /// Returned: no longer counted; its points and stamps are taken back (`REVERSE`).
    Returned,
}

/// A line of an order.
#[derive(SimpleObject)]
#[graphql(name = "OrderItem")]
pub struct OrderItemObject {
    /// The item's SKU, as the order system gives it.
    pub sku: String,
    /// The item's name, as the order system gives it.
    pub name: Option<String>,
    /// How many units were ordered (1 to 1,000,000).
    pub quantity: i64,
    /// The price of one unit, when the order system gives it.
    pub unit_price: Option<MoneyObject>,
}

/// An order, as the order system recorded it.
pub struct OrderObject(pub domain::Order);

/// An order, as the order system recorded it (and again whenever it changed).
#[Object(name = "Order")]
impl OrderObject {
    /// This service's id of the order.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// The order system's id, unique in the tenant.
    async fn order_id(&self) -> &str {
        &self.0.order_id
    }
    /// The order number shown to the customer, as the order system gives it.
    async fn order_number(&self) -> Option<&str> {
        self.0.order_number.as_deref()
    }
    /// The store the order was placed in, as the order system names it; `orders(storeId:)` filters by it.
    async fn store_id(&self) -> Option<&str> {
        self.0.store_id.as_deref()
    }
    /// The sales channel, as the order system words it.
    async fn channel(&self) -> Option<&str> {
        self.0.channel.as_deref()
    }
    /// The status last recorded.
    async fn status(&self) -> OrderStatusObject {
        self.0.status.into()
    }
    /// When the order was placed (to the millisecond); the history is sorted and filtered by it.
    async fn placed_at(&self) -> DateTime<Utc> {
        self.0.placed_at
    }
    /// When it was last recorded with a change.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// The order's total; it earns points only in the tenant's loyalty currency.
    async fn total(&self) -> MoneyObject {
        (&self.0.total).into()
    }
    /// How it was paid, as the order system words it.
    async fn payment_type(&self) -> Option<&str> {
        self.0.payment_type.as_deref()
    }
    /// The kind of order, as the order system words it.
    async fn order_type(&self) -> Option<&str> {
        self.0.order_type.as_deref()
    }
    /// The order's lines (at most 250).
    async fn items(&self) -> Vec<OrderItemObject> {
        items_of(&self.0.items)
    }
    /// The points the order holds now: what it earned, 0 once cancelled or returned.
    async fn points_earned(&self) -> i64 {
        self.0.contribution.points
    }
}

/// An order with its place in the listing.
#[derive(SimpleObject)]
pub struct OrderEdge {
    /// Where this edge is in the listing: pass as `after` to continue after it.
    pub cursor: String,
    /// The order.
    pub node: OrderObject,
}

/// A page of a customer's orders, newest first.
#[derive(SimpleObject)]
pub struct OrderConnection {
    /// The orders of this page, newest first.
    pub edges: Vec<OrderEdge>,
    /// Where this page ends and whether more follow.
    pub page_info: PageInfo,
}

pub(super) fn items_of(items: &[domain::OrderItem]) -> Vec<OrderItemObject> {
    items
        .iter()
        .map(|i| OrderItemObject {
            sku: i.sku.clone(),
            name: i.name.clone(),
            quantity: i.quantity,
            unit_price: i.unit_price.as_ref().map(Into::into),
        })
        .collect()
}
