//! Top-level errors: the `extensions.code` a client reads when a request is
//! refused before it runs (at the edge) or an operation fails outside its
//! payload (in a resolver). One enum for both, one message for internals.

use crate::domain::ErrorCode;
use lambda_http::http::{header, StatusCode};
use lambda_http::{Body, Response};
use serde_json::json;
use std::borrow::Cow;

/// The `extensions.code` of a top-level error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopLevelCode {
    /// Not a GraphQL request this function takes: method, size, JSON, batch.
    BadRequest,
    /// Missing or invalid credentials, or a tenant not served.
    Unauthenticated,
    /// Credentials that do not allow the operation (an API key's permissions).
    Forbidden,
    /// A failure of the service or a dependency; details are only logged.
    Internal,
    /// A rule about the input, with the code a `UserError` would carry
    /// (`LIMIT_EXCEEDED`, `INVALID`, `NOT_FOUND`, ...).
    Input(ErrorCode),
}

impl TopLevelCode {
    pub fn as_str(self) -> &'static str {
        match self {
            TopLevelCode::BadRequest => "BAD_REQUEST",
            TopLevelCode::Unauthenticated => "UNAUTHENTICATED",
            TopLevelCode::Forbidden => "FORBIDDEN",
            TopLevelCode::Internal => "INTERNAL",
            TopLevelCode::Input(code) => code.as_str(),
        }
    }
}

/// What every internal error says: nothing of its cause (that goes to the
/// log, under the request id the client quotes).
pub const INTERNAL_MESSAGE: &str = "Internal error; quote the request id when reporting it.";

/// What a refused credential says, whatever was wrong with it.
pub const UNAUTHENTICATED_MESSAGE: &str = "Missing or invalid credentials.";

/// A request refused at the edge, before any operation runs: its HTTP
/// status, code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: StatusCode,
    pub code: TopLevelCode,
    pub message: Cow<'static, str>,
}

impl Refusal {
    pub fn new(status: StatusCode, code: TopLevelCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self { status, code, message: message.into() }
    }

    /// A request that is no GraphQL request this function takes.
    pub fn bad_request(status: StatusCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(status, TopLevelCode::BadRequest, message)
    }

    /// Missing or invalid credentials (HTTP 200, as GraphQL errors are).
    pub fn unauthenticated() -> Self {
        Self::new(StatusCode::OK, TopLevelCode::Unauthenticated, UNAUTHENTICATED_MESSAGE)
    }

    /// The service failed; the cause is logged by whoever saw it.
    pub fn internal(status: StatusCode) -> Self {
        Self::new(status, TopLevelCode::Internal, INTERNAL_MESSAGE)
    }

    /// The refusal as the HTTP response a client gets: a GraphQL error body.
    pub fn into_response(self, request_id: &str) -> Response<Body> {
        let code = self.code.as_str();
        tracing::info!(status = self.status.as_u16(), code, message = %self.message, "request refused");
        json_response(
            self.status,
            json!({ "errors": [{ "message": self.message, "extensions": { "code": code, "requestId": request_id } }] }),
        )
    }
}

/// A JSON response.
pub(crate) fn json_response(status: StatusCode, body: serde_json::Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::Text(body.to_string()))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_is_a_graphql_error_with_its_code_and_the_request_id() {
        let response = Refusal::bad_request(StatusCode::PAYLOAD_TOO_LARGE, "too big").into_response("req-1");
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let Body::Text(text) = response.body() else { panic!("a text body") };
        let body: serde_json::Value = serde_json::from_str(text).expect("JSON");
        assert_eq!(
            body,
            json!({ "errors": [{ "message": "too big", "extensions": { "code": "BAD_REQUEST", "requestId": "req-1" } }] })
        );
    }

    #[test]
    fn input_codes_are_the_user_error_codes() {
        assert_eq!(TopLevelCode::Input(ErrorCode::LimitExceeded).as_str(), "LIMIT_EXCEEDED");
        assert_eq!(TopLevelCode::Internal.as_str(), "INTERNAL");
        assert_eq!(Refusal::unauthenticated().message, UNAUTHENTICATED_MESSAGE);
    }
}
