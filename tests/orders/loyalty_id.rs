//! `loyaltyId`: set by the back office, unique per tenant, and a way to name
//! a customer everywhere (lookup, filter, `CustomerIdentifierInput`).

use super::*;

const UPDATE: &str = "mutation($i: CustomerIdentifierInput!, $input: AdminUpdateCustomerInput!) { updateCustomer(identifier: $i, input: $input) { customer { id loyaltyId } userErrors { code field message } } }";

const BY_LOYALTY_ID: &str =
    "query($l: String!) { customer(loyaltyId: $l) { id loyaltyId loyalty { loyaltyId pointsBalance } } }";

async fn found(b: &Backoffice, loyalty_id: &str) -> Value {
    let resp = b.call(BY_LOYALTY_ID, json!({ "l": loyalty_id })).await;
    assert!(resp["errors"].is_null(), "{resp}");
    resp["data"]["customer"].clone()
}

#[tokio::test]
async fn a_loyalty_id_is_unique_per_tenant_and_names_the_customer_everywhere() {
    let b = backoffice().await;
    let address = email("member");
    let made = b.create(json!({ "email": address, "loyaltyId": "LD-1001" })).await;
    assert!(codes(&made).is_empty(), "{made}");
    let id = made["customer"]["id"].as_str().unwrap().to_string();
    let other = customer(&b, "other-member").await;

    // Lookup, and the loyalty account shows it.
    let c = found(&b, "LD-1001").await;
    assert_eq!((c["id"].as_str(), c["loyaltyId"].as_str()), (Some(id.as_str()), Some("LD-1001")), "{c}");
    assert_eq!(c["loyalty"]["loyaltyId"], "LD-1001", "{c}");
    assert!(found(&b, "LD-0000").await.is_null());

    // Taken, in creation and in an update.
    let p = b.create(json!({ "email": email("copycat"), "loyaltyId": "LD-1001" })).await;
    assert_eq!(user_error(&p), ("TAKEN".to_string(), json!(["input", "loyaltyId"])), "{p}");
    let p = b.call(UPDATE, json!({ "i": by_id(&other), "input": { "loyaltyId": "LD-1001" } })).await;
    let p = &p["data"]["updateCustomer"];
    assert_eq!(user_error(p), ("TAKEN".to_string(), json!(["input", "loyaltyId"])), "{p}");
    let p = b.call(UPDATE, json!({ "i": by_id(&other), "input": { "loyaltyId": "LD-2002" } })).await;
    assert_eq!(p["data"]["updateCustomer"]["customer"]["loyaltyId"], "LD-2002", "{p}");
    assert_eq!(found(&b, "LD-2002").await["id"], other.as_str());

    // The filter of `customers`.
    let q = "query($l: String) { customers(filter: { loyaltyId: $l }) { edges { node { id loyaltyId } } } }";
    let resp = b.call(q, json!({ "l": "LD-1001" })).await;
    assert_eq!(nodes(&resp["data"]["customers"]), vec![json!({ "id": id, "loyaltyId": "LD-1001" })], "{resp}");

    // As the customer of an order and of a points adjustment.
    let member = json!({ "loyaltyId": "LD-1001" });
    let p = record(&b, order("SO-LD-1", &member, "PAID", "2026-05-01T10:00:00Z", "42.00")).await;
    assert_eq!((&p["result"], &p["customer"]["id"]), (&json!("CREATED"), &json!(id)), "{p}");
    let p = adjust(&b, &member, 8, "ld-bonus").await;
    assert!(codes(&p).is_empty(), "{p}");
    assert_eq!(found(&b, "LD-1001").await["loyalty"]["pointsBalance"], 42 + 8);
    let p =
        record(&b, order("SO-LD-2", &json!({ "loyaltyId": "LD-0000" }), "PAID", "2026-05-01T10:00:00Z", "1.00")).await;
    assert_eq!(user_error(&p), ("NOT_FOUND".to_string(), json!(["input", "customer"])), "{p}");

    // A loyalty id that moves frees the old one.
    let p = b.call(UPDATE, json!({ "i": { "loyaltyId": "LD-1001" }, "input": { "loyaltyId": "LD-3003" } })).await;
    assert_eq!(p["data"]["updateCustomer"]["customer"]["id"], id.as_str(), "{p}");
    assert!(found(&b, "LD-1001").await.is_null());
    assert_eq!(found(&b, "LD-3003").await["id"], id.as_str());
    let p = b.create(json!({ "email": email("newcomer"), "loyaltyId": "LD-1001" })).await;
    assert!(codes(&p).is_empty(), "LD-1001 is free: {p}");

    // Another tenant has loyalty ids of its own.
    let theirs = mint(&b.svc, "other-shop", &Permission::ALL).await;
    let q = "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } userErrors { code } } }";
    let p = b.call_with(&theirs, q, json!({ "input": { "email": address, "loyaltyId": "LD-3003" } })).await;
    assert!(codes(&p["data"]["createCustomer"]).is_empty(), "{p}");
    assert_eq!(found(&b, "LD-3003").await["id"], id.as_str(), "still ours in this tenant");
}
