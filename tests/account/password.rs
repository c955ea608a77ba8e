use super::*;
use crate::support::accounts::{login, REFRESH};
use crate::support::{codes, top_error};

const CHANGE: &str = "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { session { accessToken refreshToken } userErrors { code field message } } }";
const NEW: &str = "purple elephants dance quietly";

async fn change(shop: &Shop, access: &str, current: &str, new: &str) -> Value {
    shop.call(access, CHANGE, json!({ "c": current, "n": new })).await["data"]["changePassword"].clone()
}

#[tokio::test]
async fn changing_the_password_ends_every_other_session_and_returns_a_fresh_one() {
    let shop = shop(&[]).await;
    let c = shop.customer("change").await;
    let other = login(&shop.auth, &c.email, PASSWORD, &[]).await["session"].clone();

    let wrong = change(&shop, &c.access, "not my password", NEW).await;
    assert_eq!(codes(&wrong), ["INVALID_CREDENTIALS"]);
    assert_eq!(wrong["userErrors"][0]["field"], json!(["currentPassword"]));
    let weak = change(&shop, &c.access, PASSWORD, "password123").await;
    assert_eq!(codes(&weak), ["PASSWORD_TOO_WEAK"]);
    assert_eq!(weak["userErrors"][0]["field"], json!(["newPassword"]));

    let done = change(&shop, &c.access, PASSWORD, NEW).await;
    assert!(codes(&done).is_empty(), "{done}");
    let fresh = done["session"]["accessToken"].as_str().unwrap();

    // The old access tokens (this one and the other session's) are refused, the new one works.
    for old in [c.access.as_str(), other["accessToken"].as_str().unwrap()] {
        assert_eq!(top_error(&shop.call(old, CUSTOMER, json!({})).await).as_deref(), Some("UNAUTHENTICATED"));
    }
    assert_eq!(shop.call(fresh, CUSTOMER, json!({})).await["data"]["customer"]["id"], c.id.as_str());
    for old in [c.refresh.as_str(), other["refreshToken"].as_str().unwrap()] {
        let r = gql(&shop.auth, REFRESH, json!({ "t": old }), &[]).await;
        assert_eq!(codes(&r["data"]["refreshSession"]), ["TOKEN_INVALID"]);
    }
    assert_eq!(codes(&login(&shop.auth, &c.email, PASSWORD, &[]).await), ["INVALID_CREDENTIALS"]);
    assert!(codes(&login(&shop.auth, &c.email, NEW, &[]).await).is_empty());
    // The address is told, so a thief's change does not go unnoticed.
    let notice = crate::support::mail::nth_to(&c.email, 2).await;
    assert!(notice.subject.contains("password") && notice.text.contains("changed"), "{}", notice.text);
    assert!(!notice.text.contains("token="));
}

#[tokio::test]
async fn wrong_current_passwords_count_towards_the_lock() {
    let shop = shop(&[]).await;
    let c = shop.customer("guesser").await;
    for _ in 0..9 {
        assert_eq!(codes(&change(&shop, &c.access, "a wrong guess", NEW).await), ["INVALID_CREDENTIALS"]);
    }
    assert_eq!(codes(&change(&shop, &c.access, "a wrong guess", NEW).await), ["ACCOUNT_LOCKED"]);
    assert_eq!(codes(&change(&shop, &c.access, PASSWORD, NEW).await), ["ACCOUNT_LOCKED"], "even the right one");
    assert_eq!(codes(&login(&shop.auth, &c.email, PASSWORD, &[]).await), ["ACCOUNT_LOCKED"], "login too");
}

#[tokio::test]
async fn the_right_current_password_is_never_counted_as_a_failure() {
    let shop = shop(&[]).await;
    let c = shop.customer("weak-new").await;
    for _ in 0..9 {
        assert_eq!(codes(&change(&shop, &c.access, "a wrong guess", NEW).await), ["INVALID_CREDENTIALS"]);
    }
    // Right current password, refused new one: the count starts again.
    assert_eq!(codes(&change(&shop, &c.access, PASSWORD, "password123").await), ["PASSWORD_TOO_WEAK"]);
    assert_eq!(codes(&change(&shop, &c.access, "a wrong guess", NEW).await), ["INVALID_CREDENTIALS"]);
    assert!(codes(&change(&shop, &c.access, PASSWORD, NEW).await).is_empty());
}

#[tokio::test]
async fn notices_to_an_unproven_address_stay_within_its_mail_budget() {
    // Someone registers a victim's address (never verified) and changes the
    // password again and again: each change would mail the victim a notice.
    let shop = shop(&[("MAILS_PER_ADDRESS_PER_HOUR", "3")]).await;
    let c = shop.customer("notice-bomb").await;
    let passwords = ["purple elephants dance quietly", "orange giraffes hum softly", "silver otters juggle stones"];
    let (mut access, mut current) = (c.access.clone(), PASSWORD.to_string());
    for round in 0..6 {
        let next = passwords[round % 3];
        let done = change(&shop, &access, &current, next).await;
        assert!(codes(&done).is_empty(), "round {round}: {done}");
        access = done["session"]["accessToken"].as_str().unwrap().to_string();
        current = next.to_string();
    }
    crate::support::settle(shop.auth.services()).await;
    let mails = crate::support::mail::sent_to(&c.email).await;
    assert_eq!(mails.len(), 3, "the registration mail and two notices: {}", mails.len());
}
