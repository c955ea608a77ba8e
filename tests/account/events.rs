//! Every sample event in `events/account/` runs through the handler with a
//! live access token in place of `ACCESS_TOKEN`.

use super::*;
use crate::support::{codes, event_names, run_event, top_error};

type Check = fn(&Value);

fn payload<'a>(r: &'a Value, op: &str) -> &'a Value {
    &r["data"][op]
}

const NEW_PASSWORD: &str = "purple elephants dance quietly";

/// In the order they run; `change-password` switches the password the later ones log in with.
const EXPECTED: &[(&str, Check)] = &[
    ("customer", |r| assert_eq!(payload(r, "customer")["email"], "events.customer@example.com", "{r}")),
    ("customer-no-credentials", |r| assert_eq!(top_error(r).as_deref(), Some("UNAUTHENTICATED"))),
    ("update-customer", |r| assert_eq!(payload(r, "updateCustomer")["customer"]["timezone"], "Europe/Berlin", "{r}")),
    ("update-customer-bad-input", |r| assert_eq!(codes(payload(r, "updateCustomer")), ["INVALID", "INVALID"], "{r}")),
    ("set-billing-address", |r| {
        assert_eq!(payload(r, "setBillingAddress")["customer"]["billingAddress"]["city"], "Berlin")
    }),
    ("add-delivery-address", |r| {
        assert!(payload(r, "addDeliveryAddress")["customer"]["defaultDeliveryAddressId"].is_string())
    }),
    ("update-delivery-address", |r| assert_eq!(codes(payload(r, "updateDeliveryAddress")), ["NOT_FOUND"])),
    ("remove-delivery-address", |r| assert_eq!(codes(payload(r, "removeDeliveryAddress")), ["NOT_FOUND"])),
    ("set-default-delivery-address", |r| assert_eq!(codes(payload(r, "setDefaultDeliveryAddress")), ["NOT_FOUND"])),
    ("add-to-wishlist", |r| {
        let list = &payload(r, "addToWishlist")["wishlist"];
        assert_eq!((&list["name"], &list["isDefault"]), (&json!("Wishlist"), &json!(true)), "{r}");
        assert_eq!(list["items"][0]["item"], "SKU-1001-BLUE-42", "{r}");
    }),
    ("create-wishlist", |r| assert_eq!(payload(r, "createWishlist")["wishlist"]["isDefault"], true, "{r}")),
    ("wishlists", |r| {
        let lists = &payload(r, "customer")["wishlists"];
        let names: Vec<(&Value, &Value)> =
            lists.as_array().into_iter().flatten().map(|l| (&l["name"], &l["isDefault"])).collect();
        assert_eq!(names, [(&json!("Wishlist"), &json!(false)), (&json!("Birthday"), &json!(true))], "{r}");
    }),
    ("change-password", |r| assert!(payload(r, "changePassword")["session"]["accessToken"].is_string(), "{r}")),
    ("request-email-change", |r| assert_eq!(payload(r, "requestEmailChange")["requested"], true, "{r}")),
    ("logout-all", |r| assert_eq!(payload(r, "logoutAll")["loggedOut"], true)),
    ("delete-account", |r| assert_eq!(payload(r, "deleteAccount")["deleted"], true, "{r}")),
];

#[tokio::test]
async fn every_account_event_runs_through_the_handler() {
    let mut covered: Vec<String> = EXPECTED.iter().map(|(n, _)| n.to_string()).collect();
    covered.sort();
    assert_eq!(event_names("account"), covered, "every event has an expectation here, and every expectation an event");

    let shop = shop(&[]).await;
    let email = "events.customer@example.com";
    let r = gql(&shop.auth, REGISTER, json!({ "input": { "email": email, "password": PASSWORD } }), &[]).await;
    assert!(codes(&r["data"]["registerCustomer"]).is_empty(), "{r}");
    let mut password = PASSWORD;
    for (name, check) in EXPECTED {
        let session = crate::support::accounts::login(&shop.auth, email, password, &[]).await;
        let token =
            session["session"]["accessToken"].as_str().unwrap_or_else(|| panic!("login before {name}: {session}"));
        check(&run_event(&shop.account, "account", name, &[("ACCESS_TOKEN", token)]).await);
        if *name == "change-password" {
            password = NEW_PASSWORD;
        }
    }
}
