//! The link of a data-portability mail (`GET /account/data-export`): a
//! page with a button, whose POST answers the document as a JSON file. A
//! GET never answers the data: link scanners and prefetchers open links
//! too, and the document should reach the person who pressed the button.

use lambda_http::http::{header, Method, StatusCode};
use lambda_http::{Body, Request, Response};
use shared::domain::{DomainError, ErrorCode, TenantId};
use shared::graphql::link_pages::{attr, page, param};
use shared::services::portability;
use shared::Services;

pub async fn handle(svc: &Services, req: Request) -> Response<Body> {
    let tenant = param(&req, "tenant").and_then(|t| TenantId::parse(&t));
    let token = param(&req, "token");
    let (Some(tenant), Some(token)) = (tenant, token) else {
        return page(StatusCode::BAD_REQUEST, "Invalid link", "<p>This link is incomplete.</p>");
    };
    if req.method() != Method::POST {
        let form = format!(
            "<p>A copy of everything the shop stores about you, as one JSON file.</p>\
             <form method=\"post\" action=\"?tenant={}&amp;token={}\"><button type=\"submit\">Download your data</button></form>",
            attr(tenant.as_str()),
            attr(&token)
        );
        return page(StatusCode::OK, "Your data", &form);
    }
    match portability::open(svc, &tenant, &token).await {
        Ok(document) => Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}-my-data.json\"", tenant.as_str()))
            .header(header::CACHE_CONTROL, "no-store")
            .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
            .body(Body::Text(serde_json::to_string(&document).unwrap_or_default()))
            .unwrap_or_default(),
        Err(DomainError::User(errors)) => {
            let expired = errors.iter().any(|e| e.code == ErrorCode::TokenExpired);
            let why = if expired { "This link has expired." } else { "This link does not work (any more)." };
            let body = format!("<p>{why} Ask for your data again in your account.</p>");
            page(if expired { StatusCode::GONE } else { StatusCode::NOT_FOUND }, "Invalid link", &body)
        }
        Err(e) => {
            tracing::error!(error = %e, "data export failed");
            page(StatusCode::INTERNAL_SERVER_ERROR, "Try again", "<p>Something went wrong; please try again.</p>")
        }
    }
}
