//! The tenant's promotion catalogue: input, payloads and connection.

use super::customer::UpsertResultObject;
use async_graphql::{InputObject, SimpleObject};
use chrono::{DateTime, Utc};
use shared::graphql::buyer::{PageInfo, PromotionObject};
use shared::graphql::UserErrorObject;
use shared::payloads;

/// A promotion of the tenant's catalogue, by the tenant's `promotionId`.
#[derive(InputObject, Clone)]
pub struct PromotionInput {
    /// The tenant's id of the promotion: the same id again is the same promotion.
    pub promotion_id: String,
    /// At most 200 characters.
    pub name: String,
    /// At most 2,000 characters.
    pub description: Option<String>,
    /// Offered from then on; absent: at once.
    pub starts_at: Option<DateTime<Utc>>,
    /// Offered until then (exclusive), after `startsAt`; absent: with no end.
    pub ends_at: Option<DateTime<Utc>>,
    /// Stores it is offered in (at most 100); empty or absent: every store.
    pub store_ids: Option<Vec<String>>,
    /// Countries (ISO 3166-1 alpha-2, at most 100); empty or absent: every country.
    pub country_codes: Option<Vec<String>>,
    /// The points redeeming it spends (0 to 1,000,000,000).
    #[graphql(default = 0)]
    pub points_cost: i64,
    /// Offered only to customers holding at least this many points (0 to 1,000,000,000).
    #[graphql(default = 0)]
    pub min_points_balance: i64,
    /// Offered only to customers with at least this many orders that are not `CANCELLED` or `RETURNED`.
    #[graphql(default = 0)]
    pub min_total_orders: i64,
}

impl From<PromotionInput> for shared::domain::PromotionInput {
    fn from(i: PromotionInput) -> Self {
        Self {
            promotion_id: i.promotion_id,
            name: i.name,
            description: i.description,
            starts_at: i.starts_at,
            ends_at: i.ends_at,
            store_ids: i.store_ids.unwrap_or_default(),
            country_codes: i.country_codes.unwrap_or_default(),
            points_cost: i.points_cost,
            min_points_balance: i.min_points_balance,
            min_total_orders: i.min_total_orders,
        }
    }
}

/// What `upsertPromotion` did, and the promotion.
#[derive(SimpleObject, Default)]
pub struct PromotionPayload {
    /// `CREATED`, `UPDATED`, or `NOOP` when nothing would change.
    pub result: Option<UpsertResultObject>,
    /// The promotion as it is now; null when the operation failed.
    pub promotion: Option<PromotionObject>,
    /// What went wrong with the input (empty on success).
    pub user_errors: Vec<UserErrorObject>,
}

/// Whether `deletePromotion` removed the promotion.
#[derive(SimpleObject, Default)]
pub struct DeletePromotionPayload {
    /// True when the promotion was removed; false when `userErrors` says why not.
    pub deleted: bool,
    /// What went wrong with the input (empty on success).
    pub user_errors: Vec<UserErrorObject>,
}

/// One promotion of a `PromotionConnection`.
#[derive(SimpleObject)]
pub struct PromotionEdge {
    /// Where this edge is in the listing: pass as `after` to continue after it.
    pub cursor: String,
    /// The promotion.
    pub node: PromotionObject,
}

/// A page of the tenant's promotions, by `promotionId`.
#[derive(SimpleObject)]
pub struct PromotionConnection {
    /// The promotions of this page.
    pub edges: Vec<PromotionEdge>,
    /// Whether another page follows, and the cursor to ask for it with.
    pub page_info: PageInfo,
}

payloads!(PromotionPayload, DeletePromotionPayload);
