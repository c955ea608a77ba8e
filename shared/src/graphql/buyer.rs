//! The buyer's side of `Customer` (orders, totals, loyalty) and its types,
//! shared by the storefront's own customer and the back office's guarded
//! fields.

use super::errors::to_graphql;
use crate::domain::{self, Customer, OrderRange, Standing};
use crate::services::paging::Page;
use crate::services::{contracts, loyalty, orders, promotions};
use async_graphql::{Context, Enum, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use tokio::sync::OnceCell;

/// Where a connection's page starts and ends, and whether edges lie before and after it (Relay's `PageInfo`).
#[derive(SimpleObject)]
pub struct PageInfo {
    /// Whether more edges follow this page: then pass `endCursor` as `after` for the next page.
    pub has_next_page: bool,
    /// Whether edges come before this page: true when it was asked for `after` a cursor (listings page forward only).
    pub has_previous_page: bool,
    /// The `cursor` of the page's first edge; `null` when the page is empty.
    pub start_cursor: Option<String>,
    /// The `cursor` of the page's last edge; `null` when the page is empty.
    pub end_cursor: Option<String>,
}

impl PageInfo {
    /// The page info of `page`, read `after` a cursor or from the start.
    pub fn of<T>(page: &Page<T>, after: Option<&str>) -> Self {
        Self {
            has_next_page: page.has_next,
            has_previous_page: after.is_some(),
            start_cursor: page.items.first().map(|(cursor, _)| cursor.clone()),
            end_cursor: page.end_cursor(),
        }
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

/// What a loyalty ledger entry records.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::LoyaltyKind", name = "LoyaltyKind")]
pub enum LoyaltyKindObject {
    /// Points and stamps an order earned, or more of them when a counted order's total was raised.
    Earn,
    /// Points or stamps spent (`redeemPoints`, `redeemStamps`).
    Redeem,
    /// A correction by the back office (`adjustPoints`), either way.
    Adjust,
    /// Points or stamps an order gave back: cancelled, returned, or its total lowered (even into a negative balance).
    Reverse,
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

/// An entry of the loyalty ledger.
pub struct LoyaltyTransactionObject(pub domain::LoyaltyTransaction);

/// An entry of the loyalty ledger: one change of the customer's points or stamps. Entries are never changed.
#[Object(name = "LoyaltyTransaction")]
impl LoyaltyTransactionObject {
    /// The entry's id, sortable by creation time.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// What the entry records.
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
    /// Why, as the back office gave it with an adjustment or redemption.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// The order that earned (or gave back) the points.
    async fn order_id(&self) -> Option<&str> {
        self.0.order_id.as_deref()
    }
    /// The promotion a redemption bought (its `promotionId`).
    async fn promotion_id(&self) -> Option<&str> {
        self.0.promotion_id.as_deref()
    }
    /// When the entry was made.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A loyalty ledger entry with its place in the listing.
#[derive(SimpleObject)]
pub struct LoyaltyTransactionEdge {
    /// Where this edge is in the listing: pass as `after` to continue after it.
    pub cursor: String,
    /// The ledger entry.
    pub node: LoyaltyTransactionObject,
}

/// A page of loyalty ledger entries, newest first.
#[derive(SimpleObject)]
pub struct LoyaltyTransactionConnection {
    /// The entries of this page, newest first.
    pub edges: Vec<LoyaltyTransactionEdge>,
    /// Where this page ends and whether more follow.
    pub page_info: PageInfo,
}

/// A subscription contract's status, as the order system reports it.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::ContractStatus", name = "SubscriptionContractStatus")]
pub enum ContractStatusObject {
    /// Running.
    Active,
    /// Paused.
    Paused,
    /// Ended by cancellation.
    Cancelled,
    /// Ended at the end of its term.
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

/// A recurring order (subscription contract), as the order system recorded it.
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
    /// The status last recorded.
    async fn status(&self) -> ContractStatusObject {
        self.0.status.into()
    }
    /// As the order system words it, e.g. `P1M`.
    async fn interval(&self) -> Option<&str> {
        self.0.interval.as_deref()
    }
    /// When the next order is due, as the order system gives it.
    async fn next_order_at(&self) -> Option<DateTime<Utc>> {
        self.0.next_order_at
    }
    /// What each order of the contract holds (at most 250 lines).
    async fn items(&self) -> Vec<OrderItemObject> {
        items_of(&self.0.items)
    }
    /// The contract's price, as the order system gives it.
    async fn price(&self) -> Option<MoneyObject> {
        self.0.price.as_ref().map(Into::into)
    }
    /// When the contract was first recorded here.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it was last recorded with a change.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// An offer of the tenant's catalogue, bought with points.
pub struct PromotionObject(pub domain::Promotion);

/// An offer of the tenant's catalogue, bought with points (`redeemPoints` with its `promotionId`).
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
    /// The name to show (at most 200 characters).
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// A longer text to show (at most 2000 characters).
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

/// A customer's loyalty: balance, lifetime figures and the ledger.
#[Object(name = "Loyalty")]
impl LoyaltyObject {
    /// The customer's loyalty id (card or member number), unique in the tenant; set by the back office.
    async fn loyalty_id(&self) -> Option<&str> {
        self.customer.loyalty_id.as_deref()
    }
    /// The points the customer holds now; negative when a reversal took back points already spent.
    async fn points_balance(&self) -> i64 {
        self.standing.points_balance
    }
    /// Points orders earned, net of reversals.
    async fn points_earned(&self) -> i64 {
        self.standing.points_earned
    }
    /// Points spent on redemptions, in total.
    async fn points_redeemed(&self) -> i64 {
        self.standing.points_redeemed
    }
    /// The stamps the customer holds now.
    async fn stamps(&self) -> i64 {
        self.standing.stamps
    }
    /// Every entry, newest first; `first` is clamped to 100.
    // Each reads the store (a query): weighted so that aliases cannot
    // multiply it past what one request should cost.
    #[graphql(complexity = "20 + child_complexity")]
    async fn transactions(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, desc = "How many entries to return: at most 100 (more is clamped).")] first: Option<
            i32,
        >,
        #[graphql(
            desc = "Continue after this cursor (an edge's `cursor` or `pageInfo.endCursor` of the ledger); anything else is `INVALID`."
        )]
        after: Option<String>,
    ) -> async_graphql::Result<LoyaltyTransactionConnection> {
        ledger(ctx, &self.customer, false, first, after).await
    }
    /// The `REDEEM` entries, newest first; `first` is clamped to 100.
    // Each reads the store (a query): weighted so that aliases cannot
    // multiply it past what one request should cost.
    #[graphql(complexity = "20 + child_complexity")]
    async fn redemptions(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, desc = "How many entries to return: at most 100 (more is clamped).")] first: Option<
            i32,
        >,
        #[graphql(
            desc = "Continue after this cursor (an edge's `cursor` or `pageInfo.endCursor` of the ledger); anything else is `INVALID`."
        )]
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
    let page_info = PageInfo::of(&page, after.as_deref());
    let edges = page
        .items
        .into_iter()
        .map(|(cursor, t)| LoyaltyTransactionEdge { cursor, node: LoyaltyTransactionObject(t) })
        .collect();
    Ok(LoyaltyTransactionConnection { edges, page_info })
}

/// The tenant's promotion catalogue, read once per HTTP request when a
/// customer's `availablePromotions` first asks (a listing of 100 customers
/// reads it once, not 100 times).
#[derive(Default, Clone)]
pub struct Catalogue(Arc<OnceCell<Vec<domain::Promotion>>>);

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
        let page_info = PageInfo::of(&page, after.as_deref());
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
        let catalogue = ctx
            .data::<Catalogue>()?
            .0
            .get_or_try_init(|| async {
                promotions::catalogue(svc, &self.customer.tenant_id).await.map_err(|e| to_graphql(ctx, e))
            })
            .await?;
        let offered = promotions::offered(catalogue, &self.customer, standing, store, svc.clock.now());
        Ok(offered.into_iter().cloned().map(PromotionObject).collect())
    }
}

/// The page size a client asked for: 20 when it sent `null`, none below 0
/// (the use cases clamp it to their maximum).
fn page_size(first: Option<i32>) -> usize {
    first.unwrap_or(20).max(0) as usize
}
