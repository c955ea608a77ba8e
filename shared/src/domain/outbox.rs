//! A mail to send, as the change that causes it writes it: the outbox
//! item lives in the same transaction as the change (the store writes it),
//! and the `events` function renders and sends it (`crate::mail`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The kind of a mail: which template renders it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Template {
    ConfirmEmail,
    ResetPassword,
    /// To the new address: the link that confirms an email change.
    ChangeEmail,
    /// To the old address: an email change was requested (with a link that cancels it).
    EmailChangeNotice,
    /// To the old address: the email change happened.
    EmailChanged,
    /// To the account's address: its password was changed or reset.
    PasswordChanged,
    /// A customer created by the back office: choose a password.
    Invite,
    /// Double opt-in for the newsletter.
    NewsletterConfirm,
    /// An item someone waited for is available again.
    BackInStock,
    /// To the shop: a visitor's message from the contact form (`Reply-To` the visitor).
    ContactRequest,
    /// The link to the customer's data-portability document.
    DataExport,
}

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

impl OutboxMail {
    /// How long an unsent mail is kept (DynamoDB's TTL removes it after that).
    pub const KEPT_FOR: chrono::Duration = chrono::Duration::days(7);

    pub fn new(
        tenant_id: &str,
        template: Template,
        from: &str,
        to: &str,
        language: Option<&str>,
        context: &serde_json::Value,
        created_at: DateTime<Utc>,
    ) -> Self {
        Self {
            id: ulid::Ulid::new().to_string(),
            tenant_id: tenant_id.to_string(),
            template,
            from: from.to_string(),
            to: to.to_string(),
            language: language.map(String::from),
            context: context.to_string(),
            headers: vec![],
            reply_to: None,
            created_at,
        }
    }

    /// The same mail with extra headers (`List-Unsubscribe`, ...).
    pub fn with_headers(self, headers: Vec<(String, String)>) -> Self {
        Self { headers, ..self }
    }

    /// The same mail, answered to `address` rather than its sender.
    pub fn with_reply_to(self, address: &str) -> Self {
        Self { reply_to: Some(address.to_string()), ..self }
    }
}
