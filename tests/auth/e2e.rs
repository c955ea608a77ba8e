//! A storefront's flow over HTTP against the real function binary under
//! `cargo lambda watch`: register -> confirm email -> login -> refresh -> logout.

use crate::support::accounts::{LOGIN, LOGOUT, PASSWORD, REFRESH, REGISTER};
use crate::support::watch::Watch;
use crate::support::{aws, bearer, codes, email, mail, unique, JWT_PRIVATE_KEY, JWT_PUBLIC_KEY};
use serde_json::json;

#[tokio::test]
async fn storefront_flow_over_http() {
    let table = unique("e2e");
    shared::store::table::create_table(&aws_sdk_dynamodb::Client::new(&aws().await), &table).await.unwrap();
    let watch = Watch::start(&[
        ("TABLE_NAME", table.clone()),
        ("JWT_PRIVATE_KEYS", JWT_PRIVATE_KEY.to_string()),
        ("JWT_PUBLIC_KEYS", JWT_PUBLIC_KEY.to_string()),
    ])
    .await;
    let shop = [("x-tenant-id", "e2e-shop".to_string())];

    let address = email("storefront");
    let input = json!({ "email": address, "password": PASSWORD, "firstName": "Sam" });
    let r = watch.gql("auth", REGISTER, json!({ "input": input }), &shop).await;
    let registered = &r["data"]["registerCustomer"];
    assert!(codes(registered).is_empty(), "{r}");

    let token = mail::nth_to(&address, 1).await.token();
    let c = watch
        .gql("auth", "mutation($t: String!) { confirmEmail(token: $t) { confirmed } }", json!({ "t": token }), &shop)
        .await;
    assert_eq!(c["data"]["confirmEmail"]["confirmed"], true, "{c}");

    let l = watch.gql("auth", LOGIN, json!({ "email": address, "password": PASSWORD }), &shop).await;
    let session = &l["data"]["login"]["session"];
    assert_eq!(l["data"]["login"]["customer"]["emailVerified"], true, "{l}");

    let r = watch.gql("auth", REFRESH, json!({ "t": session["refreshToken"] }), &shop).await;
    let refreshed = &r["data"]["refreshSession"]["session"];
    assert!(refreshed["accessToken"].is_string(), "{r}");

    let access = refreshed["accessToken"].as_str().unwrap();
    let o = watch.gql("auth", LOGOUT, json!({}), &[shop[0].clone(), bearer(access)]).await;
    assert_eq!(o["data"]["logout"]["loggedOut"], true, "{o}");

    let after = watch.gql("auth", REFRESH, json!({ "t": refreshed["refreshToken"] }), &shop).await;
    assert_eq!(codes(&after["data"]["refreshSession"]), ["TOKEN_INVALID"]);
}
