//! The transactional outbox: a mail is written as an item in the same
//! DynamoDB transaction as the change that causes it, and the `events`
//! function sends it from the table's stream. A request never waits for
//! SES, and a mail is never lost because SES was slow or down.

use super::{render, Mail, Template};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A mail waiting to be sent: everything its template needs, already
/// resolved (sender, recipient, language, variables). The only secret it may
/// hold is the one-time token inside a link the mail must carry; the item is
/// deleted once sent (and expires after `KEPT_FOR` regardless).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxMail {
    /// A ULID: unique, and sortable by creation.
    pub id: String,
    pub tenant_id: String,
    pub template: Template,
    pub from: String,
    pub to: String,
    pub language: Option<String>,
    /// The template's variables, as a JSON object.
    pub context: String,
    /// Extra headers (`List-Unsubscribe`, ...).
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// Where answers go instead of the sender (`Reply-To`, set through SES's
    /// `ReplyToAddresses`, not as a header). Absent from items written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The `status` of an outbox item: waiting, being sent under a lease, or
/// refused by SES for good (a sent mail's item is deleted).
pub mod status {
    pub const PENDING: &str = "PENDING";
    pub const SENDING: &str = "SENDING";
    pub const REJECTED: &str = "REJECTED";
}

/// How long an unsent mail is kept (DynamoDB's TTL removes it after that).
pub const KEPT_FOR: chrono::Duration = chrono::Duration::days(7);

impl OutboxMail {
    pub fn new(
        tenant_id: &str,
        template: Template,
        from: &str,
        to: &str,
        language: Option<&str>,
        context: &serde_json::Value,
        headers: Vec<(String, String)>,
    ) -> Self {
        Self {
            id: ulid::Ulid::new().to_string(),
            tenant_id: tenant_id.to_string(),
            template,
            from: from.to_string(),
            to: to.to_string(),
            language: language.map(String::from),
            context: context.to_string(),
            headers,
            reply_to: None,
            created_at: Utc::now(),
        }
    }

    /// The same mail, answered to `address` rather than its sender.
    pub fn with_reply_to(self, address: &str) -> Self {
        Self { reply_to: Some(address.to_string()), ..self }
    }

    /// The mail as it is sent.
    pub fn render(&self) -> anyhow::Result<Mail> {
        let context: serde_json::Value = serde_json::from_str(&self.context)?;
        let mut mail =
            render(self.template, self.language.as_deref(), &self.to, minijinja::Value::from_serialize(&context))?;
        mail.headers = self.headers.clone();
        mail.reply_to = self.reply_to.clone();
        Ok(mail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outbox_mail_renders_like_a_mail_rendered_at_once() {
        let ctx =
            serde_json::json!({ "shop": "Shop", "name": "Ann", "link": "https://x.test/?token=t", "expires": "soon" });
        let m = OutboxMail::new("t", Template::ConfirmEmail, "s@x.test", "a@x.test", Some("de"), &ctx, vec![]);
        let direct =
            render(Template::ConfirmEmail, Some("de"), "a@x.test", minijinja::Value::from_serialize(&ctx)).unwrap();
        let rendered = m.render().unwrap();
        assert_eq!((rendered.subject, rendered.text, rendered.html), (direct.subject, direct.text, direct.html));
        let stored: OutboxMail = serde_json::from_value(serde_json::to_value(&m).unwrap()).unwrap();
        assert_eq!(stored, m);
    }

    #[test]
    fn a_reply_to_is_kept_and_items_written_without_one_still_read() {
        let ctx = serde_json::json!({ "shop": "Shop" });
        let m = OutboxMail::new("t", Template::ConfirmEmail, "s@x.test", "a@x.test", None, &ctx, vec![]);
        let json = serde_json::to_value(&m).unwrap();
        assert!(json.get("replyTo").is_none(), "no attribute when there is none: {json}");
        let old: OutboxMail = serde_json::from_value(json).unwrap();
        assert_eq!(old.reply_to, None);
        let answered = m.with_reply_to("visitor@x.test");
        let stored: OutboxMail = serde_json::from_value(serde_json::to_value(&answered).unwrap()).unwrap();
        assert_eq!(stored.reply_to.as_deref(), Some("visitor@x.test"));
        assert_eq!(stored.render().unwrap().reply_to.as_deref(), Some("visitor@x.test"));
    }
}
