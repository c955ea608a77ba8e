//! The seed fields a customer sets itself (`pictureUrl`, `websiteUrl`,
//! `secondaryEmail`, `promotionOptIn`) in `registerCustomer` and
//! `updateCustomer`; the back office's own ones (`username`, `department`,
//! `loyaltyId`, `source`, `sourceId`) it can neither send nor, for the
//! record's provenance, see; and its own `newsletterSubscriptions`.

use super::*;
use crate::support::{codes, email, mail};

/// The seed fields as the storefront shows them.
const MINE: &str = "pictureUrl websiteUrl secondaryEmail promotionOptIn";

fn register_query() -> String {
    format!("mutation($input: RegisterCustomerInput!) {{ registerCustomer(input: $input) {{ customer {{ id {MINE} }} session {{ accessToken }} userErrors {{ code field message }} }} }}")
}

fn update_query() -> String {
    format!("mutation($input: UpdateCustomerInput!) {{ updateCustomer(input: $input) {{ customer {{ {MINE} version }} userErrors {{ code field message }} }} }}")
}

async fn me(shop: &Shop, access: &str) -> Value {
    let resp = shop.call(access, &format!("{{ customer {{ id {MINE} version }} }}"), json!({})).await;
    assert!(resp["errors"].is_null(), "{resp}");
    resp["data"]["customer"].clone()
}

async fn update(shop: &Shop, c: &Customer, input: Value) -> Value {
    let resp = shop.call(&c.access, &update_query(), json!({ "input": input })).await;
    assert!(resp["errors"].is_null(), "{resp}");
    resp["data"]["updateCustomer"].clone()
}

/// The four values of `c` the tests compare.
fn mine(c: &Value) -> Value {
    json!({
        "pictureUrl": c["pictureUrl"], "websiteUrl": c["websiteUrl"],
        "secondaryEmail": c["secondaryEmail"], "promotionOptIn": c["promotionOptIn"],
    })
}

#[tokio::test]
async fn registration_takes_the_customers_seed_fields_and_the_customer_reads_them_back() {
    let shop = shop(&[]).await;
    let given = json!({
        "pictureUrl": "https://cdn.example.com/u/kim.png", "websiteUrl": "https://kim.example.org/",
        "secondaryEmail": "kim.work@example.net", "promotionOptIn": true,
    });
    let mut input = given.clone();
    input["email"] = json!(email("kim"));
    input["password"] = json!(PASSWORD);
    input["firstName"] = json!("Kim");
    let resp = gql(&shop.auth, &register_query(), json!({ "input": input }), &[]).await;
    let p = &resp["data"]["registerCustomer"];
    assert!(codes(p).is_empty(), "{resp}");
    assert_eq!(mine(&p["customer"]), given, "{resp}");
    let access = p["session"]["accessToken"].as_str().unwrap();
    assert_eq!(mine(&me(&shop, access).await), given);

    // Without them: no opt-in, nothing else.
    let plain = shop.customer("plain").await;
    let nothing = json!({ "pictureUrl": null, "websiteUrl": null, "secondaryEmail": null, "promotionOptIn": false });
    assert_eq!(mine(&me(&shop, &plain.access).await), nothing);
}

#[tokio::test]
async fn bad_urls_and_a_bad_secondary_email_refuse_the_registration() {
    let shop = shop(&[]).await;
    let address = email("refused");
    let input = json!({
        "email": address, "password": PASSWORD,
        "pictureUrl": "javascript:alert(1)", "websiteUrl": "ftp://x", "secondaryEmail": "not-an-email",
    });
    let resp = gql(&shop.auth, &register_query(), json!({ "input": input }), &[]).await;
    let p = &resp["data"]["registerCustomer"];
    assert!(p["customer"].is_null(), "{resp}");
    let errors: Vec<(Value, Value)> =
        p["userErrors"].as_array().unwrap().iter().map(|e| (e["code"].clone(), e["field"].clone())).collect();
    for field in ["pictureUrl", "websiteUrl", "secondaryEmail"] {
        assert!(errors.contains(&(json!("INVALID"), json!(["input", field]))), "{field}: {resp}");
    }
    // Nothing stored: the address registers afterwards.
    let ok = crate::support::accounts::register(&shop.auth, &address, &[]).await;
    assert!(codes(&ok).is_empty(), "{ok}");
}

#[tokio::test]
async fn update_changes_and_null_clears_them() {
    let shop = shop(&[]).await;
    let c = shop.customer("changing").await;
    let v1 = me(&shop, &c.access).await["version"].as_i64().unwrap();
    let set = json!({
        "pictureUrl": "http://img.example.com/kim.jpg", "websiteUrl": "https://kim.example.com/blog",
        "secondaryEmail": "kim@example.org", "promotionOptIn": true,
    });
    let p = update(&shop, &c, set.clone()).await;
    assert!(codes(&p).is_empty(), "{p}");
    assert_eq!(mine(&p["customer"]), set, "{p}");
    assert_eq!(p["customer"]["version"], v1 + 1);
    assert_eq!(mine(&me(&shop, &c.access).await), set);

    // One field alone; the others stay.
    let p = update(&shop, &c, json!({ "websiteUrl": "https://kim.example.com/" })).await;
    assert_eq!(p["customer"]["websiteUrl"], "https://kim.example.com/", "{p}");
    assert_eq!(p["customer"]["pictureUrl"], "http://img.example.com/kim.jpg");

    // null clears; a flag cleared is false.
    let clear = json!({ "pictureUrl": null, "websiteUrl": null, "secondaryEmail": null, "promotionOptIn": null });
    let p = update(&shop, &c, clear.clone()).await;
    let clear = json!({ "pictureUrl": null, "websiteUrl": null, "secondaryEmail": null, "promotionOptIn": false });
    assert!(codes(&p).is_empty(), "{p}");
    assert_eq!(mine(&p["customer"]), clear, "{p}");
    assert_eq!(mine(&me(&shop, &c.access).await), clear);

    // Bad values: INVALID at their paths, nothing changed.
    let before = me(&shop, &c.access).await;
    for (field, bad) in [("pictureUrl", "ftp://x"), ("websiteUrl", "not a url"), ("secondaryEmail", "kim@")] {
        let p = update(&shop, &c, json!({ field: bad })).await;
        assert_eq!(codes(&p), ["INVALID"], "{field}: {p}");
        assert_eq!(p["userErrors"][0]["field"], json!(["input", field]), "{p}");
    }
    assert_eq!(me(&shop, &c.access).await, before);
}

#[tokio::test]
async fn the_back_offices_fields_are_not_in_the_storefronts_inputs() {
    let shop = shop(&[]).await;
    let c = shop.customer("no-backoffice").await;
    let before = me(&shop, &c.access).await;
    for (field, value) in [
        ("username", json!("kim")),
        ("department", json!("Sales")),
        ("source", json!("POS")),
        ("sourceId", json!("store-7")),
        ("loyaltyId", json!("LD-1")),
    ] {
        // Registration: a GraphQL error, nothing registered.
        let address = email("sneaky");
        let input = json!({ "email": address, "password": PASSWORD, field: value });
        let resp = gql(&shop.auth, &register_query(), json!({ "input": input }), &[]).await;
        assert!(resp["errors"].as_array().is_some_and(|e| !e.is_empty()), "{field}: {resp}");
        assert!(resp["data"].is_null() || resp["data"]["registerCustomer"].is_null(), "{field}: {resp}");
        let ok = crate::support::accounts::register(&shop.auth, &address, &[]).await;
        assert!(codes(&ok).is_empty(), "{field}: nothing was stored: {ok}");

        // Update: a GraphQL error, nothing changed.
        let resp = shop.call(&c.access, &update_query(), json!({ "input": { field: value } })).await;
        assert!(resp["errors"].as_array().is_some_and(|e| !e.is_empty()), "{field}: {resp}");
        assert!(resp["data"].is_null() || resp["data"]["updateCustomer"].is_null(), "{field}: {resp}");
    }
    assert_eq!(me(&shop, &c.access).await, before, "the version did not move");

    // The customer reads what the back office set, but never sets it.
    let resp = shop.call(&c.access, "{ customer { id username department source sourceId } }", json!({})).await;
    assert!(resp["errors"].is_null(), "{resp}");
    assert_eq!(resp["data"]["customer"]["source"], Value::Null, "{resp}");
}

const SUBSCRIPTIONS: &str =
    "{ customer { emailVerified newsletterSubscriptions { isActive status countryCode languageCode createdAt } } }";

#[tokio::test]
async fn a_verified_customer_sees_its_own_newsletter_subscription() {
    let s = crate::subscriptions::stack(&[]).await;
    let address = email("own-news");
    let r = crate::support::accounts::register(&s.auth, &address, &[]).await;
    let token = r["session"]["accessToken"].as_str().unwrap_or_else(|| panic!("{r}")).to_string();
    let own = [bearer(&token)];
    let verify = mail::nth_to(&address, 1).await.token();
    let verified =
        gql(&s.auth, "mutation($t: String!) { confirmEmail(token: $t) { confirmed } }", json!({ "t": verify }), &[])
            .await;
    assert_eq!(verified["data"]["confirmEmail"]["confirmed"], true, "{verified}");

    let read = || async {
        let resp = gql(&s.account, SUBSCRIPTIONS, json!({}), &own).await;
        assert!(resp["errors"].is_null(), "{resp}");
        resp["data"]["customer"]["newsletterSubscriptions"].as_array().unwrap_or_else(|| panic!("{resp}")).clone()
    };
    assert!(read().await.is_empty(), "never subscribed");

    let before = chrono::Utc::now() - chrono::Duration::seconds(1);
    let p = s.subscribe(&address, json!({ "countryCode": "SE", "languageCode": "sv" }), &own).await;
    assert_eq!(p["status"], "PENDING", "{p}");
    let confirm = mail::nth_to(&address, 2).await.token();
    let confirmed = s.call(crate::subscriptions::CONFIRM, json!({ "t": confirm }), &[]).await;
    assert_eq!(confirmed["data"]["confirmNewsletterSubscription"]["status"], "SUBSCRIBED", "{confirmed}");

    let subs = read().await;
    assert_eq!(subs.len(), 1, "{subs:?}");
    let sub = &subs[0];
    assert_eq!((&sub["isActive"], &sub["status"]), (&json!(true), &json!("SUBSCRIBED")), "{sub}");
    assert_eq!((&sub["countryCode"], &sub["languageCode"]), (&json!("SE"), &json!("sv")), "{sub}");
    let created = crate::orders::at(&sub["createdAt"]);
    assert!(created >= before && created <= chrono::Utc::now(), "{sub}");
}

#[tokio::test]
async fn an_unverified_account_does_not_see_the_subscription_of_its_address() {
    let s = crate::subscriptions::stack(&[]).await;
    // The holder of the mailbox subscribes and confirms.
    let address = email("holder");
    s.subscribe(&address, json!({ "countryCode": "DE" }), &[]).await;
    let confirm = mail::nth_to(&address, 1).await.token();
    s.call(crate::subscriptions::CONFIRM, json!({ "t": confirm }), &[]).await;

    // Someone registers an account with the address and never verifies it.
    let r = crate::support::accounts::register(&s.auth, &address, &[]).await;
    let token = r["session"]["accessToken"].as_str().unwrap_or_else(|| panic!("{r}")).to_string();
    let resp = gql(&s.account, SUBSCRIPTIONS, json!({}), &[bearer(&token)]).await;
    assert_eq!(resp["data"]["customer"]["emailVerified"], false, "{resp}");
    assert_eq!(resp["data"]["customer"]["newsletterSubscriptions"], json!([]), "{resp}");

    // The back office sees the address's subscription on the customer.
    let q = "query($e: String!) { customer(email: $e) { newsletterSubscriptions { isActive status countryCode } } }";
    let resp = s.admin(q, json!({ "e": address })).await;
    assert_eq!(
        resp["data"]["customer"]["newsletterSubscriptions"],
        json!([{ "isActive": true, "status": "SUBSCRIBED", "countryCode": "DE" }]),
        "{resp}"
    );
}
