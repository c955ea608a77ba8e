//! The outbox port: claiming, sending and settling outbox mails.

use super::quotas::Quota;
use crate::domain::OutboxMail;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// What claiming an outbox mail found.
#[derive(Debug, Clone, PartialEq)]
pub enum MailClaim {
    /// Pending (or abandoned by a delivery whose lease ran out): now held
    /// by this delivery until the lease ends.
    Claimed(Box<OutboxMail>),
    /// Sent already (or never there): nothing to do.
    Gone,
    /// Another delivery holds it and its lease has not run out.
    Busy,
    /// SES refused it for good earlier; kept for an operator.
    Rejected,
}

/// The transactional outbox, as the `events` function works through it
/// (mails are written by the other ports, in the transactions of the
/// changes that cause them).
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Writes `mail` on its own (no change goes with it: a contact request),
    /// taking one unit of `budget` in the same transaction; false, and
    /// nothing written, when the budget had no room (1 RT).
    async fn put_mail(&self, mail: &OutboxMail, budget: &Quota) -> anyhow::Result<bool>;

    /// Claims a mail for sending until `lease_until`, so that a stream
    /// record delivered again never mails twice (1 RT).
    async fn claim_mail(&self, id: &str, now: DateTime<Utc>, lease_until: DateTime<Utc>) -> anyhow::Result<MailClaim>;

    /// The mail went out: it is removed (1 RT).
    async fn mail_sent(&self, id: &str) -> anyhow::Result<()>;

    /// Sending failed for now: pending again, for the next delivery (1 RT).
    async fn release_mail(&self, id: &str) -> anyhow::Result<()>;

    /// SES refused the mail for good: kept with the reason, for an operator
    /// (until its TTL), and never tried again (1 RT).
    async fn mail_rejected(&self, id: &str, reason: &str) -> anyhow::Result<()>;
}
