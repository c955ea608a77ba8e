//! The promotion port: a tenant's promotion catalogue.

use super::errors::WriteError;
use crate::domain::{Promotion, TenantId};
use async_trait::async_trait;

/// A tenant's catalogue of promotions.
#[async_trait]
pub trait PromotionStore: Send + Sync {
    /// One promotion by the tenant's id of it (1 RT, consistent).
    async fn get_promotion(&self, tenant: &TenantId, promotion_id: &str) -> anyhow::Result<Option<Promotion>>;

    /// Writes `promotion` if the stored one is still at revision
    /// `promotion.revision - 1` (none, for 1); `Conflict` otherwise (1 RT).
    async fn put_promotion(&self, tenant: &TenantId, promotion: &Promotion) -> Result<(), WriteError>;

    /// Removes a promotion; false when there was none (1 RT).
    async fn delete_promotion(&self, tenant: &TenantId, promotion_id: &str) -> anyhow::Result<bool>;

    /// Up to `limit` promotions in `promotionId` order after `after`, and
    /// whether more may follow (1 RT). `None` as the limit: all of them
    /// (a catalogue is small; 1 RT per 1 MB).
    async fn list_promotions(
        &self,
        tenant: &TenantId,
        after: Option<&str>,
        limit: Option<usize>,
    ) -> anyhow::Result<(Vec<Promotion>, bool)>;
}
