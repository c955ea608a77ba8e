//! Orders and subscription contracts as the order system records them: inputs and payloads.

use super::customer::{guarded, readable, AdminCustomer, UpsertResultObject};
use super::inputs::CustomerIdentifierInput;
use async_graphql::{Context, InputObject, SimpleObject};
use chrono::{DateTime, Utc};
use shared::domain::{Customer, Permission};
use shared::graphql::buyer::{ContractStatusObject, OrderObject, OrderStatusObject, SubscriptionContractObject};
use shared::graphql::UserErrorObject;
use shared::payloads;

/// An amount of money as the order system sends it.
#[derive(InputObject, Clone)]
pub struct MoneyInput {
    /// A decimal string, e.g. `"120.50"` (no exponent, not negative, at most 4 digits after the point).
    pub amount: String,
    /// ISO 4217, e.g. `EUR`.
    pub currency_code: String,
}

/// A line of an order or subscription contract.
#[derive(InputObject, Clone)]
pub struct OrderItemInput {
    /// The item's SKU: 1 to 100 characters.
    pub sku: String,
    /// The item's name as the order shows it; at most 200 characters.
    pub name: Option<String>,
    /// 1 to 1,000,000.
    pub quantity: i64,
    /// The price of one unit.
    pub unit_price: Option<MoneyInput>,
}

/// An order as the order system records it (again whenever it changes).
#[derive(InputObject, Clone)]
pub struct RecordOrderInput {
    /// The order system's id, unique in the tenant: the same id again is the same order.
    pub order_id: String,
    /// Whose order it is.
    pub customer: CustomerIdentifierInput,
    /// The order's status now: `CANCELLED` and `RETURNED` orders leave the totals and give back their points.
    pub status: OrderStatusObject,
    /// When the order was placed (RFC 3339; kept to the millisecond); the history is sorted by it.
    pub placed_at: DateTime<Utc>,
    /// When the order system changed the order to this state: a record older than the one stored is stale and changes nothing (`NOOP`), so late retries never undo a cancellation.
    pub changed_at: Option<DateTime<Utc>>,
    /// What the order totals (counted in `totalSpent`); only a total in the tenant's loyalty currency earns points.
    pub total: MoneyInput,
    /// The number the customer sees on the order; at most 100 characters.
    pub order_number: Option<String>,
    /// The store it was placed in; at most 100 characters.
    pub store_id: Option<String>,
    /// The sales channel, as the order system names it; at most 100 characters.
    pub channel: Option<String>,
    /// How it was paid, as the order system names it; at most 100 characters.
    pub payment_type: Option<String>,
    /// The kind of order, as the order system names it; at most 100 characters.
    pub order_type: Option<String>,
    /// At most 250.
    pub items: Option<Vec<OrderItemInput>>,
}

impl RecordOrderInput {
    pub fn order(self) -> shared::domain::OrderInput {
        shared::domain::OrderInput {
            order_id: self.order_id,
            status: Some(self.status.into()),
            placed_at: Some(self.placed_at),
            changed_at: self.changed_at,
            total_amount: self.total.amount,
            total_currency: self.total.currency_code,
            order_number: self.order_number,
            store_id: self.store_id,
            channel: self.channel,
            payment_type: self.payment_type,
            order_type: self.order_type,
            items: order_items(self.items),
        }
    }
}

fn order_items(items: Option<Vec<OrderItemInput>>) -> Vec<shared::domain::OrderItemInput> {
    let item = |i: OrderItemInput| shared::domain::OrderItemInput {
        sku: i.sku,
        name: i.name,
        quantity: i.quantity,
        unit_price: i.unit_price.map(|p| (p.amount, p.currency_code)),
    };
    items.unwrap_or_default().into_iter().map(item).collect()
}

/// A recurring order as the order system records it (again whenever it changes).
#[derive(InputObject, Clone)]
pub struct RecordSubscriptionContractInput {
    /// The order system's id, unique in the tenant: the same id again is the same contract.
    pub contract_id: String,
    /// Whose contract it is.
    pub customer: CustomerIdentifierInput,
    /// The contract's status now.
    pub status: ContractStatusObject,
    /// As the order system words it, e.g. `P1M` (at most 100 characters).
    pub interval: Option<String>,
    /// When the next order is due (RFC 3339).
    pub next_order_at: Option<DateTime<Utc>>,
    /// At most 250.
    pub items: Option<Vec<OrderItemInput>>,
    /// The contract's price, as the order system states it.
    pub price: Option<MoneyInput>,
}

impl RecordSubscriptionContractInput {
    pub fn contract(self) -> shared::domain::ContractInput {
        shared::domain::ContractInput {
            contract_id: self.contract_id,
            status: Some(self.status.into()),
            interval: self.interval,
            next_order_at: self.next_order_at,
            items: order_items(self.items),
            price: self.price.map(|p| (p.amount, p.currency_code)),
        }
    }
}

/// The contract as recorded and its customer (`null` when nothing was recorded).
#[derive(SimpleObject, Default)]
#[graphql(complex)]
pub struct RecordSubscriptionContractPayload {
    /// `CREATED`, `UPDATED`, or `NOOP` when the same contract was recorded already.
    pub result: Option<UpsertResultObject>,
    #[graphql(skip)]
    pub contract: Option<SubscriptionContractObject>,
    #[graphql(skip)]
    pub recorded_for: Option<Customer>,
    /// What went wrong with the input (empty on success).
    pub user_errors: Vec<UserErrorObject>,
}

#[async_graphql::ComplexObject]
impl RecordSubscriptionContractPayload {
    /// The contract as recorded; null when the operation failed. Needs `order:read` (a write permission never
    /// reads).
    async fn subscription_contract(
        &self,
        ctx: &Context<'_>,
    ) -> Option<async_graphql::Result<&SubscriptionContractObject>> {
        let contract = self.contract.as_ref()?;
        guarded(ctx, Permission::OrderRead, async { Ok(contract) }).await
    }

    /// The customer it was recorded for. Needs `customer:read` (an order system may hold `order:write` alone).
    async fn customer(&self, ctx: &Context<'_>) -> Option<async_graphql::Result<AdminCustomer>> {
        readable(ctx, &self.recorded_for).await
    }
}

payloads!(RecordSubscriptionContractPayload);

/// The order as recorded and its customer (`null` when nothing was recorded).
#[derive(SimpleObject, Default)]
#[graphql(complex)]
pub struct RecordOrderPayload {
    /// `CREATED`, `UPDATED`, or `NOOP` when the same order was recorded already.
    pub result: Option<UpsertResultObject>,
    #[graphql(skip)]
    pub recorded: Option<OrderObject>,
    #[graphql(skip)]
    pub recorded_for: Option<Customer>,
    /// What went wrong with the input (empty on success).
    pub user_errors: Vec<UserErrorObject>,
}

#[async_graphql::ComplexObject]
impl RecordOrderPayload {
    /// The order as recorded; null when the operation failed. Needs `order:read` (a write permission never reads).
    async fn order(&self, ctx: &Context<'_>) -> Option<async_graphql::Result<&OrderObject>> {
        let order = self.recorded.as_ref()?;
        guarded(ctx, Permission::OrderRead, async { Ok(order) }).await
    }

    /// The customer it was recorded for. Needs `customer:read` (an order system may hold `order:write` alone).
    async fn customer(&self, ctx: &Context<'_>) -> Option<async_graphql::Result<AdminCustomer>> {
        readable(ctx, &self.recorded_for).await
    }
}

payloads!(RecordOrderPayload);
