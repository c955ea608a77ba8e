//! The review's fixes, as a client sees them: a late retry never undoes a
//! newer state, sub-millisecond placement times, history arguments and
//! cursors that do not fit (`INVALID`, never `INTERNAL`), the customer of a
//! `recordOrder` payload behind `customer:read`, and an order's earning
//! rate kept when the tenant's changes.

use super::*;
use crate::support::{config, tenants_json, top_error};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use shared::auth::TokenRole;
use std::sync::Arc;

const HISTORY: &str = "query($id: ID!, $first: Int, $after: String, $from: DateTime, $to: DateTime) { customer(id: $id) { id orders(first: $first, after: $after, from: $from, to: $to) { edges { cursor node { orderId status placedAt } } pageInfo { hasNextPage endCursor } } } }";

/// `HISTORY` of the customer `id` with `arguments` (`first`, `after`, `from`, `to`); the whole response.
async fn history(b: &Backoffice, id: &str, arguments: Value) -> Value {
    let mut variables = json!({ "id": id });
    variables.as_object_mut().unwrap().extend(arguments.as_object().expect("arguments as an object").clone());
    b.call(HISTORY, variables).await
}

/// The order ids of a `history` response, which must hold no error.
fn order_ids(resp: &Value) -> Vec<String> {
    assert!(resp["errors"].is_null(), "{resp}");
    nodes(&resp["data"]["customer"]["orders"]).iter().map(|n| n["orderId"].as_str().unwrap().to_string()).collect()
}

/// Checks that a `history` response refused its arguments: `orders` null
/// with one `INVALID` error at its path, the customer still there.
fn assert_refused(resp: &Value, what: &str) {
    assert_eq!(top_error(resp).as_deref(), Some("INVALID"), "{what}: {resp}");
    assert_eq!(resp["errors"].as_array().map(Vec::len), Some(1), "{what}: {resp}");
    assert_eq!(resp["errors"][0]["path"], json!(["customer", "orders"]), "{what}: {resp}");
    assert!(resp["data"]["customer"]["id"].is_string(), "{what}: {resp}");
    assert!(resp["data"]["customer"]["orders"].is_null(), "{what}: {resp}");
}

#[tokio::test]
async fn a_late_retry_of_an_older_state_changes_nothing() {
    let b = backoffice().await;
    let id = customer(&b, "late-retry").await;
    let who = by_id(&id);
    let mut placed = order("SO-LATE", &who, "PLACED", "2026-11-01T09:00:00Z", "40.00");
    placed["changedAt"] = json!("2026-11-01T09:05:00Z");
    let mut cancelled = placed.clone();
    cancelled["status"] = json!("CANCELLED");
    cancelled["changedAt"] = json!("2026-11-01T09:10:00Z");

    assert_eq!(record(&b, placed.clone()).await["result"], "CREATED");
    let p = record(&b, cancelled).await;
    assert_eq!((&p["result"], &p["order"]["status"]), (&json!("UPDATED"), &json!("CANCELLED")), "{p}");
    let before = summary(&b, &id).await;
    assert_eq!((&before["totalOrders"], &before["loyalty"]["pointsBalance"]), (&json!(0), &json!(0)), "{before}");

    // The PLACED message again, delivered late; then one changed between the two.
    let mut paid = placed.clone();
    paid["status"] = json!("PAID");
    paid["changedAt"] = json!("2026-11-01T09:07:00Z");
    for late in [placed, paid] {
        let p = record(&b, late.clone()).await;
        assert!(codes(&p).is_empty(), "{p}");
        assert_eq!(p["result"], "NOOP", "{late}: {p}");
        assert_eq!((&p["order"]["status"], &p["order"]["pointsEarned"]), (&json!("CANCELLED"), &json!(0)), "{p}");
        assert_eq!(p["customer"]["totalOrders"], 0, "{p}");
    }
    let after = summary(&b, &id).await;
    assert_eq!(after, before, "still cancelled, nothing counted or earned again");
    let resp = history(&b, &id, json!({})).await;
    let orders = nodes(&resp["data"]["customer"]["orders"]);
    assert_eq!(orders.len(), 1, "{resp}");
    assert_eq!(orders[0]["status"], "CANCELLED", "{resp}");
}

#[tokio::test]
async fn a_placement_time_finer_than_milliseconds_is_kept_to_the_millisecond() {
    let b = backoffice().await;
    let id = customer(&b, "precise").await;
    let who = by_id(&id);
    let millisecond: DateTime<Utc> = "2026-11-20T10:00:00Z".parse().unwrap();

    let first = record(&b, order("SO-MICRO", &who, "PLACED", "2026-11-20T10:00:00.000100Z", "25.00")).await;
    assert_eq!(first["result"], "CREATED", "{first}");
    assert_eq!(at(&first["order"]["placedAt"]), millisecond, "{first}");
    // Another sub-millisecond time of the same millisecond is the same placement.
    let same = record(&b, order("SO-MICRO", &who, "PLACED", "2026-11-20T10:00:00.000200Z", "25.00")).await;
    assert_eq!(same["result"], "NOOP", "{same}");

    let paid = record(&b, order("SO-MICRO", &who, "PAID", "2026-11-20T10:00:00.000200Z", "25.00")).await;
    assert!(codes(&paid).is_empty(), "{paid}");
    assert_eq!(paid["result"], "UPDATED", "{paid}");
    assert_eq!((&paid["order"]["id"], &paid["order"]["status"]), (&first["order"]["id"], &json!("PAID")), "{paid}");
    assert_eq!(at(&paid["order"]["placedAt"]), millisecond, "{paid}");

    let resp = history(&b, &id, json!({})).await;
    assert_eq!(order_ids(&resp), ["SO-MICRO"], "once in the history");
    let listed = nodes(&resp["data"]["customer"]["orders"]);
    assert_eq!((&listed[0]["status"], at(&listed[0]["placedAt"])), (&json!("PAID"), millisecond), "{resp}");
    let s = summary(&b, &id).await;
    assert_eq!((&s["totalOrders"], &s["loyalty"]["pointsBalance"]), (&json!(1), &json!(25)), "{s}");
}

#[tokio::test]
async fn history_arguments_and_cursors_that_do_not_fit_are_invalid() {
    let b = backoffice().await;
    let id = customer(&b, "bounded").await;
    for (order_id, placed) in
        [("B-1", "2026-11-01T10:00:00Z"), ("B-2", "2026-11-02T10:00:00Z"), ("B-3", "2026-11-03T10:00:00Z")]
    {
        assert_eq!(record(&b, order(order_id, &by_id(&id), "PAID", placed, "5.00")).await["result"], "CREATED");
    }

    // A period that ends before it starts.
    let resp = history(&b, &id, json!({ "from": "2026-11-03T00:00:00Z", "to": "2026-11-01T00:00:00Z" })).await;
    assert_refused(&resp, "from after to");
    assert_eq!(resp["errors"][0]["extensions"]["field"], json!(["from"]), "{resp}");

    // The newest order's cursor, from an unfiltered page: fine within a period holding it.
    let resp = history(&b, &id, json!({ "first": 1 })).await;
    assert_eq!(order_ids(&resp), ["B-3"]);
    let cursor = resp["data"]["customer"]["orders"]["pageInfo"]["endCursor"].clone();
    assert!(cursor.is_string(), "{resp}");
    let resp = history(&b, &id, json!({ "after": cursor, "from": "2026-11-01T00:00:00Z" })).await;
    assert_eq!(order_ids(&resp), ["B-2", "B-1"]);
    // Outside the period asked for: refused, not a failure.
    let resp = history(&b, &id, json!({ "after": cursor, "from": "2026-11-03T11:00:00Z" })).await;
    assert_refused(&resp, "a cursor before from");
    let resp = history(&b, &id, json!({ "after": cursor, "to": "2026-11-02T12:00:00Z" })).await;
    assert_refused(&resp, "a cursor after to");

    // A cursor of this connection's form, but no order's place ("order:PROFILE").
    let resp = history(&b, &id, json!({ "after": "b3JkZXI6UFJPRklMRQ" })).await;
    assert_refused(&resp, "a forged cursor");
    // A forged place whose time is inside the period but written another way
    // (+01:00): as text it lies outside the period's keys.
    let forged = URL_SAFE_NO_PAD.encode("order:ORDER#2026-11-02T11:00:00+01:00#B-2");
    let resp =
        history(&b, &id, json!({ "after": forged, "from": "2026-11-02T09:00:00Z", "to": "2026-11-02T10:30:00Z" }))
            .await;
    assert_refused(&resp, "a cursor in another time notation");
}

#[tokio::test]
async fn the_customer_of_a_recorded_order_needs_customer_read() {
    let b = backoffice().await;
    let id = customer(&b, "order-system").await;
    let q = "mutation($input: RecordOrderInput!) { recordOrder(input: $input) { result order { orderId status } customer { id } userErrors { code field } } }";

    // It may read what it writes (`order:read`), not the customer.
    let writer = mint(&b.svc, "default", &[Permission::OrderWrite, Permission::OrderRead]).await;
    let input = order("SO-W1", &by_id(&id), "PAID", "2026-11-05T10:00:00Z", "10.00");
    let resp = b.call_with(&writer, q, json!({ "input": input })).await;
    let p = &resp["data"]["recordOrder"];
    assert_eq!((&p["result"], &p["order"]["orderId"]), (&json!("CREATED"), &json!("SO-W1")), "{resp}");
    assert!(codes(p).is_empty(), "{resp}");
    assert!(p.get("customer").is_some_and(Value::is_null), "customer null, not left out: {resp}");
    let errors = resp["errors"].as_array().unwrap_or_else(|| panic!("{resp}"));
    assert_eq!(errors.len(), 1, "{resp}");
    assert_eq!(errors[0]["extensions"]["code"], "FORBIDDEN", "{resp}");
    assert_eq!(errors[0]["path"].as_array().and_then(|p| p.last()), Some(&json!("customer")), "{resp}");
    assert_eq!(summary(&b, &id).await["totalOrders"], 1, "recorded all the same");

    let reader =
        mint(&b.svc, "default", &[Permission::OrderWrite, Permission::OrderRead, Permission::CustomerRead]).await;
    let input = order("SO-W2", &by_id(&id), "PAID", "2026-11-06T10:00:00Z", "10.00");
    let resp = b.call_with(&reader, q, json!({ "input": input })).await;
    assert!(resp["errors"].is_null(), "{resp}");
    let p = &resp["data"]["recordOrder"];
    assert_eq!((&p["result"], &p["customer"]["id"]), (&json!("CREATED"), &json!(id)), "{resp}");
}

#[tokio::test]
async fn an_order_keeps_the_earning_rate_it_was_counted_with() {
    let b = backoffice().await;
    let id = customer(&b, "steady-rate").await;
    let mut input = order("SO-RATE", &by_id(&id), "PAID", "2026-11-10T10:00:00Z", "100.00");
    let p = record(&b, input.clone()).await;
    assert_eq!((&p["result"], &p["order"]["pointsEarned"]), (&json!("CREATED"), &json!(100)), "{p}");

    // The tenant now earns 10 points per unit: services over the same table with that setting.
    let mut tenants: Value = serde_json::from_str(&tenants_json()).unwrap();
    tenants["*"]["loyalty"]["pointsPerUnit"] = json!(10);
    let tenants = tenants.to_string();
    let conf = config(&b.svc.config.table_name, &[("TENANTS", &tenants)]);
    let svc = Arc::new(shared::Services::new(conf, b.svc.store.clone(), TokenRole::Issuer).expect("services"));
    let key = mint(&svc, "default", &Permission::ALL).await;
    let richer = Backoffice { admin: admin::app(svc.clone()), auth: auth::app(svc.clone()), svc, key };

    // The order's total is corrected to 50.00: earned at its own rate, 50 points, not 500.
    input["total"]["amount"] = json!("50.00");
    let p = record(&richer, input.clone()).await;
    assert_eq!((&p["result"], &p["order"]["pointsEarned"]), (&json!("UPDATED"), &json!(50)), "{p}");
    let s = summary(&richer, &id).await;
    assert_eq!(s["loyalty"]["pointsBalance"], 50, "{s}");
    let t = transactions(&s);
    assert_eq!(t.len(), 2, "{s}");
    assert_eq!(
        (&t[0]["kind"], &t[0]["points"], &t[0]["balanceAfter"], &t[0]["orderId"]),
        (&json!("REVERSE"), &json!(-50), &json!(50), &json!("SO-RATE")),
        "{s}"
    );

    // A new order earns at the new rate: the second services really have it.
    let p = record(&richer, order("SO-NEW", &by_id(&id), "PAID", "2026-11-11T10:00:00Z", "5.00")).await;
    assert_eq!((&p["result"], &p["order"]["pointsEarned"]), (&json!("CREATED"), &json!(50)), "{p}");
    assert_eq!(summary(&b, &id).await["loyalty"]["pointsBalance"], 100);

    // Cancelled, the corrected order takes back exactly what it holds.
    input["status"] = json!("CANCELLED");
    assert_eq!(record(&richer, input).await["result"], "UPDATED");
    let s = summary(&b, &id).await;
    assert_eq!((&s["totalOrders"], &s["loyalty"]["pointsBalance"]), (&json!(1), &json!(50)), "{s}");
    let t = transactions(&s);
    assert_eq!((&t[0]["kind"], &t[0]["points"], &t[0]["orderId"]), (&json!("REVERSE"), &json!(-50), &json!("SO-RATE")));
}

#[tokio::test]
async fn page_info_tells_where_a_page_starts_and_whether_edges_come_before_it() {
    let b = backoffice().await;
    let id = customer(&b, "relay").await;
    for (order_id, placed) in [("R-1", "2026-11-01T10:00:00Z"), ("R-2", "2026-11-02T10:00:00Z")] {
        assert_eq!(record(&b, order(order_id, &by_id(&id), "PAID", placed, "5.00")).await["result"], "CREATED");
    }
    let q = "query($id: ID!, $after: String) { customer(id: $id) { orders(first: 1, after: $after) { edges { cursor } pageInfo { hasPreviousPage hasNextPage startCursor endCursor } } } }";
    let first = b.call(q, json!({ "id": id })).await;
    let page = &first["data"]["customer"]["orders"];
    let info = &page["pageInfo"];
    assert_eq!((&info["hasPreviousPage"], &info["hasNextPage"]), (&json!(false), &json!(true)), "{first}");
    assert_eq!(info["startCursor"], page["edges"][0]["cursor"], "{first}");
    let second = b.call(q, json!({ "id": id, "after": info["endCursor"] })).await;
    let info = &second["data"]["customer"]["orders"]["pageInfo"];
    assert_eq!((&info["hasPreviousPage"], &info["hasNextPage"]), (&json!(true), &json!(false)), "{second}");
    assert_eq!(info["startCursor"], info["endCursor"], "one edge: {second}");
}

/// Hostile sizes: the largest order the limits allow is recorded whole (an
/// item of DynamoDB stays far below 400 KB), one item more is refused, and
/// a store filter that could name no store scans nothing.
#[tokio::test]
async fn the_largest_allowed_order_is_recorded_and_anything_larger_is_refused() {
    let b = backoffice().await;
    let id = customer(&b, "large").await;
    // 4-byte characters at every length limit.
    let item = |i: usize| json!({ "sku": format!("{i:03}{}", "\u{1F375}".repeat(97)), "name": "\u{1F375}".repeat(200), "quantity": 1_000_000, "unitPrice": { "amount": "999999999.9999", "currencyCode": "EUR" } });
    let mut input = order("BIG-1", &by_id(&id), "PAID", "2026-11-20T10:00:00Z", "999999999999.9999");
    input["storeId"] = json!("\u{1F375}".repeat(100));
    input["items"] = json!((0..250).map(item).collect::<Vec<_>>());
    let p = record(&b, input.clone()).await;
    assert_eq!(p["result"], "CREATED", "{}", p["userErrors"]);
    input["orderId"] = json!("BIG-2");
    input["items"] = json!((0..251).map(item).collect::<Vec<_>>());
    let p = record(&b, input).await;
    assert_eq!(user_error(&p), ("LIMIT_EXCEEDED".to_string(), json!(["input", "items"])), "{p}");

    let q =
        "query($id: ID!, $s: String) { customer(id: $id) { id orders(storeId: $s) { edges { node { orderId } } } } }";
    let resp = b.call(q, json!({ "id": id, "s": "x".repeat(101) })).await;
    assert_refused(&resp, "a store id longer than any store's");

    // An email of characters that NFKC multiplies (U+FDFA is 18 letters) is
    // refused for its length before any normalisation.
    let p = b.create(json!({ "email": format!("{}@example.com", "\u{FDFA}".repeat(100_000)) })).await;
    assert_eq!(user_error(&p), ("TOO_LONG".to_string(), json!(["input", "email"])), "{p}");
}

/// The tenant's promotion catalogue is one query per HTTP request, however
/// many customers' offers the request reads.
#[tokio::test]
async fn a_listing_of_customers_offers_reads_the_catalogue_once() {
    let (svc, recorder) = crate::support::services_recorded(&[]).await;
    let key = mint(&svc, "default", &Permission::ALL).await;
    let b = Backoffice { admin: admin::app(svc.clone()), auth: auth::app(svc.clone()), svc, key };
    for name in ["one", "two", "three"] {
        customer(&b, name).await;
    }
    let upsert = "mutation { upsertPromotion(input: { promotionId: \"FREE\", name: \"Free tea\" }) { result } }";
    assert_eq!(b.call(upsert, json!({})).await["data"]["upsertPromotion"]["result"], "CREATED");
    recorder.take();
    let q = "{ customers(first: 10) { edges { node { a: availablePromotions { promotionId } b: availablePromotions(storeId: \"berlin\") { promotionId } } } } }";
    let resp = b.call(q, json!({})).await;
    let offered: Vec<&Value> = resp["data"]["customers"]["edges"].as_array().unwrap().iter().collect();
    assert_eq!(offered.len(), 3, "{resp}");
    assert!(offered.iter().all(|e| e["node"]["a"] == json!([{ "promotionId": "FREE" }])), "{resp}");
    let queries = recorder.take().iter().filter(|c| c.operation == "Query").count();
    assert_eq!(queries, 2, "the customers' listing and the catalogue, once");
}

/// A query of `n` aliases of `field`, each under `wrap`.
fn aliased(n: usize, field: &str) -> String {
    (0..n).map(|i| format!("a{i}: {field}")).collect::<Vec<_>>().join(" ")
}

fn too_complex(resp: &Value) -> bool {
    resp["data"].is_null() && resp["errors"][0]["message"].as_str().is_some_and(|m| m.contains("too complex"))
}

#[tokio::test]
async fn aliases_and_pages_cannot_multiply_the_store_reads_of_one_request() {
    // Every history, ledger and contract field is a query; a page of
    // customers asks it of each. Weighted, one request stays bounded:
    // before, 166 aliased histories (or 62 pages of 100 customers' histories)
    // passed the complexity budget.
    let b = backoffice().await;
    let id = customer(&b, "aliased").await;
    let orders = "orders(first: 100) { pageInfo { hasNextPage } }";
    let few = b
        .call(&format!("query($id: ID!) {{ customer(id: $id) {{ {} }} }}", aliased(10, orders)), json!({ "id": id }))
        .await;
    assert!(few["errors"].is_null(), "ten histories are fine: {few}");
    for field in
        [orders, "loyalty { transactions(first: 100) { pageInfo { hasNextPage } } }", "subscriptionContracts { id }"]
    {
        let many = b
            .call(&format!("query($id: ID!) {{ customer(id: $id) {{ {} }} }}", aliased(30, field)), json!({ "id": id }))
            .await;
        assert!(too_complex(&many), "{field}: {many}");
    }
    let page = format!("customers(first: 100) {{ edges {{ node {{ {orders} }} }} }}");
    assert!(b.call(&format!("{{ {} }}", aliased(1, &page)), json!({})).await["errors"].is_null());
    assert!(too_complex(&b.call(&format!("{{ {} }}", aliased(3, &page)), json!({})).await));
    // Writes too: a request holds a handful of recordOrder fields, not hundreds.
    let record = "recordOrder(input: { orderId: \"A\", customer: { customerId: \"x\" }, status: PAID, placedAt: \"2026-01-01T00:00:00Z\", total: { amount: \"1\", currencyCode: \"EUR\" } }) { result }";
    assert!(too_complex(&b.call(&format!("mutation {{ {} }}", aliased(30, record)), json!({})).await));
}
