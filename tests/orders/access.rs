//! Permissions: `order:read` guards `orders`, `totalOrders` and
//! `totalSpent`, `loyalty:read` guards `loyalty` (each null with `FORBIDDEN`
//! at its path, the rest of the customer still there); `order:write` and
//! `loyalty:write` guard the writes.

use super::*;
use crate::support::top_error;
use std::collections::HashSet;

const READ: &str = "query($id: ID!) { customer(id: $id) { id email orders { edges { node { orderId } } } totalOrders totalSpent { amount currencyCode } loyalty { pointsBalance } } }";

/// The paths of the response's errors, each checked to be `FORBIDDEN`.
fn forbidden_paths(resp: &Value) -> HashSet<String> {
    let errors = resp["errors"].as_array().cloned().unwrap_or_default();
    for e in &errors {
        assert_eq!(e["extensions"]["code"], "FORBIDDEN", "{resp}");
    }
    errors.iter().map(|e| e["path"].to_string()).collect()
}

fn paths(fields: &[&str]) -> HashSet<String> {
    fields.iter().map(|f| json!(["customer", f]).to_string()).collect()
}

#[test]
fn the_new_permissions_have_their_names_and_are_among_all() {
    for (permission, name) in [
        (Permission::OrderRead, "order:read"),
        (Permission::OrderWrite, "order:write"),
        (Permission::LoyaltyRead, "loyalty:read"),
        (Permission::LoyaltyWrite, "loyalty:write"),
        (Permission::PromotionWrite, "promotion:write"),
        (Permission::CustomerImport, "customer:import"),
    ] {
        assert_eq!(permission.as_str(), name);
        assert_eq!(Permission::parse(name), Some(permission), "{name}");
        assert!(Permission::ALL.contains(&permission), "{name}");
    }
}

#[tokio::test]
async fn orders_totals_and_loyalty_each_need_their_permission_and_the_customer_comes_back() {
    let b = backoffice().await;
    let address = email("guarded-orders");
    let made = b.create(json!({ "email": address })).await;
    let id = made["customer"]["id"].as_str().unwrap().to_string();
    record(&b, order("SO-G", &by_id(&id), "PAID", "2026-06-01T10:00:00Z", "12.00")).await;
    let read = |key: String| {
        let (b, id) = (&b, &id);
        async move { b.call_with(&key, READ, json!({ "id": id })).await }
    };

    // customer:read alone: the customer, its four order and loyalty fields null.
    let resp = read(mint(&b.svc, "default", &[Permission::CustomerRead]).await).await;
    let c = &resp["data"]["customer"];
    assert_eq!((c["id"].as_str(), c["email"].as_str()), (Some(id.as_str()), Some(address.as_str())), "{resp}");
    for field in ["orders", "totalOrders", "totalSpent", "loyalty"] {
        assert!(c.get(field).is_some_and(Value::is_null), "{field} null, not left out: {resp}");
    }
    assert_eq!(resp["errors"].as_array().map(Vec::len), Some(4), "{resp}");
    assert_eq!(forbidden_paths(&resp), paths(&["orders", "totalOrders", "totalSpent", "loyalty"]));

    // With order:read: the orders and totals; loyalty still forbidden.
    let resp = read(mint(&b.svc, "default", &[Permission::CustomerRead, Permission::OrderRead]).await).await;
    let c = &resp["data"]["customer"];
    assert_eq!(nodes(&c["orders"]), vec![json!({ "orderId": "SO-G" })], "{resp}");
    assert_eq!(c["totalOrders"], 1);
    assert_eq!(spent(c), vec![money("EUR", "12.00")]);
    assert!(c["loyalty"].is_null(), "{resp}");
    assert_eq!(forbidden_paths(&resp), paths(&["loyalty"]));

    // With loyalty:read: the loyalty account; orders and totals forbidden.
    let resp = read(mint(&b.svc, "default", &[Permission::CustomerRead, Permission::LoyaltyRead]).await).await;
    let c = &resp["data"]["customer"];
    assert_eq!(c["loyalty"]["pointsBalance"], 12, "{resp}");
    assert!(c["orders"].is_null() && c["totalOrders"].is_null() && c["totalSpent"].is_null(), "{resp}");
    assert_eq!(forbidden_paths(&resp), paths(&["orders", "totalOrders", "totalSpent"]));

    // Both: everything, no error.
    let resp = read(
        mint(&b.svc, "default", &[Permission::CustomerRead, Permission::OrderRead, Permission::LoyaltyRead]).await,
    )
    .await;
    assert!(resp["errors"].is_null(), "{resp}");
    assert_eq!(resp["data"]["customer"]["totalOrders"], 1);

    // In a connection, at the node's field.
    let read_only = mint(&b.svc, "default", &[Permission::CustomerRead]).await;
    let q = "query($e: String!) { customers(filter: { email: $e }) { edges { node { id totalOrders } } } }";
    let resp = b.call_with(&read_only, q, json!({ "e": address })).await;
    let node = &resp["data"]["customers"]["edges"][0]["node"];
    assert_eq!(node["id"], id.as_str(), "{resp}");
    assert!(node.get("totalOrders").is_some_and(Value::is_null), "{resp}");
    assert_eq!(resp["errors"][0]["extensions"]["code"], "FORBIDDEN");
    assert_eq!(resp["errors"][0]["path"], json!(["customers", "edges", 0, "node", "totalOrders"]));
}

#[tokio::test]
async fn recording_orders_and_moving_points_need_their_write_permission() {
    let b = backoffice().await;
    let id = customer(&b, "guarded-writes").await;
    let who = by_id(&id);
    adjust(&b, &who, 100, "seed").await;
    let before = summary(&b, &id).await;
    let all_but =
        |missing: Permission| -> Vec<Permission> { Permission::ALL.into_iter().filter(|p| *p != missing).collect() };

    let no_order_write = mint(&b.svc, "default", &all_but(Permission::OrderWrite)).await;
    let q = "mutation($input: RecordOrderInput!) { recordOrder(input: $input) { result userErrors { code } } }";
    let input = order("SO-FORBIDDEN", &who, "PAID", "2026-06-02T10:00:00Z", "99.00");
    let resp = b.call_with(&no_order_write, q, json!({ "input": input })).await;
    assert_eq!(top_error(&resp).as_deref(), Some("FORBIDDEN"), "{resp}");

    let no_loyalty_write = mint(&b.svc, "default", &all_but(Permission::LoyaltyWrite)).await;
    let ops = [
        "mutation($c: CustomerIdentifierInput!) { adjustPoints(customer: $c, points: 5, reason: \"r\", idempotencyKey: \"f-1\") { userErrors { code } } }",
        "mutation($c: CustomerIdentifierInput!) { redeemPoints(customer: $c, points: 5, idempotencyKey: \"f-2\") { userErrors { code } } }",
        "mutation($c: CustomerIdentifierInput!) { redeemStamps(customer: $c, stamps: 1, idempotencyKey: \"f-3\") { userErrors { code } } }",
    ];
    for op in ops {
        let resp = b.call_with(&no_loyalty_write, op, json!({ "c": who })).await;
        assert_eq!(top_error(&resp).as_deref(), Some("FORBIDDEN"), "{op}: {resp}");
    }

    // Nothing happened; the full key still works.
    assert_eq!(summary(&b, &id).await, before);
    assert_eq!(record(&b, input).await["result"], "CREATED", "the refused order was never recorded");
}
