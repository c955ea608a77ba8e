//! The back office's second round of abuse paths: write permissions that
//! would read, an email moved under a customer's feet, and input that used
//! to answer `INTERNAL`.

use super::*;
use crate::support::accounts::{login, register, PASSWORD, REFRESH};
use crate::support::{codes, email, mail, top_error};

const UPDATE: &str = "mutation($id: ID!, $input: AdminUpdateCustomerInput!) { updateCustomer(identifier: { customerId: $id }, input: $input) { customer { id email firstName phoneNumber } userErrors { code field } } }";

/// The customer and the error at `path` of a payload whose `customer` the key may not read.
fn withheld(resp: &Value, path: &[&str]) {
    let mut data = &resp["data"];
    for p in path {
        data = &data[*p];
    }
    assert!(data.is_null(), "nothing readable at {path:?}: {resp}");
    let error = &resp["errors"][0];
    assert_eq!(error["extensions"]["code"], "FORBIDDEN", "{resp}");
    assert_eq!(error["path"], json!(path), "{resp}");
}

#[tokio::test]
async fn write_permissions_read_nothing_of_what_they_write() {
    let b = backoffice().await;
    let address = email("victim");
    let id = b.create(json!({ "email": address, "firstName": "Vera", "phoneNumber": "+442071838750" })).await
        ["customer"]["id"]
        .as_str()
        .expect("created")
        .to_string();
    let edit = mint(&b.svc, "default", &[Permission::CustomerEdit]).await;

    // An empty update, and a status set to what it is, read nothing.
    let empty = b.call_with(&edit, UPDATE, json!({ "id": id, "input": {} })).await;
    withheld(&empty, &["updateCustomer", "customer"]);
    assert!(!empty.to_string().contains("Vera") && !empty.to_string().contains(&address), "{empty}");
    let status =
        "mutation($id: ID!) { setCustomerStatus(id: $id, status: ACTIVE) { customer { email } userErrors { code } } }";
    withheld(&b.call_with(&edit, status, json!({ "id": id })).await, &["setCustomerStatus", "customer"]);
    let upsert = "mutation($e: String!) { upsertCustomer(input: { identifier: { email: $e }, onCreate: { email: $e }, onUpdate: {} }) { result customer { firstName } } }";
    let upserter = mint(&b.svc, "default", &[Permission::CustomerCreate, Permission::CustomerEdit]).await;
    let up = b.call_with(&upserter, upsert, json!({ "e": address })).await;
    assert_eq!(up["data"]["upsertCustomer"]["result"], "NOOP", "{up}");
    withheld(&up, &["upsertCustomer", "customer"]);

    // A loyalty key writes points but reads no ledger, however often it replays a key.
    let loyalty = mint(&b.svc, "default", &[Permission::LoyaltyWrite]).await;
    let adjust = "mutation($id: ID!) { adjustPoints(customer: { customerId: $id }, points: 5, reason: \"r\", idempotencyKey: \"k-1\") { transaction { points balanceAfter } userErrors { code } } }";
    for _ in 0..2 {
        withheld(&b.call_with(&loyalty, adjust, json!({ "id": id })).await, &["adjustPoints", "transaction"]);
    }
    let ledger = "mutation($id: ID!) { adjustPoints(customer: { customerId: $id }, points: 5, reason: \"r\", idempotencyKey: \"k-1\") { loyalty { pointsBalance transactions { edges { node { points } } } } } }";
    withheld(&b.call_with(&loyalty, ledger, json!({ "id": id })).await, &["adjustPoints", "loyalty"]);

    // With the read permissions too, the same calls show what they changed.
    let both = mint(
        &b.svc,
        "default",
        &[Permission::CustomerEdit, Permission::CustomerRead, Permission::LoyaltyWrite, Permission::LoyaltyRead],
    )
    .await;
    let shown = b.call_with(&both, UPDATE, json!({ "id": id, "input": {} })).await;
    assert_eq!(shown["data"]["updateCustomer"]["customer"]["firstName"], "Vera", "{shown}");
    let replay = b.call_with(&both, adjust, json!({ "id": id })).await;
    assert_eq!(replay["data"]["adjustPoints"]["transaction"]["balanceAfter"], 5, "one adjustment, replayed: {replay}");
}

#[tokio::test]
async fn an_email_moved_by_the_back_office_tells_the_old_address_and_ends_every_session() {
    let b = backoffice().await;
    let old = email("moved-old");
    let id = register(&b.auth, &old, &[]).await["customer"]["id"].as_str().expect("registered").to_string();
    let session = login(&b.auth, &old, PASSWORD, &[]).await["session"].clone();
    let account = account::app(b.svc.clone());
    let me = "{ customer { id email } }";
    let access = session["accessToken"].as_str().expect("a token").to_string();
    let before = gql(&account, me, json!({}), &[bearer(&access)]).await;
    assert_eq!(before["data"]["customer"]["id"], id.as_str(), "{before}");

    let new = email("moved-new");
    let moved = b.call(UPDATE, json!({ "id": id, "input": { "email": new } })).await;
    assert!(codes(&moved["data"]["updateCustomer"]).is_empty(), "{moved}");

    // The sessions of before are over: the access token reads nothing, the refresh token renews nothing.
    let after = gql(&account, me, json!({}), &[bearer(&access)]).await;
    assert_eq!(top_error(&after).as_deref(), Some("UNAUTHENTICATED"), "{after}");
    let renewed = gql(&b.auth, REFRESH, json!({ "t": session["refreshToken"] }), &[]).await;
    assert!(!codes(&renewed["data"]["refreshSession"]).is_empty(), "{renewed}");

    // The address that held the account hears of it.
    crate::support::settle(&b.svc).await;
    let notice = mail::sent_to(&old).await;
    assert!(notice.iter().any(|m| m.text.contains(&new)), "a notice naming the new address: {notice:?}");
}

#[tokio::test]
async fn inverted_ranges_foreign_cursors_and_overflowing_balances_are_refused_not_internal() {
    let b = backoffice().await;
    let id =
        b.create(json!({ "email": email("ranges") })).await["customer"]["id"].as_str().expect("created").to_string();

    let customers = "query($f: CustomerFilter, $after: String) { customers(filter: $f, after: $after, first: 1) { edges { cursor } pageInfo { endCursor } } }";
    let inverted = json!({ "createdFrom": "2026-12-31T00:00:00Z", "createdTo": "2026-01-01T00:00:00Z" });
    let resp = b.call(customers, json!({ "f": inverted })).await;
    assert_eq!(top_error(&resp).as_deref(), Some("INVALID"), "{resp}");
    assert_eq!(resp["errors"][0]["extensions"]["field"], json!(["filter", "createdFrom"]), "{resp}");
    // A cursor past the end of a narrower range: an empty page, not an error.
    let all = b.call(customers, json!({})).await;
    let cursor = all["data"]["customers"]["pageInfo"]["endCursor"].clone();
    let narrower = json!({ "createdTo": "2000-01-01T00:00:00Z" });
    let past = b.call(customers, json!({ "f": narrower, "after": cursor })).await;
    assert!(past["errors"].is_null() && past["data"]["customers"]["edges"] == json!([]), "{past}");

    // A newsletter cursor of another status's listing, or forged, is INVALID.
    let list = "query($s: NewsletterState, $after: String) { newsletterSubscriptions(status: $s, first: 1, after: $after) { pageInfo { endCursor } } }";
    let cursor = |position: &str| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("n1:{position}"))
    };
    let ours = b.call(list, json!({ "s": "SUBSCRIBED", "after": cursor("SUBSCRIBED#ann@example.com") })).await;
    assert!(ours["errors"].is_null(), "a position of this listing: {ours}");
    let other = b.call(list, json!({ "s": "PENDING", "after": cursor("SUBSCRIBED#ann@example.com") })).await;
    assert_eq!(top_error(&other).as_deref(), Some("INVALID"), "{other}");
    for forged in ["x".to_string(), format!("SUBSCRIBED#{}", "a".repeat(2000)), "\u{10FFFF}\u{10FFFF}".into()] {
        let resp = b.call(list, json!({ "after": cursor(&forged) })).await;
        assert_eq!(top_error(&resp).as_deref(), Some("INVALID"), "{forged:.40}: {resp}");
    }

    // A balance stops at GraphQL's Int.
    let who = json!({ "customerId": id });
    for (i, points) in [1_000_000_000, 1_000_000_000].into_iter().enumerate() {
        let p = crate::orders::adjust(&b, &who, points, &format!("big-{i}")).await;
        assert!(codes(&p).is_empty(), "{p}");
    }
    let third = crate::orders::adjust(&b, &who, 1_000_000_000, "big-2").await;
    assert_eq!(crate::orders::user_error(&third).0, "LIMIT_EXCEEDED", "{third}");
    let last = crate::orders::adjust(&b, &who, 147_483_647, "big-3").await;
    assert_eq!(last["transaction"]["balanceAfter"], 2_147_483_647_i64, "up to the limit exactly: {last}");
}
