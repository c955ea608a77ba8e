use super::*;
use crate::support::accounts::{login, register};
use crate::support::{codes, top_error};

const DELETE: &str =
    "mutation($p: String!) { deleteAccount(password: $p) { deleted userErrors { code field message } } }";

/// Every item of the shop's table that mentions `text` anywhere.
async fn items_mentioning(shop: &Shop, text: &str) -> usize {
    crate::support::items_mentioning(&shop.account.services().config.table_name, text).await
}

#[tokio::test]
async fn delete_account_erases_everything_and_frees_the_email() {
    let shop = shop(&[]).await;
    let c = shop.customer("leaving").await;
    let q = "mutation($a: AddressInput!) { addDeliveryAddress(address: $a) { userErrors { code } } }";
    shop.call(&c.access, q, json!({ "a": { "street": "Main St", "city": "Oslo", "countryCode": "NO" } })).await;
    login(&shop.auth, &c.email, PASSWORD, &[]).await;
    let reset = "mutation($e: String!) { requestPasswordReset(email: $e) { requested } }";
    gql(&shop.auth, reset, json!({ "e": c.email }), &[]).await;
    assert!(items_mentioning(&shop, &c.id).await >= 4, "profile, guard, sessions, tokens");

    let wrong = shop.call(&c.access, DELETE, json!({ "p": "not it" })).await["data"]["deleteAccount"].clone();
    assert_eq!(codes(&wrong), ["INVALID_CREDENTIALS"]);
    assert_eq!(wrong["deleted"], false);
    assert_eq!(shop.call(&c.access, CUSTOMER, json!({})).await["data"]["customer"]["id"], c.id.as_str());

    let done = shop.call(&c.access, DELETE, json!({ "p": PASSWORD })).await["data"]["deleteAccount"].clone();
    assert_eq!(done["deleted"], true, "{done}");
    // Gone at once for every read, login and identifier.
    assert_eq!(top_error(&shop.call(&c.access, CUSTOMER, json!({})).await).as_deref(), Some("UNAUTHENTICATED"));
    assert_eq!(codes(&login(&shop.auth, &c.email, PASSWORD, &[]).await), ["INVALID_CREDENTIALS"]);
    // The rest once the erasure's job is done.
    crate::support::settle(shop.account.services()).await;
    assert_eq!(items_mentioning(&shop, &c.id).await, 0, "nothing of the customer is left");
    assert_eq!(items_mentioning(&shop, &c.email.to_lowercase()).await, 0, "nor its email");
    assert_eq!(top_error(&shop.call(&c.access, CUSTOMER, json!({})).await).as_deref(), Some("UNAUTHENTICATED"));
    assert_eq!(codes(&login(&shop.auth, &c.email, PASSWORD, &[]).await), ["INVALID_CREDENTIALS"]);
    let again = register(&shop.auth, &c.email, &[]).await;
    assert!(codes(&again).is_empty(), "the email registers again: {again}");
}
