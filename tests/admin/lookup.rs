use super::*;
use crate::support::{email, top_error};

#[tokio::test]
async fn a_customer_is_found_by_each_identifier_and_exactly_one_is_required() {
    let b = backoffice().await;
    let address = email("Lookup");
    let c = b.create(json!({ "email": address, "ref": "ORD-4711", "externalId": "crm-42", "firstName": "Lou" })).await;
    let id = c["customer"]["id"].as_str().unwrap().to_string();
    for (arg, kind, value) in [
        ("id", "ID", id.clone()),
        ("email", "String", address.to_uppercase()),
        ("ref", "String", "ORD-4711".to_string()),
        ("externalId", "String", "crm-42".to_string()),
    ] {
        let q = format!("query($v: {kind}!) {{ customer({arg}: $v) {{ {FIELDS} }} }}");
        let resp = b.call(&q, json!({ "v": value })).await;
        assert_eq!(resp["data"]["customer"]["id"], id.as_str(), "{arg}: {resp}");
        assert_eq!(resp["data"]["customer"]["firstName"], "Lou");
    }
    let none = b.call("{ customer(ref: \"ORD-0000\") { id } }", json!({})).await;
    assert!(none["data"]["customer"].is_null() && none["errors"].is_null(), "{none}");

    for bad in ["{ customer { id } }", "{ customer(ref: \"ORD-4711\", externalId: \"crm-42\") { id } }"] {
        let resp = b.call(bad, json!({})).await;
        assert_eq!(top_error(&resp).as_deref(), Some("INVALID"), "{resp}");
        assert!(resp["errors"][0]["message"].as_str().unwrap().contains("exactly one"));
    }
}
