//! The suppression port: the addresses of a tenant that no mail goes to.

use crate::domain::{Email, Suppression, TenantId};
use async_trait::async_trait;

#[async_trait]
pub trait SuppressionStore: Send + Sync {
    /// Records `suppression` unless its address is suppressed already (the
    /// first report stands; a redelivered one changes nothing). True when
    /// it was recorded (1 RT).
    async fn suppress(&self, tenant: &TenantId, suppression: &Suppression) -> anyhow::Result<bool>;

    /// Whether mail to `email` is suppressed in `tenant` (1 RT).
    async fn is_suppressed(&self, tenant: &TenantId, email: &Email) -> anyhow::Result<bool>;

    /// Lifts the suppression of `email`; true when there was one (1 RT).
    async fn lift_suppression(&self, tenant: &TenantId, email: &Email) -> anyhow::Result<bool>;
}
