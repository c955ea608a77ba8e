//! Attributes with owners: the test shop defines `loyaltyTier` (STRING, the
//! back office's, shown), `internalScore` (INT, the back office's, hidden)
//! and `favouriteColour` (STRING, the customer's), and allows undefined keys.

use super::*;
use crate::support::accounts::{PASSWORD, REGISTER};
use crate::support::{codes, email};

const ADMIN_UPDATE: &str = "mutation($id: ID!, $input: AdminUpdateCustomerInput!) { updateCustomer(identifier: { customerId: $id }, input: $input) { customer { attributes { key value } } userErrors { code field } } }";
const OWN_UPDATE: &str = "mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { attributes { key value } } userErrors { code field } } }";
const OWN: &str = "{ customer { attributes { key value } } }";
const ADMIN_READ: &str = "query($id: ID!) { customer(id: $id) { attributes { key value } } }";

fn pairs(list: &[(&str, &str)]) -> Value {
    Value::Array(list.iter().map(|(k, v)| json!({ "key": k, "value": v })).collect())
}

#[tokio::test]
async fn the_customer_writes_and_sees_only_its_own_keys_and_the_back_office_keeps_its_own() {
    let bo = backoffice().await;
    let account = account::app(bo.svc.clone());

    // Registration may not set a back-office key: nothing is created.
    let address = email("attributes");
    let input =
        |attributes: Value| json!({ "input": { "email": address, "password": PASSWORD, "attributes": attributes } });
    let refused =
        gql(&bo.auth, REGISTER, input(pairs(&[("favouriteColour", "red"), ("loyaltyTier", "platinum")])), &[]).await;
    let p = &refused["data"]["registerCustomer"];
    assert_eq!(
        p["userErrors"],
        json!([{ "code": "INVALID", "field": ["input", "attributes", "1", "key"], "message": p["userErrors"][0]["message"] }])
    );
    assert!(p["customer"].is_null());
    let r = gql(&bo.auth, REGISTER, input(pairs(&[("favouriteColour", "red"), ("note", "hi")])), &[]).await;
    let id = r["data"]["registerCustomer"]["customer"]["id"].as_str().expect("registered").to_string();
    let me = [bearer(r["data"]["registerCustomer"]["session"]["accessToken"].as_str().unwrap())];

    // The back office sets its keys, typed.
    let bad = bo
        .call(ADMIN_UPDATE, json!({ "id": id, "input": { "attributes": pairs(&[("internalScore", "high")]) } }))
        .await;
    assert_eq!(
        bad["data"]["updateCustomer"]["userErrors"],
        json!([{ "code": "INVALID", "field": ["input", "attributes", "0", "value"] }])
    );
    let all = pairs(&[("loyaltyTier", "gold"), ("internalScore", "07"), ("favouriteColour", "red"), ("note", "hi")]);
    let set = bo.call(ADMIN_UPDATE, json!({ "id": id, "input": { "attributes": all } })).await;
    assert_eq!(
        set["data"]["updateCustomer"]["customer"]["attributes"],
        pairs(&[("loyaltyTier", "gold"), ("internalScore", "7"), ("favouriteColour", "red"), ("note", "hi")]),
        "{set}"
    );

    // The customer sees the shown keys only.
    let own = gql(&account, OWN, json!({}), &me).await;
    assert_eq!(
        own["data"]["customer"]["attributes"],
        pairs(&[("loyaltyTier", "gold"), ("favouriteColour", "red"), ("note", "hi")])
    );

    // The attack: the customer promotes itself. Refused, nothing changes.
    let promote = pairs(&[("loyaltyTier", "platinum")]);
    let attack = gql(&account, OWN_UPDATE, json!({ "input": { "attributes": promote } }), &me).await;
    assert_eq!(codes(&attack["data"]["updateCustomer"]), ["INVALID"], "{attack}");
    assert_eq!(attack["data"]["updateCustomer"]["userErrors"][0]["field"], json!(["input", "attributes", "0", "key"]));
    let hidden = pairs(&[("internalScore", "1000")]);
    let attack = gql(&account, OWN_UPDATE, json!({ "input": { "attributes": hidden } }), &me).await;
    assert_eq!(codes(&attack["data"]["updateCustomer"]), ["INVALID"], "{attack}");

    // Its own list replaces its own entries only; a shorter one, or null,
    // removes none of the back office's.
    let mine =
        gql(&account, OWN_UPDATE, json!({ "input": { "attributes": pairs(&[("favouriteColour", "blue")]) } }), &me)
            .await;
    assert_eq!(
        mine["data"]["updateCustomer"]["customer"]["attributes"],
        pairs(&[("loyaltyTier", "gold"), ("favouriteColour", "blue")])
    );
    let cleared = gql(&account, OWN_UPDATE, json!({ "input": { "attributes": null } }), &me).await;
    assert_eq!(cleared["data"]["updateCustomer"]["customer"]["attributes"], pairs(&[("loyaltyTier", "gold")]));
    let seen = bo.call(ADMIN_READ, json!({ "id": id })).await;
    assert_eq!(
        seen["data"]["customer"]["attributes"],
        pairs(&[("loyaltyTier", "gold"), ("internalScore", "7")]),
        "{seen}"
    );
}
