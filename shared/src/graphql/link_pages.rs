//! The small HTML pages that links in mails open (one-click unsubscribe,
//! the data-portability download): what they share.

use lambda_http::http::{header, StatusCode};
use lambda_http::{Body, Request, RequestExt, Response};

/// A page with `title` and `body` (HTML the caller escaped). It may hold a
/// token in a form: never framed (no clickjacking of its button), never
/// sent on as a referrer, no script or outside content.
pub fn page(status: StatusCode, title: &str, body: &str) -> Response<Body> {
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{title}</title></head><body style=\"font-family:sans-serif;max-width:32em;margin:3em auto\">\
         <h1>{title}</h1>{body}</body></html>"
    );
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
pub fn param(req: &Request, name: &str) -> Option<String> {
    if let Some(v) = req.query_string_parameters_ref().and_then(|q| q.first(name)) {
        return Some(v.to_string());
    }
    let query = req.uri().query()?;
    url::form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// Escapes text for an HTML attribute.
pub fn attr(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}
