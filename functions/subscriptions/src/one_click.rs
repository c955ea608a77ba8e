//! One-click unsubscribe (RFC 8058). Mail clients POST
//! `List-Unsubscribe=One-Click` to the link in the `List-Unsubscribe` header;
//! people who open the link get a page with a button that does the same.
//! A GET never unsubscribes: link scanners and prefetchers open links too.

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};
use shared::domain::{DomainError, TenantId};
use shared::graphql::link_pages::{attr, page, param};
use shared::services::newsletter;
use shared::Services;

pub async fn handle(svc: &Services, req: Request) -> Response<Body> {
    let tenant = param(&req, "tenant").and_then(|t| TenantId::parse(&t));
    let token = param(&req, "token");
    let (Some(tenant), Some(token)) = (tenant, token) else {
        return page(StatusCode::BAD_REQUEST, "Invalid link", "<p>This unsubscribe link is incomplete.</p>");
    };
    if req.method() != Method::POST {
        let form = format!(
            "<p>Unsubscribe from the newsletter?</p><form method=\"post\" action=\"?tenant={}&amp;token={}\">\
             <input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\
             <button type=\"submit\">Unsubscribe</button></form>",
            attr(tenant.as_str()),
            attr(&token)
        );
        return page(StatusCode::OK, "Unsubscribe", &form);
    }
    match newsletter::unsubscribe(svc, &tenant, None, Some(&token), None).await {
        Ok(_) => page(StatusCode::OK, "Unsubscribed", "<p>You will get no more newsletters from us.</p>"),
        Err(DomainError::User(_)) => page(
            StatusCode::BAD_REQUEST,
            "Invalid link",
            "<p>This unsubscribe link is not valid. Use the link of a recent newsletter.</p>",
        ),
        Err(e) => {
            tracing::error!(error = %e, "one-click unsubscribe failed");
            page(StatusCode::INTERNAL_SERVER_ERROR, "Try again", "<p>Something went wrong; please try again.</p>")
        }
    }
}
