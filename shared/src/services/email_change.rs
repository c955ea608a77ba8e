//! `confirmEmailChange` and `cancelEmailChange`: the token mailed to the new
//! address (or, to cancel, to the old one) is the proof, so they work from
//! any device, without a session.

use super::credentials::find_token;
use super::{mailing, Services};
use crate::domain::{DomainError, DomainResult, Email, ErrorCode, TenantId, TokenKind};
use crate::store::{UniqueKey, WriteError};
use anyhow::Context;

/// Switches the email, if the token's change is still the pending one and
/// nothing (password change or reset, logout everywhere, a newer request, a
/// cancellation) has ended it. The old address gets a notice.
pub async fn confirm(svc: &Services, tenant: &TenantId, secret: &str) -> DomainResult<()> {
    let token = find_token(svc, tenant, secret, TokenKind::ChangeEmail, "token").await?;
    let new_email = Email::from_stored(token.new_email.clone().context("email-change token without an address")?);
    // The customer before the change: whom the notice goes to, in its language.
    let before = match token.customer_id.as_deref() {
        Some(id) => svc.store.get_customer(tenant, id).await?,
        None => None,
    };
    let now = svc.clock.now();
    let notice = match &before {
        Some(before) => mailing::email_changed_notice(svc, tenant, &before.customer, &new_email, now).await,
        None => None,
    };
    let old_proven = before.as_ref().is_some_and(|b| b.customer.email_verified);
    match svc.store.change_email(tenant, &token, &new_email, old_proven, now, notice.as_slice()).await {
        Ok(()) => {
            let customer = token.customer_id.as_deref().unwrap_or_default();
            tracing::info!(customer, to = %new_email.masked(), "email changed");
            Ok(())
        }
        Err(WriteError::Taken(UniqueKey::Email)) => {
            Err(DomainError::user(ErrorCode::Taken, &["token"], "The new address belongs to another account by now."))
        }
        Err(WriteError::Conflict) => Err(DomainError::token_invalid(&["token"])),
        Err(e) => Err(anyhow::Error::from(e).into()),
    }
}

/// Cancels the pending change the token names (`confirmed: true` means
/// cancelled); its confirmation link then answers `TOKEN_INVALID`.
pub async fn cancel(svc: &Services, tenant: &TenantId, secret: &str) -> DomainResult<()> {
    let token = find_token(svc, tenant, secret, TokenKind::CancelEmailChange, "token").await?;
    match svc.store.cancel_email_change(tenant, &token).await {
        Ok(()) => {
            tracing::info!(customer = token.customer_id.as_deref().unwrap_or_default(), "email change cancelled");
            Ok(())
        }
        Err(WriteError::Conflict) => Err(DomainError::token_invalid(&["token"])),
        Err(e) => Err(anyhow::Error::from(e).into()),
    }
}
