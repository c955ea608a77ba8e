//! The contract port: subscription contracts of the order system.

use super::errors::WriteError;
use crate::domain::{SubscriptionContract, TenantId};
use async_trait::async_trait;

/// Subscription contracts of the order system, read as the customer's.
#[async_trait]
pub trait ContractStore: Send + Sync {
    /// The customer owning a contract id in the tenant (its guard), and
    /// `customer_id`'s contract under that id, read together (1 RT).
    async fn contract_owner_and_contract(
        &self,
        tenant: &TenantId,
        contract_id: &str,
        customer_id: &str,
    ) -> anyhow::Result<(Option<String>, Option<SubscriptionContract>)>;

    /// Writes a contract: a new one (revision 1) with the guard of its id,
    /// a changed one under the condition of its previous revision (1 RT);
    /// `Conflict` when the id was taken or the contract changed meanwhile.
    async fn put_contract(&self, tenant: &TenantId, contract: &SubscriptionContract) -> Result<(), WriteError>;

    /// A customer's contracts, by contract id, at most 100 (1 RT).
    async fn contracts_of(&self, tenant: &TenantId, customer_id: &str) -> anyhow::Result<Vec<SubscriptionContract>>;
}
