//! Expected failures are data: a use case returns `DomainError::User` with the
//! offending input paths, which the GraphQL layer turns into `userErrors`.

use std::fmt;

/// Stable, client-facing error codes: clients match on these names (the
/// operation tables of docs/api.md say when each is given), also in an
/// import's errors file, which writes them as the schema does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    Invalid,
    Required,
    TooShort,
    TooLong,
    Taken,
    NotFound,
    InvalidCredentials,
    AccountLocked,
    AccountDisabled,
    PasswordTooWeak,
    TokenInvalid,
    TokenExpired,
    VersionConflict,
    LimitExceeded,
    InsufficientPoints,
}

/// One problem with the input. `field` is the path of the offending value
/// relative to the input the use case was given (`["email"]`, or
/// `["billingAddress", "city"]`); the resolver, which knows what the
/// GraphQL argument holding that input is called, places it with `under()`.
/// An error about the operation as a whole (no field), or about one of the
/// operation's other arguments (`expectedVersion`, an `id`), is *anchored*:
/// no `under()` moves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserError {
    pub code: ErrorCode,
    pub field: Vec<String>,
    pub message: String,
    anchored: bool,
}

impl UserError {
    pub fn new(code: ErrorCode, field: &[&str], message: impl Into<String>) -> Self {
        Self { code, field: field.iter().map(|s| s.to_string()).collect(), message: message.into(), anchored: false }
    }

    /// An error about the operation as a whole rather than one input.
    pub fn general(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { anchored: true, ..Self::new(code, &[], message) }
    }

    /// An error about the operation's own argument `name`.
    pub fn argument(code: ErrorCode, name: &str, message: impl Into<String>) -> Self {
        Self { anchored: true, ..Self::new(code, &[name], message) }
    }

    /// The same error, located under `prefix` (e.g. `address` -> `city`
    /// becomes `address.city`), unless it is anchored.
    pub fn under(mut self, prefix: &[&str]) -> Self {
        if !self.anchored {
            let mut field: Vec<String> = prefix.iter().map(|s| s.to_string()).collect();
            field.append(&mut self.field);
            self.field = field;
        }
        self
    }

    /// The same error, anchored where it is: for a use case whose
    /// parameters are the operation's arguments themselves.
    pub fn anchored(self) -> Self {
        Self { anchored: true, ..self }
    }
}

/// Why a use case did not complete.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The client's input or state is at fault; shown as `userErrors`.
    #[error("user errors: {0:?}")]
    User(Vec<UserError>),
    /// Missing or bad credentials: a top-level `UNAUTHENTICATED` error.
    #[error("unauthenticated: {0}")]
    Unauthenticated(&'static str),
    /// Valid credentials without the needed permission.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// Anything unexpected; logged, shown to clients only as `INTERNAL`.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl DomainError {
    pub fn user(code: ErrorCode, field: &[&str], message: impl Into<String>) -> Self {
        Self::User(vec![UserError::new(code, field, message)])
    }

    /// See `UserError::general`.
    pub fn general(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::User(vec![UserError::general(code, message)])
    }

    /// See `UserError::argument`.
    pub fn argument(code: ErrorCode, name: &str, message: impl Into<String>) -> Self {
        Self::User(vec![UserError::argument(code, name, message)])
    }

    /// User errors located under `prefix` (see `UserError::under`); other
    /// errors as they are.
    pub fn under(self, prefix: &[&str]) -> Self {
        match self {
            Self::User(errors) => Self::User(errors.into_iter().map(|e| e.under(prefix)).collect()),
            other => other,
        }
    }

    /// `TOKEN_INVALID` at `field`: unknown, of another kind, or used up.
    pub fn token_invalid(field: &[&str]) -> Self {
        Self::user(ErrorCode::TokenInvalid, field, "The token is not valid or was already used.")
    }

    /// `TAKEN` at `field`: the address belongs to another account.
    pub fn email_taken(field: &[&str]) -> Self {
        Self::user(ErrorCode::Taken, field, "An account with this email already exists.")
    }
}

impl From<UserError> for DomainError {
    fn from(e: UserError) -> Self {
        Self::User(vec![e])
    }
}

pub type DomainResult<T> = Result<T, DomainError>;

/// Collects every validation problem of an input so the client sees all of
/// them at once, not one per round trip.
#[derive(Default)]
pub struct Problems(Vec<UserError>);

impl Problems {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the value of a successful check; records the error of a failed one.
    pub fn check<T>(&mut self, r: Result<T, UserError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }

    /// Like `check` for an optional input: absent stays absent.
    pub fn check_opt<T, I>(&mut self, input: Option<I>, parse: impl FnOnce(I) -> Result<T, UserError>) -> Option<T> {
        input.and_then(|i| self.check(parse(i)))
    }

    pub fn push(&mut self, e: UserError) {
        self.0.push(e);
    }

    pub fn extend(&mut self, errors: impl IntoIterator<Item = UserError>) {
        self.0.extend(errors);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_errors(self) -> Vec<UserError> {
        self.0
    }

    /// `Ok(())` when nothing was wrong, otherwise every problem found.
    pub fn finish(self) -> Result<(), DomainError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(DomainError::User(self.0))
        }
    }
}

impl ErrorCode {
    /// The code as clients see it, e.g. `INVALID_CREDENTIALS`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Invalid => "INVALID",
            ErrorCode::Required => "REQUIRED",
            ErrorCode::TooShort => "TOO_SHORT",
            ErrorCode::TooLong => "TOO_LONG",
            ErrorCode::Taken => "TAKEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::InvalidCredentials => "INVALID_CREDENTIALS",
            ErrorCode::AccountLocked => "ACCOUNT_LOCKED",
            ErrorCode::AccountDisabled => "ACCOUNT_DISABLED",
            ErrorCode::PasswordTooWeak => "PASSWORD_TOO_WEAK",
            ErrorCode::TokenInvalid => "TOKEN_INVALID",
            ErrorCode::TokenExpired => "TOKEN_EXPIRED",
            ErrorCode::VersionConflict => "VERSION_CONFLICT",
            ErrorCode::LimitExceeded => "LIMIT_EXCEEDED",
            ErrorCode::InsufficientPoints => "INSUFFICIENT_POINTS",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn under_places_input_errors_and_leaves_anchored_ones() {
        let errors = DomainError::User(vec![
            UserError::new(ErrorCode::Invalid, &["city"], "bad"),
            UserError::new(ErrorCode::LimitExceeded, &[], "too many"),
            UserError::argument(ErrorCode::NotFound, "id", "unknown"),
            UserError::general(ErrorCode::Taken, "exists"),
        ]);
        let DomainError::User(placed) = errors.under(&["address"]) else { panic!("user errors") };
        let fields: Vec<String> = placed.iter().map(|e| e.field.join(".")).collect();
        assert_eq!(fields, ["address.city", "address", "id", ""]);
    }
}
