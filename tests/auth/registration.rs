use super::*;
use crate::support::{codes, email, mail, tenant};
use futures::future::join_all;

#[tokio::test]
async fn registration_stores_the_profile_opens_a_session_and_mails_a_confirmation() {
    let app = app(&[]).await;
    let address = email("Ada.Lovelace");
    let input = json!({
        "email": format!("  {address}  "),
        "password": PASSWORD,
        "firstName": "Ada", "lastName": "Lovelace",
        "phoneNumber": "+44 20 7946 0958",
        "birthdate": "1985-12-10",
        "gender": "FEMALE", "languageCode": "en_gb", "countryCode": "gb",
        "billingAddress": { "street": "St James's Square", "streetNumber": "12", "postalCode": "SW1Y 4JH", "city": "London", "countryCode": "GB" },
        "consents": [{ "key": "marketing_email", "granted": true }],
        "attributes": [{ "key": "source", "value": "storefront" }],
    });
    let resp = gql(&app, REGISTER, json!({ "input": input }), &[]).await;
    let p = &resp["data"]["registerCustomer"];
    assert_eq!(codes(p), Vec::<String>::new(), "{resp}");
    let c = &p["customer"];
    assert_eq!(c["email"], address.as_str(), "trimmed, case kept");
    assert_eq!(c["emailVerified"], false);
    assert_eq!(c["phoneNumber"], "+442079460958");
    assert_eq!(c["birthdate"], "1985-12-10");
    assert_eq!(c["languageCode"], "en-GB");
    assert_eq!(c["countryCode"], "GB");
    assert_eq!(c["status"], "ACTIVE");
    assert_eq!(c["billingAddress"]["city"], "London");
    assert_eq!(c["consents"][0]["key"], "marketing_email");
    assert_eq!(c["attributes"][0]["value"], "storefront");
    assert_eq!(c["newsletter"]["status"], "UNSUBSCRIBED");
    assert_eq!(c["version"], 1);
    assert_eq!(c["customerNumber"], "000001");
    assert!(p["session"]["accessToken"].as_str().is_some_and(|t| t.split('.').count() == 3));
    assert!(p["session"]["refreshToken"].as_str().is_some());

    let m = mail::nth_to(&address, 1).await;
    assert_eq!(m.from, "shop@example.com");
    assert!(m.subject.contains("Test Shop"), "{}", m.subject);
    assert!(m.link().starts_with("http://localhost:3000/confirm-email?token="), "{}", m.link());
    assert!(m.html.contains("confirm-email?token="));
    assert!(m.text.contains("Ada"));

    // The sequence goes on per tenant.
    let second = register(&app, &email("second"), &[]).await;
    assert_eq!(second["customer"]["customerNumber"], "000002");
    let other_tenant = register(&app, &email("third"), &[tenant("other-shop")]).await;
    assert_eq!(other_tenant["customer"]["customerNumber"], "000001");
}

#[tokio::test]
async fn login_on_success_false_returns_no_session() {
    let app = app(&[]).await;
    let input = json!({ "email": email("nosession"), "password": PASSWORD, "loginOnSuccess": false });
    let resp = gql(&app, REGISTER, json!({ "input": input }), &[]).await;
    let p = &resp["data"]["registerCustomer"];
    assert!(p["customer"]["id"].is_string());
    assert!(p["session"].is_null());
    assert!(p["customer"]["lastLoginAt"].is_null());
}

#[tokio::test]
async fn bad_input_gets_every_error_with_its_path_and_stores_nothing() {
    let app = app(&[]).await;
    let address = email("bad");
    let input = json!({
        "email": address, "password": "short",
        "phoneNumber": "0301234", "countryCode": "XX", "languageCode": "german",
        "birthdate": "2999-01-01", "firstName": "x".repeat(101),
        "billingAddress": { "street": "Main St", "city": "x".repeat(201), "countryCode": "ZZ", "phone": "12" },
        "consents": [{ "key": "a b", "granted": true }],
    });
    let resp = gql(&app, REGISTER, json!({ "input": input }), &[]).await;
    let p = &resp["data"]["registerCustomer"];
    assert!(p["customer"].is_null());
    let errors: Vec<(String, Value)> = p["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["code"].as_str().unwrap().to_string(), e["field"].clone()))
        .collect();
    let has = |code: &str, field: Value| errors.iter().any(|(c, f)| c == code && *f == field);
    assert!(has("TOO_SHORT", json!(["input", "password"])), "{errors:?}");
    assert!(has("INVALID", json!(["input", "phoneNumber"])), "{errors:?}");
    assert!(has("INVALID", json!(["input", "countryCode"])), "{errors:?}");
    assert!(has("INVALID", json!(["input", "languageCode"])), "{errors:?}");
    assert!(has("INVALID", json!(["input", "birthdate"])), "{errors:?}");
    assert!(has("TOO_LONG", json!(["input", "firstName"])), "{errors:?}");
    assert!(has("TOO_LONG", json!(["input", "billingAddress", "city"])), "{errors:?}");
    assert!(has("INVALID", json!(["input", "billingAddress", "phone"])), "{errors:?}");
    assert!(has("INVALID", json!(["input", "billingAddress", "countryCode"])), "{errors:?}");
    assert!(has("INVALID", json!(["input", "consents", "0", "key"])), "{errors:?}");

    // Nothing was stored: the address is still free, and no mail went out.
    crate::support::settle(app.services()).await;
    assert!(mail::sent_to(&address).await.is_empty());
    let ok = register(&app, &address, &[]).await;
    assert_eq!(codes(&ok), Vec::<String>::new(), "{ok}");

    let bad_email = gql(&app, REGISTER, json!({ "input": { "email": "no-at-sign", "password": PASSWORD } }), &[]).await;
    let p = &bad_email["data"]["registerCustomer"];
    assert_eq!(codes(p), ["INVALID"]);
    assert_eq!(p["userErrors"][0]["field"], json!(["input", "email"]));
}

#[tokio::test]
async fn guessable_passwords_are_too_weak() {
    let app = app(&[]).await;
    for weak in ["password1234", "qwertyuiop123", "LovelaceAda1"] {
        let input = json!({ "email": email("weak"), "password": weak, "firstName": "Ada", "lastName": "Lovelace" });
        let resp = gql(&app, REGISTER, json!({ "input": input }), &[]).await;
        let p = &resp["data"]["registerCustomer"];
        assert_eq!(codes(p), ["PASSWORD_TOO_WEAK"], "{weak}: {p}");
        assert_eq!(p["userErrors"][0]["field"], json!(["input", "password"]));
    }
}

#[tokio::test]
async fn an_email_is_taken_whatever_its_case_but_only_within_its_tenant() {
    let app = app(&[]).await;
    let address = email("taken");
    assert!(codes(&register(&app, &address, &[]).await).is_empty());
    let again = register(&app, &address.to_uppercase(), &[]).await;
    assert_eq!(codes(&again), ["TAKEN"]);
    assert_eq!(again["userErrors"][0]["field"], json!(["input", "email"]));
    assert!(again["customer"].is_null());
    let elsewhere = register(&app, &address, &[tenant("another-shop")]).await;
    assert!(codes(&elsewhere).is_empty(), "{elsewhere}");
}

#[tokio::test]
async fn concurrent_registrations_of_one_email_create_exactly_one_customer() {
    // Twelve at once against a budget of five mails an hour: the budget is
    // taken in the registration's transaction, so only the one that wins
    // spends it (a refused registration taking the mail of the winner left
    // the new customer without a confirmation).
    let app = app(&[("MAILS_PER_ADDRESS_PER_HOUR", "5")]).await;
    let address = email("race");
    let attempts = join_all((0..12).map(|i| {
        let variant = if i % 2 == 0 { address.clone() } else { address.to_uppercase() };
        let app = &app;
        async move { register(app, &variant, &[]).await }
    }))
    .await;
    let created: Vec<&Value> = attempts.iter().filter(|p| p["customer"]["id"].is_string()).collect();
    let taken = attempts.iter().filter(|p| codes(p) == ["TAKEN"]).count();
    assert_eq!(created.len(), 1, "{attempts:?}");
    assert_eq!(taken, 11, "{attempts:?}");
    // The one customer can log in; only one confirmation mail went out.
    let l = login(&app, &address, PASSWORD, &[]).await;
    assert_eq!(l["customer"]["id"], created[0]["customer"]["id"]);
    crate::support::settle(app.services()).await;
    assert_eq!(mail::sent_to(&address).await.len(), 1);
    // And four of the five mails are left: the refused registrations took none.
    let resend = "mutation($e: String!) { resendEmailConfirmation(email: $e) { requested } }";
    for _ in 0..6 {
        gql(&app, resend, json!({ "e": address }), &[]).await;
    }
    crate::support::settle(app.services()).await;
    assert_eq!(mail::sent_to(&address).await.len(), 5, "the confirmation and four resent ones");
}

#[tokio::test]
async fn an_invalid_tenant_header_is_refused() {
    let app = app(&[]).await;
    let resp = crate::support::post(
        &app,
        serde_json::to_vec(&json!({ "query": "{ passwordPolicy { minLength } }" })).unwrap(),
        &[tenant("Not_A_Tenant")],
    )
    .await;
    assert_eq!(resp.0, 400);
    assert_eq!(crate::support::top_error(&resp.1).as_deref(), Some("BAD_REQUEST"));
}

#[tokio::test]
async fn password_policy_is_published() {
    let app = app(&[]).await;
    let resp =
        gql(&app, "{ passwordPolicy { minLength maxLength minStrength rejectsPersonalData } }", json!({}), &[]).await;
    assert_eq!(
        resp["data"]["passwordPolicy"],
        json!({ "minLength": 10, "maxLength": 128, "minStrength": 3, "rejectsPersonalData": true })
    );
}
