//! Totals and earning: `totalOrders` and `totalSpent` (per currency) count
//! the orders that are not cancelled or returned; an order earns points and a
//! stamp once, and cancelling or returning it takes exactly those back.

use super::*;

fn eur(total: &str) -> Vec<(String, String)> {
    vec![money("EUR", total)]
}

/// No money spent: `totalSpent` is empty.
fn nothing() -> Vec<(String, String)> {
    Vec::new()
}

/// `(pointsBalance, stamps)` of a summary.
fn balance(s: &Value) -> (i64, i64) {
    let l = &s["loyalty"];
    (
        l["pointsBalance"].as_i64().unwrap_or_else(|| panic!("{s}")),
        l["stamps"].as_i64().unwrap_or_else(|| panic!("{s}")),
    )
}

fn count_of(s: &Value, kind: &str) -> usize {
    transactions(s).iter().filter(|t| t["kind"] == kind).count()
}

#[tokio::test]
async fn an_order_earns_once_and_cancelling_or_returning_it_takes_back_exactly_that() {
    let b = backoffice().await;
    let id = customer(&b, "earner").await;
    let who = by_id(&id);
    let mut first = order("SO-A", &who, "PLACED", "2026-02-01T09:00:00Z", "120.50");

    let p = record(&b, first.clone()).await;
    assert_eq!(p["result"], "CREATED", "{p}");
    assert_eq!(p["order"]["pointsEarned"], 120);
    let earned = summary(&b, &id).await;
    assert_eq!(earned["totalOrders"], 1, "{earned}");
    assert_eq!(spent(&earned), eur("120.50"));
    let l = &earned["loyalty"];
    assert_eq!(
        (balance(&earned), &l["pointsEarned"], &l["pointsRedeemed"]),
        ((120, 1), &json!(120), &json!(0)),
        "{earned}"
    );
    let t = transactions(&earned);
    assert_eq!(t.len(), 1, "{earned}");
    assert_eq!(
        (&t[0]["kind"], &t[0]["points"], &t[0]["stamps"], &t[0]["balanceAfter"], &t[0]["orderId"]),
        (&json!("EARN"), &json!(120), &json!(1), &json!(120), &json!("SO-A")),
        "{earned}"
    );

    // Replayed, and moved along its ordinary statuses: nothing more is earned or counted.
    assert_eq!(record(&b, first.clone()).await["result"], "NOOP");
    assert_eq!(summary(&b, &id).await, earned, "replaying changes nothing");
    for status in ["PAID", "SHIPPED", "COMPLETED"] {
        first["status"] = json!(status);
        assert_eq!(record(&b, first.clone()).await["result"], "UPDATED", "{status}");
    }
    assert_eq!(summary(&b, &id).await, earned, "a status change earns nothing more");

    let mut second = order("SO-B", &who, "SHIPPED", "2026-02-02T09:00:00Z", "30.00");
    assert_eq!(record(&b, second.clone()).await["order"]["pointsEarned"], 30);
    let s = summary(&b, &id).await;
    assert_eq!((&s["totalOrders"], spent(&s), balance(&s)), (&json!(2), eur("150.50"), (150, 2)), "{s}");

    // The first one is cancelled: exactly its points and stamp go back.
    first["status"] = json!("CANCELLED");
    assert_eq!(record(&b, first.clone()).await["result"], "UPDATED");
    let cancelled = summary(&b, &id).await;
    assert_eq!((&cancelled["totalOrders"], spent(&cancelled), balance(&cancelled)), (&json!(1), eur("30.00"), (30, 1)));
    let t = transactions(&cancelled);
    let kinds: Vec<&Value> = t.iter().map(|t| &t["kind"]).collect();
    assert_eq!(kinds, [&json!("REVERSE"), &json!("EARN"), &json!("EARN")], "newest first: {cancelled}");
    assert_eq!(
        (&t[0]["points"], &t[0]["stamps"], &t[0]["balanceAfter"], &t[0]["orderId"]),
        (&json!(-120), &json!(-1), &json!(30), &json!("SO-A")),
        "{cancelled}"
    );

    // Recorded cancelled again, as is or with another change: never reversed twice.
    assert_eq!(record(&b, first.clone()).await["result"], "NOOP");
    assert_eq!(summary(&b, &id).await, cancelled);
    first["paymentType"] = json!("invoice");
    assert_eq!(record(&b, first.clone()).await["result"], "UPDATED");
    assert_eq!(summary(&b, &id).await, cancelled, "a cancelled order's other changes move no points");

    // The second one comes back: returned, likewise reversed once.
    second["status"] = json!("RETURNED");
    assert_eq!(record(&b, second.clone()).await["result"], "UPDATED");
    let returned = summary(&b, &id).await;
    assert_eq!(
        (&returned["totalOrders"], spent(&returned), balance(&returned)),
        (&json!(0), nothing(), (0, 0)),
        "{returned}"
    );
    let t = transactions(&returned);
    assert_eq!(
        (&t[0]["kind"], &t[0]["points"], &t[0]["stamps"], &t[0]["balanceAfter"], &t[0]["orderId"]),
        (&json!("REVERSE"), &json!(-30), &json!(-1), &json!(0), &json!("SO-B")),
        "{returned}"
    );
    assert_eq!(record(&b, second).await["result"], "NOOP");
    let again = summary(&b, &id).await;
    assert_eq!((count_of(&again, "EARN"), count_of(&again, "REVERSE")), (2, 2), "{again}");
    assert_eq!(again, returned);
}

#[tokio::test]
async fn total_spent_has_one_entry_per_currency_and_only_the_tenant_currency_earns_points() {
    let b = backoffice().await;
    let id = customer(&b, "traveller").await;
    let who = by_id(&id);
    let mut dollars = order("SO-USD", &who, "PAID", "2026-02-03T10:00:00Z", "40.00");
    dollars["total"]["currencyCode"] = json!("USD");

    let p = record(&b, dollars.clone()).await;
    assert_eq!((&p["result"], &p["order"]["pointsEarned"]), (&json!("CREATED"), &json!(0)), "{p}");
    assert_eq!(p["order"]["total"]["currencyCode"], "USD");
    for (order_id, total) in [("SO-EUR-1", "100.00"), ("SO-EUR-2", "19.99")] {
        let p = record(&b, order(order_id, &who, "PAID", "2026-02-04T10:00:00Z", total)).await;
        assert_eq!(p["result"], "CREATED", "{p}");
    }

    let s = summary(&b, &id).await;
    assert_eq!(s["totalOrders"], 3, "{s}");
    assert_eq!(spent(&s), vec![money("EUR", "119.99"), money("USD", "40.00")], "{s}");
    assert_eq!(balance(&s), (100 + 19, 3), "points in EUR only (rounded down), a stamp per order: {s}");

    // The dollar order is cancelled: its currency leaves the totals.
    dollars["status"] = json!("CANCELLED");
    assert_eq!(record(&b, dollars).await["result"], "UPDATED");
    let s = summary(&b, &id).await;
    assert_eq!((&s["totalOrders"], spent(&s), balance(&s)), (&json!(2), eur("119.99"), (119, 2)), "{s}");
}

#[tokio::test]
async fn an_order_recorded_cancelled_counts_and_earns_nothing() {
    let b = backoffice().await;
    let id = customer(&b, "cancelled").await;
    let p = record(&b, order("SO-X", &by_id(&id), "CANCELLED", "2026-02-05T10:00:00Z", "99.00")).await;
    assert_eq!(p["result"], "CREATED", "{p}");
    assert_eq!(p["customer"]["totalOrders"], 0, "{p}");
    let s = summary(&b, &id).await;
    assert_eq!((&s["totalOrders"], spent(&s), balance(&s)), (&json!(0), nothing(), (0, 0)), "{s}");
    // It is in the history all the same.
    let resp = b
        .call(
            "query($id: ID!) { customer(id: $id) { orders { edges { node { orderId status } } } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(nodes(&resp["data"]["customer"]["orders"]), vec![json!({ "orderId": "SO-X", "status": "CANCELLED" })]);
}

#[tokio::test]
async fn a_tenant_without_loyalty_settings_counts_orders_but_earns_nothing() {
    let mut tenants: Value = serde_json::from_str(&crate::support::tenants_json()).unwrap();
    tenants["*"].as_object_mut().unwrap().remove("loyalty");
    let tenants = tenants.to_string();
    let b = backoffice_with(&[("TENANTS", &tenants)]).await;
    let id = customer(&b, "no-loyalty").await;

    let p = record(&b, order("SO-N", &by_id(&id), "COMPLETED", "2026-02-06T10:00:00Z", "120.50")).await;
    assert_eq!((&p["result"], &p["order"]["pointsEarned"]), (&json!("CREATED"), &json!(0)), "{p}");
    let s = summary(&b, &id).await;
    assert_eq!((&s["totalOrders"], spent(&s)), (&json!(1), eur("120.50")), "{s}");
    assert_eq!(balance(&s), (0, 0), "{s}");
    assert_eq!(s["loyalty"]["pointsEarned"], 0);
    assert_eq!(transactions(&s), Vec::<Value>::new(), "{s}");
}
