//! `requestPasswordReset`, `verifyPasswordResetToken`, `resetPassword`.

use super::creation::personal_words;
use super::credentials::live_customer_token;
use super::login::new_session;
use super::quota::{mail_quota_allows, Budget};
use super::tokens::new_token;
use super::{answer_no_sooner, customer_by_email, mailing, Services};
use crate::domain::Template;
use crate::domain::{
    CustomerStatus, DomainError, DomainResult, Email, EmailKey, ErrorCode, Problems, SessionTokens, TenantId,
    TokenKind, UserError,
};
use crate::store::{PasswordReset, WriteError};
use url::Url;

/// Validates a client-supplied link target against the tenant's allow-list.
fn reset_url(svc: &Services, tenant: &TenantId, raw: Option<&str>) -> Result<Option<Url>, UserError> {
    let Some(raw) = raw else { return Ok(None) };
    let refused = || UserError::new(ErrorCode::Invalid, &["resetUrl"], "resetUrl is not an allowed URL for this shop.");
    let url = Url::parse(raw).map_err(|_| refused())?;
    match svc.config.tenant(tenant) {
        Some(settings) if settings.allows(&url) => Ok(Some(url)),
        _ => Err(refused()),
    }
}

/// Mails a reset link where the account exists (and its mail budget allows).
/// Same answer, no sooner than the enumeration floor, either way.
pub async fn request(svc: &Services, tenant: &TenantId, email: &str, url: Option<&str>) -> DomainResult<()> {
    let start = tokio::time::Instant::now();
    let mut p = Problems::new();
    let email = p.check(Email::parse(email, &["email"]));
    let url = p.check(reset_url(svc, tenant, url));
    p.finish()?;
    let (Some(email), Some(url)) = (email, url) else {
        return Ok(());
    };
    let result = request_if_due(svc, tenant, &email, url.as_ref()).await;
    answer_no_sooner(start, svc.config.enumeration_floor).await;
    result
}

async fn request_if_due(svc: &Services, tenant: &TenantId, email: &Email, url: Option<&Url>) -> DomainResult<()> {
    let Some(record) = customer_by_email(svc, tenant, email).await? else {
        return Ok(());
    };
    if record.customer.status == CustomerStatus::Inactive
        || !mail_quota_allows(svc, &email.key(), Budget::Recovery).await?
    {
        return Ok(());
    }
    mail_set_password_link(svc, tenant, &record, Template::ResetPassword, svc.config.reset_token_ttl, url).await
}

/// Issues a reset token that lives `ttl` and mails its link with `template`
/// (a reset, or a back-office invite to set a first password).
pub(crate) async fn mail_set_password_link(
    svc: &Services,
    tenant: &TenantId,
    record: &crate::domain::CustomerRecord,
    template: Template,
    ttl: chrono::Duration,
    url: Option<&Url>,
) -> DomainResult<()> {
    let c = &record.customer;
    let expires_at = svc.clock.now() + ttl;
    let (secret, token) = new_token(
        TokenKind::ResetPassword,
        Some(&c.id),
        &c.email.normalized(),
        record.credentials.token_version,
        expires_at,
    );
    let mail = mailing::link_mail(svc, tenant, template, c, None, url, &secret, token.expires_at);
    svc.store.put_token(tenant, &token, mail.as_slice()).await?;
    Ok(())
}

/// Checks a token without using it up.
pub async fn verify(svc: &Services, tenant: &TenantId, secret: &str) -> DomainResult<()> {
    live_customer_token(svc, tenant, secret, TokenKind::ResetPassword).await.map(|_| ())
}

/// Sets a new password. A refused password leaves the token usable; success
/// uses it up and revokes every earlier session and access token.
pub async fn reset(
    svc: &Services,
    tenant: &TenantId,
    secret: &str,
    new_password: &str,
    login_on_success: bool,
) -> DomainResult<Option<SessionTokens>> {
    let (token, record) = live_customer_token(svc, tenant, secret, TokenKind::ResetPassword).await?;
    let c = &record.customer;
    let words = personal_words(c.email.as_str(), &[c.first_name.as_deref(), c.last_name.as_deref()]);
    svc.policy.check(new_password, &words, &["newPassword"])?;
    let hash = svc.hasher.hash(new_password).await?;
    let now = svc.clock.now();
    let session = match login_on_success && c.status == CustomerStatus::Active {
        true => Some(new_session(svc, tenant, &c.id, token.token_version + 1, now)?),
        false => None,
    };
    let attempts_address = EmailKey::from_stored(token.email_key.clone()).hashed();
    // The reset proves the mailbox (it verifies the email): the notice to it
    // is no unsolicited mail.
    let proven = crate::domain::Customer { email_verified: true, ..c.clone() };
    let notice = mailing::password_changed_notice(svc, tenant, &proven, true, now).await;
    let reset = PasswordReset {
        token: &token,
        password_hash: &hash,
        session: session.as_ref().map(|(s, _)| s),
        attempts_address: &attempts_address,
        mails: notice.as_slice(),
        now,
    };
    match svc.store.reset_password(tenant, reset).await {
        Ok(()) => {
            tracing::info!(customer = %c.id, "password reset; earlier sessions revoked");
            Ok(session.map(|(_, t)| t))
        }
        Err(WriteError::Conflict) => Err(DomainError::token_invalid(&["token"])),
        Err(e) => Err(anyhow::Error::from(e).into()),
    }
}
