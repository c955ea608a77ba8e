//! The outbox's mail: claimed for one delivery, rendered, sent through SES
//! with a few tries as the deadline allows, then removed; refused for good,
//! it is kept as `REJECTED`.

use super::{left, pause_before_another, Events, Outcome, MAX_BUDGET, RESERVE};
use shared::clock::{Clock, SystemClock};
use shared::domain::{mask_email, Email, OutboxMail, TenantId};
use shared::mail::MailError;
use shared::store::MailClaim;
use std::time::Duration;
use tokio::time::Instant;

/// A claim outlives the invocation that made it by this much: a delivery
/// that died holds its mail no longer than that.
const LEASE_MARGIN: Duration = Duration::from_secs(5);
/// How often a mail held by another delivery is asked for again.
const BUSY_WAIT: Duration = Duration::from_secs(1);

impl Events {
    /// Sends the outbox mail `id` unless it was sent or refused already.
    pub(super) async fn send_mail(&self, id: &str, until: Instant) -> Outcome {
        if left(until) < RESERVE {
            tracing::warn!(mail = id, "too close to the deadline to send: left for the next delivery");
            return Outcome::Retry;
        }
        let mail = match self.claim(id, until).await {
            Ok(mail) => mail,
            Err(outcome) => return outcome,
        };
        let to = mask_email(&mail.to);
        match self.suppressed(&mail).await {
            Ok(false) => {}
            Ok(true) => {
                tracing::info!(
                    mail = %mail.id, tenant = %mail.tenant_id, template = ?mail.template, to = %to,
                    "mail to a suppressed address (a bounce or complaint): not sent"
                );
                if let Err(e) = self.store.mail_sent(&mail.id).await {
                    tracing::warn!(mail = %mail.id, error = %format!("{e:#}"), "could not remove the unsent mail");
                }
                return Outcome::Done;
            }
            Err(e) => {
                tracing::error!(mail = %mail.id, error = %format!("{e:#}"), "could not read the address's suppression");
                self.release(&mail.id).await;
                return Outcome::Retry;
            }
        }
        let rendered = match mail.render() {
            Ok(rendered) => rendered,
            Err(e) => return self.reject(&mail, &to, &format!("the mail does not render: {e:#}")).await,
        };
        let mut attempt = 0;
        loop {
            match self.mailer.send(&mail.from, &rendered).await {
                Ok(()) => break,
                Err(MailError::Rejected(reason)) => return self.reject(&mail, &to, &reason).await,
                Err(MailError::Transient(e)) => {
                    let error = redact(&format!("{e:#}"), &mail.to, &to);
                    if let Some(pause) = pause_before_another(attempt, until) {
                        tracing::warn!(
                            mail = %mail.id, template = ?mail.template, to = %to, attempt = attempt + 1, error = %error,
                            "mail not sent yet: trying again"
                        );
                        tokio::time::sleep(pause).await;
                        attempt += 1;
                        continue;
                    }
                    tracing::error!(
                        mail = %mail.id, template = ?mail.template, to = %to, attempt = attempt + 1, error = %error,
                        "mail not sent: left for the next delivery"
                    );
                    self.release(&mail.id).await;
                    return Outcome::Retry;
                }
            }
        }
        match self.store.mail_sent(&mail.id).await {
            Ok(()) => tracing::info!(
                mail = %mail.id, tenant = %mail.tenant_id, template = ?mail.template, to = %to, "mail sent"
            ),
            // Sent is sent: delivering the record again would mail twice. The
            // item stays claimed until its TTL removes it.
            Err(e) => tracing::error!(
                mail = %mail.id, template = ?mail.template, to = %to, error = %format!("{e:#}"),
                "mail sent, but its outbox item could not be removed"
            ),
        }
        Outcome::Done
    }

    /// Whether the mail's address is suppressed in its tenant (1 RT); an
    /// address that does not read as one (the shop's own, say) is not.
    async fn suppressed(&self, mail: &OutboxMail) -> anyhow::Result<bool> {
        match (TenantId::parse(&mail.tenant_id), Email::parse(&mail.to, &[])) {
            (Some(tenant), Ok(email)) => self.store.is_suppressed(&tenant, &email).await,
            _ => Ok(false),
        }
    }

    /// Takes the mail for this delivery, until the invocation's deadline
    /// (and a margin); waits while another delivery holds it, as long as
    /// the deadline allows. Otherwise, how the record ends.
    async fn claim(&self, id: &str, until: Instant) -> Result<OutboxMail, Outcome> {
        loop {
            // The lease is measured against the invocation's real deadline,
            // so it reads the system's time like the deadline does.
            let now = SystemClock.now();
            let lease_until = now + chrono_duration(left(until) + LEASE_MARGIN);
            match self.store.claim_mail(id, now, lease_until).await {
                Ok(MailClaim::Claimed(mail)) => return Ok(*mail),
                Ok(MailClaim::Gone) => {
                    tracing::info!(mail = id, "outbox mail sent already (or gone): nothing to do");
                    return Err(Outcome::Done);
                }
                Ok(MailClaim::Rejected) => {
                    tracing::info!(mail = id, "outbox mail refused for good earlier: not sent again");
                    return Err(Outcome::Done);
                }
                Ok(MailClaim::Busy) if left(until) > BUSY_WAIT + RESERVE => tokio::time::sleep(BUSY_WAIT).await,
                Ok(MailClaim::Busy) => {
                    tracing::warn!(mail = id, "outbox mail held by another delivery: left for the next delivery");
                    return Err(Outcome::Retry);
                }
                Err(e) => {
                    tracing::error!(mail = id, error = %format!("{e:#}"), "could not claim the outbox mail");
                    return Err(Outcome::Retry);
                }
            }
        }
    }

    /// Keeps a mail SES refused for good, with the reason, for an operator.
    async fn reject(&self, mail: &OutboxMail, to: &str, reason: &str) -> Outcome {
        let logged = redact(reason, &mail.to, to);
        match self.store.mail_rejected(&mail.id, reason).await {
            Ok(()) => {
                tracing::error!(
                    mail = %mail.id, tenant = %mail.tenant_id, template = ?mail.template, to = %to, reason = %logged,
                    "mail refused for good: kept in the outbox for an operator"
                );
                Outcome::Done
            }
            Err(e) => {
                tracing::error!(
                    mail = %mail.id, template = ?mail.template, to = %to, reason = %logged, error = %format!("{e:#}"),
                    "mail refused for good, but could not be marked so: left for the next delivery"
                );
                self.release(&mail.id).await;
                Outcome::Retry
            }
        }
    }

    /// Gives a claimed mail back at once, so that the next delivery need not
    /// wait for the lease to run out.
    async fn release(&self, id: &str) {
        if let Err(e) = self.store.release_mail(id).await {
            let error = format!("{e:#}");
            tracing::warn!(mail = id, error = %error, "could not release the outbox mail: its lease runs out");
        }
    }
}

fn chrono_duration(d: Duration) -> chrono::Duration {
    chrono::Duration::milliseconds(i64::try_from(d.min(MAX_BUDGET + LEASE_MARGIN).as_millis()).unwrap_or(0))
}

/// `text` (a provider's message) with the recipient's address masked: logs
/// never hold a full address.
pub(super) fn redact(text: &str, address: &str, masked: &str) -> String {
    if address.is_empty() {
        return text.to_string();
    }
    text.replace(address, masked).replace(&address.to_lowercase(), masked)
}
