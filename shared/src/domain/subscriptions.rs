//! Newsletter subscriptions (double opt-in) and back-in-stock alerts. Both
//! belong to an email address of a tenant, whether or not it is a customer's.

use super::customer::Gender;
use super::errors::{ErrorCode, UserError};
use super::values::{required_text, CountryCode, Email, LanguageCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NewsletterState {
    Subscribed,
    Unsubscribed,
    Pending,
}

impl NewsletterState {
    pub fn as_str(self) -> &'static str {
        match self {
            NewsletterState::Subscribed => "SUBSCRIBED",
            NewsletterState::Unsubscribed => "UNSUBSCRIBED",
            NewsletterState::Pending => "PENDING",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewsletterSubscription {
    pub email: Email,
    pub status: NewsletterState,
    pub country_code: Option<CountryCode>,
    pub language_code: Option<LanguageCode>,
    pub gender: Option<Gender>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
}

pub const ITEM_MAX: usize = 200;

/// A product (SKU, variant id) someone waits for.
pub fn item(raw: &str, field: &[&str]) -> Result<String, UserError> {
    let item = required_text(raw, ITEM_MAX, field)?;
    if item.contains('#') {
        return Err(UserError::new(ErrorCode::Invalid, field, "An item must not contain #."));
    }
    Ok(item)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackInStockSubscription {
    pub email: Email,
    pub item: String,
    /// Where the subscriber wants it shipped: notified when it is back there.
    pub country_code: CountryCode,
    pub language_code: Option<LanguageCode>,
    pub created_at: DateTime<Utc>,
}

impl BackInStockSubscription {
    /// How long a subscription waits for its item: subscribing again starts
    /// it anew. Past it, the subscription is as good as gone (DynamoDB's
    /// TTL removes it a while later).
    pub const KEPT_FOR: chrono::Duration = chrono::Duration::days(180);

    pub fn expires_at(&self) -> DateTime<Utc> {
        self.created_at + Self::KEPT_FOR
    }

    /// Whether it still waits for its item at `now`.
    pub fn waiting_at(&self, now: DateTime<Utc>) -> bool {
        now < self.expires_at()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items() {
        assert_eq!(item(" SKU-1 ", &["item"]).unwrap(), "SKU-1");
        assert_eq!(item("", &["item"]).unwrap_err().code, ErrorCode::Required);
        assert_eq!(item("a#b", &["item"]).unwrap_err().code, ErrorCode::Invalid);
        assert_eq!(item(&"x".repeat(201), &["item"]).unwrap_err().code, ErrorCode::TooLong);
    }
}
