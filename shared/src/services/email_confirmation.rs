//! `confirmEmail` and `resendEmailConfirmation`.

use super::credentials::find_token;
use super::quota::{mail_quota_allows, Budget};
use super::registration::confirmation_token;
use super::{answer_no_sooner, customer_by_email, mailing, Services};
use crate::domain::Template;
use crate::domain::{DomainError, DomainResult, Email, TenantId, TokenKind};
use crate::store::WriteError;

pub async fn confirm(svc: &Services, tenant: &TenantId, secret: &str) -> DomainResult<()> {
    let token = find_token(svc, tenant, secret, TokenKind::ConfirmEmail, "token").await?;
    match svc.store.confirm_email(tenant, &token, svc.clock.now()).await {
        Ok(()) => {
            tracing::info!(customer = token.customer_id.as_deref().unwrap_or_default(), "email confirmed");
            Ok(())
        }
        // Used meanwhile, or the customer's email changed since it was mailed.
        Err(WriteError::Conflict) => Err(DomainError::token_invalid(&["token"])),
        Err(e) => Err(anyhow::Error::from(e).into()),
    }
}

/// Mails a new confirmation link if the address belongs to an unverified
/// customer and its hourly mail budget allows. The answer is the same
/// either way, and comes no sooner than the enumeration floor.
pub async fn resend(svc: &Services, tenant: &TenantId, email: &str) -> DomainResult<()> {
    let start = tokio::time::Instant::now();
    let email = Email::parse(email, &["email"])?;
    let result = resend_if_due(svc, tenant, &email).await;
    answer_no_sooner(start, svc.config.enumeration_floor).await;
    result
}

async fn resend_if_due(svc: &Services, tenant: &TenantId, email: &Email) -> DomainResult<()> {
    let Some(record) = customer_by_email(svc, tenant, email).await? else {
        return Ok(());
    };
    if record.customer.email_verified || !mail_quota_allows(svc, &email.key(), Budget::Others).await? {
        return Ok(());
    }
    let (secret, token) = confirmation_token(svc, &record.customer, record.credentials.token_version, svc.clock.now());
    let mail = mailing::link_mail(
        svc,
        tenant,
        Template::ConfirmEmail,
        &record.customer,
        None,
        None,
        &secret,
        token.expires_at,
    );
    svc.store.put_token(tenant, &token, mail.as_slice()).await?;
    Ok(())
}
