//! Changing a customer under optimistic concurrency.

use super::mailing;
use super::retry::{no_longer_exists, PROFILE};
use super::Services;
use crate::domain::{Customer, DomainError, DomainResult, EmailKey, ErrorCode, OutboxMail};
use crate::store::{ChangeEffects, UniqueKey};

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
    // The notice of an email move, by the move (old and new address) it tells of.
    let mut notice: Option<((EmailKey, EmailKey), Option<OutboxMail>)> = None;
    for attempt in PROFILE.tries() {
        if expected_version.is_some_and(|v| v != current.version) {
            return Err(version_conflict());
        }
        let mut next = current.clone();
        let out = change(&mut next)?;
        if next == current {
            return Ok((next, out));
        }
        next.version = current.version + 1;
        next.updated_at = svc.clock.now();
        // An email that moves (only the back office moves it here; a
        // customer confirms a change through its own link) ends every
        // session and tells the address that held the account, as the
        // customer's own change does.
        let email_moved = !next.email.same_address(&current.email);
        // Composed once per move (an unproven old address spends a unit of
        // its budget on it), not again on each retry of the same move.
        let moved = (current.email.key(), next.email.key());
        if email_moved && notice.as_ref().is_none_or(|(was, _)| *was != moved) {
            let mail =
                mailing::email_changed_notice(svc, &current.tenant_id, &current, &next.email, next.updated_at).await;
            notice = Some((moved, mail));
        }
        let mails = match (&notice, email_moved) {
            (Some((_, Some(mail))), true) => std::slice::from_ref(mail),
            _ => &[],
        };
        let effects = ChangeEffects { end_sessions: email_moved, mails };
        match svc.store.update_customer(&current, &next, &effects).await {
            Ok(()) => return Ok((next, out)),
            // Another change came first: apply this one to what it left.
            Err(e) => {
                PROFILE.after(attempt, e, no_longer_exists).await?;
                current = svc
                    .store
                    .get_customer(&current.tenant_id, &current.id)
                    .await?
                    .ok_or_else(no_longer_exists)?
                    .customer;
            }
        }
    }
    Err(PROFILE.exhausted())
}
