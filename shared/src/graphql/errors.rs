//! Domain results into GraphQL: user errors become payload data, credentials
//! problems and failures become top-level errors with a stable `code`.

use super::http::RequestContext;
use super::refusal::{TopLevelCode, INTERNAL_MESSAGE};
use crate::domain::{DomainError, DomainResult, ErrorCode, UserError};
use async_graphql::{Context, Enum, ErrorExtensions, SimpleObject};

/// What kind of problem a `UserError` reports: stable names for clients to match on.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "crate::domain::ErrorCode", name = "ErrorCode")]
pub enum ErrorCodeObject {
    /// The value is malformed or breaks a rule: e.g. an email, phone number, country or currency code, amount,
    /// cursor, duplicate key, or a value that does not fit the operation.
    Invalid,
    /// A value that must be given is missing or blank.
    Required,
    /// The password is shorter than `passwordPolicy.minLength`.
    TooShort,
    /// A text is longer than its limit (stated on the field), or a password longer than `passwordPolicy.maxLength`.
    TooLong,
    /// Another customer of the tenant already has this unique value: email (compared case-insensitively), `ref`,
    /// `externalId` or `loyaltyId`.
    Taken,
    /// What the input names does not exist: a delivery address `id`, a customer identifier, a promotion.
    NotFound,
    /// Wrong email or password at `login` (the same answer for both), or a wrong password where one is asked
    /// again (`changePassword`, `requestEmailChange`, `deleteAccount`).
    InvalidCredentials,
    /// Too many wrong passwords in a row (at most 10) locked the address for a while: no password, not even the
    /// right one, is checked until the lock ends.
    AccountLocked,
    /// The customer is `INACTIVE`: `login` with the right password is refused (its sessions ended with the deactivation).
    AccountDisabled,
    /// The password is long enough but easy to guess (below `passwordPolicy.minStrength`, or built from the
    /// customer's email or names).
    PasswordTooWeak,
    /// A token (confirmation, reset, email change, newsletter, refresh) is unknown, malformed, already used or
    /// superseded; replaying a rotated refresh token also ends its session.
    TokenInvalid,
    /// A token is past its expiry, or a session past its end: ask for a new link, or log in again.
    TokenExpired,
    /// `expectedVersion` is not the customer's current `version`: nothing changed; reload and try again.
    VersionConflict,
    /// A list is over its maximum (consents or attributes 50, delivery addresses 20, order items 250, a
    /// promotion's stores or countries 100). As a top-level `extensions.code`: more than one operation that checks
    /// a password, uses a token or sends mail in one request.
    LimitExceeded,
    /// A redemption or a negative adjustment would take the points or stamps below zero; nothing changed.
    InsufficientPoints,
}

/// `type UserError { code: ErrorCode! field: [String!] message: String! }`
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "UserError")]
pub struct UserErrorObject {
    /// What kind of problem it is; match on this.
    pub code: ErrorCodeObject,
    /// The path of the offending input, e.g. `["input", "email"]`; absent
    /// when the error concerns the operation as a whole.
    pub field: Option<Vec<String>>,
    /// A human-readable explanation in English, for people; do not match on it.
    pub message: String,
}

impl From<UserError> for UserErrorObject {
    fn from(e: UserError) -> Self {
        let code: ErrorCode = e.code;
        Self { code: code.into(), field: (!e.field.is_empty()).then_some(e.field), message: e.message }
    }
}

/// A mutation payload: whatever it carries, plus `userErrors`.
pub trait Payload: Default {
    fn set_user_errors(&mut self, errors: Vec<UserErrorObject>);
}

/// Implements `Payload` for structs with a `user_errors` field.
#[macro_export]
macro_rules! payloads {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::graphql::Payload for $t {
            fn set_user_errors(&mut self, errors: Vec<$crate::graphql::UserErrorObject>) {
                self.user_errors = errors;
            }
        }
    )*};
}

/// A top-level error with `extensions.code` (and the request id).
pub fn top_level(ctx: &Context<'_>, code: TopLevelCode, message: &str) -> async_graphql::Error {
    let request_id = ctx.data_opt::<RequestContext>().map(|r| r.request_id.clone()).unwrap_or_default();
    async_graphql::Error::new(message).extend_with(|_, e| {
        e.set("code", code.as_str());
        e.set("requestId", request_id.clone());
    })
}

/// Maps a use case's outcome onto its payload. A resolver whose use case
/// takes an input object places that input's errors first, with
/// `result.map_err(|e| e.under(&["input"]))`: it alone knows the argument's name.
pub fn respond<T, P: Payload>(
    ctx: &Context<'_>,
    result: DomainResult<T>,
    ok: impl FnOnce(T) -> P,
) -> async_graphql::Result<P> {
    match result {
        Ok(v) => Ok(ok(v)),
        Err(DomainError::User(errors)) => {
            let mut p = P::default();
            p.set_user_errors(errors.into_iter().map(Into::into).collect());
            Ok(p)
        }
        Err(e) => Err(to_graphql(ctx, e)),
    }
}

/// Non-user errors as top-level GraphQL errors; internals are logged, not shown.
pub fn to_graphql(ctx: &Context<'_>, e: DomainError) -> async_graphql::Error {
    match e {
        // Where a query has no payload to carry them: the first, as a top-level error.
        DomainError::User(errors) => match errors.into_iter().next() {
            Some(e) => top_level(ctx, TopLevelCode::Input(e.code), &e.message).extend_with(|_, ext| {
                if !e.field.is_empty() {
                    ext.set("field", e.field.clone());
                }
            }),
            None => top_level(ctx, TopLevelCode::Input(ErrorCode::Invalid), "Invalid input."),
        },
        DomainError::Unauthenticated(why) => top_level(ctx, TopLevelCode::Unauthenticated, why),
        DomainError::Forbidden(why) => top_level(ctx, TopLevelCode::Forbidden, why),
        DomainError::Internal(e) => {
            tracing::error!(error = format!("{e:#}"), "internal error");
            top_level(ctx, TopLevelCode::Internal, INTERNAL_MESSAGE)
        }
    }
}
