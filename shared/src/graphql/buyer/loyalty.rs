//! Loyalty: `Loyalty`, its ledger entries and their connection.

use super::paging::PageInfo;
use crate::domain::{self, Customer, Standing};
use crate::graphql::errors::to_graphql;
use crate::graphql::{pages, weights};
use crate::services::loyalty;
use async_graphql::{Context, Enum, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use std::sync::Arc;

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
    #[graphql(complexity = "weights::STORE_QUERY + child_complexity")]
    async fn transactions(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default_with = "Some(pages::HISTORY)",
            desc = "How many entries to return: at most 100 (more is clamped)."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "Continue after this cursor (an edge's `cursor` or `pageInfo.endCursor` of the ledger); anything else is `INVALID`."
        )]
        after: Option<String>,
    ) -> async_graphql::Result<LoyaltyTransactionConnection> {
        ledger(ctx, &self.customer, false, first, after).await
    }
    /// The `REDEEM` entries, newest first; `first` is clamped to 100.
    #[graphql(complexity = "weights::STORE_QUERY + child_complexity")]
    async fn redemptions(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default_with = "Some(pages::HISTORY)",
            desc = "How many entries to return: at most 100 (more is clamped)."
        )]
        first: Option<i32>,
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
    let first = pages::requested(first, pages::HISTORY);
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
