//! One-click unsubscribe (RFC 8058). Mail clients POST
//! `List-Unsubscribe=One-Click` to the link in the `List-Unsubscribe` header;
//! people who open the link get a page with a button that does the same.
//! A GET never unsubscribes: link scanners and prefetchers open links too.

use lambda_http::http::{header, Method, StatusCode};
use lambda_http::{Body, Request, RequestExt, Response};
use shared::domain::{DomainError, TenantId};
use shared::services::newsletter;
use shared::Services;

fn page(status: StatusCode, title: &str, body: &str) -> Response<Body> {
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{title}</title></head><body style=\"font-family:sans-serif;max-width:32em;margin:3em auto\">\
         <h1>{title}</h1>{body}</body></html>"
    );
    // The page holds the token in its form: never framed (no clickjacking of
    // the button), never sent on as a referrer, no script or outside content.
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .header(header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        .header(header::REFERRER_POLICY, "no-referrer")
        .header(header::X_FRAME_OPTIONS, "DENY")
        .body(Body::Text(html))
        .unwrap_or_default()
}

/// A query parameter, from the event's parsed parameters or the raw URI.
fn param(req: &Request, name: &str) -> Option<String> {
    if let Some(v) = req.query_string_parameters_ref().and_then(|q| q.first(name)) {
        return Some(v.to_string());
    }
    let query = req.uri().query()?;
    url::form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// Escapes text for an HTML attribute.
fn attr(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

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
