//! Erasure takes the customer's orders and loyalty account with it: nothing
//! of them is left, their order ids are free again, and a new customer with
//! the same email starts from nothing.

use super::*;

/// Every item of `b`'s table that mentions `text` anywhere.
async fn items_mentioning(b: &Backoffice, text: &str) -> usize {
    crate::support::items_mentioning(&b.svc.config.table_name, text).await
}

const ORDERS: &str =
    "query($id: ID!) { customer(id: $id) { orders { edges { node { orderId total { amount currencyCode } } } } } }";

#[tokio::test]
async fn deleting_a_customer_erases_its_orders_and_loyalty() {
    let b = backoffice().await;
    let address = email("erased");
    let made = b.create(json!({ "email": address, "loyaltyId": "LD-ERASED" })).await;
    let gone = made["customer"]["id"].as_str().unwrap_or_else(|| panic!("{made}")).to_string();
    let mut input = order("SO-E1", &by_id(&gone), "COMPLETED", "2026-07-01T10:00:00Z", "100.00");
    input["items"] = json!([{ "sku": "SKU-E", "quantity": 1 }]);
    assert_eq!(record(&b, input).await["result"], "CREATED");
    assert!(codes(&adjust(&b, &by_id(&gone), 50, "erased-bonus").await).is_empty());
    assert!(codes(&redeem(&b, &by_id(&gone), 20, "erased-spend").await).is_empty());
    assert!(items_mentioning(&b, &gone).await >= 2, "profile and orders at least");

    let q = "mutation($id: ID!) { deleteCustomer(id: $id) { deleted userErrors { code } } }";
    let d = b.call(q, json!({ "id": gone })).await;
    assert_eq!(d["data"]["deleteCustomer"]["deleted"], true, "{d}");
    crate::support::settle(&b.svc).await;
    assert_eq!(items_mentioning(&b, &gone).await, 0, "nothing of the customer is left");
    assert_eq!(items_mentioning(&b, "SO-E1").await, 0, "nor its orders");
    assert_eq!(items_mentioning(&b, "LD-ERASED").await, 0, "nor its loyalty id");

    // The order id belongs to nobody now: recorded for another customer, it is new.
    let heir = customer(&b, "heir").await;
    let p = record(&b, order("SO-E1", &by_id(&heir), "PAID", "2026-07-02T10:00:00Z", "30.00")).await;
    assert!(codes(&p).is_empty(), "{p}");
    assert_eq!((&p["result"], &p["order"]["pointsEarned"]), (&json!("CREATED"), &json!(30)), "{p}");
    let resp = b.call(ORDERS, json!({ "id": heir })).await;
    let orders = nodes(&resp["data"]["customer"]["orders"]);
    assert_eq!(orders.len(), 1, "{resp}");
    assert_eq!(orders[0]["orderId"], "SO-E1");
    assert_eq!(amount(&orders[0]["total"]), "30", "its own order, not the erased one");
    let s = summary(&b, &heir).await;
    assert_eq!((&s["totalOrders"], &s["loyalty"]["pointsBalance"]), (&json!(1), &json!(30)), "{s}");

    // The email and the loyalty id register again, from nothing.
    let again = b.create(json!({ "email": address, "loyaltyId": "LD-ERASED" })).await;
    assert!(codes(&again).is_empty(), "{again}");
    let reborn = again["customer"]["id"].as_str().unwrap().to_string();
    assert_ne!(reborn, gone);
    let s = summary(&b, &reborn).await;
    assert_eq!(s["totalOrders"], 0, "{s}");
    assert_eq!(spent(&s), Vec::<(String, String)>::new());
    let l = &s["loyalty"];
    assert_eq!(
        (&l["pointsBalance"], &l["pointsEarned"], &l["pointsRedeemed"], &l["stamps"]),
        (&json!(0), &json!(0), &json!(0), &json!(0)),
        "{s}"
    );
    assert_eq!(transactions(&s), Vec::<Value>::new());
    assert_eq!(b.call(ORDERS, json!({ "id": reborn })).await["data"]["customer"]["orders"]["edges"], json!([]));
    // Its idempotency keys are the new customer's to use: they move its points.
    let p = adjust(&b, &by_id(&reborn), 7, "erased-bonus").await;
    assert_eq!(p["loyalty"]["pointsBalance"], 7, "{p}");
}
