use super::*;
use crate::support::{bearer, codes, email, top_error};
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, Utc};

async fn logged_in(app: &AuthApp) -> Value {
    let address = email("session");
    register(app, &address, &[]).await;
    login(app, &address, PASSWORD, &[]).await["session"].clone()
}

async fn refresh(app: &AuthApp, token: &Value) -> Value {
    gql(app, REFRESH, json!({ "t": token }), &[]).await["data"]["refreshSession"].clone()
}

#[tokio::test]
async fn refresh_rotates_and_a_replay_revokes_the_session() {
    let app = app(&[]).await;
    let first = logged_in(&app).await;
    let r1 = refresh(&app, &first["refreshToken"]).await;
    assert!(codes(&r1).is_empty(), "{r1}");
    let second = &r1["session"];
    assert_ne!(second["refreshToken"], first["refreshToken"]);
    assert!(r1["customer"]["id"].is_string());

    let r2 = refresh(&app, &second["refreshToken"]).await;
    assert!(codes(&r2).is_empty());
    let third = &r2["session"];

    // Replaying an already rotated token: refused, and the session is gone.
    let replay = refresh(&app, &first["refreshToken"]).await;
    assert_eq!(codes(&replay), ["TOKEN_INVALID"]);
    assert_eq!(replay["userErrors"][0]["field"], json!(["refreshToken"]));
    assert_eq!(codes(&refresh(&app, &third["refreshToken"]).await), ["TOKEN_INVALID"], "newest token revoked too");
    // ... and so are its access tokens.
    let out = gql(&app, LOGOUT, json!({}), &[bearer(third["accessToken"].as_str().unwrap())]).await;
    assert_eq!(top_error(&out).as_deref(), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn garbage_refresh_tokens_are_invalid() {
    let app = app(&[]).await;
    let s = logged_in(&app).await;
    let token = s["refreshToken"].as_str().unwrap();
    let (prefix, _) = token.rsplit_once('.').unwrap();
    let guessed = format!("{prefix}.{}", "A".repeat(43));
    for bad in ["", "x", "a.b.c", guessed.as_str()] {
        assert_eq!(codes(&refresh(&app, &json!(bad)).await), ["TOKEN_INVALID"], "{bad}");
    }
    // A wrong guess does not end the real session.
    assert!(codes(&refresh(&app, &json!(token)).await).is_empty());
}

#[tokio::test]
async fn expired_sessions_cannot_be_refreshed() {
    let app = app(&[]).await;
    let s = logged_in(&app).await;
    // REFRESH_TOKEN_TTL_SECONDS: 30 days by default.
    crate::support::clock(app.services()).advance(chrono::Duration::days(30) + chrono::Duration::seconds(1));
    assert_eq!(codes(&refresh(&app, &s["refreshToken"]).await), ["TOKEN_EXPIRED"]);
}

#[tokio::test]
async fn logout_with_the_access_token_ends_that_session_at_once() {
    let app = app(&[]).await;
    let s = logged_in(&app).await;
    let access = s["accessToken"].as_str().unwrap();
    let out = gql(&app, LOGOUT, json!({}), &[bearer(access)]).await;
    assert_eq!(out["data"]["logout"]["loggedOut"], true, "{out}");
    // The same access token no longer works, nor the session's refresh token.
    let again = gql(&app, LOGOUT, json!({}), &[bearer(access)]).await;
    assert_eq!(top_error(&again).as_deref(), Some("UNAUTHENTICATED"));
    assert_eq!(codes(&refresh(&app, &s["refreshToken"]).await), ["TOKEN_INVALID"]);
}

#[tokio::test]
async fn logout_with_the_refresh_token_alone() {
    let app = app(&[]).await;
    let s = logged_in(&app).await;
    let other = logged_in(&app).await;
    let out = gql(&app, LOGOUT, json!({ "t": s["refreshToken"] }), &[]).await;
    assert_eq!(out["data"]["logout"]["loggedOut"], true, "{out}");
    assert_eq!(codes(&refresh(&app, &s["refreshToken"]).await), ["TOKEN_INVALID"]);
    let out = gql(&app, LOGOUT, json!({}), &[bearer(s["accessToken"].as_str().unwrap())]).await;
    assert_eq!(top_error(&out).as_deref(), Some("UNAUTHENTICATED"), "its access token died with it");
    // Another session is untouched.
    assert!(codes(&refresh(&app, &other["refreshToken"]).await).is_empty());
}

#[tokio::test]
async fn logout_without_credentials_is_unauthenticated() {
    let app = app(&[]).await;
    let out = gql(&app, LOGOUT, json!({}), &[]).await;
    assert_eq!(top_error(&out).as_deref(), Some("UNAUTHENTICATED"));
    assert!(out["errors"][0]["extensions"]["requestId"].is_string());
    let forged = gql(&app, LOGOUT, json!({}), &[bearer("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")]).await;
    assert_eq!(top_error(&forged).as_deref(), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn an_access_token_is_refused_under_another_tenant_header() {
    let app = app(&[]).await;
    let s = logged_in(&app).await;
    let out = gql(
        &app,
        LOGOUT,
        json!({}),
        &[bearer(s["accessToken"].as_str().unwrap()), crate::support::tenant("someone-else")],
    )
    .await;
    assert_eq!(top_error(&out).as_deref(), Some("UNAUTHENTICATED"));
}

const REFRESH_UNTIL: &str = "mutation($t: String!) { refreshSession(refreshToken: $t) { session { refreshToken refreshTokenExpiresAt } userErrors { code field message } } }";

async fn refresh_until(app: &AuthApp, token: &Value) -> Value {
    gql(app, REFRESH_UNTIL, json!({ "t": token }), &[]).await["data"]["refreshSession"].clone()
}

/// Moves the login of the session that `refresh_token` belongs to back to
/// `at` in the table, as the passing of days would.
async fn set_login_time(app: &AuthApp, refresh_token: &Value, at: DateTime<Utc>) {
    let token = refresh_token.as_str().expect("a refresh token");
    let mut parts = token.split('.');
    let (customer_id, session_id) = (parts.next().unwrap(), parts.next().unwrap());
    aws_sdk_dynamodb::Client::new(&crate::support::aws().await)
        .update_item()
        .table_name(&app.services().config.table_name)
        .key("pk", AttributeValue::S(format!("T#default#C#{customer_id}")))
        .key("sk", AttributeValue::S(format!("SESSION#{session_id}")))
        .update_expression("SET createdAt = :at")
        .condition_expression("attribute_exists(pk)")
        .expression_attribute_values(":at", AttributeValue::S(at.to_rfc3339()))
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn refreshing_never_extends_a_session_past_session_max_days_from_its_login() {
    // Refresh tokens live 30 days (the default), sessions at most 2 from their login.
    let app = app(&[("SESSION_MAX_DAYS", "2")]).await;
    let max = Duration::days(2);
    let expiry = |r: &Value| -> DateTime<Utc> {
        let at = r["session"]["refreshTokenExpiresAt"].as_str();
        at.and_then(|t| t.parse().ok()).unwrap_or_else(|| panic!("{r}"))
    };
    let before = Utc::now();
    let s = logged_in(&app).await;
    let after = Utc::now();

    // A fresh session: the rotated token ends with the session, not 30 days on.
    let r = refresh_until(&app, &s["refreshToken"]).await;
    assert!(codes(&r).is_empty(), "{r}");
    let until = expiry(&r);
    assert!(until >= before + max - Duration::seconds(1) && until <= after + max, "{until}: login {before}..{after}");

    // An hour before the end: the new token lives that hour, not longer.
    let login_at = Utc::now() - max + Duration::hours(1);
    set_login_time(&app, &r["session"]["refreshToken"], login_at).await;
    let r = refresh_until(&app, &r["session"]["refreshToken"]).await;
    assert!(codes(&r).is_empty(), "{r}");
    let until = expiry(&r);
    assert!(until <= login_at + max && until > Utc::now() + Duration::minutes(50), "{until}: login {login_at}");

    // At the end: refused like an expired session.
    set_login_time(&app, &r["session"]["refreshToken"], Utc::now() - max).await;
    let r = refresh_until(&app, &r["session"]["refreshToken"]).await;
    assert_eq!(codes(&r), ["TOKEN_EXPIRED"], "{r}");
    assert_eq!(r["userErrors"][0]["field"], json!(["refreshToken"]));
}
