//! `login`, `refreshSession`, `logout`: sessions and their tokens.

use super::credentials::Principal;
use super::Services;
use crate::auth::opaque;
use crate::domain::{
    parse_refresh_token, Customer, CustomerStatus, DomainError, DomainResult, EmailKey, ErrorCode, Session,
    SessionTokens, TenantId,
};
use crate::store::{Attempt, UniqueKey, WriteError};
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
        // Never past the session's absolute lifetime, `SESSION_MAX_DAYS`.
        expires_at: now + svc.config.refresh_token_ttl.min(svc.config.session_max_age),
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

/// A password attempt, reserved (counted as a failure) before any hashing,
/// so that requests in flight together never check more than
/// `LOGIN_MAX_FAILURES` passwords of an address; while it is locked none is
/// checked. Known and unknown addresses count and lock alike.
pub(crate) struct PasswordAttempt {
    address: String,
    count: u32,
}

impl PasswordAttempt {
    /// Reserves an attempt for an address (its normalised email) (1 RT);
    /// `ACCOUNT_LOCKED` while locked.
    async fn reserve(svc: &Services, tenant: &TenantId, email_key: &EmailKey) -> DomainResult<Self> {
        let now = svc.clock.now();
        // Counted under the address's hash, for known and unknown addresses alike.
        let address = email_key.hashed();
        let max = svc.config.login_max_failures;
        match svc.store.reserve_attempt(tenant, &address, max, now, now + svc.config.login_lock).await? {
            Attempt::Locked => Err(locked()),
            Attempt::Granted { count } => Ok(Self { address, count }),
        }
    }

    /// Checks `password` against `phc` (an unknown account, or one without
    /// a password, spends the same Argon2 work on a dummy hash). A wrong
    /// password stays counted: `wrong`, or `ACCOUNT_LOCKED` when it was the
    /// one that reached the limit.
    async fn check(
        self,
        svc: &Services,
        phc: Option<&str>,
        password: &str,
        wrong: impl FnOnce() -> DomainError,
    ) -> DomainResult<Self> {
        let right = match phc {
            Some(phc) => svc.hasher.verify(password, phc).await?,
            None => {
                svc.hasher.verify_dummy(password).await?;
                false
            }
        };
        if !right {
            // The address's key is a hash: the log names nobody.
            tracing::info!(attempts = %self.address, count = self.count, "wrong password");
        }
        match right {
            true => Ok(self),
            false if self.count >= svc.config.login_max_failures => Err(locked()),
            false => Err(wrong()),
        }
    }

    /// The password was right: the failure count starts again (1 RT).
    pub(crate) async fn succeeded(self, svc: &Services, tenant: &TenantId) -> anyhow::Result<()> {
        svc.store.attempt_succeeded(tenant, &self.address, self.count, svc.config.login_max_failures).await
    }
}

/// Checks a logged-in customer's password the way login does (the same
/// attempt counter, by the customer's address). Shared by every operation
/// that asks for the password again; `field` locates a wrong one. The
/// caller clears the attempt (`succeeded`) once its work is done.
pub(crate) async fn check_password(
    svc: &Services,
    tenant: &TenantId,
    customer: &crate::domain::CustomerRecord,
    password: &str,
    field: &[&str],
) -> DomainResult<PasswordAttempt> {
    let attempt = PasswordAttempt::reserve(svc, tenant, &customer.customer.email.key()).await?;
    let phc = customer.credentials.password_hash.as_deref();
    attempt
        .check(svc, phc, password, || DomainError::user(ErrorCode::InvalidCredentials, field, "The password is wrong."))
        .await
}

/// Never the id of a customer: reading it costs what reading a customer does.
const NO_CUSTOMER: &str = "-";

/// Wrong email and wrong password give the same answer after the same work:
/// the same store round trips (attempt, guard, profile; an unknown address
/// reads a profile that never exists) and one Argon2 verification, so
/// neither the answer nor its timing tells whether an account exists.
pub async fn login(svc: &Services, tenant: &TenantId, email: &str, password: &str) -> DomainResult<LoggedIn> {
    let email_key = EmailKey::of_input(email);
    let attempt = PasswordAttempt::reserve(svc, tenant, &email_key).await?;
    let owner = svc.store.customer_id_by(tenant, UniqueKey::Email, email_key.as_str()).await?;
    let record = svc.store.get_customer(tenant, owner.as_deref().unwrap_or(NO_CUSTOMER)).await?;
    let phc = record.as_ref().and_then(|r| r.credentials.password_hash.clone());
    let attempt = attempt.check(svc, phc.as_deref(), password, invalid_credentials).await?;
    let Some(record) = record else { return Err(invalid_credentials()) };
    if record.customer.status == CustomerStatus::Inactive {
        attempt.succeeded(svc, tenant).await?;
        return Err(disabled());
    }
    let now = svc.clock.now();
    let (session, tokens) = new_session(svc, tenant, &record.customer.id, record.credentials.token_version, now)?;
    // The writes at once: one round trip of latency.
    let (opened, cleared, ()) = tokio::join!(
        svc.store.record_login(tenant, &session, now),
        attempt.succeeded(svc, tenant),
        rehash(svc, tenant, &record.customer.id, phc.as_deref(), password)
    );
    opened?;
    cleared?;
    tracing::info!(customer = %record.customer.id, session = %session.id, "logged in");
    let mut customer = record.customer;
    customer.last_login_at = Some(now);
    Ok(LoggedIn { customer, session: tokens })
}

/// After a successful login with a hash that is not the service's own
/// (an imported one, or ours under parameters since changed), stores the
/// same password under the current Argon2id (first login only: 1 RT). A
/// failure leaves the old hash, which still works; the login goes on.
async fn rehash(svc: &Services, tenant: &TenantId, customer_id: &str, stored: Option<&str>, password: &str) {
    let Some(old) = stored.filter(|h| !svc.hasher.is_current(h)) else { return };
    let new = match svc.hasher.hash(password).await {
        Ok(new) => new,
        Err(e) => return tracing::warn!(customer = customer_id, error = %e, "rehash failed; the old hash stays"),
    };
    match svc.store.rehash_password(tenant, customer_id, old, &new).await {
        Ok(()) => tracing::info!(customer = customer_id, "password rehashed with the current parameters"),
        // Changed meanwhile: the new password is hashed as it should be.
        Err(WriteError::Conflict) => {}
        Err(e) => tracing::warn!(customer = customer_id, error = %e, "rehash failed; the old hash stays"),
    }
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
    let now = svc.clock.now();
    // However often it is refreshed, a session ends `SESSION_MAX_DAYS` after its login.
    let ends_at = session.created_at + svc.config.session_max_age;
    if session.expires_at.min(ends_at) <= now {
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
    let expires_at = (now + svc.config.refresh_token_ttl).min(ends_at);
    let rotated = Session { refresh_hash: next.hash.clone(), expires_at, ..session.clone() };
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
