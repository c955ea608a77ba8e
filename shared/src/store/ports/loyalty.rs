//! The loyalty port: the standing and its ledger.

use super::errors::WriteError;
use crate::domain::{LoyaltyReceipt, LoyaltyTransaction, Standing, TenantId};
use async_trait::async_trait;

/// The loyalty balance (the standing) and its append-only ledger.
#[async_trait]
pub trait LoyaltyStore: Send + Sync {
    /// The customer's standing; the empty one when nothing was recorded (1 RT, consistent).
    async fn get_standing(&self, tenant: &TenantId, customer_id: &str) -> anyhow::Result<Standing>;

    /// The receipt of an idempotency key, if the key was used, and the
    /// customer's standing, read together (1 RT).
    async fn receipt_and_standing(
        &self,
        tenant: &TenantId,
        key: &str,
        customer_id: &str,
    ) -> anyhow::Result<(Option<LoyaltyReceipt>, Standing)>;

    /// Writes the standing, its ledger entry (the receipt's transaction) and
    /// the receipt in one transaction (1 RT); `Conflict` when the standing
    /// changed meanwhile or the key was used by then.
    async fn record_loyalty(
        &self,
        tenant: &TenantId,
        standing: &Standing,
        receipt: &LoyaltyReceipt,
    ) -> Result<(), WriteError>;

    /// Up to `limit` ledger entries of a customer, newest first, after the
    /// position `after`, only redemptions when `redemptions_only`, and
    /// whether more may follow.
    async fn list_loyalty(
        &self,
        tenant: &TenantId,
        customer_id: &str,
        redemptions_only: bool,
        after: Option<&str>,
        limit: usize,
    ) -> anyhow::Result<(Vec<(String, LoyaltyTransaction)>, bool)>;
}
