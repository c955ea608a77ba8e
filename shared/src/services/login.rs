//! `login`, `refreshSession`, `logout`: sessions and their tokens.

use super::credentials::Principal;
use super::{customer_by_email, Services};
use crate::auth::opaque;
use crate::domain::{
    parse_refresh_token, Customer, CustomerStatus, DomainError, DomainResult, Email, ErrorCode, Session, SessionTokens,
    TenantId,
};
use crate::store::{FailureOutcome, WriteError};
use chrono::{DateTime, Utc};

/// The tokens a client holds for a session: a fresh access token, and the
/// refresh token `<customerId>.<sessionId>.<secret>`.
fn session_tokens(
    svc: &Services,
    tenant: &TenantId,
    session: &Session,
    refresh_secret: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<SessionTokens> {
    let (access_token, access_token_expires_at) =
        svc.access_tokens.issue(tenant.as_str(), &session.customer_id, &session.id, session.token_version, now)?;
    Ok(SessionTokens {
        access_token,
        access_token_expires_at,
        refresh_token: format!("{}.{}.{refresh_secret}", session.customer_id, session.id),
        refresh_token_expires_at: session.expires_at,
    })
}

/// A new session for a customer and the tokens that go to the client.
pub(crate) fn new_session(
    svc: &Services,
    tenant: &TenantId,
    customer_id: &str,
    token_version: i64,
    now: DateTime<Utc>,
) -> anyhow::Result<(Session, SessionTokens)> {
    let refresh = opaque::issue();
    let session = Session {
        id: ulid::Ulid::new().to_string(),
        customer_id: customer_id.to_string(),
        refresh_hash: refresh.hash,
        rotated_hashes: vec![],
        token_version,
        created_at: now,
        expires_at: now + svc.config.refresh_token_ttl,
    };
    let tokens = session_tokens(svc, tenant, &session, &refresh.secret, now)?;
    Ok((session, tokens))
}

fn invalid_credentials() -> DomainError {
    DomainError::user(ErrorCode::InvalidCredentials, &[], "Email or password is wrong.")
}

fn locked() -> DomainError {
    DomainError::user(ErrorCode::AccountLocked, &[], "Too many failed attempts; the account is locked for a while.")
}

fn disabled() -> DomainError {
    DomainError::user(ErrorCode::AccountDisabled, &[], "This account is disabled.")
}

pub struct LoggedIn {
    pub customer: Customer,
    pub session: SessionTokens,
}

/// Checks a customer's password the way login does: a locked account is
/// refused outright, a wrong password counts towards the lock. Shared by
/// every operation that asks for the password again.
pub async fn check_password(
    svc: &Services,
    tenant: &TenantId,
    customer: &crate::domain::CustomerRecord,
    password: &str,
    field: &[&str],
) -> DomainResult<()> {
    let now = Utc::now();
    if customer.credentials.locked_until.is_some_and(|until| until > now) {
        return Err(locked());
    }
    let ok = match &customer.credentials.password_hash {
        Some(phc) => svc.hasher.verify(password, phc).await?,
        None => {
            svc.hasher.verify_dummy(password).await?;
            false
        }
    };
    if ok {
        return Ok(());
    }
    let lock_until = now + svc.config.login_lock;
    let outcome = svc
        .store
        .record_login_failure(tenant, &customer.customer.id, svc.config.login_max_failures, lock_until)
        .await?;
    tracing::info!(customer = %customer.customer.id, ?outcome, "wrong password");
    match outcome {
        FailureOutcome::Locked => Err(locked()),
        FailureOutcome::Counted if field.is_empty() => Err(invalid_credentials()),
        FailureOutcome::Counted => {
            Err(DomainError::user(ErrorCode::InvalidCredentials, field, "The password is wrong."))
        }
    }
}

/// Wrong email and wrong password give the same answer after the same work
/// (one Argon2 verification), so neither the answer nor its timing tells
/// whether an account exists.
pub async fn login(svc: &Services, tenant: &TenantId, email: &str, password: &str) -> DomainResult<LoggedIn> {
    let record = match Email::parse(email, &["email"]) {
        Ok(email) => customer_by_email(svc, tenant, &email).await?,
        Err(_) => None,
    };
    let Some(record) = record else {
        svc.hasher.verify_dummy(password).await?;
        return Err(invalid_credentials());
    };
    check_password(svc, tenant, &record, password, &[]).await?;
    if record.customer.status == CustomerStatus::Inactive {
        return Err(disabled());
    }
    let now = Utc::now();
    let (session, tokens) = new_session(svc, tenant, &record.customer.id, record.credentials.token_version, now)?;
    svc.store.record_login(tenant, &session, now).await?;
    tracing::info!(customer = %record.customer.id, session = %session.id, "logged in");
    let mut customer = record.customer;
    customer.last_login_at = Some(now);
    Ok(LoggedIn { customer, session: tokens })
}

fn token_invalid(field: &str) -> DomainError {
    DomainError::user(ErrorCode::TokenInvalid, &[field], "The token is not valid.")
}

/// Rotates a refresh token. A token that was already rotated away is a
/// replay (stolen, or used twice): the whole session is revoked.
pub async fn refresh(svc: &Services, tenant: &TenantId, refresh_token: &str) -> DomainResult<LoggedIn> {
    const FIELD: &str = "refreshToken";
    let (customer_id, session_id, secret) = parse_refresh_token(refresh_token).ok_or_else(|| token_invalid(FIELD))?;
    let (record, session) = svc.store.get_customer_and_session(tenant, customer_id, session_id).await?;
    let (Some(record), Some(session)) = (record, session) else {
        return Err(token_invalid(FIELD));
    };
    let hash = opaque::hash(secret);
    if hash != session.refresh_hash {
        if session.rotated_hashes.contains(&hash) {
            svc.store.delete_session(tenant, customer_id, session_id).await?;
            tracing::warn!(customer = customer_id, session = session_id, "refresh token replayed; session revoked");
        }
        return Err(token_invalid(FIELD));
    }
    let now = Utc::now();
    if session.expires_at <= now {
        return Err(DomainError::user(ErrorCode::TokenExpired, &[FIELD], "The session has expired; log in again."));
    }
    if session.token_version != record.credentials.token_version {
        return Err(token_invalid(FIELD));
    }
    if record.customer.status == CustomerStatus::Inactive {
        return Err(disabled());
    }
    // The session keeps its id (its access tokens name it); only the refresh secret changes.
    let next = opaque::issue();
    let rotated =
        Session { refresh_hash: next.hash.clone(), expires_at: now + svc.config.refresh_token_ttl, ..session.clone() };
    let tokens = session_tokens(svc, tenant, &rotated, &next.secret, now)?;
    match svc.store.rotate_refresh_token(tenant, &session, &rotated.refresh_hash, rotated.expires_at).await {
        Ok(()) => Ok(LoggedIn { customer: record.customer, session: tokens }),
        // Another refresh with the same token won the race: one of the two is a replay.
        Err(WriteError::Conflict) => {
            svc.store.delete_session(tenant, customer_id, session_id).await?;
            Err(token_invalid(FIELD))
        }
        Err(e) => Err(anyhow::Error::from(e).into()),
    }
}

/// Ends one session: the caller's (by its access token) or the one a
/// refresh token belongs to.
pub async fn logout(
    svc: &Services,
    tenant: &TenantId,
    principal: Option<&Principal>,
    refresh_token: Option<&str>,
) -> DomainResult<()> {
    if let Some(p) = principal {
        svc.store.delete_session(tenant, &p.record.customer.id, &p.session_id).await?;
    }
    if let Some(token) = refresh_token {
        let parsed = parse_refresh_token(token).ok_or_else(|| token_invalid("refreshToken"))?;
        let (customer_id, session_id, secret) = parsed;
        let (_, session) = svc.store.get_customer_and_session(tenant, customer_id, session_id).await?;
        match session {
            Some(s) if s.refresh_hash == opaque::hash(secret) => {
                svc.store.delete_session(tenant, customer_id, session_id).await?
            }
            // Already gone: logging out twice is not an error.
            None if principal.is_some() => {}
            _ => return Err(token_invalid("refreshToken")),
        }
    }
    if principal.is_none() && refresh_token.is_none() {
        return Err(DomainError::Unauthenticated("logout needs an access token or a refresh token"));
    }
    Ok(())
}
