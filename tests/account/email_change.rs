use super::*;
use crate::support::accounts::{login, register};
use crate::support::{codes, email, mail};

const REQUEST: &str = "mutation($e: String!, $p: String!) { requestEmailChange(newEmail: $e, password: $p) { requested userErrors { code field message } } }";
const CANCEL: &str =
    "mutation($t: String!) { cancelEmailChange(token: $t) { confirmed userErrors { code field message } } }";
const CHANGE_PASSWORD: &str = "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { session { accessToken } userErrors { code } } }";
const LOGOUT_ALL: &str = "mutation { logoutAll { loggedOut } }";
const NEW_PASSWORD: &str = "violet tractor sings at dawn";
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
    assert!(
        notice.link().starts_with("http://localhost:3000/confirm-email?action=cancel&token="),
        "the notice carries a link that cancels the change: {}",
        notice.link()
    );

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
    // The address that held the account is told the change happened.
    let changed = mail::nth_to(&c.email, 3).await;
    assert!(changed.text.contains(&new) && !changed.text.contains("token="), "{}", changed.text);
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

/// A stolen password asks for a change to the attacker's address; the
/// victim then recovers the account. The attacker's link must be dead.
async fn attacker_link(shop: &Shop, victim: &Customer) -> String {
    let attacker = email("attacker");
    assert!(codes(&request(shop, victim, &attacker, PASSWORD).await).is_empty());
    mail::nth_to(&attacker, 1).await.token()
}

async fn still_has_email(shop: &Shop, c: &Customer) {
    let l = login(&shop.auth, &c.email, NEW_PASSWORD, &[]).await;
    let l = if codes(&l).is_empty() { l } else { login(&shop.auth, &c.email, PASSWORD, &[]).await };
    assert!(codes(&l).is_empty(), "the victim still logs in with its address: {l}");
    assert_eq!(l["customer"]["email"], c.email.as_str());
}

#[tokio::test]
async fn a_password_reset_kills_a_pending_email_change() {
    let shop = shop(&[]).await;
    let victim = shop.customer("reset-victim").await;
    let link = attacker_link(&shop, &victim).await;
    let q = "mutation($e: String!) { requestPasswordReset(email: $e) { requested } }";
    gql(&shop.auth, q, json!({ "e": victim.email }), &[]).await;
    crate::support::settle(shop.auth.services()).await;
    let reset_mail = mail::sent_to(&victim.email).await.into_iter().find(|m| m.link().contains("reset-password"));
    let reset_token = reset_mail.expect("reset mail").token();
    let q = "mutation($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) { changed } }";
    let r = gql(&shop.auth, q, json!({ "t": reset_token, "p": NEW_PASSWORD }), &[]).await;
    assert_eq!(r["data"]["resetPassword"]["changed"], true, "{r}");
    assert_eq!(codes(&confirm(&shop, &link).await), ["TOKEN_INVALID"]);
    still_has_email(&shop, &victim).await;
}

#[tokio::test]
async fn a_password_change_or_logout_everywhere_kills_a_pending_email_change() {
    let shop = shop(&[]).await;
    let victim = shop.customer("change-victim").await;
    let link = attacker_link(&shop, &victim).await;
    let r = shop.call(&victim.access, CHANGE_PASSWORD, json!({ "c": PASSWORD, "n": NEW_PASSWORD })).await;
    assert!(codes(&r["data"]["changePassword"]).is_empty(), "{r}");
    assert_eq!(codes(&confirm(&shop, &link).await), ["TOKEN_INVALID"]);
    still_has_email(&shop, &victim).await;

    let other = shop.customer("logout-victim").await;
    let link = attacker_link(&shop, &other).await;
    let r = shop.call(&other.access, LOGOUT_ALL, json!({})).await;
    assert_eq!(r["data"]["logoutAll"]["loggedOut"], true, "{r}");
    assert_eq!(codes(&confirm(&shop, &link).await), ["TOKEN_INVALID"]);
    still_has_email(&shop, &other).await;
}

#[tokio::test]
async fn the_cancel_link_in_the_notice_and_a_newer_request_kill_a_pending_change() {
    let shop = shop(&[]).await;
    let victim = shop.customer("cancel-victim").await;
    let link = attacker_link(&shop, &victim).await;
    let notice = mail::nth_to(&victim.email, 2).await;
    let cancelled = gql(&shop.auth, CANCEL, json!({ "t": notice.token() }), &[]).await;
    assert_eq!(cancelled["data"]["cancelEmailChange"], json!({ "confirmed": true, "userErrors": [] }));
    assert_eq!(codes(&confirm(&shop, &link).await), ["TOKEN_INVALID"]);
    // The cancel link works once.
    let again = gql(&shop.auth, CANCEL, json!({ "t": notice.token() }), &[]).await;
    assert_eq!(codes(&again["data"]["cancelEmailChange"]), ["TOKEN_INVALID"]);
    still_has_email(&shop, &victim).await;

    // Only the newest request's link switches the address.
    let first = email("first");
    let second = email("second");
    assert!(codes(&request(&shop, &victim, &first, PASSWORD).await).is_empty());
    assert!(codes(&request(&shop, &victim, &second, PASSWORD).await).is_empty());
    let old_link = mail::nth_to(&first, 1).await.token();
    let new_link = mail::nth_to(&second, 1).await.token();
    assert_eq!(codes(&confirm(&shop, &old_link).await), ["TOKEN_INVALID"]);
    assert_eq!(confirm(&shop, &new_link).await["confirmed"], true);
}
