//! Domain results into GraphQL: user errors become payload data, credentials
//! problems and failures become top-level errors with a stable `code`.

use super::http::RequestContext;
use crate::domain::{DomainError, DomainResult, ErrorCode, UserError};
use async_graphql::{Context, Enum, ErrorExtensions, SimpleObject};

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "crate::domain::ErrorCode", name = "ErrorCode")]
pub enum ErrorCodeObject {
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

/// `type UserError { code: ErrorCode! field: [String!] message: String! }`
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "UserError")]
pub struct UserErrorObject {
    pub code: ErrorCodeObject,
    /// The path of the offending input, e.g. `["input", "email"]`; absent
    /// when the error concerns the operation as a whole.
    pub field: Option<Vec<String>>,
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
pub fn top_level(ctx: &Context<'_>, code: &'static str, message: &str) -> async_graphql::Error {
    let request_id = ctx.data_opt::<RequestContext>().map(|r| r.request_id.clone()).unwrap_or_default();
    async_graphql::Error::new(message).extend_with(|_, e| {
        e.set("code", code);
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
            Some(e) => top_level(ctx, e.code.as_str(), &e.message).extend_with(|_, ext| {
                if !e.field.is_empty() {
                    ext.set("field", e.field.clone());
                }
            }),
            None => top_level(ctx, "INVALID", "Invalid input."),
        },
        DomainError::Unauthenticated(why) => top_level(ctx, "UNAUTHENTICATED", why),
        DomainError::Forbidden(why) => top_level(ctx, "FORBIDDEN", why),
        DomainError::Internal(e) => {
            tracing::error!(error = format!("{e:#}"), "internal error");
            top_level(ctx, "INTERNAL", "Internal error; quote the request id when reporting it.")
        }
    }
}
