//! Data portability: the customer asks for its data and gets a mailed link
//! to one JSON document of everything stored about it; the back office
//! gets such a link directly.

use crate::subscriptions::{stack, Stack, API};
use crate::support::accounts::{login, PASSWORD};
use crate::support::{bearer, codes, email, gql, mail, top_error};
use lambda_http::http::Method;
use lambda_http::{Body, RequestExt};
use serde_json::{json, Value};
use shared::domain::Permission;
use std::time::{Duration, Instant};

const REQUEST: &str = "mutation { requestDataExport { requested downloadUrl userErrors { code field message } } }";
const ORDER: &str =
    "mutation($input: RecordOrderInput!) { recordOrder(input: $input) { result userErrors { code field message } } }";
const BACK_IN_STOCK: &str =
    "mutation($i: BackInStockInput!) { backInStockSubscribe(input: $i) { subscribed userErrors { code field message } } }";

/// Opens a data-export link as a browser does: GET shows the page, POST
/// (its button) answers the file.
async fn open(s: &Stack, link: &str, method: Method) -> (u16, String, Option<String>) {
    let path = link.strip_prefix(API).unwrap_or_else(|| panic!("a link to the API: {link}"));
    let req = lambda_http::http::Request::builder()
        .method(method)
        .uri(format!("https://api.test{path}"))
        .body(Body::Empty)
        .unwrap()
        .with_lambda_context(Default::default());
    let resp = account::handle(&s.account, req).await.unwrap();
    let disposition = resp.headers().get("content-disposition").and_then(|v| v.to_str().ok()).map(str::to_string);
    let body = match resp.body() {
        Body::Text(t) => t.clone(),
        Body::Binary(b) => String::from_utf8_lossy(b).to_string(),
        Body::Empty => String::new(),
        _ => String::new(),
    };
    (resp.status().as_u16(), body, disposition)
}

/// The data-export link mailed to `address` (the `n`th such mail).
async fn mailed_link(address: &str, n: usize) -> String {
    let started = Instant::now();
    loop {
        let links: Vec<String> = mail::sent_to(address)
            .await
            .iter()
            .flat_map(|m| m.links())
            .filter(|l| l.contains("/account/data-export"))
            .collect();
        if links.len() >= n {
            return links[n - 1].clone();
        }
        assert!(started.elapsed() < Duration::from_secs(30), "no data-export mail to {address}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A customer of the back office's, with its password, logged in: its id and access token.
async fn customer(s: &Stack, address: &str, tag: &str) -> (String, String) {
    let input = json!({ "email": address, "password": PASSWORD, "emailVerified": true, "firstName": "Ida",
                        "tags": [tag], "note": format!("private note {tag}") });
    let made = s.admin(crate::admin::CREATE, json!({ "input": input })).await;
    let id = made["data"]["createCustomer"]["customer"]["id"].as_str().unwrap_or_else(|| panic!("{made}")).to_string();
    let session = login(&s.auth, address, PASSWORD, &[]).await;
    (id, session["session"]["accessToken"].as_str().unwrap_or_else(|| panic!("{session}")).to_string())
}

#[tokio::test]
async fn the_mailed_document_holds_everything_of_the_customers_and_nothing_else() {
    let s = stack(&[]).await;
    let (mine, theirs) = (email("portable"), email("neighbour"));
    let (id, access) = customer(&s, &mine, "secret-tag-mine").await;
    let (other_id, other_access) = customer(&s, &theirs, "secret-tag-theirs").await;
    for (who, token, sku) in [(&id, &access, "SKU-MINE"), (&other_id, &other_access, "SKU-THEIRS")] {
        let q = "mutation($a: AddressInput!) { addDeliveryAddress(address: $a) { userErrors { code } } }";
        let a = json!({ "street": format!("{sku} Street"), "city": "Wien", "countryCode": "AT" });
        gql(&s.account, q, json!({ "a": a }), &[bearer(token)]).await;
        let q = "mutation($item: String!) { addToWishlist(item: $item) { userErrors { code } } }";
        gql(&s.account, q, json!({ "item": format!("{sku}-WISH") }), &[bearer(token)]).await;
        let r = s
            .call(
                BACK_IN_STOCK,
                json!({ "i": { "item": format!("{sku}-BACK"), "shipTo": { "countryCode": "AT" } } }),
                &[bearer(token)],
            )
            .await;
        assert_eq!(r["data"]["backInStockSubscribe"]["subscribed"], true, "{r}");
        let order = crate::orders::order(
            &format!("{sku}-ORDER"),
            &crate::orders::by_id(who),
            "PAID",
            "2026-07-01T10:00:00Z",
            "10.00",
        );
        let r = s.admin(ORDER, json!({ "input": order })).await;
        assert_eq!(r["data"]["recordOrder"]["result"], "CREATED", "{r}");
    }
    s.subscribe(&mine, json!({}), &[bearer(&access)]).await;

    let asked = gql(&s.account, REQUEST, json!({}), &[bearer(&access)]).await;
    assert_eq!(asked["data"]["requestDataExport"]["requested"], true, "{asked}");
    let link = mailed_link(&mine, 1).await;

    // Opening the link shows a button; only its POST answers the data.
    let (status, page, _) = open(&s, &link, Method::GET).await;
    assert_eq!(status, 200);
    assert!(page.contains("<form method=\"post\"") && !page.contains(&mine), "{page}");
    let (status, file, disposition) = open(&s, &link, Method::POST).await;
    assert_eq!(status, 200, "{file}");
    assert!(disposition.is_some_and(|d| d.starts_with("attachment")), "a file to save");
    let doc: Value = serde_json::from_str(&file).expect("one JSON document");
    assert_eq!(doc["customer"]["email"], mine.as_str(), "{doc}");
    assert_eq!(doc["customer"]["id"], id.as_str());
    assert_eq!(doc["customer"]["deliveryAddresses"][0]["street"], "SKU-MINE Street");
    let text = doc.to_string();
    for own in ["SKU-MINE-ORDER", "SKU-MINE-WISH", "SKU-MINE-BACK"] {
        assert!(text.contains(own), "{own} is missing from {doc}");
    }
    assert!(doc["orders"].as_array().is_some_and(|o| o.len() == 1), "{doc}");
    assert!(doc["sessions"].as_array().is_some_and(|s| !s.is_empty()), "{doc}");
    let newsletters = doc["newsletterSubscriptions"].as_array().expect("a list");
    assert_eq!(newsletters.len(), 1, "{doc}");
    // Nothing of the other customer, no secret, nothing only the back office sees.
    for foreign in [theirs.as_str(), other_id.as_str(), "SKU-THEIRS", "secret-tag", "private note"] {
        assert!(!text.contains(foreign), "the document holds {foreign:?}");
    }
    for secret in ["$argon2", "passwordHash", "refreshHash", "rotatedHashes", "tokenVersion", "provenEmails"] {
        assert!(!text.contains(secret), "the document holds {secret:?}");
    }

    // Once a day.
    let again = gql(&s.account, REQUEST, json!({}), &[bearer(&access)]).await;
    assert_eq!(codes(&again["data"]["requestDataExport"]), ["LIMIT_EXCEEDED"], "{again}");
    crate::support::clock(&s.svc).advance(chrono::Duration::days(1));
    let access = fresh_access(&s, &mine).await;
    let next_day = gql(&s.account, REQUEST, json!({}), &[bearer(&access)]).await;
    assert_eq!(next_day["data"]["requestDataExport"]["requested"], true, "{next_day}");

    // A logout everywhere (as a password change) ends every link.
    gql(&s.account, "mutation { logoutAll { loggedOut } }", json!({}), &[bearer(&access)]).await;
    assert_eq!(open(&s, &link, Method::POST).await.0, 404);
    // Past its 7 days, a link has expired.
    crate::support::clock(&s.svc).advance(chrono::Duration::days(1));
    let access = fresh_access(&s, &mine).await;
    let asked = gql(&s.account, REQUEST, json!({}), &[bearer(&access)]).await;
    assert_eq!(asked["data"]["requestDataExport"]["requested"], true, "{asked}");
    let link = mailed_link(&mine, 3).await;
    assert_eq!(open(&s, &link, Method::POST).await.0, 200);
    crate::support::clock(&s.svc).advance(chrono::Duration::days(7) + chrono::Duration::seconds(1));
    assert_eq!(open(&s, &link, Method::POST).await.0, 410);
    let forged = format!("{}AAAA", &link[..link.len() - 4]);
    assert_eq!(open(&s, &forged, Method::POST).await.0, 404);
}

async fn fresh_access(s: &Stack, address: &str) -> String {
    let session = login(&s.auth, address, PASSWORD, &[]).await;
    session["session"]["accessToken"].as_str().unwrap_or_else(|| panic!("{session}")).to_string()
}

/// A customer whose address nobody proved gets no mailed data: the mail
/// would go to whoever holds that mailbox.
#[tokio::test]
async fn an_unverified_address_gets_no_data() {
    let s = stack(&[]).await;
    let address = email("unproven");
    let input = json!({ "email": address, "password": PASSWORD });
    s.admin(crate::admin::CREATE, json!({ "input": input })).await;
    let access = fresh_access(&s, &address).await;
    let r = gql(&s.account, REQUEST, json!({}), &[bearer(&access)]).await;
    assert_eq!(codes(&r["data"]["requestDataExport"]), ["INVALID"], "{r}");
    assert_eq!(r["data"]["requestDataExport"]["requested"], false, "{r}");
}

/// The back office gets the link itself (an hour), with `customer:export` only.
#[tokio::test]
async fn the_back_office_gets_a_link_to_a_customers_document() {
    let s = stack(&[]).await;
    let address = email("asked-by-support");
    let (id, _) = customer(&s, &address, "support").await;
    let q = "mutation($i: CustomerIdentifierInput!) { exportCustomerData(identifier: $i) { requested downloadUrl downloadExpiresAt userErrors { code field } } }";
    let r = s.admin(q, json!({ "i": { "email": address } })).await;
    let payload = &r["data"]["exportCustomerData"];
    let link = payload["downloadUrl"].as_str().unwrap_or_else(|| panic!("{r}"));
    assert!(payload["downloadExpiresAt"].is_string(), "{r}");
    let (status, file, _) = open(&s, link, Method::POST).await;
    assert_eq!(status, 200, "{file}");
    let doc: Value = serde_json::from_str(&file).expect("JSON");
    assert_eq!(doc["customer"]["id"], id.as_str());
    assert!(mail::sent_to(&address).await.iter().all(|m| !m.text.contains("/account/data-export")), "no mail");

    let missing = s.admin(q, json!({ "i": { "email": email("nobody") } })).await;
    assert_eq!(missing["data"]["exportCustomerData"]["userErrors"][0]["code"], "NOT_FOUND", "{missing}");
    let others: Vec<Permission> = Permission::ALL.into_iter().filter(|p| *p != Permission::CustomerExport).collect();
    let key = crate::admin::mint(&s.svc, "default", &others).await;
    let r = gql(&s.admin, q, json!({ "i": { "customerId": id } }), &[bearer(&key)]).await;
    assert_eq!(top_error(&r).as_deref(), Some("FORBIDDEN"), "{r}");
}

/// The once-a-day rule holds against a batch and a race: two aliased
/// requests in one call are refused before either runs, and two calls at
/// the same moment give one link between them.
#[tokio::test]
async fn aliases_and_a_race_get_one_link_a_day() {
    let s = stack(&[]).await;
    let address = email("greedy");
    let (_, access) = customer(&s, &address, "greedy").await;
    let aliased = "mutation { a: requestDataExport { requested } b: requestDataExport { requested } }";
    let r = gql(&s.account, aliased, json!({}), &[bearer(&access)]).await;
    assert_eq!(top_error(&r).as_deref(), Some("LIMIT_EXCEEDED"), "{r}");

    let auth = [bearer(&access)];
    let (a, b) = tokio::join!(gql(&s.account, REQUEST, json!({}), &auth), gql(&s.account, REQUEST, json!({}), &auth));
    let granted = [&a, &b].iter().filter(|r| r["data"]["requestDataExport"]["requested"] == true).count();
    let refused = [&a, &b].iter().filter(|r| codes(&r["data"]["requestDataExport"]) == ["LIMIT_EXCEEDED"]).count();
    assert_eq!((granted, refused), (1, 1), "{a} {b}");
    mailed_link(&address, 1).await;
    crate::support::settle(&s.svc).await;
    let links = mail::sent_to(&address).await.iter().filter(|m| m.text.contains("/account/data-export")).count();
    assert_eq!(links, 1, "one mail for the day");
}
