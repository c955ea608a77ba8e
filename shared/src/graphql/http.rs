//! The Lambda HTTP handler every function runs, in three steps that each
//! may refuse the request (`Refusal`): parse (method, size, tenancy,
//! request limits), authenticate, execute the schema.

use super::refusal::{json_response, Refusal, TopLevelCode};
use crate::domain::{DomainError, ErrorCode, TenantId};
use crate::services::api_keys::{self, ApiClient};
use crate::services::credentials::{self, Principal};
use crate::Services;
use async_graphql::http::GraphiQLSource;
use async_graphql::{BatchRequest, Executor};
use lambda_http::http::{header, Method, StatusCode};
use lambda_http::{Body, Request, RequestExt, Response};
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
    /// Whether a request may run one mutation field at most (the functions
    /// anyone may call: each write is one request, however it is batched).
    one_write: bool,
}

impl<E: Executor> App<E> {
    pub fn new(schema: E, services: Arc<Services>, access: Access) -> Self {
        Self { schema, services, access, one_write: false }
    }

    /// At most one mutation field per request, batches included: more is
    /// refused (`LIMIT_EXCEEDED`) before anything runs.
    pub fn one_mutation_field_per_request(self) -> Self {
        Self { one_write: true, ..self }
    }

    pub fn services(&self) -> &Arc<Services> {
        &self.services
    }

    /// Handles one HTTP request. Never fails: every problem is an HTTP
    /// response with a GraphQL error body, so the function keeps serving.
    /// The steps: parse (method, size, tenant header, JSON, batch size, the
    /// credential-field count, the header's tenant served), authenticate
    /// (the access rule; the tenant acted in is the credential's), execute.
    pub async fn handle(&self, req: Request) -> Result<Response<Body>, std::convert::Infallible> {
        let request_id = req
            .lambda_context_ref()
            .map(|c| c.request_id.clone())
            .filter(|id| !id.is_empty())
            .unwrap_or_else(|| ulid::Ulid::new().to_string());
        if req.method() == Method::GET && self.services.config.graphiql {
            return Ok(graphiql(&req));
        }
        let served = match self.parse(&req) {
            Ok(parsed) => match self.authenticate(&parsed).await {
                Ok(caller) => self.execute(parsed, caller, &request_id).await,
                Err(refusal) => Err(refusal),
            },
            Err(refusal) => Err(refusal),
        };
        Ok(served.unwrap_or_else(|refusal| refusal.into_response(&request_id)))
    }

    /// The request as GraphQL operations with their tenant and credential,
    /// or why it is none this function takes.
    fn parse(&self, req: &Request) -> Result<Parsed, Refusal> {
        let limits = &self.services.config.limits;
        if req.method() != Method::POST {
            return Err(Refusal::bad_request(StatusCode::METHOD_NOT_ALLOWED, "Use POST with a JSON body."));
        }
        let body: &[u8] = req.body().as_ref();
        if body.len() > limits.max_body_bytes {
            let message = format!("The request body exceeds {} bytes.", limits.max_body_bytes);
            return Err(Refusal::bad_request(StatusCode::PAYLOAD_TOO_LARGE, message));
        }
        let header_tenant = match req.headers().get("x-tenant-id") {
            None => None,
            Some(v) => match v.to_str().ok().and_then(TenantId::parse) {
                Some(t) => Some(t),
                None => {
                    return Err(Refusal::bad_request(StatusCode::BAD_REQUEST, "x-tenant-id is not a valid tenant id."))
                }
            },
        };
        let bearer = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
        let batch: BatchRequest = serde_json::from_slice(body).map_err(|e| {
            Refusal::bad_request(StatusCode::BAD_REQUEST, format!("The body is not a GraphQL request: {e}"))
        })?;
        let size = match &batch {
            BatchRequest::Single(_) => 1,
            BatchRequest::Batch(v) => v.len(),
        };
        if size == 0 || size > limits.max_batch {
            let message = format!("A batch must hold 1 to {} operations.", limits.max_batch);
            return Err(Refusal::bad_request(StatusCode::BAD_REQUEST, message));
        }
        let root_fields = super::credential_checks::count(&batch);
        if root_fields.credential > 1 {
            let message = "At most one operation that checks a password, uses a token or sends mail per request.";
            return Err(Refusal::new(StatusCode::OK, TopLevelCode::Input(ErrorCode::LimitExceeded), message));
        }
        if self.one_write && root_fields.mutation > 1 {
            let message = "At most one mutation field per request (aliases and batches included).";
            return Err(Refusal::new(StatusCode::OK, TopLevelCode::Input(ErrorCode::LimitExceeded), message));
        }
        // Only the deployment's tenants (or any, with a `*` entry) are served:
        // made-up tenants would otherwise be free namespaces for abuse. A
        // tenant the header names is checked before any credential; the
        // tenant a request acts in (a token's or key's, else the header's or
        // the default) after authentication.
        if header_tenant.as_ref().is_some_and(|t| self.services.config.tenant(t).is_none()) {
            return Err(Refusal::unauthenticated());
        }
        Ok(Parsed { batch, header_tenant, bearer })
    }

    /// Who sent the request, as the function's access rule demands, and the
    /// tenant it acts in: an authenticated caller's own.
    async fn authenticate(&self, parsed: &Parsed) -> Result<(Caller, TenantId), Refusal> {
        let header_tenant = parsed.header_tenant.as_ref();
        let caller = match (self.access, &parsed.bearer) {
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
                return Err(Refusal::internal(StatusCode::OK));
            }
            Err(e) => {
                tracing::info!(reason = %e, "credentials refused");
                return Err(Refusal::unauthenticated());
            }
        };
        let tenant = match &caller {
            Caller::Customer(p) => p.tenant.clone(),
            Caller::Client(c) => c.tenant().clone(),
            Caller::Anonymous => header_tenant.cloned().unwrap_or_else(TenantId::default_tenant),
        };
        if self.services.config.tenant(&tenant).is_none() {
            return Err(Refusal::unauthenticated());
        }
        Ok((caller, tenant))
    }

    /// Runs the operations for `caller` in `tenant`.
    async fn execute(
        &self,
        parsed: Parsed,
        (caller, tenant): (Caller, TenantId),
        request_id: &str,
    ) -> Result<Response<Body>, Refusal> {
        let Parsed { batch, header_tenant, bearer } = parsed;
        let tenant_from_header = header_tenant.is_some();
        let ctx = RequestContext { request_id: request_id.to_string(), tenant, tenant_from_header, bearer };
        // The promotion catalogue is read at most once per request, however
        // many customers' offers it answers.
        let batch = batch.data(ctx).data(super::buyer::Catalogue::default()).data(super::budget::Spent::default());
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
                Err(Refusal::internal(StatusCode::INTERNAL_SERVER_ERROR))
            }
        }
    }
}

/// A request this function takes, before its caller is known.
struct Parsed {
    batch: BatchRequest,
    /// The tenant `x-tenant-id` names, if it names one.
    header_tenant: Option<TenantId>,
    /// The `Authorization: Bearer` credential, if any.
    bearer: Option<String>,
}

/// The GraphiQL page (local runs only, with `GRAPHIQL`).
fn graphiql(req: &Request) -> Response<Body> {
    let page = GraphiQLSource::build().endpoint(req.uri().path()).finish();
    Response::builder()
        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
        .body(Body::Text(page))
        .unwrap_or_default()
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
        .extension(super::budget::RequestBudget { max: limits.max_complexity })
        .limit_recursive_depth(MAX_RECURSIVE_DEPTH);
    if services.config.graphiql {
        builder
    } else {
        // Without introspection the schema stays unpublished, so errors must not
        // reveal it either: no "Did you mean ...?" naming fields or arguments.
        builder.disable_introspection().disable_suggestions()
    }
}
