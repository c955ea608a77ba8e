//! `admin` holds no JWT key: it starts and serves with none configured,
//! while the functions that need keys refuse to start without them.

use super::*;
use crate::support::{aws, bare_config, codes, services, tenants_json, unique, with_role};
use chrono::Utc;
use shared::auth::TokenRole;
use shared::store::{DynamoStore, Store};

#[tokio::test]
async fn admin_builds_and_serves_with_no_jwt_key_configured() {
    let aws = aws().await;
    let table = unique("test");
    let ddb = aws_sdk_dynamodb::Client::new(&aws);
    shared::store::table::create_table(&ddb, &table).await.expect("create test table");
    let tenants = tenants_json();
    let config = bare_config(&[
        ("TABLE_NAME", table.as_str()),
        ("TENANTS", tenants.as_str()),
        ("MAIL_FROM", "shop@example.com"),
    ]);
    assert!(config.jwt_private_keys.is_none() && config.jwt_public_keys.is_empty());
    let store: Arc<dyn Store> = Arc::new(DynamoStore::new(ddb, table));

    for role in [auth::TOKEN_ROLE, account::TOKEN_ROLE, subscriptions::TOKEN_ROLE] {
        let started = Services::new(config.clone(), store.clone(), role);
        assert!(started.is_err(), "{role:?} must refuse to start without its keys");
    }

    let svc = Arc::new(Services::new(config, store, admin::TOKEN_ROLE).expect("admin starts without keys"));
    assert!(!svc.access_tokens.can_issue());
    let key = mint(&svc, "default", &Permission::ALL).await;
    let app = admin::app(svc);
    let email = crate::support::email("keyless");
    let created = gql(&app, CREATE, json!({ "input": { "email": email } }), &[bearer(&key)]).await;
    assert!(codes(&created["data"]["createCustomer"]).is_empty(), "{created}");
    let id = created["data"]["createCustomer"]["customer"]["id"].as_str().unwrap_or_else(|| panic!("{created}"));
    let found = gql(&app, "query($id: ID) { customer(id: $id) { email } }", json!({ "id": id }), &[bearer(&key)]).await;
    assert_eq!(found["data"]["customer"]["email"], email.as_str(), "{found}");
}

#[tokio::test]
async fn each_function_holds_only_the_keys_its_role_needs_even_when_all_are_configured() {
    // Locally every function sees one environment with both kinds of keys.
    let full = services(&[]).await;
    let (token, _) = full.access_tokens.issue("default", "c1", "s1", 0, Utc::now()).expect("the issuer signs");

    let keyless = with_role(&full, admin::TOKEN_ROLE);
    assert_eq!(admin::TOKEN_ROLE, TokenRole::NoKeys);
    assert!(!keyless.access_tokens.can_issue());
    assert!(keyless.access_tokens.verify(&token, chrono::Utc::now()).is_none(), "admin accepts no access token");
    assert!(keyless.access_tokens.issue("default", "c1", "s1", 0, Utc::now()).is_err());

    let verifier = with_role(&full, subscriptions::TOKEN_ROLE);
    assert!(!verifier.access_tokens.can_issue(), "subscriptions holds the public keys only");
    assert_eq!(verifier.access_tokens.verify(&token, chrono::Utc::now()).map(|c| c.sub).as_deref(), Some("c1"));
    assert!(verifier.access_tokens.issue("default", "c1", "s1", 0, Utc::now()).is_err());

    for role in [auth::TOKEN_ROLE, account::TOKEN_ROLE] {
        assert!(with_role(&full, role).access_tokens.can_issue(), "{role:?}");
    }
}
