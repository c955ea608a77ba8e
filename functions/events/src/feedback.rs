//! Mail feedback: SES reports bounces and complaints of the mail sent with
//! the stack's configuration set as EventBridge events (`source: aws.ses`,
//! template.yaml's `MailFeedback` rule). A permanent bounce or a complaint
//! suppresses each recipient it names for the tenant the mail was sent for
//! (the `tenant` tag the mailer sets); a transient bounce (a full mailbox,
//! a greylisting server) suppresses nothing.

use super::Events;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use shared::domain::{mask_email, Email, Suppression, SuppressionReason, TenantId};
use shared::mail::TENANT_TAG;
use shared::store::UniqueKey;
use std::collections::HashMap;

/// The part of an SES event (EventBridge's `detail`) read here.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SesEvent {
    event_type: String,
    mail: SesMail,
    bounce: Option<Bounce>,
    complaint: Option<Complaint>,
}

#[derive(Debug, Deserialize)]
struct SesMail {
    #[serde(default)]
    tags: HashMap<String, Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bounce {
    bounce_type: String,
    bounced_recipients: Vec<Recipient>,
    timestamp: DateTime<Utc>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Complaint {
    complained_recipients: Vec<Recipient>,
    timestamp: DateTime<Utc>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Recipient {
    email_address: String,
}

/// What one SES event asks for: suppress these addresses of this tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    pub tenant: TenantId,
    pub reason: SuppressionReason,
    pub at: DateTime<Utc>,
    pub addresses: Vec<Email>,
}

/// Reads an SES event's `detail`: `Ok(None)` when it suppresses nothing (a
/// transient bounce, another event type, a mail without the tenant tag);
/// `Err` when it cannot be read at all.
pub fn read(detail: &serde_json::Value) -> anyhow::Result<Option<Feedback>> {
    let event: SesEvent = serde_json::from_value(detail.clone())?;
    let (reason, at, recipients) = match (event.event_type.as_str(), event.bounce, event.complaint) {
        ("Bounce", Some(b), _) if b.bounce_type == "Permanent" => {
            (SuppressionReason::Bounce, b.timestamp, b.bounced_recipients)
        }
        ("Complaint", _, Some(c)) => (SuppressionReason::Complaint, c.timestamp, c.complained_recipients),
        _ => return Ok(None),
    };
    let Some(tenant) = event.mail.tags.get(TENANT_TAG).and_then(|t| t.first()).and_then(|t| TenantId::parse(t)) else {
        tracing::warn!(reason = reason.as_str(), "mail feedback without a tenant tag: not sent by this service");
        return Ok(None);
    };
    // SES may give `"Name" <address>`: the address is within the brackets.
    let addresses = recipients
        .iter()
        .filter_map(|r| {
            let raw = r.email_address.rsplit_once('<').map_or(r.email_address.as_str(), |(_, a)| a);
            Email::parse(raw.trim_end_matches('>').trim(), &[]).ok()
        })
        .collect();
    Ok(Some(Feedback { tenant, reason, at, addresses }))
}

impl Events {
    /// Suppresses the addresses of an SES event (EventBridge's `detail`),
    /// each with the customer that holds it in the tenant (2 RT per
    /// address). Err: the event is to be delivered again (Lambda's retries
    /// of an asynchronous invocation, then the dead-letter queue); what was
    /// suppressed already stays, and a second report of it changes nothing.
    pub async fn handle_feedback(&self, detail: &serde_json::Value) -> anyhow::Result<()> {
        let feedback = match read(detail) {
            Ok(Some(feedback)) => feedback,
            Ok(None) => return Ok(()),
            Err(e) => {
                // No delivery would make it readable.
                tracing::error!(error = %format!("{e:#}"), "an SES event that cannot be read: ignored");
                return Ok(());
            }
        };
        for email in feedback.addresses {
            let customer_id =
                self.store.customer_id_by(&feedback.tenant, UniqueKey::Email, email.key().as_str()).await?;
            let suppression = Suppression { email, reason: feedback.reason, at: feedback.at, customer_id };
            let new = self.store.suppress(&feedback.tenant, &suppression).await?;
            tracing::info!(
                tenant = feedback.tenant.as_str(), to = %mask_email(suppression.email.as_str()),
                reason = feedback.reason.as_str(), new, "address suppressed"
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bounce(kind: &str, tags: serde_json::Value) -> serde_json::Value {
        json!({
            "eventType": "Bounce",
            "bounce": {
                "bounceType": kind, "bounceSubType": "General",
                "bouncedRecipients": [{ "emailAddress": "Ann <Ann@Example.com>", "status": "5.1.1" }],
                "timestamp": "2026-12-01T10:00:00.000Z", "feedbackId": "f"
            },
            "mail": { "timestamp": "2026-12-01T09:59:59.000Z", "messageId": "m", "destination": ["ann@example.com"], "tags": tags }
        })
    }

    #[test]
    fn a_permanent_bounce_suppresses_its_recipients_for_the_tagged_tenant() {
        let f = read(&bounce("Permanent", json!({ "tenant": ["shop-de"] }))).unwrap().expect("feedback");
        assert_eq!(f.tenant.as_str(), "shop-de");
        assert_eq!(f.reason, SuppressionReason::Bounce);
        let ann = Email::parse("ann@example.com", &[]).unwrap();
        assert!(f.addresses.len() == 1 && f.addresses[0].same_address(&ann), "{:?}", f.addresses);
    }

    #[test]
    fn a_transient_bounce_or_an_untagged_mail_suppresses_nothing() {
        assert_eq!(read(&bounce("Transient", json!({ "tenant": ["shop-de"] }))).unwrap(), None);
        assert_eq!(read(&bounce("Permanent", json!({}))).unwrap(), None);
        assert_eq!(read(&bounce("Permanent", json!({ "tenant": ["Not A Tenant"] }))).unwrap(), None);
    }

    #[test]
    fn a_complaint_suppresses() {
        let complaint = json!({
            "eventType": "Complaint",
            "complaint": { "complainedRecipients": [{ "emailAddress": "bob@example.com" }], "timestamp": "2026-12-01T10:00:00Z" },
            "mail": { "tags": { "tenant": ["default"] } }
        });
        let f = read(&complaint).unwrap().expect("feedback");
        assert_eq!((f.reason, f.addresses.len()), (SuppressionReason::Complaint, 1));
        assert!(read(&json!({ "eventType": "Delivery", "mail": {} })).unwrap().is_none());
        assert!(read(&json!({ "nothing": true })).is_err());
    }
}
