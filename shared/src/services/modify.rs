//! Changing a customer under optimistic concurrency.

use super::Services;
use crate::domain::{Customer, DomainError, DomainResult, ErrorCode};
use crate::store::{UniqueKey, WriteError};
use chrono::Utc;

/// How often a change is re-applied to a fresh read when a concurrent write
/// got in first, before giving up. Each retry waits a little longer (with
/// jitter), so that writers racing for one customer spread out.
const ATTEMPTS: u32 = 10;

fn version_conflict() -> DomainError {
    DomainError::argument(
        ErrorCode::VersionConflict,
        "expectedVersion",
        "The customer changed since that version; reload and try again.",
    )
}

/// The input field holding a unique value, for `TAKEN`.
pub(crate) fn unique_field(kind: UniqueKey) -> &'static str {
    match kind {
        UniqueKey::Email => "email",
        UniqueKey::Ref => "ref",
        UniqueKey::ExternalId => "externalId",
        UniqueKey::LoyaltyId => "loyaltyId",
        UniqueKey::Username => "username",
    }
}

/// `TAKEN` at the input field holding a unique value another customer owns.
pub(crate) fn taken(kind: UniqueKey) -> DomainError {
    DomainError::user(ErrorCode::Taken, &[unique_field(kind)], "Another customer already has this value.")
}

/// Applies `change` to the customer and writes it under a version condition.
/// If another write came first, the change is applied again to the fresh
/// customer, so concurrent changes are never lost. With `expected_version`
/// the client asked for exactly that version: any other is `VERSION_CONFLICT`
/// and nothing is written. A change that changes nothing writes nothing (the
/// returned customer then has the version it had). A unique value (email,
/// ref, external id) that another customer owns is `TAKEN`, located at that
/// field of the input.
pub async fn modify<T>(
    svc: &Services,
    customer: &Customer,
    expected_version: Option<i64>,
    mut change: impl FnMut(&mut Customer) -> DomainResult<T>,
) -> DomainResult<(Customer, T)> {
    let mut current = customer.clone();
    for attempt in 0..ATTEMPTS {
        if expected_version.is_some_and(|v| v != current.version) {
            return Err(version_conflict());
        }
        let mut next = current.clone();
        let out = change(&mut next)?;
        if next == current {
            return Ok((next, out));
        }
        next.version = current.version + 1;
        next.updated_at = Utc::now();
        match svc.store.update_customer(&current, &next).await {
            Ok(()) => return Ok((next, out)),
            Err(WriteError::Conflict) => {
                let pause = 5 * (attempt as u64 + 1) + rand::random::<u64>() % 10;
                tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
                current = svc
                    .store
                    .get_customer(&current.tenant_id, &current.id)
                    .await?
                    .ok_or_else(|| DomainError::general(ErrorCode::NotFound, "The customer no longer exists."))?
                    .customer;
            }
            Err(WriteError::Taken(kind)) => return Err(taken(kind)),
            Err(WriteError::Gone) => {
                return Err(DomainError::general(ErrorCode::NotFound, "The customer no longer exists."))
            }
            Err(WriteError::Other(e)) => return Err(e.into()),
        }
    }
    Err(anyhow::anyhow!("customer {} kept changing under {ATTEMPTS} attempts", customer.id).into())
}
