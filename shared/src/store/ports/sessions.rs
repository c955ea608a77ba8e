//! The session port: logins, refresh rotation, revocation and password changes.

use super::errors::WriteError;
use crate::domain::{CustomerRecord, OutboxMail, Session, TenantId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A password change by the logged-in customer.
pub struct PasswordChange<'a> {
    pub customer_id: &'a str,
    pub password_hash: &'a str,
    /// The token version the change was checked under.
    pub token_version: i64,
    /// The fresh session that replaces every other.
    pub session: &'a Session,
    /// Mails for the outbox (the notice), written with the change.
    pub mails: &'a [OutboxMail],
    pub now: DateTime<Utc>,
}

/// Sessions and the password: logins, refresh rotation, revocation.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Customer and one of its sessions together (1 RT).
    async fn get_customer_and_session(
        &self,
        tenant: &TenantId,
        customer_id: &str,
        session_id: &str,
    ) -> anyhow::Result<(Option<CustomerRecord>, Option<Session>)>;

    /// Opens a session and records the login (1 RT).
    async fn record_login(&self, tenant: &TenantId, session: &Session, now: DateTime<Utc>) -> anyhow::Result<()>;

    /// Replaces the session's refresh hash if it is still `old_hash` (1 RT);
    /// `Conflict` when another rotation came first.
    async fn rotate_refresh_token(
        &self,
        tenant: &TenantId,
        session: &Session,
        new_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), WriteError>;

    async fn delete_session(&self, tenant: &TenantId, customer_id: &str, session_id: &str) -> anyhow::Result<()>;

    /// Sets a new password, bumps the token version (revoking every session
    /// and access token) and opens `session`, if the token version is still
    /// `token_version` (1 RT).
    async fn change_password(&self, tenant: &TenantId, change: PasswordChange<'_>) -> Result<(), WriteError>;

    /// Replaces the password hash `old` by `new`, the same password under
    /// the service's own hash, if it is still `old` (1 RT); `Conflict` when
    /// the password changed meanwhile. Sessions live on: the password is
    /// the same.
    async fn rehash_password(
        &self,
        tenant: &TenantId,
        customer_id: &str,
        old: &str,
        new: &str,
    ) -> Result<(), WriteError>;

    /// Gives a customer that has no password the hash `hash` (an import's,
    /// of its password in another system) (1 RT); false when it has a
    /// password or is gone: a password set here is never overwritten.
    async fn adopt_password_hash(&self, tenant: &TenantId, customer_id: &str, hash: &str) -> anyhow::Result<bool>;

    /// Bumps the token version: every session and access token dies (1 RT).
    /// The customer's sessions, as stored (1 RT a page of the partition's
    /// sessions).
    async fn sessions_of(&self, tenant: &TenantId, customer_id: &str) -> anyhow::Result<Vec<Session>>;

    async fn revoke_all_sessions(&self, tenant: &TenantId, customer_id: &str) -> anyhow::Result<()>;
}
