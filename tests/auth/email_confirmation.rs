use super::*;
use crate::support::{codes, email, mail};

const CONFIRM: &str =
    "mutation($t: String!) { confirmEmail(token: $t) { confirmed userErrors { code field message } } }";
const RESEND: &str =
    "mutation($e: String!) { resendEmailConfirmation(email: $e) { requested userErrors { code field message } } }";

async fn confirm(app: &AuthApp, token: &str) -> Value {
    gql(app, CONFIRM, json!({ "t": token }), &[]).await["data"]["confirmEmail"].clone()
}

#[tokio::test]
async fn the_mailed_token_confirms_the_email_once() {
    let app = app(&[]).await;
    let address = email("confirm");
    register(&app, &address, &[]).await;
    let token = mail::nth_to(&address, 1).await.token();
    let ok = confirm(&app, &token).await;
    assert_eq!(ok["confirmed"], true, "{ok}");
    assert_eq!(login(&app, &address, PASSWORD, &[]).await["customer"]["emailVerified"], true);
    let reused = confirm(&app, &token).await;
    assert_eq!(codes(&reused), ["TOKEN_INVALID"]);
    assert_eq!(reused["confirmed"], false);
    assert_eq!(reused["userErrors"][0]["field"], json!(["token"]));
    assert_eq!(codes(&confirm(&app, "not-a-token").await), ["TOKEN_INVALID"]);
}

#[tokio::test]
async fn an_outdated_confirmation_token_is_expired() {
    let app = app(&[]).await;
    let address = email("late");
    register(&app, &address, &[]).await;
    let token = mail::nth_to(&address, 1).await.token();
    // CONFIRMATION_TOKEN_TTL_SECONDS: three days by default.
    crate::support::clock(app.services()).advance(chrono::Duration::days(3) + chrono::Duration::seconds(1));
    assert_eq!(codes(&confirm(&app, &token).await), ["TOKEN_EXPIRED"]);
}

#[tokio::test]
async fn resending_answers_alike_and_mails_only_unconfirmed_accounts_within_the_hourly_budget() {
    let app = app(&[("MAILS_PER_ADDRESS_PER_HOUR", "2")]).await;
    let address = email("resend");
    register(&app, &address, &[]).await;
    let unknown = email("unknown");
    let a = gql(&app, RESEND, json!({ "e": unknown }), &[]).await["data"]["resendEmailConfirmation"].clone();
    let b = gql(&app, RESEND, json!({ "e": address }), &[]).await["data"]["resendEmailConfirmation"].clone();
    assert_eq!(a, b);
    assert_eq!(a["requested"], true);
    crate::support::settle(app.services()).await;
    assert!(mail::sent_to(&unknown).await.is_empty());
    let second = mail::nth_to(&address, 2).await;
    // Both tokens work until one is used; the newest here.
    assert_eq!(confirm(&app, &second.token()).await["confirmed"], true);

    // Budget: 2 per hour; confirmed accounts get none anyway, so use a fresh one.
    let fresh = email("budget");
    register(&app, &fresh, &[]).await;
    for _ in 0..4 {
        gql(&app, RESEND, json!({ "e": fresh }), &[]).await;
    }
    crate::support::settle(app.services()).await;
    assert_eq!(mail::sent_to(&fresh).await.len(), 2, "the registration mail counts: it + 1 resend");
}

#[tokio::test]
async fn customers_with_a_language_get_mail_in_it() {
    let app = app(&[]).await;
    let address = email("sprache");
    let input = json!({ "email": address, "password": PASSWORD, "languageCode": "de-AT", "firstName": "Grete" });
    gql(&app, REGISTER, json!({ "input": input }), &[]).await;
    let m = mail::nth_to(&address, 1).await;
    assert!(m.subject.starts_with("Bitte bestätige"), "{}", m.subject);
    assert!(m.text.contains("Hallo Grete"));
}
