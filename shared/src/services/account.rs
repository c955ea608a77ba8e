//! The logged-in customer's own account: profile, addresses, password,
//! email, sessions, erasure. Every function acts on the `Principal` the
//! access token authenticated, never on a customer named by the client.

use super::creation::personal_words;
use super::credentials::Principal;
use super::login::{check_password, new_session};
use super::modify::modify;
use super::quota::{mail_quota_allows, Budget};
use super::tokens::new_token;
use super::{mailing, Services};
use crate::domain::Template;
use crate::domain::{
    self, AddressInput, Customer, DomainError, DomainResult, Email, ErrorCode, ProfilePatch, SessionTokens, TokenKind,
    Writer,
};
use crate::store::{PasswordChange, UniqueKey, WriteError};

fn new_id() -> String {
    ulid::Ulid::new().to_string()
}

pub async fn update_profile(
    svc: &Services,
    p: &Principal,
    patch: ProfilePatch,
    expected_version: Option<i64>,
) -> DomainResult<Customer> {
    let customer = &p.record.customer;
    let patch = patch.validate(svc.config.profile_rules(&customer.tenant_id, Writer::Customer, svc.clock.now()))?;
    modify(svc, &p.record.customer, expected_version, |c| {
        patch.clone().apply(c);
        Ok(())
    })
    .await
    .map(|(c, _)| c)
}

pub async fn set_billing_address(svc: &Services, p: &Principal, address: AddressInput) -> DomainResult<Customer> {
    let id = new_id();
    modify(svc, &p.record.customer, None, |c| domain::set_billing_address(c, address.clone(), id.clone()))
        .await
        .map(|(c, _)| c)
}

pub async fn add_delivery_address(
    svc: &Services,
    p: &Principal,
    address: AddressInput,
    make_default: bool,
) -> DomainResult<Customer> {
    let id = new_id();
    modify(svc, &p.record.customer, None, |c| {
        domain::add_delivery_address(c, address.clone(), id.clone(), make_default)
    })
    .await
    .map(|(c, _)| c)
}

pub async fn update_delivery_address(
    svc: &Services,
    p: &Principal,
    id: &str,
    address: AddressInput,
) -> DomainResult<Customer> {
    modify(svc, &p.record.customer, None, |c| domain::update_delivery_address(c, id, address.clone()))
        .await
        .map(|(c, _)| c)
}

pub async fn remove_delivery_address(svc: &Services, p: &Principal, id: &str) -> DomainResult<Customer> {
    modify(svc, &p.record.customer, None, |c| domain::remove_delivery_address(c, id)).await.map(|(c, _)| c)
}

pub async fn set_default_delivery_address(svc: &Services, p: &Principal, id: &str) -> DomainResult<Customer> {
    modify(svc, &p.record.customer, None, |c| domain::set_default_delivery_address(c, id)).await.map(|(c, _)| c)
}

/// Checks the current password like login does (lockout included), sets the
/// new one, ends every session and access token, and opens a fresh session.
pub async fn change_password(
    svc: &Services,
    p: &Principal,
    current_password: &str,
    new_password: &str,
) -> DomainResult<SessionTokens> {
    let c = &p.record.customer;
    // The right password ends the count at once, whatever happens next
    // (a weak new password must not count as a failed guess).
    check_password(svc, &p.tenant, &p.record, current_password, &["currentPassword"])
        .await?
        .succeeded(svc, &p.tenant)
        .await?;
    let words = personal_words(c.email.as_str(), &[c.first_name.as_deref(), c.last_name.as_deref()]);
    svc.policy.check(new_password, &words, &["newPassword"])?;
    let hash = svc.hasher.hash(new_password).await?;
    let now = svc.clock.now();
    let tv = p.record.credentials.token_version;
    let (session, tokens) = new_session(svc, &p.tenant, &c.id, tv + 1, now)?;
    let notice = mailing::password_changed_notice(svc, &p.tenant, c, false, now).await;
    let change = PasswordChange {
        customer_id: &c.id,
        password_hash: &hash,
        token_version: tv,
        session: &session,
        mails: notice.as_slice(),
        now,
    };
    match svc.store.change_password(&p.tenant, change).await {
        Ok(()) => {
            tracing::info!(customer = %c.id, "password changed; other sessions revoked");
            Ok(tokens)
        }
        // Another password change or logout-all came first: this session is gone.
        Err(WriteError::Conflict) => Err(DomainError::Unauthenticated("the session has ended")),
        Err(e) => Err(anyhow::Error::from(e).into()),
    }
}

/// Mails a confirmation link to the new address and a notice to the old
/// one; the switch happens when the link is used (`auth`'s `confirmEmailChange`).
pub async fn request_email_change(svc: &Services, p: &Principal, new_email: &str, password: &str) -> DomainResult<()> {
    let c = &p.record.customer;
    let new_email = Email::parse(new_email, &["newEmail"])?;
    check_password(svc, &p.tenant, &p.record, password, &["password"]).await?.succeeded(svc, &p.tenant).await?;
    if new_email.same_address(&c.email) {
        return Err(DomainError::user(ErrorCode::Invalid, &["newEmail"], "That is already your email address."));
    }
    if svc.store.customer_id_by(&p.tenant, UniqueKey::Email, &new_email.normalized()).await?.is_some() {
        return Err(DomainError::email_taken(&["newEmail"]));
    }
    // Past the address's hourly budget the answer stays the same and
    // nothing happens: a different answer would tell what else mailed it.
    if !mail_quota_allows(svc, &new_email.key(), Budget::Others).await? {
        tracing::info!(customer = %c.id, to = %new_email.masked(), "email change not started: hourly mail budget spent");
        return Ok(());
    }
    // The confirmation goes to the new address; the notice to the old one
    // carries a link that cancels the change. Only the newest pending
    // change can be confirmed (see `Credentials::pending_email_change`).
    let expires_at = svc.clock.now() + svc.config.email_change_token_ttl;
    let tv = p.record.credentials.token_version;
    let old_key = c.email.normalized();
    let (secret, mut change) = new_token(TokenKind::ChangeEmail, Some(&c.id), &old_key, tv, expires_at);
    change.new_email = Some(new_email.as_str().to_string());
    let (cancel_secret, mut cancel) = new_token(TokenKind::CancelEmailChange, Some(&c.id), &old_key, tv, expires_at);
    cancel.cancels = Some(change.hash.clone());
    let link = mailing::link_mail(
        svc,
        &p.tenant,
        Template::ChangeEmail,
        c,
        Some(new_email.as_str()),
        None,
        &secret,
        expires_at,
    )
    // Without its confirmation mail a change must not start: it would end
    // the pending one, and the notice would announce a link never sent.
    .ok_or_else(|| anyhow::anyhow!("no mail settings for tenant {}", p.tenant.as_str()))?;
    let notice = mailing::email_change_notice(svc, &p.tenant, c, &new_email, &cancel_secret, expires_at).await;
    let mails: Vec<_> = std::iter::once(link).chain(notice).collect();
    match svc.store.start_email_change(&p.tenant, &change, &cancel, &mails).await {
        Ok(()) => Ok(()),
        // A password change or logout everywhere came first: this session is gone.
        Err(WriteError::Conflict) => Err(DomainError::Unauthenticated("the session has ended")),
        Err(e) => Err(anyhow::Error::from(e).into()),
    }
}

/// Ends every session of the customer, this one included.
pub async fn logout_all(svc: &Services, p: &Principal) -> DomainResult<()> {
    svc.store.revoke_all_sessions(&p.tenant, &p.record.customer.id).await?;
    Ok(())
}

/// Erases the customer after checking its password: at once its profile
/// and identifiers (the email can register again), every session and token
/// with them; the rest in the erasure's job (`finish_erasure`).
pub async fn delete_account(svc: &Services, p: &Principal, password: &str) -> DomainResult<()> {
    check_password(svc, &p.tenant, &p.record, password, &["password"]).await?.succeeded(svc, &p.tenant).await?;
    svc.store.delete_customer(&p.record, svc.clock.now()).await?;
    tracing::info!(customer = %p.record.customer.id, "customer erased at its own request");
    Ok(())
}
