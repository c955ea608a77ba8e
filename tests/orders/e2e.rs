//! A shopper's view: a storefront customer registers and logs in (`auth`),
//! the order system records its order by email (`admin`), and the customer
//! sees the order, totals and points in `account`, over one table.

use super::*;
use crate::support::accounts::{login, register, PASSWORD};
use crate::support::{bearer, gql};

const MINE: &str = "{ customer { id totalOrders totalSpent { amount currencyCode } orders { edges { node { orderId status pointsEarned total { amount currencyCode } } } } loyalty { pointsBalance stamps transactions { edges { node { kind points orderId } } } } } }";

#[tokio::test]
async fn a_shopper_sees_the_order_the_back_office_recorded_and_its_points() {
    let b = backoffice().await;
    let account = account::app(b.svc.clone());
    let me = |token: String| {
        let account = &account;
        async move { gql(account, MINE, json!({}), &[bearer(&token)]).await }
    };

    let address = email("shopper");
    let registered = register(&b.auth, &address, &[]).await;
    assert!(codes(&registered).is_empty(), "{registered}");
    let session = login(&b.auth, &address, PASSWORD, &[]).await;
    assert!(codes(&session).is_empty(), "{session}");
    let token = session["session"]["accessToken"].as_str().unwrap().to_string();
    let id = session["customer"]["id"].as_str().unwrap().to_string();

    // Before any order: zero, empty, but there.
    let resp = me(token.clone()).await;
    assert!(resp["errors"].is_null(), "{resp}");
    let c = &resp["data"]["customer"];
    assert_eq!(
        (&c["totalOrders"], &c["totalSpent"], &c["orders"]["edges"]),
        (&json!(0), &json!([]), &json!([])),
        "{resp}"
    );
    assert_eq!((&c["loyalty"]["pointsBalance"], &c["loyalty"]["stamps"]), (&json!(0), &json!(0)));

    // The order system records the web order by the shopper's email.
    let mut input = order("WEB-5001", &json!({ "email": address }), "COMPLETED", "2026-08-01T18:30:00Z", "59.90");
    input["channel"] = json!("web");
    input["items"] = json!([{ "sku": "SHOE-42", "name": "Runner", "quantity": 1, "unitPrice": { "amount": "59.90", "currencyCode": "EUR" } }]);
    // Not while the account has not proved the mailbox: anyone may register
    // an address, and must not receive what its owner buys as a guest.
    let p = record(&b, input.clone()).await;
    assert_eq!(codes(&p), ["NOT_FOUND"], "{p}");
    assert_eq!(p["userErrors"][0]["field"], json!(["input", "customer"]), "{p}");
    let adjust = "mutation($e: String!) { adjustPoints(customer: { email: $e }, points: 5, reason: \"welcome\", idempotencyKey: \"k-unverified\") { userErrors { code field } } }";
    let a = b.call(adjust, json!({ "e": address })).await;
    assert_eq!(codes(&a["data"]["adjustPoints"]), ["NOT_FOUND"], "{a}");
    let resp = me(token.clone()).await;
    assert_eq!(
        (&resp["data"]["customer"]["totalOrders"], &resp["data"]["customer"]["loyalty"]["pointsBalance"]),
        (&json!(0), &json!(0)),
        "{resp}"
    );
    crate::support::settle(&b.svc).await;
    let confirm = crate::support::mail::nth_to(&address, 1).await.token();
    let c =
        gql(&b.auth, "mutation($t: String!) { confirmEmail(token: $t) { confirmed } }", json!({ "t": confirm }), &[])
            .await;
    assert_eq!(c["data"]["confirmEmail"]["confirmed"], true, "{c}");
    let p = record(&b, input).await;
    assert_eq!((&p["result"], &p["customer"]["id"]), (&json!("CREATED"), &json!(id)), "{p}");

    let resp = me(token.clone()).await;
    assert!(resp["errors"].is_null(), "{resp}");
    let c = &resp["data"]["customer"];
    assert_eq!(c["id"], id.as_str());
    assert_eq!(c["totalOrders"], 1, "{resp}");
    assert_eq!(spent(c), vec![money("EUR", "59.90")]);
    let orders = nodes(&c["orders"]);
    assert_eq!(orders.len(), 1, "{resp}");
    assert_eq!((&orders[0]["orderId"], &orders[0]["status"]), (&json!("WEB-5001"), &json!("COMPLETED")));
    assert_eq!(orders[0]["pointsEarned"], 59);
    assert!(same_amount(orders[0]["total"]["amount"].as_str().unwrap(), "59.90"), "{resp}");
    assert_eq!((&c["loyalty"]["pointsBalance"], &c["loyalty"]["stamps"]), (&json!(59), &json!(1)), "{resp}");
    assert_eq!(
        nodes(&c["loyalty"]["transactions"]),
        vec![json!({ "kind": "EARN", "points": 59, "orderId": "WEB-5001" })],
        "{resp}"
    );

    // Another shopper sees none of it.
    let other = email("other-shopper");
    register(&b.auth, &other, &[]).await;
    let theirs = login(&b.auth, &other, PASSWORD, &[]).await["session"]["accessToken"].as_str().unwrap().to_string();
    let resp = me(theirs).await;
    let c = &resp["data"]["customer"];
    assert_eq!(
        (&c["totalOrders"], &c["orders"]["edges"], &c["loyalty"]["pointsBalance"]),
        (&json!(0), &json!([]), &json!(0)),
        "{resp}"
    );

    // Orders are the order system's to record: the storefront has no such operation.
    let q = "mutation { recordOrder(input: { orderId: \"X\", customer: { email: \"x@example.com\" }, status: PAID, placedAt: \"2026-08-01T00:00:00Z\", total: { amount: \"1\", currencyCode: \"EUR\" } }) { result } }";
    let resp = gql(&account, q, json!({}), &[bearer(&token)]).await;
    assert!(resp["errors"].is_array() && resp["data"].is_null(), "{resp}");
}

/// The order system's flow of docs/api.md ("Orders and loyalty") over HTTP, against the function
/// binaries under `cargo lambda watch`, with a key minted by `customer-ctl`
/// holding `order:write`, `order:read`, `loyalty:write` and `loyalty:read`
/// (no `customer:read`).
#[tokio::test]
async fn an_order_system_records_and_redeems_and_the_shopper_reads_it_over_http() {
    use crate::support::accounts::REGISTER;
    use crate::support::watch::Watch;
    use crate::support::{aws, unique, JWT_PRIVATE_KEY, JWT_PUBLIC_KEY};
    let table = unique("e2e-orders");
    shared::store::table::create_table(&aws_sdk_dynamodb::Client::new(&aws().await), &table).await.unwrap();
    let key = crate::admin::e2e::mint_with_ctl(&table, "default", "order:write,order:read,loyalty:write,loyalty:read");
    let watch = Watch::start(&[
        ("TABLE_NAME", table),
        ("JWT_PRIVATE_KEYS", JWT_PRIVATE_KEY.to_string()),
        ("JWT_PUBLIC_KEYS", JWT_PUBLIC_KEY.to_string()),
    ])
    .await;
    let oms = [bearer(&key)];

    let address = email("http-shopper");
    let r = watch.gql("auth", REGISTER, json!({ "input": { "email": address, "password": PASSWORD } }), &[]).await;
    let token = r["data"]["registerCustomer"]["session"]["accessToken"].as_str().expect("a session").to_string();
    let id = r["data"]["registerCustomer"]["customer"]["id"].as_str().expect("an id").to_string();

    let q = "mutation($i: RecordOrderInput!) { recordOrder(input: $i) { result order { pointsEarned } customer { id } userErrors { code field } } }";
    let input = json!({ "i": {
        "orderId": "SO-HTTP-1", "customer": { "customerId": id }, "status": "PAID",
        "placedAt": "2026-11-27T10:00:00Z", "total": { "amount": "120.50", "currencyCode": "EUR" }, "storeId": "berlin",
        "items": [{ "sku": "TEA-1", "quantity": 2, "unitPrice": { "amount": "60.25", "currencyCode": "EUR" } }],
    }});
    let recorded = watch.gql("admin", q, input, &oms).await;
    assert_eq!(recorded["data"]["recordOrder"]["result"], "CREATED", "{recorded}");
    assert_eq!(recorded["data"]["recordOrder"]["order"]["pointsEarned"], 120, "{recorded}");
    // The key cannot read customers: the payload's customer is withheld.
    assert!(recorded["data"]["recordOrder"]["customer"].is_null(), "{recorded}");
    assert_eq!(crate::support::top_error(&recorded).as_deref(), Some("FORBIDDEN"), "{recorded}");

    let q = "mutation($id: ID!) { redeemPoints(customer: { customerId: $id }, points: 100, reason: \"voucher\", idempotencyKey: \"pos-7-0001\") { transaction { kind points balanceAfter } userErrors { code field } } }";
    let redeemed = watch.gql("admin", q, json!({ "id": id }), &oms).await;
    assert_eq!(redeemed["data"]["redeemPoints"]["transaction"]["balanceAfter"], 20, "{redeemed}");

    let mine = watch.gql("account", MINE, json!({}), &[bearer(&token)]).await;
    let c = &mine["data"]["customer"];
    assert_eq!(
        (&c["totalOrders"], &c["loyalty"]["pointsBalance"], &c["loyalty"]["stamps"]),
        (&json!(1), &json!(20), &json!(1)),
        "{mine}"
    );
    assert_eq!(c["totalSpent"], json!([{ "amount": "120.50", "currencyCode": "EUR" }]), "{mine}");
    assert_eq!(c["orders"]["edges"][0]["node"]["orderId"], "SO-HTTP-1", "{mine}");
    let kinds: Vec<String> = nodes(&c["loyalty"]["transactions"]).iter().map(|t| t["kind"].to_string()).collect();
    assert_eq!(kinds, ["\"REDEEM\"", "\"EARN\""], "newest first: {mine}");
}
