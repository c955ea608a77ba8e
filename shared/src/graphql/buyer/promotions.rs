//! `Promotion`: an offer of the tenant's catalogue, bought with points.

use crate::domain;
use async_graphql::{Object, ID};
use chrono::{DateTime, Utc};

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
