//! A storefront's account flow over HTTP against the real function binaries
//! under `cargo lambda watch`.

use super::CUSTOMER;
use crate::support::accounts::{PASSWORD, REGISTER};
use crate::support::watch::Watch;
use crate::support::{aws, bearer, codes, email, top_error, unique, JWT_PRIVATE_KEY, JWT_PUBLIC_KEY};
use serde_json::json;

#[tokio::test]
async fn register_update_addresses_change_password_over_http() {
    let table = unique("e2e");
    shared::store::table::create_table(&aws_sdk_dynamodb::Client::new(&aws().await), &table).await.unwrap();
    let watch = Watch::start(&[
        ("TABLE_NAME", table),
        ("JWT_PRIVATE_KEYS", JWT_PRIVATE_KEY.to_string()),
        ("JWT_PUBLIC_KEYS", JWT_PUBLIC_KEY.to_string()),
    ])
    .await;

    let address = email("account-e2e");
    let r = watch.gql("auth", REGISTER, json!({ "input": { "email": address, "password": PASSWORD } }), &[]).await;
    let old = r["data"]["registerCustomer"]["session"]["accessToken"].as_str().expect("session").to_string();
    let me = [bearer(&old)];

    let q = "mutation($i: UpdateCustomerInput!) { updateCustomer(input: $i) { customer { firstName birthdate } userErrors { code } } }";
    let u = watch.gql("account", q, json!({ "i": { "firstName": "Robin", "birthdate": "1988-08-08" } }), &me).await;
    assert_eq!(u["data"]["updateCustomer"]["customer"]["birthdate"], "1988-08-08", "{u}");

    let q = "mutation($a: AddressInput!) { setBillingAddress(address: $a) { userErrors { code } } }";
    let b = watch
        .gql("account", q, json!({ "a": { "street": "Rue de Rivoli", "city": "Paris", "countryCode": "FR" } }), &me)
        .await;
    assert!(codes(&b["data"]["setBillingAddress"]).is_empty(), "{b}");
    let q = "mutation($a: AddressInput!) { addDeliveryAddress(address: $a) { userErrors { code } } }";
    for city in ["Lyon", "Nice"] {
        let d =
            watch.gql("account", q, json!({ "a": { "street": "Quai", "city": city, "countryCode": "FR" } }), &me).await;
        assert!(codes(&d["data"]["addDeliveryAddress"]).is_empty(), "{d}");
    }

    let c = watch.gql("account", CUSTOMER, json!({}), &me).await;
    let customer = &c["data"]["customer"];
    assert_eq!(customer["firstName"], "Robin");
    assert_eq!(customer["billingAddress"]["city"], "Paris");
    assert_eq!(customer["deliveryAddresses"].as_array().map(Vec::len), Some(2));
    assert_eq!(customer["defaultDeliveryAddressId"], customer["deliveryAddresses"][0]["id"]);

    let q = "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { session { accessToken } userErrors { code } } }";
    let p = watch.gql("account", q, json!({ "c": PASSWORD, "n": "purple elephants dance quietly" }), &me).await;
    let fresh = p["data"]["changePassword"]["session"]["accessToken"].as_str().expect("fresh session").to_string();

    let refused = watch.gql("account", CUSTOMER, json!({}), &me).await;
    assert_eq!(top_error(&refused).as_deref(), Some("UNAUTHENTICATED"), "the old token is refused");
    let ok = watch.gql("account", CUSTOMER, json!({}), &[bearer(&fresh)]).await;
    assert_eq!(ok["data"]["customer"]["firstName"], "Robin");
}
