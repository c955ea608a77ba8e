//! Scalars and small types: `Date`, `Gender`, `CustomerStatus` and `Session`.

use crate::domain;
use async_graphql::{Enum, InputValueError, InputValueResult, Scalar, ScalarType, SimpleObject, Value};
use chrono::{DateTime, NaiveDate, Utc};

/// `Date`: a calendar date, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

/// A calendar date without time or zone, `YYYY-MM-DD`, e.g. `1985-12-10`.
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| InputValueError::custom("a Date is YYYY-MM-DD")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// A row of an imported file writes a date as the schema does.
impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .map(Date)
            .map_err(|_| serde::de::Error::custom("a Date is YYYY-MM-DD"))
    }
}

/// A customer's gender, as the customer states it.
#[derive(Enum, Copy, Clone, Eq, PartialEq, serde::Deserialize)]
#[graphql(remote = "crate::domain::Gender", name = "Gender")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum GenderObject {
    /// Male.
    Male,
    /// Female.
    Female,
    /// Neither male nor female.
    Other,
    /// The customer chose not to say.
    Unspecified,
}

/// Whether a customer account may be used; the back office sets it (`setCustomerStatus`).
#[derive(Enum, Copy, Clone, Eq, PartialEq, serde::Deserialize)]
#[graphql(remote = "crate::domain::CustomerStatus", name = "CustomerStatus")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CustomerStatusObject {
    /// In use: the customer can log in. The default for a new account.
    Active,
    /// Disabled: `login` with the right password gives `ACCOUNT_DISABLED`; every session ended, so its refresh tokens
    /// answer `TOKEN_INVALID` and its access tokens stop working.
    Inactive,
}

/// The tokens of a logged-in session.
#[derive(SimpleObject, Clone)]
#[graphql(name = "Session")]
pub struct SessionObject {
    /// A short-lived JWT: send it as `Authorization: Bearer <accessToken>` to `account` (and, to act as the
    /// customer, to `subscriptions`).
    pub access_token: String,
    /// When the access token stops working; get a new one with `refreshSession` before then.
    pub access_token_expires_at: DateTime<Utc>,
    /// Pass to `refreshSession` for new tokens (each refresh token works once: reusing a rotated one ends the
    /// session), or to `logout`. Keep it secret.
    pub refresh_token: String,
    /// When the refresh token expires; refreshing never extends the session past its maximum age (90 days from the
    /// login by default).
    pub refresh_token_expires_at: DateTime<Utc>,
}

impl From<domain::SessionTokens> for SessionObject {
    fn from(t: domain::SessionTokens) -> Self {
        Self {
            access_token: t.access_token,
            access_token_expires_at: t.access_token_expires_at,
            refresh_token: t.refresh_token,
            refresh_token_expires_at: t.refresh_token_expires_at,
        }
    }
}
