//! `recordOrder`: created, replayed, changed, raced, refused.

use super::*;
use futures::future::join_all;

/// An order with every optional field, as an order system sends it.
fn full_order(order_id: &str, who: &Value) -> Value {
    json!({
        "orderId": order_id,
        "customer": who,
        "status": "PLACED",
        "placedAt": "2026-03-01T10:15:00Z",
        "total": { "amount": "120.50", "currencyCode": "EUR" },
        "orderNumber": "100-1001",
        "storeId": "berlin-1",
        "channel": "web",
        "paymentType": "card",
        "orderType": "delivery",
        "items": [
            { "sku": "MUG-1", "name": "Mug", "quantity": 2, "unitPrice": { "amount": "10.25", "currencyCode": "EUR" } },
            { "sku": "TEA-9", "quantity": 1 },
        ],
    })
}

#[tokio::test]
async fn an_order_is_created_then_replayed_as_noop_then_updated_when_it_changes() {
    let b = backoffice().await;
    let id = customer(&b, "buyer").await;
    let input = full_order("SO-1001", &by_id(&id));

    let created = record(&b, input.clone()).await;
    assert!(codes(&created).is_empty(), "{created}");
    assert_eq!(created["result"], "CREATED", "{created}");
    let o = &created["order"];
    assert!(o["id"].is_string(), "{created}");
    for (field, value) in [
        ("orderId", "SO-1001"),
        ("orderNumber", "100-1001"),
        ("storeId", "berlin-1"),
        ("channel", "web"),
        ("status", "PLACED"),
        ("paymentType", "card"),
        ("orderType", "delivery"),
    ] {
        assert_eq!(o[field], value, "{field}: {o}");
    }
    assert_eq!(at(&o["placedAt"]), at(&json!("2026-03-01T10:15:00Z")));
    assert_eq!((amount(&o["total"]), &o["total"]["currencyCode"]), ("120.5".to_string(), &json!("EUR")), "{o}");
    assert_eq!(o["pointsEarned"], 120, "120.50 EUR at 1 point per 1.00, rounded down");
    let items = o["items"].as_array().unwrap_or_else(|| panic!("{o}"));
    assert_eq!(items.len(), 2, "{o}");
    assert_eq!(
        (&items[0]["sku"], &items[0]["name"], &items[0]["quantity"]),
        (&json!("MUG-1"), &json!("Mug"), &json!(2))
    );
    assert!(same_amount(items[0]["unitPrice"]["amount"].as_str().unwrap(), "10.25"), "{o}");
    assert_eq!(items[0]["unitPrice"]["currencyCode"], "EUR");
    assert_eq!((&items[1]["sku"], &items[1]["quantity"]), (&json!("TEA-9"), &json!(1)));
    assert!(items[1]["name"].is_null() && items[1]["unitPrice"].is_null(), "{o}");
    assert_eq!(created["customer"]["id"], id.as_str());
    assert_eq!(created["customer"]["totalOrders"], 1);

    // The same input again: nothing written.
    let same = record(&b, input.clone()).await;
    assert_eq!(same["result"], "NOOP", "{same}");
    assert!(codes(&same).is_empty());
    assert_eq!(same["order"], created["order"], "the order as it was, updatedAt included");

    // The order system reports a new status.
    let mut paid = input;
    paid["status"] = json!("PAID");
    let updated = record(&b, paid.clone()).await;
    assert_eq!(updated["result"], "UPDATED", "{updated}");
    let u = &updated["order"];
    assert_eq!((&u["id"], &u["status"]), (&o["id"], &json!("PAID")));
    assert_eq!(at(&u["placedAt"]), at(&o["placedAt"]), "placedAt kept");
    assert!(at(&u["updatedAt"]) > at(&o["updatedAt"]), "updatedAt moves: {o} -> {u}");
    assert_eq!(u["pointsEarned"], 120, "a new status earns nothing more");
    assert_eq!(updated["customer"]["totalOrders"], 1);
    assert_eq!(record(&b, paid).await["result"], "NOOP");

    // Read back from the customer: the one order, as the payload showed it.
    let q = format!("query($id: ID!) {{ customer(id: $id) {{ orders {{ edges {{ node {{ {ORDER_FIELDS} }} }} }} }} }}");
    let resp = b.call(&q, json!({ "id": id })).await;
    assert!(resp["errors"].is_null(), "{resp}");
    assert_eq!(nodes(&resp["data"]["customer"]["orders"]), vec![u.clone()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_records_of_one_new_order_make_one_order_and_earn_once() {
    let b = backoffice().await;
    let id = customer(&b, "racer").await;
    let input = order("SO-RACE", &by_id(&id), "PLACED", "2026-03-02T12:00:00Z", "75.99");

    let results = join_all((0..8).map(|_| record(&b, input.clone()))).await;
    assert!(results.iter().all(|r| codes(r).is_empty()), "{results:?}");
    let created = results.iter().filter(|r| r["result"] == "CREATED").count();
    let noop = results.iter().filter(|r| r["result"] == "NOOP").count();
    assert_eq!((created, noop), (1, 7), "{results:?}");
    let ids: std::collections::HashSet<String> = results.iter().map(|r| r["order"]["id"].to_string()).collect();
    assert_eq!(ids.len(), 1, "one order: {results:?}");
    assert!(results.iter().all(|r| r["order"]["pointsEarned"] == 75), "{results:?}");

    let s = summary(&b, &id).await;
    assert_eq!(s["totalOrders"], 1, "{s}");
    assert_eq!(spent(&s), vec![money("EUR", "75.99")]);
    assert_eq!((&s["loyalty"]["pointsBalance"], &s["loyalty"]["stamps"]), (&json!(75), &json!(1)), "{s}");
    let earned: Vec<Value> = transactions(&s).into_iter().filter(|t| t["kind"] == "EARN").collect();
    assert_eq!(earned.len(), 1, "{s}");
    assert_eq!((&earned[0]["points"], &earned[0]["orderId"]), (&json!(75), &json!("SO-RACE")));
    assert_eq!(transactions(&s).len(), 1, "{s}");
}

#[tokio::test]
async fn an_order_of_one_customer_is_not_recorded_for_another() {
    let b = backoffice().await;
    let (first, second) = (customer(&b, "first").await, customer(&b, "second").await);
    let mine = order("SO-7", &by_id(&first), "PLACED", "2026-03-03T08:00:00Z", "50.00");
    assert_eq!(record(&b, mine.clone()).await["result"], "CREATED");
    let before = summary(&b, &first).await;

    for status in ["PLACED", "CANCELLED"] {
        let theirs = order("SO-7", &by_id(&second), status, "2026-03-03T08:00:00Z", "50.00");
        let p = record(&b, theirs).await;
        assert_eq!(user_error(&p), ("INVALID".to_string(), json!(["input", "orderId"])), "{p}");
        assert!(p["result"].is_null() && p["order"].is_null(), "{p}");
    }

    // The first customer's order is as it was; the second has none.
    assert_eq!(summary(&b, &first).await, before);
    let q = "query($id: ID!) { customer(id: $id) { orders { edges { node { orderId status total { amount } } } } } }";
    let resp = b.call(q, json!({ "id": first })).await;
    let orders = nodes(&resp["data"]["customer"]["orders"]);
    assert_eq!(orders.len(), 1, "{resp}");
    assert_eq!((&orders[0]["orderId"], &orders[0]["status"]), (&json!("SO-7"), &json!("PLACED")));
    assert_eq!(amount(&orders[0]["total"]), "50");
    let resp = b.call(q, json!({ "id": second })).await;
    assert_eq!(resp["data"]["customer"]["orders"]["edges"], json!([]), "{resp}");
    let other = summary(&b, &second).await;
    assert_eq!((&other["totalOrders"], &other["loyalty"]["pointsBalance"]), (&json!(0), &json!(0)), "{other}");
    assert_eq!(transactions(&other), Vec::<Value>::new());
    // The original owner records it again as usual.
    assert_eq!(record(&b, mine).await["result"], "NOOP");
}

#[tokio::test]
async fn unknown_customers_and_bad_money_are_explained_and_record_nothing() {
    let b = backoffice().await;
    let id = customer(&b, "careful").await;
    let placed = "2026-03-04T09:30:00Z";

    for who in [
        json!({ "email": email("nobody") }),
        json!({ "externalId": "crm-none" }),
        json!({ "ref": "R-none" }),
        json!({ "loyaltyId": "LD-none" }),
        json!({ "customerId": ulid::Ulid::new().to_string() }),
    ] {
        let p = record(&b, order("SO-BAD", &who, "PLACED", placed, "10.00")).await;
        assert_eq!(user_error(&p), ("NOT_FOUND".to_string(), json!(["input", "customer"])), "{who}: {p}");
        assert!(p["result"].is_null() && p["order"].is_null(), "{p}");
    }

    let mut bad = Vec::new();
    for text in ["abc", "-5", "", "1.2.3", "12,50"] {
        bad.push((json!({ "amount": text, "currencyCode": "EUR" }), json!(["input", "total", "amount"])));
    }
    for currency in ["EURO", "eu", ""] {
        bad.push((json!({ "amount": "10.00", "currencyCode": currency }), json!(["input", "total", "currencyCode"])));
    }
    for (total, field) in bad {
        let mut input = order("SO-BAD", &by_id(&id), "PLACED", placed, "0");
        input["total"] = total.clone();
        let p = record(&b, input).await;
        assert_eq!(user_error(&p), ("INVALID".to_string(), field), "{total}: {p}");
        assert!(p["result"].is_null() && p["order"].is_null(), "{p}");
    }

    // Nothing was recorded: no order, no points, and the order id is still free.
    let s = summary(&b, &id).await;
    assert_eq!((&s["totalOrders"], &s["loyalty"]["pointsBalance"]), (&json!(0), &json!(0)), "{s}");
    assert_eq!(spent(&s), Vec::<(String, String)>::new());
    let p = record(&b, order("SO-BAD", &by_id(&id), "PLACED", placed, "10.00")).await;
    assert_eq!(p["result"], "CREATED", "{p}");
}
