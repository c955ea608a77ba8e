//! The Lambda HTTP handler every function runs: method and size checks,
//! tenancy and credentials, request limits, then the schema.

use crate::domain::{DomainError, TenantId};
use crate::services::api_keys::{self, ApiClient};
use crate::services::credentials::{self, Principal};
use crate::Services;
use async_graphql::http::GraphiQLSource;
use async_graphql::{BatchRequest, Executor};
use lambda_http::http::{header, Method, StatusCode};
use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::json;
use std::sync::Arc;

/// What a function demands of its callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone; a bearer token, if sent, is left for resolvers to check.
    Public,
    /// Anyone; a bearer token, if sent, must be a valid customer access token
    /// (checked once, before anything runs) and then the caller is that customer.
    OptionalCustomer,
    /// A valid customer access token, checked before anything runs.
    Customer,
    /// A valid API key, checked before anything runs; resolvers check its permissions.
    ApiKey,
}

/// Who sent the request, as the access rule established.
enum Caller {
    Anonymous,
    Customer(Box<Principal>),
    Client(ApiClient),
}

/// Per-request facts resolvers may read from the context.
#[derive(Clone, Debug)]
pub struct RequestContext {
    pub request_id: String,
    pub tenant: TenantId,
    /// Whether the tenant came from the `x-tenant-id` header (else the default).
    pub tenant_from_header: bool,
    /// The `Authorization: Bearer` credential, if any.
    pub bearer: Option<String>,
}

impl RequestContext {
    /// The header's tenant, if the client named one.
    pub fn header_tenant(&self) -> Option<&TenantId> {
        self.tenant_from_header.then_some(&self.tenant)
    }
}

/// A function's schema with its services and access rule.
pub struct App<E: Executor> {
    schema: E,
    services: Arc<Services>,
    access: Access,
}

fn json_response(status: StatusCode, body: serde_json::Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::Text(body.to_string()))
        .unwrap_or_default()
}

/// A GraphQL error response produced before execution.
fn error_response(status: StatusCode, code: &str, message: &str, request_id: &str) -> Response<Body> {
    tracing::info!(status = status.as_u16(), code, message, "request refused");
    json_response(
        status,
        json!({ "errors": [{ "message": message, "extensions": { "code": code, "requestId": request_id } }] }),
    )
}

fn unknown_tenant(request_id: &str) -> Response<Body> {
    error_response(StatusCode::OK, "UNAUTHENTICATED", "Missing or invalid credentials.", request_id)
}

impl<E: Executor> App<E> {
    pub fn new(schema: E, services: Arc<Services>, access: Access) -> Self {
        Self { schema, services, access }
    }

    pub fn services(&self) -> &Arc<Services> {
        &self.services
    }

    /// Handles one HTTP request. Never fails: every problem is an HTTP
    /// response with a GraphQL error body, so the function keeps serving.
    pub async fn handle(&self, req: Request) -> Result<Response<Body>, std::convert::Infallible> {
        let request_id = req
            .lambda_context_ref()
            .map(|c| c.request_id.clone())
            .filter(|id| !id.is_empty())
            .unwrap_or_else(|| ulid::Ulid::new().to_string());
        let limits = &self.services.config.limits;

        if req.method() == Method::GET {
            return Ok(if self.services.config.graphiql {
                let page = GraphiQLSource::build().endpoint(req.uri().path()).finish();
                Response::builder()
                    .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
                    .body(Body::Text(page))
                    .unwrap_or_default()
            } else {
                error_response(StatusCode::METHOD_NOT_ALLOWED, "BAD_REQUEST", "Use POST with a JSON body.", &request_id)
            });
        }
        if req.method() != Method::POST {
            return Ok(error_response(
                StatusCode::METHOD_NOT_ALLOWED,
                "BAD_REQUEST",
                "Use POST with a JSON body.",
                &request_id,
            ));
        }
        let body: &[u8] = req.body().as_ref();
        if body.len() > limits.max_body_bytes {
            return Ok(error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                "BAD_REQUEST",
                &format!("The request body exceeds {} bytes.", limits.max_body_bytes),
                &request_id,
            ));
        }
        let (tenant, tenant_from_header) =
            match req.headers().get("x-tenant-id").map(|v| v.to_str().ok().and_then(TenantId::parse)) {
                None => (TenantId::default_tenant(), false),
                Some(Some(t)) => (t, true),
                Some(None) => {
                    return Ok(error_response(
                        StatusCode::BAD_REQUEST,
                        "BAD_REQUEST",
                        "x-tenant-id is not a valid tenant id.",
                        &request_id,
                    ))
                }
            };
        let bearer = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());

        let batch: BatchRequest = match serde_json::from_slice(body) {
            Ok(b) => b,
            Err(e) => {
                return Ok(error_response(
                    StatusCode::BAD_REQUEST,
                    "BAD_REQUEST",
                    &format!("The body is not a GraphQL request: {e}"),
                    &request_id,
                ))
            }
        };
        let size = match &batch {
            BatchRequest::Single(_) => 1,
            BatchRequest::Batch(v) => v.len(),
        };
        if size == 0 || size > limits.max_batch {
            return Ok(error_response(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                &format!("A batch must hold 1 to {} operations.", limits.max_batch),
                &request_id,
            ));
        }

        if super::credential_checks::count(&batch) > 1 {
            let message = "At most one operation that checks a password, uses a token or sends mail per request.";
            return Ok(error_response(StatusCode::OK, "LIMIT_EXCEEDED", message, &request_id));
        }
        // Only the deployment's tenants (or any, with a `*` entry) are served:
        // made-up tenants would otherwise be free namespaces for abuse. A
        // tenant the header names is checked before any credential; the
        // tenant a request acts in (a token's or key's, else the header's or
        // the default) after authentication, below.
        if tenant_from_header && self.services.config.tenant(&tenant).is_none() {
            return Ok(unknown_tenant(&request_id));
        }

        let header_tenant = tenant_from_header.then_some(&tenant);
        let caller = match (self.access, &bearer) {
            (Access::Public, _) | (Access::OptionalCustomer, None) => Ok(Caller::Anonymous),
            (Access::Customer | Access::ApiKey, None) => Err(DomainError::Unauthenticated("credentials are required")),
            (Access::Customer | Access::OptionalCustomer, Some(token)) => {
                credentials::authenticate(&self.services, header_tenant, token)
                    .await
                    .map(|p| Caller::Customer(Box::new(p)))
            }
            (Access::ApiKey, Some(key)) => {
                api_keys::authenticate(self.services.store.as_ref(), header_tenant, key).await.map(Caller::Client)
            }
        };
        let caller = match caller {
            Ok(c) => c,
            Err(DomainError::Internal(e)) => {
                tracing::error!(error = format!("{e:#}"), "authentication failed");
                let message = "Internal error; quote the request id.";
                return Ok(error_response(StatusCode::OK, "INTERNAL", message, &request_id));
            }
            Err(e) => {
                tracing::info!(reason = %e, "credentials refused");
                let message = "Missing or invalid credentials.";
                return Ok(error_response(StatusCode::OK, "UNAUTHENTICATED", message, &request_id));
            }
        };
        // Authenticated callers act within their own tenant.
        let tenant = match &caller {
            Caller::Customer(p) => p.tenant.clone(),
            Caller::Client(c) => c.tenant().clone(),
            Caller::Anonymous => tenant,
        };
        if self.services.config.tenant(&tenant).is_none() {
            return Ok(unknown_tenant(&request_id));
        }
        let ctx = RequestContext { request_id: request_id.clone(), tenant, tenant_from_header, bearer };
        // The promotion catalogue is read at most once per request, however
        // many customers' offers it answers.
        let batch = batch.data(ctx).data(super::buyer::Catalogue::default());
        let batch = match caller {
            Caller::Customer(p) => batch.data(*p),
            Caller::Client(c) => batch.data(c),
            Caller::Anonymous => batch,
        };
        let response = self.schema.execute_batch(batch).await;
        match serde_json::to_value(&response) {
            Ok(body) => Ok(json_response(StatusCode::OK, body)),
            Err(e) => {
                tracing::error!(error = %e, "response not serialisable");
                Ok(error_response(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "Internal error.", &request_id))
            }
        }
    }
}

/// How deep selections and fragments may nest (async-graphql's recursion
/// limit); the credential-field counter follows no deeper.
pub const MAX_RECURSIVE_DEPTH: usize = 32;

/// Applies the limits every function enforces to a schema under construction.
pub fn with_limits<Q, M, S>(
    builder: async_graphql::SchemaBuilder<Q, M, S>,
    services: &Services,
) -> async_graphql::SchemaBuilder<Q, M, S>
where
    Q: async_graphql::ObjectType + 'static,
    M: async_graphql::ObjectType + 'static,
    S: async_graphql::SubscriptionType + 'static,
{
    let limits = &services.config.limits;
    let builder = builder
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .limit_recursive_depth(MAX_RECURSIVE_DEPTH);
    if services.config.graphiql {
        builder
    } else {
        // Without introspection the schema stays unpublished, so errors must not
        // reveal it either: no "Did you mean ...?" naming fields or arguments.
        builder.disable_introspection().disable_suggestions()
    }
}
