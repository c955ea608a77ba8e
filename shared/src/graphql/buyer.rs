//! The buyer's side of `Customer` (orders, totals, loyalty) and its types,
//! shared by the storefront's own customer and the back office's guarded
//! fields.

use super::errors::to_graphql;
use crate::domain::{self, Customer, Standing};
use crate::services::paging::Page;
use crate::services::{contracts, loyalty, orders, promotions};
use crate::store::OrderRange;
use async_graphql::{Context, Enum, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use tokio::sync::OnceCell;

/// Where a connection's page ends, and whether another follows.
#[derive(SimpleObject)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub end_cursor: Option<String>,
}

impl PageInfo {
    pub fn of<T>(page: &Page<T>) -> Self {
        Self { has_next_page: page.has_next, end_cursor: page.end_cursor() }
    }
}

/// An amount of money.
#[derive(SimpleObject, Clone)]
#[graphql(name = "Money")]
pub struct MoneyObject {
    /// A decimal written with at least the currency's minor units, e.g. `"120.50"`; never a float.
    pub amount: String,
    /// ISO 4217, e.g. `EUR`.
    pub currency_code: String,
}

impl From<&domain::Money> for MoneyObject {
    fn from(m: &domain::Money) -> Self {
        Self { amount: m.display_amount(), currency_code: m.currency_code.as_str().to_string() }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::OrderStatus", name = "OrderStatus")]
pub enum OrderStatusObject {
    Placed,
    Paid,
    Shipped,
    Completed,
    Cancelled,
    Returned,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::LoyaltyKind", name = "LoyaltyKind")]
pub enum LoyaltyKindObject {
    Earn,
    Redeem,
    Adjust,
    Reverse,
}

/// A line of an order.
#[derive(SimpleObject)]
#[graphql(name = "OrderItem")]
pub struct OrderItemObject {
    pub sku: String,
    pub name: Option<String>,
    pub quantity: i64,
    pub unit_price: Option<MoneyObject>,
}

/// An order, as the order system recorded it.
pub struct OrderObject(pub domain::Order);

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
    async fn order_number(&self) -> Option<&str> {
        self.0.order_number.as_deref()
    }
    async fn store_id(&self) -> Option<&str> {
        self.0.store_id.as_deref()
    }
    async fn channel(&self) -> Option<&str> {
        self.0.channel.as_deref()
    }
    async fn status(&self) -> OrderStatusObject {
        self.0.status.into()
    }
    async fn placed_at(&self) -> DateTime<Utc> {
        self.0.placed_at
    }
    /// When it was last recorded with a change.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    async fn total(&self) -> MoneyObject {
        (&self.0.total).into()
    }
    async fn payment_type(&self) -> Option<&str> {
        self.0.payment_type.as_deref()
    }
    async fn order_type(&self) -> Option<&str> {
        self.0.order_type.as_deref()
    }
    async fn items(&self) -> Vec<OrderItemObject> {
        items_of(&self.0.items)
    }
    /// The points the order holds now: what it earned, 0 once cancelled or returned.
    async fn points_earned(&self) -> i64 {
        self.0.contribution.points
    }
}

#[derive(SimpleObject)]
pub struct OrderEdge {
    pub cursor: String,
    pub node: OrderObject,
}

#[derive(SimpleObject)]
pub struct OrderConnection {
    pub edges: Vec<OrderEdge>,
    pub page_info: PageInfo,
}

/// An entry of the loyalty ledger.
pub struct LoyaltyTransactionObject(pub domain::LoyaltyTransaction);

#[Object(name = "LoyaltyTransaction")]
impl LoyaltyTransactionObject {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn kind(&self) -> LoyaltyKindObject {
        self.0.kind.into()
    }
    /// What the entry did to the points balance: positive when earned or added, negative when spent or taken back.
    async fn points(&self) -> i64 {
        self.0.points
    }
    /// What the entry did to the stamps, signed like `points`.
    async fn stamps(&self) -> i64 {
        self.0.stamps
    }
    /// The points balance right after this entry.
    async fn balance_after(&self) -> i64 {
        self.0.balance_after
    }
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// The order that earned (or gave back) the points.
    async fn order_id(&self) -> Option<&str> {
        self.0.order_id.as_deref()
    }
    async fn promotion_id(&self) -> Option<&str> {
        self.0.promotion_id.as_deref()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

#[derive(SimpleObject)]
pub struct LoyaltyTransactionEdge {
    pub cursor: String,
    pub node: LoyaltyTransactionObject,
}

#[derive(SimpleObject)]
pub struct LoyaltyTransactionConnection {
    pub edges: Vec<LoyaltyTransactionEdge>,
    pub page_info: PageInfo,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::ContractStatus", name = "SubscriptionContractStatus")]
pub enum ContractStatusObject {
    Active,
    Paused,
    Cancelled,
    Expired,
}

fn items_of(items: &[domain::OrderItem]) -> Vec<OrderItemObject> {
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

/// A recurring order (subscription contract), as the order system recorded it.
pub struct SubscriptionContractObject(pub domain::SubscriptionContract);

#[Object(name = "SubscriptionContract")]
impl SubscriptionContractObject {
    /// This service's id of the contract.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// The order system's id, unique in the tenant.
    async fn contract_id(&self) -> &str {
        &self.0.contract_id
    }
    async fn status(&self) -> ContractStatusObject {
        self.0.status.into()
    }
    /// As the order system words it, e.g. `P1M`.
    async fn interval(&self) -> Option<&str> {
        self.0.interval.as_deref()
    }
    async fn next_order_at(&self) -> Option<DateTime<Utc>> {
        self.0.next_order_at
    }
    async fn items(&self) -> Vec<OrderItemObject> {
        items_of(&self.0.items)
    }
    async fn price(&self) -> Option<MoneyObject> {
        self.0.price.as_ref().map(Into::into)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// An offer of the tenant's catalogue, bought with points.
pub struct PromotionObject(pub domain::Promotion);

#[Object(name = "Promotion")]
impl PromotionObject {
    /// This service's id of the promotion.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// The tenant's id of the promotion.
    async fn promotion_id(&self) -> &str {
        &self.0.promotion_id
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Offered from then on; null: from its creation.
    async fn starts_at(&self) -> Option<DateTime<Utc>> {
        self.0.starts_at
    }
    /// Offered until then (exclusive); null: with no end.
    async fn ends_at(&self) -> Option<DateTime<Utc>> {
        self.0.ends_at
    }
    /// Stores it is offered in; empty: every store.
    async fn store_ids(&self) -> &[String] {
        &self.0.store_ids
    }
    /// Countries (ISO 3166-1 alpha-2) of the customers it is offered to; empty: every country.
    async fn country_codes(&self) -> &[String] {
        &self.0.country_codes
    }
    /// The points redeeming it spends.
    async fn points_cost(&self) -> i64 {
        self.0.points_cost
    }
    /// Offered only to customers holding at least this many points.
    async fn min_points_balance(&self) -> i64 {
        self.0.min_points_balance
    }
    /// Offered only to customers with at least this many counted orders.
    async fn min_total_orders(&self) -> i64 {
        self.0.min_total_orders
    }
}

/// A customer's loyalty: balance, lifetime figures and the ledger.
pub struct LoyaltyObject {
    pub customer: Arc<Customer>,
    pub standing: Standing,
}

#[Object(name = "Loyalty")]
impl LoyaltyObject {
    async fn loyalty_id(&self) -> Option<&str> {
        self.customer.loyalty_id.as_deref()
    }
    async fn points_balance(&self) -> i64 {
        self.standing.points_balance
    }
    /// Points orders earned, net of reversals.
    async fn points_earned(&self) -> i64 {
        self.standing.points_earned
    }
    async fn points_redeemed(&self) -> i64 {
        self.standing.points_redeemed
    }
    async fn stamps(&self) -> i64 {
        self.standing.stamps
    }
    /// Every entry, newest first; `first` is clamped to 100.
    async fn transactions(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<LoyaltyTransactionConnection> {
        ledger(ctx, &self.customer, false, first, after).await
    }
    /// The `REDEEM` entries, newest first; `first` is clamped to 100.
    async fn redemptions(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<LoyaltyTransactionConnection> {
        ledger(ctx, &self.customer, true, first, after).await
    }
}

async fn ledger(
    ctx: &Context<'_>,
    customer: &Customer,
    redemptions_only: bool,
    first: Option<i32>,
    after: Option<String>,
) -> async_graphql::Result<LoyaltyTransactionConnection> {
    let svc = ctx.data::<Arc<crate::Services>>()?;
    let first = page_size(first);
    let page = loyalty::transactions_of(svc, customer, redemptions_only, first, after.as_deref())
        .await
        .map_err(|e| to_graphql(ctx, e))?;
    let page_info = PageInfo::of(&page);
    let edges = page
        .items
        .into_iter()
        .map(|(cursor, t)| LoyaltyTransactionEdge { cursor, node: LoyaltyTransactionObject(t) })
        .collect();
    Ok(LoyaltyTransactionConnection { edges, page_info })
}

/// The buyer's fields of one customer: the standing is read once, when the
/// first of `totalOrders`, `totalSpent`, `loyalty` asks for it.
pub struct Buyer {
    customer: Arc<Customer>,
    standing: OnceCell<Standing>,
}

impl Buyer {
    pub fn new(customer: Arc<Customer>) -> Self {
        Self { customer, standing: OnceCell::new() }
    }

    async fn standing(&self, ctx: &Context<'_>) -> async_graphql::Result<&Standing> {
        let svc = ctx.data::<Arc<crate::Services>>()?;
        self.standing
            .get_or_try_init(|| async {
                loyalty::standing_of(svc, &self.customer).await.map_err(|e| to_graphql(ctx, e))
            })
            .await
    }

    pub async fn orders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        range: OrderRange,
    ) -> async_graphql::Result<OrderConnection> {
        let svc = ctx.data::<Arc<crate::Services>>()?;
        let page = orders::orders_of(svc, &self.customer, &range, page_size(first), after.as_deref())
            .await
            .map_err(|e| to_graphql(ctx, e))?;
        let page_info = PageInfo::of(&page);
        let edges = page.items.into_iter().map(|(cursor, o)| OrderEdge { cursor, node: OrderObject(o) }).collect();
        Ok(OrderConnection { edges, page_info })
    }

    pub async fn total_orders(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(self.standing(ctx).await?.total_orders)
    }

    pub async fn total_spent(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<MoneyObject>> {
        Ok(self.standing(ctx).await?.spent_money().iter().map(Into::into).collect())
    }

    pub async fn loyalty(&self, ctx: &Context<'_>) -> async_graphql::Result<LoyaltyObject> {
        let standing = self.standing(ctx).await?.clone();
        Ok(LoyaltyObject { customer: self.customer.clone(), standing })
    }

    pub async fn subscription_contracts(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<SubscriptionContractObject>> {
        let svc = ctx.data::<Arc<crate::Services>>()?;
        let found = contracts::of(svc, &self.customer).await.map_err(|e| to_graphql(ctx, e))?;
        Ok(found.into_iter().map(SubscriptionContractObject).collect())
    }

    pub async fn available_promotions(
        &self,
        ctx: &Context<'_>,
        store_id: Option<String>,
    ) -> async_graphql::Result<Vec<PromotionObject>> {
        let svc = ctx.data::<Arc<crate::Services>>()?;
        let standing = self.standing(ctx).await?;
        let store = store_id.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let offered =
            promotions::available(svc, &self.customer, standing, store).await.map_err(|e| to_graphql(ctx, e))?;
        Ok(offered.into_iter().map(PromotionObject).collect())
    }
}

/// The page size a client asked for: 20 when it sent `null`, none below 0
/// (the use cases clamp it to their maximum).
fn page_size(first: Option<i32>) -> usize {
    first.unwrap_or(20).max(0) as usize
}

/// A range of the order history from the arguments of `Customer.orders`.
pub fn order_range(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>, store_id: Option<String>) -> OrderRange {
    OrderRange { from, to, store_id: store_id.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) }
}
