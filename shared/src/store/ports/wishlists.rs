//! The wishlist port: a customer's wishlists.

use super::errors::WriteError;
use crate::domain::TenantId;
use async_trait::async_trait;

/// A customer's wishlists: a head (`WISHLISTS`: the default list and the
/// version every change is written over) and one item per list
/// (`WISHLIST#<id>`) in the customer's partition.
#[async_trait]
pub trait WishlistStore: Send + Sync {
    /// Every list of the customer with the head, oldest list first (1 RT,
    /// consistent; one more per MB of lists).
    async fn wishlists(
        &self,
        tenant: &TenantId,
        customer_id: &str,
    ) -> anyhow::Result<crate::domain::wishlists::Wishlists>;

    /// Writes the lists in `put`, deletes those in `deleted` and moves the
    /// head to `expected.version + 1` with `default_id`, if the head is
    /// still at `expected.version` (`Conflict` otherwise) and the customer
    /// still exists (`Gone` otherwise). One transaction: 1 RT.
    async fn save_wishlists(
        &self,
        tenant: &TenantId,
        customer_id: &str,
        expected_version: i64,
        default_id: Option<&str>,
        put: &[crate::domain::wishlists::Wishlist],
        deleted: &[String],
    ) -> Result<(), WriteError>;
}
