//! `confirmEmailChange`: the token mailed to the new address is the proof,
//! so it works from any device, without a session.

use super::credentials::find_token;
use super::Services;
use crate::domain::{DomainError, DomainResult, Email, ErrorCode, TenantId, TokenKind};
use crate::store::{UniqueKey, WriteError};
use anyhow::Context;
use chrono::Utc;

pub async fn confirm(svc: &Services, tenant: &TenantId, secret: &str) -> DomainResult<()> {
    let token = find_token(svc, tenant, secret, TokenKind::ChangeEmail, "token").await?;
    let new_email = Email::from_stored(token.new_email.clone().context("email-change token without an address")?);
    match svc.store.change_email(tenant, &token, &new_email, Utc::now()).await {
        Ok(()) => {
            tracing::info!(customer = token.customer_id.as_deref().unwrap_or_default(), to = %new_email.masked(), "email changed");
            Ok(())
        }
        Err(WriteError::Taken(UniqueKey::Email)) => {
            Err(DomainError::user(ErrorCode::Taken, &["token"], "The new address belongs to another account by now."))
        }
        Err(WriteError::Conflict) => Err(DomainError::token_invalid(&["token"])),
        Err(e) => Err(anyhow::Error::from(e).into()),
    }
}
