//! Who may call `account`: only the holder of a live access token.

use super::*;
use crate::support::accounts::{login, LOGOUT, REFRESH};
use crate::support::{tenant, top_error, JWT_PRIVATE_KEY, JWT_PUBLIC_KEY};
use base64::Engine;
use chrono::{Duration, Utc};
use shared::auth::AccessTokens;

fn signer(ttl: Duration) -> AccessTokens {
    AccessTokens::signer(&[JWT_PRIVATE_KEY.to_string()], "customer-api", "storefront", ttl).unwrap()
}

/// The test private key as jsonwebtoken signs with it: the PKCS#8 v1 DER of
/// the seed (RFC 8410), built here independently of the code under test.
fn test_key() -> jsonwebtoken::EncodingKey {
    let mut der = vec![0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
    der.extend(base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(JWT_PRIVATE_KEY).unwrap());
    jsonwebtoken::EncodingKey::from_ed_der(&der)
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
    let claims = signer(Duration::minutes(15)).verify(&c.access, chrono::Utc::now()).unwrap();
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

    // alg: none, typed as an access token or not, and HS512 keyed with the public key.
    for header in [r#"{"alg":"none","typ":"JWT"}"#, r#"{"alg":"none","typ":"at+jwt"}"#] {
        let none = format!("{}.{}.", b64.encode(header), parts[1]);
        refused(&shop, &[bearer(&none)]).await;
    }
    let hs512 = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(JWT_PUBLIC_KEY.as_bytes()),
    )
    .unwrap();
    refused(&shop, &[bearer(&hs512)]).await;
}

#[tokio::test]
async fn a_correctly_signed_token_typed_jwt_instead_of_at_jwt_is_refused() {
    let shop = shop(&[]).await;
    let c = shop.customer("typed").await;
    let claims = signer(Duration::minutes(15)).verify(&c.access, chrono::Utc::now()).unwrap();
    let mut header = jsonwebtoken::decode_header(&c.access).unwrap();
    assert_eq!(header.typ.as_deref(), Some("at+jwt"), "issued tokens are typed");

    // The same header and claims signed here pass: only `typ` differs below.
    let resigned = jsonwebtoken::encode(&header, &claims, &test_key()).unwrap();
    let ok = shop.call(&resigned, CUSTOMER, json!({})).await;
    assert_eq!(ok["data"]["customer"]["id"], c.id.as_str(), "{ok}");

    for typ in [Some("JWT"), Some("jwt"), Some("application/jwt"), None] {
        header.typ = typ.map(String::from);
        let token = jsonwebtoken::encode(&header, &claims, &test_key()).unwrap();
        refused(&shop, &[bearer(&token)]).await;
    }
}

#[tokio::test]
async fn an_hs256_token_is_refused_whatever_key_it_was_made_with() {
    let shop = shop(&[]).await;
    let c = shop.customer("hmac").await;
    let claims = signer(Duration::minutes(15)).verify(&c.access, chrono::Utc::now()).unwrap();
    let kid = jsonwebtoken::decode_header(&c.access).unwrap().kid;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    // What an attacker may know (the public key, as text or bytes), and even the private key.
    let secrets = [
        JWT_PUBLIC_KEY.as_bytes().to_vec(),
        b64.decode(JWT_PUBLIC_KEY).unwrap(),
        JWT_PRIVATE_KEY.as_bytes().to_vec(),
        b64.decode(JWT_PRIVATE_KEY).unwrap(),
    ];
    for secret in secrets {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
        header.typ = Some("at+jwt".to_string());
        header.kid = kid.clone();
        let hs256 = jsonwebtoken::encode(&header, &claims, &jsonwebtoken::EncodingKey::from_secret(&secret)).unwrap();
        refused(&shop, &[bearer(&hs256)]).await;
    }
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
