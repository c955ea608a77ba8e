//! The newsletter flow over HTTP under `cargo lambda watch`: subscribe ->
//! read the mail from the SES emulator -> confirm -> unsubscribe through the
//! mail's own link.

use super::{CONFIRM, SUBSCRIBE};
use crate::support::watch::Watch;
use crate::support::{aws, email, mail, unique, JWT_PRIVATE_KEY, JWT_PUBLIC_KEY};
use serde_json::json;

#[tokio::test]
async fn subscribe_confirm_and_unsubscribe_through_the_mail_link() {
    let table = unique("e2e");
    let ddb = aws_sdk_dynamodb::Client::new(&aws().await);
    shared::store::table::create_table(&ddb, &table).await.unwrap();
    let watch = Watch::start(&[
        ("TABLE_NAME", table),
        ("JWT_PRIVATE_KEYS", JWT_PRIVATE_KEY.to_string()),
        ("JWT_PUBLIC_KEYS", JWT_PUBLIC_KEY.to_string()),
    ])
    .await;

    let address = email("e2e-news");
    let s = watch.gql("subscriptions", SUBSCRIBE, json!({ "e": address, "i": { "languageCode": "en" } }), &[]).await;
    assert_eq!(s["data"]["subscribeToNewsletter"]["status"], "PENDING", "{s}");

    let m = mail::nth_to(&address, 1).await;
    let c = watch.gql("subscriptions", CONFIRM, json!({ "t": m.token() }), &[]).await;
    assert_eq!(c["data"]["confirmNewsletterSubscription"]["status"], "SUBSCRIBED", "{c}");

    // The link in the mail (and its List-Unsubscribe header) points at the function itself.
    let link = m.links().into_iter().find(|l| l.contains("/subscriptions/unsubscribe")).expect("unsubscribe link");
    assert_eq!(m.header("List-Unsubscribe"), Some(format!("<{link}>").as_str()));
    let client = reqwest::Client::new();
    let page = client.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("form"));
    let done = client
        .post(&link)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    assert!(done.text().await.unwrap().contains("Unsubscribed"));

    // Subscribing again starts over: the address is no longer subscribed.
    let again = watch.gql("subscriptions", SUBSCRIBE, json!({ "e": address }), &[]).await;
    assert_eq!(again["data"]["subscribeToNewsletter"]["status"], "PENDING");
    mail::nth_to(&address, 2).await;
}
