//! Addresses no mail goes to: SES reported a permanent bounce (the mailbox
//! does not exist) or a complaint (the recipient marked a mail as spam).
//! Mailing such an address again puts the sending account's reputation,
//! and with it every tenant's mail, at risk. A suppression belongs to the
//! tenant whose mail bounced or was complained about, and holds until the
//! back office lifts it; a customer who changes address leaves it behind.

use super::values::Email;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SuppressionReason {
    /// A permanent bounce (a transient one suppresses nothing).
    Bounce,
    Complaint,
}

impl SuppressionReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SuppressionReason::Bounce => "BOUNCE",
            SuppressionReason::Complaint => "COMPLAINT",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Suppression {
    pub email: Email,
    pub reason: SuppressionReason,
    /// When SES saw the bounce or complaint.
    pub at: DateTime<Utc>,
    /// The customer that held the address in the tenant then, if any.
    pub customer_id: Option<String>,
}
