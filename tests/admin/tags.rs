//! Tags and notes: the back office's own fields, which the storefront
//! neither sees nor sets.

use super::*;
use crate::support::accounts::{PASSWORD, REGISTER};
use crate::support::{codes, email, top_error};

const FIELDS: &str = "customer { tags note } userErrors { code field }";

fn add(id: &str, tags: &[&str]) -> (String, Value) {
    let q = format!("mutation($id: ID!, $t: [String!]!) {{ addCustomerTags(identifier: {{ customerId: $id }}, tags: $t) {{ {FIELDS} }} }}");
    (q, json!({ "id": id, "t": tags }))
}

fn remove(id: &str, tags: &[&str]) -> (String, Value) {
    let q = format!("mutation($id: ID!, $t: [String!]!) {{ removeCustomerTags(identifier: {{ customerId: $id }}, tags: $t) {{ {FIELDS} }} }}");
    (q, json!({ "id": id, "t": tags }))
}

#[tokio::test]
async fn the_back_office_tags_and_notes_a_customer() {
    let b = backoffice().await;
    let q = "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id tags note } userErrors { code field } } }";
    let input =
        json!({ "email": email("tagged"), "tags": [" vip ", "wholesale", "vip"], "note": "Prefers phone calls." });
    let made = b.call(q, json!({ "input": input })).await["data"]["createCustomer"].clone();
    let id = made["customer"]["id"].as_str().unwrap_or_else(|| panic!("{made}")).to_string();
    assert_eq!(made["customer"]["tags"], json!(["vip", "wholesale"]), "trimmed, each once");
    assert_eq!(made["customer"]["note"], "Prefers phone calls.");

    let (q, v) = add(&id, &["b2b", "vip"]);
    let added = b.call(&q, v).await["data"]["addCustomerTags"].clone();
    assert_eq!(added["customer"]["tags"], json!(["vip", "wholesale", "b2b"]), "{added}");
    let (q, v) = remove(&id, &["wholesale", "not-there"]);
    let removed = b.call(&q, v).await["data"]["removeCustomerTags"].clone();
    assert_eq!(removed["customer"]["tags"], json!(["vip", "b2b"]), "{removed}");

    // Bad tags, and too many: nothing changes.
    let (q, v) = add(&id, &["ok", "", &"x".repeat(101)]);
    let bad = b.call(&q, v).await["data"]["addCustomerTags"].clone();
    let fields: Vec<&Value> = bad["userErrors"].as_array().unwrap().iter().map(|e| &e["field"]).collect();
    assert_eq!(fields, [&json!(["tags", "1"]), &json!(["tags", "2"])], "{bad}");
    let many: Vec<String> = (0..49).map(|i| format!("t{i}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let (q, v) = add(&id, &many);
    let over = b.call(&q, v).await["data"]["addCustomerTags"].clone();
    assert_eq!(over["userErrors"], json!([{ "code": "LIMIT_EXCEEDED", "field": ["tags"] }]), "{over}");
    // A body full of tags (a hundred thousand) is refused by its count.
    let flood: Vec<String> = (0..100_000).map(|i| format!("f{i}")).collect();
    let flood: Vec<&str> = flood.iter().map(String::as_str).collect();
    let (q, v) = add(&id, &flood);
    let refused = b.call(&q, v).await["data"]["addCustomerTags"].clone();
    assert_eq!(refused["userErrors"], json!([{ "code": "LIMIT_EXCEEDED", "field": ["tags"] }]), "{refused}");
    let read = b.call("query($id: ID!) { customer(id: $id) { tags note } }", json!({ "id": id })).await;
    assert_eq!(read["data"]["customer"]["tags"], json!(["vip", "b2b"]), "unchanged: {read}");

    // An update replaces the list, and null clears both.
    let q = format!("mutation($id: ID!, $input: AdminUpdateCustomerInput!) {{ updateCustomer(identifier: {{ customerId: $id }}, input: $input) {{ {FIELDS} }} }}");
    let replaced =
        b.call(&q, json!({ "id": id, "input": { "tags": ["gold"] } })).await["data"]["updateCustomer"].clone();
    assert_eq!(replaced["customer"]["tags"], json!(["gold"]), "{replaced}");
    let cleared = b.call(&q, json!({ "id": id, "input": { "tags": null, "note": null } })).await["data"]
        ["updateCustomer"]
        .clone();
    assert_eq!((&cleared["customer"]["tags"], &cleared["customer"]["note"]), (&json!([]), &Value::Null), "{cleared}");

    // A key that only reads cannot tag.
    let reader = mint(&b.svc, "default", &[Permission::CustomerRead]).await;
    let (q, v) = add(&id, &["sneaky"]);
    assert_eq!(top_error(&b.call_with(&reader, &q, v).await).as_deref(), Some("FORBIDDEN"));
}

#[tokio::test]
async fn the_storefront_neither_sees_nor_sets_tags_and_notes() {
    let b = backoffice().await;
    let account = account::app(b.svc.clone());
    let address = email("storefront-tags");
    let r = gql(&b.auth, REGISTER, json!({ "input": { "email": address, "password": PASSWORD } }), &[]).await;
    let id = r["data"]["registerCustomer"]["customer"]["id"].as_str().expect("registered").to_string();
    let me = [bearer(r["data"]["registerCustomer"]["session"]["accessToken"].as_str().unwrap())];
    let (q, v) = add(&id, &["fraud-watch"]);
    assert!(codes(&b.call(&q, v).await["data"]["addCustomerTags"]).is_empty());

    let seen = gql(&account, "{ customer { id tags } }", json!({}), &me).await;
    assert!(seen["errors"][0]["message"].as_str().is_some_and(|m| m.contains("tags")), "no such field: {seen}");
    let noted = gql(&account, "{ customer { id note } }", json!({}), &me).await;
    assert!(!noted["errors"].is_null(), "no such field: {noted}");
    let set = gql(
        &account,
        "mutation { updateCustomer(input: { tags: [\"vip\"] }) { userErrors { code } } }",
        json!({}),
        &me,
    )
    .await;
    assert!(!set["errors"].is_null(), "no such input field: {set}");
    let registered = gql(
        &b.auth,
        REGISTER,
        json!({ "input": { "email": email("self-tagged"), "password": PASSWORD, "tags": ["vip"] } }),
        &[],
    )
    .await;
    assert!(!registered["errors"].is_null(), "registration takes no tags: {registered}");
}
