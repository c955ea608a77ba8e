//! Orders and loyalty: the order system records orders through `admin`
//! (`recordOrder`, idempotent by `orderId`), the back office moves points
//! (`adjustPoints`, `redeemPoints`, `redeemStamps`, idempotent by key), and
//! the history, totals and loyalty account are read from the customer, in
//! `admin` (guarded by `order:read` / `loyalty:read`) and in the storefront's
//! `account`.
//!
//! Amounts are decimal strings whose formatting the tests leave open
//! ("120.5" or "120.50"): they are compared normalised (`decimal`,
//! `amount`, `same_amount`, `money`), never as sent.

mod access;
mod contracts;
mod e2e;
mod erasure;
mod hardening;
mod history;
mod loyalty;
mod loyalty_id;
mod promotions;
mod record;
mod totals;

use crate::admin::{backoffice, mint, Backoffice};
use crate::support::{codes, email, services};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use shared::domain::Permission;

/// Every field of an `Order`.
pub const ORDER_FIELDS: &str = "id orderId orderNumber storeId channel status placedAt updatedAt total { amount currencyCode } paymentType orderType items { sku name quantity unitPrice { amount currencyCode } } pointsEarned";

/// The counters of a `Loyalty`.
pub const LOYALTY_FIELDS: &str = "loyaltyId pointsBalance pointsEarned pointsRedeemed stamps";

/// Every field of a `LoyaltyTransaction`.
pub const TRANSACTION_FIELDS: &str = "id kind points stamps balanceAfter reason orderId promotionId createdAt";

/// What the tests read of a customer's orders and loyalty: totals,
/// counters and the transactions (newest first, the default page of 20).
pub const SUMMARY: &str = "query($id: ID!) { customer(id: $id) { id totalOrders totalSpent { amount currencyCode } loyalty { loyaltyId pointsBalance pointsEarned pointsRedeemed stamps transactions { edges { node { id kind points stamps balanceAfter reason orderId } } } } } }";

/// A back office (key of tenant `default` with every permission) over a
/// table of its own whose configuration has `overrides`, e.g. `TENANTS`.
pub async fn backoffice_with(overrides: &[(&str, &str)]) -> Backoffice {
    let svc = services(overrides).await;
    let key = mint(&svc, "default", &Permission::ALL).await;
    Backoffice { admin: admin::app(svc.clone()), auth: auth::app(svc.clone()), svc, key }
}

/// A new customer with a fresh email; its id.
pub async fn customer(b: &Backoffice, name: &str) -> String {
    let p = b.create(json!({ "email": email(name) })).await;
    assert!(codes(&p).is_empty(), "{p}");
    p["customer"]["id"].as_str().unwrap_or_else(|| panic!("{p}")).to_string()
}

/// The `CustomerIdentifierInput` naming the customer `id`.
pub fn by_id(id: &str) -> Value {
    json!({ "customerId": id })
}

/// A minimal `RecordOrderInput`: `orderId` for `who`, in EUR.
pub fn order(order_id: &str, who: &Value, status: &str, placed_at: &str, amount: &str) -> Value {
    json!({
        "orderId": order_id,
        "customer": who,
        "status": status,
        "placedAt": placed_at,
        "total": { "amount": amount, "currencyCode": "EUR" },
    })
}

/// `recordOrder(input)` with the full key; the payload (no top-level error allowed).
pub async fn record(b: &Backoffice, input: Value) -> Value {
    let q = format!(
        "mutation($input: RecordOrderInput!) {{ recordOrder(input: $input) {{ result order {{ {ORDER_FIELDS} }} customer {{ id totalOrders totalSpent {{ amount currencyCode }} }} userErrors {{ code field message }} }} }}"
    );
    let resp = b.call(&q, json!({ "input": input })).await;
    assert!(resp["errors"].is_null(), "{resp}");
    resp["data"]["recordOrder"].clone()
}

/// `SUMMARY` of the customer `id` (no error allowed).
pub async fn summary(b: &Backoffice, id: &str) -> Value {
    let resp = b.call(SUMMARY, json!({ "id": id })).await;
    assert!(resp["errors"].is_null(), "{resp}");
    assert_eq!(resp["data"]["customer"]["id"], id, "{resp}");
    resp["data"]["customer"].clone()
}

/// The nodes of a connection (`{ edges { node } }`).
pub fn nodes(connection: &Value) -> Vec<Value> {
    connection["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("a connection: {connection}"))
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

/// The transactions of a `summary`, newest first.
pub fn transactions(summary: &Value) -> Vec<Value> {
    nodes(&summary["loyalty"]["transactions"])
}

/// A decimal string in one spelling: no trailing zeros after the point, no
/// trailing point ("120.50" and "120.5" are "120.5", "30.00" is "30").
pub fn decimal(text: &str) -> String {
    let text = text.trim();
    assert!(
        !text.is_empty() && text.chars().all(|c| c.is_ascii_digit() || c == '.') && text.matches('.').count() <= 1,
        "a plain decimal amount: {text:?}"
    );
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text.to_string()
    }
}

/// A `Money`'s amount, normalised (`decimal`); it must be a string, never a float.
pub fn amount(money: &Value) -> String {
    decimal(money["amount"].as_str().unwrap_or_else(|| panic!("an amount as a string: {money}")))
}

/// Whether the decimal strings `a` and `b` are the same amount ("120.5" and "120.50" are).
pub fn same_amount(a: &str, b: &str) -> bool {
    decimal(a) == decimal(b)
}

/// `(currency, amount)` as `spent` lists it.
pub fn money(currency: &str, value: &str) -> (String, String) {
    (currency.to_string(), decimal(value))
}

/// `totalSpent` of a customer as `money` pairs, by currency.
pub fn spent(customer: &Value) -> Vec<(String, String)> {
    let all: std::collections::BTreeMap<String, String> = customer["totalSpent"]
        .as_array()
        .unwrap_or_else(|| panic!("totalSpent: {customer}"))
        .iter()
        .map(|m| (m["currencyCode"].as_str().unwrap().to_string(), amount(m)))
        .collect();
    assert_eq!(all.len(), customer["totalSpent"].as_array().unwrap().len(), "one entry per currency: {customer}");
    all.into_iter().collect()
}

/// A `DateTime` of an answer (or of an input), as a time.
pub fn at(value: &Value) -> DateTime<Utc> {
    value.as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("an RFC 3339 time: {value}"))
}

/// Runs the loyalty mutation `field` with `arguments` declared by
/// `declarations`, asking for the whole `LoyaltyPayload`; its payload (no
/// top-level error allowed).
async fn loyalty_op(b: &Backoffice, field: &str, declarations: &str, arguments: &str, variables: Value) -> Value {
    let query = format!(
        "mutation({declarations}) {{ {field}({arguments}) {{ transaction {{ {TRANSACTION_FIELDS} }} loyalty {{ {LOYALTY_FIELDS} }} userErrors {{ code field message }} }} }}"
    );
    let resp = b.call(&query, variables).await;
    assert!(resp["errors"].is_null(), "{resp}");
    resp["data"][field].clone()
}

/// `adjustPoints` by `points` (signed) with idempotency key `key`.
pub async fn adjust(b: &Backoffice, who: &Value, points: i64, key: &str) -> Value {
    let declarations = "$c: CustomerIdentifierInput!, $p: Int!, $r: String!, $k: String!";
    let arguments = "customer: $c, points: $p, reason: $r, idempotencyKey: $k";
    let variables = json!({ "c": who, "p": points, "r": "goodwill", "k": key });
    loyalty_op(b, "adjustPoints", declarations, arguments, variables).await
}

/// `redeemPoints` of `points` with idempotency key `key`.
pub async fn redeem(b: &Backoffice, who: &Value, points: i64, key: &str) -> Value {
    let declarations = "$c: CustomerIdentifierInput!, $p: Int, $k: String!";
    let arguments = "customer: $c, points: $p, reason: \"voucher\", idempotencyKey: $k";
    loyalty_op(b, "redeemPoints", declarations, arguments, json!({ "c": who, "p": points, "k": key })).await
}

/// `redeemStamps` of `stamps` with idempotency key `key`.
pub async fn redeem_stamps(b: &Backoffice, who: &Value, stamps: i64, key: &str) -> Value {
    let declarations = "$c: CustomerIdentifierInput!, $s: Int!, $k: String!";
    let arguments = "customer: $c, stamps: $s, reason: \"free coffee\", idempotencyKey: $k";
    loyalty_op(b, "redeemStamps", declarations, arguments, json!({ "c": who, "s": stamps, "k": key })).await
}

/// The one user error of a payload: its code and field path.
pub fn user_error(payload: &Value) -> (String, Value) {
    assert_eq!(codes(payload).len(), 1, "one user error: {payload}");
    let e = &payload["userErrors"][0];
    (e["code"].as_str().unwrap().to_string(), e["field"].clone())
}
