//! Subscription contracts: the order system records each one (and each
//! change); customers and the back office read them.

use super::back_office::{buyer_at, Identifier, UpsertResult};
use super::retry::{customer_gone, RECORD};
use super::Services;
use crate::domain::{ContractInput, Customer, DomainError, DomainResult, ErrorCode, SubscriptionContract, TenantId};

/// Records a contract for the customer `customer` names: `CREATED`, `NOOP`
/// when the same contract is recorded again, `UPDATED` when it changed; a
/// contract id recorded for another customer is `INVALID`. 3-4 RT
/// (lookup, guard with contract, write).
pub async fn record(
    svc: &Services,
    tenant: &TenantId,
    customer: &Identifier,
    input: ContractInput,
) -> DomainResult<(UpsertResult, SubscriptionContract, Customer)> {
    let valid = input.validate().map_err(DomainError::User)?;
    let customer = buyer_at(svc, tenant, customer, &["customer"]).await?.customer;
    for attempt in RECORD.tries() {
        let (owner, previous) = svc.store.contract_owner_and_contract(tenant, &valid.contract_id, &customer.id).await?;
        if owner.as_deref().is_some_and(|o| o != customer.id) {
            return Err(DomainError::user(
                ErrorCode::Invalid,
                &["contractId"],
                "This contract id is recorded for another customer.",
            ));
        }
        let new_id = || ulid::Ulid::new().to_string();
        let Some(contract) = valid.clone().over(&customer.id, previous.as_ref(), new_id, svc.clock.now()) else {
            let unchanged = previous.ok_or_else(|| anyhow::anyhow!("a replay has a stored contract"))?;
            return Ok((UpsertResult::Noop, unchanged, customer));
        };
        match svc.store.put_contract(tenant, &contract).await {
            Ok(()) => {
                let result = if previous.is_none() { UpsertResult::Created } else { UpsertResult::Updated };
                return Ok((result, contract, customer));
            }
            Err(e) => RECORD.after(attempt, e, customer_gone).await?,
        }
    }
    Err(RECORD.exhausted())
}

/// A customer's contracts (1 RT).
pub async fn of(svc: &Services, customer: &Customer) -> DomainResult<Vec<SubscriptionContract>> {
    Ok(svc.store.contracts_of(&customer.tenant_id, &customer.id).await?)
}
