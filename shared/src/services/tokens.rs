//! One-time tokens: what a mailed link carries.

use crate::domain::{OneTimeToken, TokenKind};
use chrono::{DateTime, Utc};

/// A fresh one-time token: the secret for the mail, the record to store.
pub(crate) fn new_token(
    kind: TokenKind,
    customer_id: Option<&str>,
    email_key: &str,
    token_version: i64,
    expires_at: DateTime<Utc>,
) -> (String, OneTimeToken) {
    let issued = crate::auth::opaque::issue();
    let token = OneTimeToken {
        hash: issued.hash,
        kind,
        customer_id: customer_id.map(String::from),
        email_key: email_key.to_string(),
        token_version,
        new_email: None,
        cancels: None,
        expires_at,
    };
    (issued.secret, token)
}
