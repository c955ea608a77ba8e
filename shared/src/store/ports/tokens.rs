//! The one-time token port: confirmations, password resets and email changes.

use super::errors::WriteError;
use crate::domain::{Email, OneTimeToken, OutboxMail, Session, TenantId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A password change through a reset token.
pub struct PasswordReset<'a> {
    pub token: &'a OneTimeToken,
    pub password_hash: &'a str,
    /// A session to open at once (`loginOnSuccess`).
    pub session: Option<&'a Session>,
    /// The address's password attempts (see `AttemptStore`), cleared with
    /// the reset: proving the mailbox unlocks it.
    pub attempts_address: &'a str,
    /// Mails for the outbox, written with the change.
    pub mails: &'a [OutboxMail],
    pub now: DateTime<Utc>,
}

/// One-time tokens (stored as hashes) and the changes they authorise.
#[async_trait]
pub trait TokenStore: Send + Sync {
    /// Stores a token, with the mail that carries it, in one write (1 RT).
    async fn put_token(&self, tenant: &TenantId, token: &OneTimeToken, mails: &[OutboxMail]) -> anyhow::Result<()>;

    /// Stores a token with its mail, taking a unit of each of `budgets` in
    /// the same write (1 RT); `false`, and nothing written, when one is spent.
    async fn put_token_within(
        &self,
        tenant: &TenantId,
        token: &OneTimeToken,
        mails: &[OutboxMail],
        budgets: &[super::Quota],
    ) -> anyhow::Result<bool>;

    async fn get_token(&self, tenant: &TenantId, hash: &str) -> anyhow::Result<Option<OneTimeToken>>;

    /// Uses up a confirmation token and marks the email verified, if the
    /// customer still has that email (1 RT); `Conflict` otherwise.
    async fn confirm_email(
        &self,
        tenant: &TenantId,
        token: &OneTimeToken,
        now: DateTime<Utc>,
    ) -> Result<(), WriteError>;

    /// Uses up a reset token, sets the password, bumps the token version
    /// (revoking every earlier session and any pending email change),
    /// verifies the email, clears the address's password attempts, and
    /// optionally opens a session, all in one transaction (1 RT); `Conflict`
    /// when the token was used or the customer changed meanwhile.
    async fn reset_password(&self, tenant: &TenantId, reset: PasswordReset<'_>) -> Result<(), WriteError>;

    /// Records a pending email change: its confirmation token, the token
    /// that cancels it, and the customer's `pendingEmailChange` (replacing
    /// an earlier one), if the token version is still the change token's, in
    /// one transaction (1 RT); `Conflict` otherwise.
    async fn start_email_change(
        &self,
        tenant: &TenantId,
        change: &OneTimeToken,
        cancel: &OneTimeToken,
        mails: &[OutboxMail],
    ) -> Result<(), WriteError>;

    /// Uses up a cancel token and drops the pending change it names, with
    /// its confirmation token (1 RT); `Conflict` when the change is no
    /// longer pending.
    async fn cancel_email_change(&self, tenant: &TenantId, cancel: &OneTimeToken) -> Result<(), WriteError>;

    /// Uses up an email-change token and moves the customer and its email
    /// guard to the token's new address, in one transaction (1 RT). `Taken`
    /// when the new address belongs to someone by now, `Conflict` when the
    /// token was used, is no longer the pending change, or the customer's
    /// email or token version changed meanwhile.
    async fn change_email(
        &self,
        tenant: &TenantId,
        token: &OneTimeToken,
        new_email: &Email,
        old_proven: bool,
        now: DateTime<Utc>,
        mails: &[OutboxMail],
    ) -> Result<(), WriteError>;
}
