use super::*;
use crate::support::accounts::{login, PASSWORD};
use crate::support::{codes, email, mail, top_error, SHOP_URL};

#[tokio::test]
async fn create_without_password_then_the_invite_sets_one() {
    let b = backoffice().await;
    let address = email("invited");
    let p = b
        .create(json!({
            "email": address, "firstName": "Ines", "ref": "R-100", "externalId": "X-100",
            "status": "ACTIVE", "emailVerified": true, "sendInvite": true, "timezone": "Europe/Madrid",
            "cellPhoneNumber": "+34 600 123 456",
        }))
        .await;
    assert!(codes(&p).is_empty(), "{p}");
    let c = &p["customer"];
    assert_eq!((c["ref"].as_str(), c["externalId"].as_str()), (Some("R-100"), Some("X-100")));
    assert_eq!(c["emailVerified"], true);
    assert_eq!(codes(&login(&b.auth, &address, PASSWORD, &[]).await), ["INVALID_CREDENTIALS"], "no password yet");

    let invite = mail::nth_to(&address, 1).await;
    assert!(invite.link().starts_with(&format!("{SHOP_URL}/reset-password?token=")), "{}", invite.link());
    let q = "mutation($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) { changed userErrors { code } } }";
    let r = gql(&b.auth, q, json!({ "t": invite.token(), "p": PASSWORD }), &[]).await;
    assert_eq!(r["data"]["resetPassword"]["changed"], true, "{r}");
    assert!(codes(&login(&b.auth, &address, PASSWORD, &[]).await).is_empty());
}

#[tokio::test]
async fn create_refuses_taken_values_and_bad_input_with_paths() {
    let b = backoffice().await;
    let address = email("first");
    assert!(codes(&b.create(json!({ "email": address, "ref": "R-1", "externalId": "X-1" })).await).is_empty());
    for (input, field) in [
        (json!({ "email": address.to_uppercase() }), "email"),
        (json!({ "email": email("b"), "ref": "R-1" }), "ref"),
        (json!({ "email": email("c"), "externalId": "X-1" }), "externalId"),
    ] {
        let p = b.create(input).await;
        assert_eq!(codes(&p), ["TAKEN"], "{p}");
        assert_eq!(p["userErrors"][0]["field"], json!(["input", field]));
    }
    let p = b.create(json!({ "email": "nope", "password": "short", "ref": "50%", "phoneNumber": "1" })).await;
    let fields: Vec<Value> = p["userErrors"].as_array().unwrap().iter().map(|e| e["field"].clone()).collect();
    for f in ["email", "password", "ref", "phoneNumber"] {
        assert!(fields.contains(&json!(["input", f])), "{f}: {p}");
    }
}

const UPDATE: &str = "mutation($i: CustomerIdentifierInput!, $input: AdminUpdateCustomerInput!, $v: Int) { updateCustomer(identifier: $i, input: $input, expectedVersion: $v) { customer { id email emailVerified ref externalId firstName title status version } userErrors { code field message } } }";

#[tokio::test]
async fn update_by_any_identifier_moves_unique_values_and_respects_versions() {
    let b = backoffice().await;
    let address = email("upd");
    let c = b.create(json!({ "email": address, "password": PASSWORD, "ref": "R-1", "externalId": "X-1" })).await;
    let id = c["customer"]["id"].as_str().unwrap().to_string();
    b.create(json!({ "email": email("other"), "ref": "R-TAKEN" })).await;
    let update = |i: Value, input: Value, v: Option<i64>| {
        let b = &b;
        async move { b.call(UPDATE, json!({ "i": i, "input": input, "v": v })).await["data"]["updateCustomer"].clone() }
    };

    let p = update(json!({ "ref": "R-1" }), json!({ "firstName": "Ref" }), None).await;
    assert_eq!(p["customer"]["firstName"], "Ref", "{p}");
    let p = update(json!({ "externalId": "X-1" }), json!({ "title": "Dr" }), Some(2)).await;
    assert_eq!(p["customer"]["version"], 3, "{p}");
    let p = update(json!({ "email": address }), json!({ "title": "Prof" }), Some(2)).await;
    assert_eq!(codes(&p), ["VERSION_CONFLICT"]);

    // The ref moves: the new one finds the customer, the old one nothing; a taken one is refused.
    let p = update(json!({ "customerId": id }), json!({ "ref": "R-2" }), None).await;
    assert_eq!(p["customer"]["ref"], "R-2");
    assert!(b.call("{ customer(ref: \"R-1\") { id } }", json!({})).await["data"]["customer"].is_null());
    assert_eq!(b.call("{ customer(ref: \"R-2\") { id } }", json!({})).await["data"]["customer"]["id"], id.as_str());
    let p = update(json!({ "customerId": id }), json!({ "ref": "R-TAKEN" }), None).await;
    assert_eq!(codes(&p), ["TAKEN"]);
    assert_eq!(p["userErrors"][0]["field"], json!(["input", "ref"]));
    assert!(
        b.create(json!({ "email": email("reuse"), "ref": "R-1" })).await["customer"]["id"].is_string(),
        "R-1 is free"
    );

    // A new email: unverified, and the customer logs in with it.
    let new_address = email("renamed");
    let p = update(json!({ "customerId": id }), json!({ "email": new_address, "externalId": null }), None).await;
    assert_eq!(
        (p["customer"]["email"].as_str(), p["customer"]["emailVerified"].as_bool()),
        (Some(new_address.as_str()), Some(false))
    );
    assert!(p["customer"]["externalId"].is_null());
    assert!(codes(&login(&b.auth, &new_address, PASSWORD, &[]).await).is_empty());
    assert_eq!(codes(&login(&b.auth, &address, PASSWORD, &[]).await), ["INVALID_CREDENTIALS"]);

    let p = update(json!({ "customerId": id }), json!({ "email": null }), None).await;
    assert_eq!(codes(&p), ["REQUIRED"]);
    let p = update(json!({ "ref": "R-NONE" }), json!({ "title": "x" }), None).await;
    assert_eq!(codes(&p), ["NOT_FOUND"]);
    assert_eq!(p["userErrors"][0]["field"], json!(["identifier"]));
    let p = update(json!({ "ref": "R-2", "email": new_address }), json!({ "title": "x" }), None).await;
    assert_eq!(codes(&p), ["INVALID"]);
}

#[tokio::test]
async fn inactive_blocks_login_and_ends_sessions_and_delete_erases() {
    let b = backoffice().await;
    let address = email("status");
    let c = b.create(json!({ "email": address, "password": PASSWORD })).await;
    let id = c["customer"]["id"].as_str().unwrap().to_string();
    let session = login(&b.auth, &address, PASSWORD, &[]).await["session"].clone();
    let account = account::app(b.svc.clone());
    let me = |token: String| {
        let account = &account;
        async move { gql(account, "{ customer { id } }", json!({}), &[bearer(&token)]).await }
    };
    assert_eq!(me(session["accessToken"].as_str().unwrap().into()).await["data"]["customer"]["id"], id.as_str());

    let q = "mutation($id: ID!, $s: CustomerStatus!) { setCustomerStatus(id: $id, status: $s) { customer { status } userErrors { code } } }";
    let p = b.call(q, json!({ "id": id, "s": "INACTIVE" })).await;
    assert_eq!(p["data"]["setCustomerStatus"]["customer"]["status"], "INACTIVE");
    assert_eq!(codes(&login(&b.auth, &address, PASSWORD, &[]).await), ["ACCOUNT_DISABLED"]);
    assert_eq!(
        top_error(&me(session["accessToken"].as_str().unwrap().into()).await).as_deref(),
        Some("UNAUTHENTICATED")
    );
    b.call(q, json!({ "id": id, "s": "ACTIVE" })).await;
    assert!(codes(&login(&b.auth, &address, PASSWORD, &[]).await).is_empty());

    let q = "mutation($id: ID!) { deleteCustomer(id: $id) { deleted userErrors { code field } } }";
    assert_eq!(b.call(q, json!({ "id": id })).await["data"]["deleteCustomer"]["deleted"], true);
    crate::support::settle(&b.svc).await;
    let again = b.call(q, json!({ "id": id })).await["data"]["deleteCustomer"].clone();
    assert_eq!(codes(&again), ["NOT_FOUND"]);
    assert_eq!(again["userErrors"][0]["field"], json!(["id"]));
    assert!(
        b.call("query($id: ID!) { customer(id: $id) { id } }", json!({ "id": id })).await["data"]["customer"].is_null()
    );
    assert!(codes(&b.create(json!({ "email": address })).await).is_empty(), "the email is free");
}
