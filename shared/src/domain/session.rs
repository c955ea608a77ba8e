//! Sessions (one per login, carrying the current refresh-token hash) and
//! one-time tokens (email confirmation, password reset).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How many rotated refresh-token hashes a session remembers to recognise a
/// replay. An older replay is still refused, just without revoking the session.
pub const REMEMBERED_ROTATIONS: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub id: String,
    pub customer_id: String,
    /// SHA-256 of the refresh token currently valid for this session.
    pub refresh_hash: String,
    /// Hashes of refresh tokens already rotated away, newest last.
    #[serde(default)]
    pub rotated_hashes: Vec<String>,
    /// The customer's token version when the session began.
    pub token_version: i64,
    pub created_at: DateTime<Utc>,
    #[serde(with = "chrono::serde::ts_seconds")]
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TokenKind {
    ConfirmEmail,
    ResetPassword,
    /// Proves the customer owns `new_email`; switches to it when used, if it
    /// is still the customer's pending change.
    ChangeEmail,
    /// Mailed to the old address with an email change: cancels it.
    CancelEmailChange,
    /// Confirms a newsletter subscription (double opt-in).
    NewsletterConfirm,
    /// Unsubscribes from the newsletter; carried in every newsletter mail,
    /// valid as long as the subscription.
    NewsletterUnsubscribe,
    /// Opens the customer's data-portability document, as often as asked
    /// until it expires (never used up), while the customer's credentials
    /// are those it was issued under.
    DataExport,
}

/// A single-use token, stored under the hash of its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OneTimeToken {
    pub hash: String,
    pub kind: TokenKind,
    /// `None` for tokens of an address rather than a customer (newsletter).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "empty_as_none")]
    pub customer_id: Option<String>,
    /// The (normalised) email the token was mailed to; the token dies when
    /// the customer's email changes.
    pub email_key: String,
    /// The customer's token version at issue; a password change kills it.
    pub token_version: i64,
    /// For `ChangeEmail`: the address to switch to, as typed.
    #[serde(default)]
    pub new_email: Option<String>,
    /// For `CancelEmailChange`: the hash of the change token it cancels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancels: Option<String>,
    #[serde(with = "chrono::serde::ts_seconds")]
    pub expires_at: DateTime<Utc>,
}

/// What the client holds after login: a short-lived access token and a
/// refresh token of the form `<customerId>.<sessionId>.<secret>`.
#[derive(Debug, Clone)]
pub struct SessionTokens {
    pub access_token: String,
    pub access_token_expires_at: DateTime<Utc>,
    pub refresh_token: String,
    pub refresh_token_expires_at: DateTime<Utc>,
}

/// The parts of a refresh token; `None` for anything malformed.
pub fn parse_refresh_token(token: &str) -> Option<(&str, &str, &str)> {
    let mut parts = token.splitn(3, '.');
    let (c, s, secret) = (parts.next()?, parts.next()?, parts.next()?);
    let id_ok = |v: &str| !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric());
    (id_ok(c) && id_ok(s) && crate::auth::opaque::looks_valid(secret)).then_some((c, s, secret))
}

/// Reads an absent or empty id as `None` (address tokens were once stored
/// with an empty `customerId`).
fn empty_as_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let id: Option<String> = Deserialize::deserialize(d)?;
    Ok(id.filter(|id| !id.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_token_parsing() {
        let secret = crate::auth::opaque::issue().secret;
        let t = format!("01HXYZ.ABC123.{secret}");
        assert_eq!(parse_refresh_token(&t), Some(("01HXYZ", "ABC123", secret.as_str())));
        assert!(parse_refresh_token("nonsense").is_none());
        assert!(parse_refresh_token(&format!("a.b.{}", &secret[1..])).is_none());
        assert!(parse_refresh_token(&format!("a#.b.{secret}")).is_none());
    }
}
