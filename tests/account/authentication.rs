//! Who may call `account`: only the holder of a live access token.

use super::*;
use crate::support::accounts::{login, LOGOUT, REFRESH};
use crate::support::{tenant, top_error, JWT_SECRET};
use base64::Engine;
use chrono::{Duration, Utc};
use shared::auth::AccessTokens;

fn signer(ttl: Duration) -> AccessTokens {
    AccessTokens::new(&[JWT_SECRET.to_string()], "customer-api", "storefront", ttl).unwrap()
}

async fn refused(shop: &Shop, headers: &[(&str, String)]) {
    let resp = gql(&shop.account, CUSTOMER, json!({}), headers).await;
    assert_eq!(top_error(&resp).as_deref(), Some("UNAUTHENTICATED"), "{resp}");
    assert!(resp["data"].is_null(), "nothing leaks: {resp}");
}

#[tokio::test]
async fn a_live_access_token_reads_its_own_customer() {
    let shop = shop(&[]).await;
    let c = shop.customer("me").await;
    let resp = shop.call(&c.access, CUSTOMER, json!({})).await;
    assert_eq!(resp["data"]["customer"]["id"], c.id.as_str(), "{resp}");
    assert_eq!(resp["data"]["customer"]["email"], c.email.as_str());
}

#[tokio::test]
async fn missing_expired_tampered_and_foreign_algorithm_tokens_are_refused() {
    let shop = shop(&[]).await;
    let c = shop.customer("attacker").await;
    refused(&shop, &[]).await;
    refused(&shop, &[bearer("not-a-jwt")]).await;

    // Signed with the right key, but expired.
    let claims = signer(Duration::minutes(15)).verify(&c.access).unwrap();
    let (expired, _) = signer(Duration::minutes(15))
        .issue("default", &c.id, &claims.sid, claims.tv, Utc::now() - Duration::hours(1))
        .unwrap();
    refused(&shop, &[bearer(&expired)]).await;

    // Another customer's id swapped into the payload.
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let parts: Vec<&str> = c.access.split('.').collect();
    let mut payload: Value = serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
    payload["sub"] = json!("01J00000000000000000000000");
    let tampered = format!("{}.{}.{}", parts[0], b64.encode(payload.to_string()), parts[2]);
    refused(&shop, &[bearer(&tampered)]).await;

    // alg: none, and HS512 with the very same key.
    let none = format!("{}.{}.", b64.encode(r#"{"alg":"none","typ":"JWT"}"#), parts[1]);
    refused(&shop, &[bearer(&none)]).await;
    let hs512 = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .unwrap();
    refused(&shop, &[bearer(&hs512)]).await;
}

#[tokio::test]
async fn a_token_of_one_tenant_is_refused_under_another_tenants_header() {
    let shop = shop(&[]).await;
    let c = shop.customer("tenant-a").await;
    refused(&shop, &[bearer(&c.access), tenant("tenant-b")]).await;
    let ok = gql(&shop.account, CUSTOMER, json!({}), &[bearer(&c.access), tenant("default")]).await;
    assert_eq!(ok["data"]["customer"]["id"], c.id.as_str());
}

#[tokio::test]
async fn a_logged_out_sessions_token_is_refused() {
    let shop = shop(&[]).await;
    let c = shop.customer("gone").await;
    let out = gql(&shop.auth, LOGOUT, json!({}), &[bearer(&c.access)]).await;
    assert_eq!(out["data"]["logout"]["loggedOut"], true);
    refused(&shop, &[bearer(&c.access)]).await;
}

#[tokio::test]
async fn logout_all_ends_every_session_this_one_included() {
    let shop = shop(&[]).await;
    let c = shop.customer("everywhere").await;
    let other = login(&shop.auth, &c.email, PASSWORD, &[]).await["session"].clone();
    let out = shop.call(&c.access, "mutation { logoutAll { loggedOut userErrors { code } } }", json!({})).await;
    assert_eq!(out["data"]["logoutAll"]["loggedOut"], true, "{out}");
    refused(&shop, &[bearer(&c.access)]).await;
    refused(&shop, &[bearer(other["accessToken"].as_str().unwrap())]).await;
    let r = gql(&shop.auth, REFRESH, json!({ "t": other["refreshToken"] }), &[]).await;
    assert_eq!(crate::support::codes(&r["data"]["refreshSession"]), ["TOKEN_INVALID"]);
    // Logging in again works.
    assert!(login(&shop.auth, &c.email, PASSWORD, &[]).await["session"]["accessToken"].is_string());
}
