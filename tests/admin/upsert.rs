use super::*;
use crate::support::{codes, email};
use futures::future::join_all;

const UPSERT: &str = "mutation($input: UpsertCustomerInput!) { upsertCustomer(input: $input) { result customer { id email ref externalId firstName version } userErrors { code field message } } }";

async fn upsert(b: &Backoffice, identifier: Value, on_create: Value, on_update: Value) -> Value {
    let input = json!({ "identifier": identifier, "onCreate": on_create, "onUpdate": on_update });
    let resp = b.call(UPSERT, json!({ "input": input })).await;
    assert!(resp["errors"].is_null(), "{resp}");
    resp["data"]["upsertCustomer"].clone()
}

#[tokio::test]
async fn created_then_noop_then_updated_for_every_identifier_kind() {
    let b = backoffice().await;
    let address = email("upsert");
    let cases = [
        (json!({ "email": address }), json!({ "email": address, "firstName": "Una" })),
        (json!({ "externalId": "crm-7" }), json!({ "email": email("x"), "firstName": "Una" })),
        (json!({ "ref": "ORD-7" }), json!({ "email": email("r"), "firstName": "Una" })),
        (json!({ "customerId": ulid_like() }), json!({ "email": email("i"), "firstName": "Una" })),
    ];
    for (identifier, on_create) in cases {
        let first = upsert(&b, identifier.clone(), on_create.clone(), json!({ "firstName": "Una" })).await;
        assert_eq!(first["result"], "CREATED", "{identifier}: {first}");
        let id = first["customer"]["id"].clone();
        let version = first["customer"]["version"].clone();

        let same = upsert(&b, identifier.clone(), on_create.clone(), json!({ "firstName": "Una" })).await;
        assert_eq!(same["result"], "NOOP", "{identifier}: {same}");
        assert_eq!((&same["customer"]["id"], &same["customer"]["version"]), (&id, &version), "nothing written");

        let changed = upsert(&b, identifier.clone(), on_create, json!({ "firstName": "Ula" })).await;
        assert_eq!(changed["result"], "UPDATED");
        assert_eq!(changed["customer"]["firstName"], "Ula");
        assert_eq!(changed["customer"]["id"], id);
    }
    // The identifier's value is what the new customer gets.
    let made = b.call("{ customer(externalId: \"crm-7\") { externalId } }", json!({})).await;
    assert_eq!(made["data"]["customer"]["externalId"], "crm-7");
}

fn ulid_like() -> String {
    ulid::Ulid::new().to_string()
}

#[tokio::test]
async fn concurrent_upserts_of_one_new_identifier_create_exactly_one_customer() {
    let b = backoffice().await;
    for identifier in [json!({ "externalId": "race-1" }), json!({ "email": email("race") })] {
        let on_create = match identifier.get("email") {
            Some(e) => json!({ "email": e, "firstName": "Rae" }),
            None => json!({ "email": email("race-x"), "firstName": "Rae" }),
        };
        // Each call makes its own email for onCreate where the identifier is not the email;
        // the identifier alone decides who the customer is.
        let calls = (0..8).map(|i| {
            let (b, identifier) = (&b, identifier.clone());
            let on_create = if identifier.get("email").is_some() {
                on_create.clone()
            } else {
                json!({ "email": email(&format!("race-{i}")), "firstName": "Rae" })
            };
            async move { upsert(b, identifier, on_create, json!({ "title": format!("T{i}") })).await }
        });
        let results = join_all(calls).await;
        let created = results.iter().filter(|r| r["result"] == "CREATED").count();
        assert_eq!(created, 1, "{identifier}: {results:?}");
        assert!(results.iter().all(|r| codes(r).is_empty()), "{results:?}");
        let ids: std::collections::HashSet<&Value> = results.iter().map(|r| &r["customer"]["id"]).collect();
        assert_eq!(ids.len(), 1, "one customer for {identifier}");
    }
    let all = b.call("{ customers(first: 100) { edges { node { id } } } }", json!({})).await;
    assert_eq!(all["data"]["customers"]["edges"].as_array().unwrap().len(), 2, "no stray customers");
}

#[tokio::test]
async fn bad_upserts_are_explained() {
    let b = backoffice().await;
    let p = upsert(&b, json!({}), json!({ "email": email("a") }), json!({})).await;
    assert_eq!(codes(&p), ["INVALID"]);
    assert_eq!(p["userErrors"][0]["field"], json!(["input", "identifier"]));
    let p = upsert(&b, json!({ "email": email("a") }), json!({ "email": email("b") }), json!({})).await;
    assert_eq!(codes(&p), ["INVALID"]);
    assert_eq!(p["userErrors"][0]["field"], json!(["input", "onCreate", "email"]));
    let p = upsert(&b, json!({ "ref": "R-9" }), json!({ "email": "bad" }), json!({})).await;
    assert_eq!(p["userErrors"][0]["field"], json!(["input", "onCreate", "email"]));
    upsert(&b, json!({ "ref": "R-9" }), json!({ "email": email("ok") }), json!({})).await;
    let p =
        upsert(&b, json!({ "ref": "R-9" }), json!({ "email": email("ok") }), json!({ "timezone": "Nowhere" })).await;
    assert_eq!(p["userErrors"][0]["field"], json!(["input", "onUpdate", "timezone"]));
    assert_eq!(p["result"], Value::Null);
}
