use super::*;
use crate::support::accounts::{login, register};
use crate::support::{codes, email, mail};

const REQUEST: &str = "mutation($e: String!, $p: String!) { requestEmailChange(newEmail: $e, password: $p) { requested userErrors { code field message } } }";
const CONFIRM: &str =
    "mutation($t: String!) { confirmEmailChange(token: $t) { confirmed userErrors { code field message } } }";

async fn request(shop: &Shop, c: &Customer, new_email: &str, password: &str) -> Value {
    shop.call(&c.access, REQUEST, json!({ "e": new_email, "p": password })).await["data"]["requestEmailChange"].clone()
}

async fn confirm(shop: &Shop, token: &str) -> Value {
    gql(&shop.auth, CONFIRM, json!({ "t": token }), &[]).await["data"]["confirmEmailChange"].clone()
}

#[tokio::test]
async fn the_link_mailed_to_the_new_address_switches_the_email() {
    let shop = shop(&[]).await;
    let c = shop.customer("moving").await;
    let new = email("moved");
    let p = request(&shop, &c, &new, PASSWORD).await;
    assert_eq!(p, json!({ "requested": true, "userErrors": [] }));

    let link_mail = mail::nth_to(&new, 1).await;
    assert!(link_mail.link().starts_with("http://localhost:3000/confirm-email?token="), "{}", link_mail.link());
    let notice = mail::nth_to(&c.email, 2).await; // after the registration mail
    assert!(notice.text.contains(&new), "the old address is told where the account is moving");
    assert!(!notice.text.contains("token="), "the notice carries no token");

    // Until confirmed, nothing changed.
    assert_eq!(shop.call(&c.access, CUSTOMER, json!({})).await["data"]["customer"]["email"], c.email.as_str());
    let done = confirm(&shop, &link_mail.token()).await;
    assert_eq!(done["confirmed"], true, "{done}");

    let me = shop.call(&c.access, CUSTOMER, json!({})).await["data"]["customer"].clone();
    assert_eq!(me["email"], new.as_str());
    assert_eq!(me["emailVerified"], true);
    assert!(codes(&login(&shop.auth, &new, PASSWORD, &[]).await).is_empty());
    assert_eq!(codes(&login(&shop.auth, &c.email, PASSWORD, &[]).await), ["INVALID_CREDENTIALS"]);
    // The old address is free again; the token is used up.
    let again = register(&shop.auth, &c.email, &[]).await;
    assert!(codes(&again).is_empty(), "{again}");
    assert_eq!(codes(&confirm(&shop, &link_mail.token()).await), ["TOKEN_INVALID"]);
}

#[tokio::test]
async fn wrong_password_taken_address_and_same_address_are_refused() {
    let shop = shop(&[]).await;
    let c = shop.customer("stays").await;
    let other = shop.customer("owner").await;
    let p = request(&shop, &c, &email("x"), "wrong password").await;
    assert_eq!(codes(&p), ["INVALID_CREDENTIALS"]);
    assert_eq!(p["userErrors"][0]["field"], json!(["password"]));
    let p = request(&shop, &c, &other.email.to_uppercase(), PASSWORD).await;
    assert_eq!(codes(&p), ["TAKEN"]);
    assert_eq!(p["userErrors"][0]["field"], json!(["newEmail"]));
    assert_eq!(codes(&request(&shop, &c, &c.email, PASSWORD).await), ["INVALID"]);
    assert_eq!(codes(&request(&shop, &c, "nonsense", PASSWORD).await), ["INVALID"]);
}

#[tokio::test]
async fn an_address_taken_meanwhile_is_taken_and_nothing_changes() {
    let shop = shop(&[]).await;
    let c = shop.customer("slow").await;
    let wanted = email("contested");
    assert!(codes(&request(&shop, &c, &wanted, PASSWORD).await).is_empty());
    let token = mail::nth_to(&wanted, 1).await.token();
    // Someone registers the address before the link is opened.
    let winner = register(&shop.auth, &wanted, &[]).await;
    assert!(codes(&winner).is_empty());
    let p = confirm(&shop, &token).await;
    assert_eq!(codes(&p), ["TAKEN"]);
    let me = shop.call(&c.access, CUSTOMER, json!({})).await["data"]["customer"].clone();
    assert_eq!(me["email"], c.email.as_str());
    assert!(codes(&login(&shop.auth, &c.email, PASSWORD, &[]).await).is_empty());
    assert_eq!(login(&shop.auth, &wanted, PASSWORD, &[]).await["customer"]["id"], winner["customer"]["id"]);
}
