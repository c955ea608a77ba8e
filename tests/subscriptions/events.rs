//! Every sample event in `events/subscriptions/` runs through the function's
//! handler (GraphQL and one-click), in order.

use super::*;
use crate::support::{codes, event_names, event_request, text_of, top_error};

enum Expect {
    Json(fn(&Value)),
    Page(u16, &'static str),
}

fn payload<'a>(r: &'a Value, op: &str) -> &'a Value {
    &r["data"][op]
}

const EXPECTED: &[(&str, Expect)] = &[
    (
        "subscribe-to-newsletter",
        Expect::Json(|r| assert_eq!(payload(r, "subscribeToNewsletter")["status"], "PENDING", "{r}")),
    ),
    (
        "subscribe-to-newsletter-honeypot",
        Expect::Json(|r| assert_eq!(payload(r, "subscribeToNewsletter")["subscribed"], true)),
    ),
    (
        "subscribe-to-newsletter-bad-input",
        Expect::Json(|r| assert_eq!(codes(payload(r, "subscribeToNewsletter")), ["INVALID", "INVALID"])),
    ),
    (
        "confirm-newsletter-subscription",
        Expect::Json(|r| assert_eq!(codes(payload(r, "confirmNewsletterSubscription")), ["TOKEN_INVALID"])),
    ),
    (
        "unsubscribe-from-newsletter",
        Expect::Json(|r| assert_eq!(codes(payload(r, "unsubscribeFromNewsletter")), ["TOKEN_INVALID"])),
    ),
    (
        "unsubscribe-from-newsletter-no-credentials",
        Expect::Json(|r| assert_eq!(top_error(r).as_deref(), Some("UNAUTHENTICATED"))),
    ),
    (
        "back-in-stock-subscribe",
        Expect::Json(|r| assert_eq!(payload(r, "backInStockSubscribe")["subscribed"], true, "{r}")),
    ),
    (
        "back-in-stock-subscribe-bad-input",
        Expect::Json(|r| {
            assert_eq!(codes(payload(r, "backInStockSubscribe")), ["REQUIRED", "REQUIRED", "INVALID"], "{r}")
        }),
    ),
    (
        "back-in-stock-unsubscribe",
        Expect::Json(|r| assert_eq!(payload(r, "backInStockUnsubscribe")["subscribed"], false)),
    ),
    ("send-contact-request", Expect::Json(|r| assert_eq!(payload(r, "sendContactRequest")["sent"], true, "{r}"))),
    (
        "send-contact-request-bad-input",
        Expect::Json(|r| assert_eq!(codes(payload(r, "sendContactRequest")), ["INVALID", "REQUIRED"], "{r}")),
    ),
    ("one-click-unsubscribe-page", Expect::Page(200, "<form method=\"post\"")),
    ("one-click-unsubscribe", Expect::Page(400, "not valid")),
];

#[tokio::test]
async fn every_subscriptions_event_runs_through_the_handler() {
    let mut covered: Vec<String> = EXPECTED.iter().map(|(n, _)| n.to_string()).collect();
    covered.sort();
    assert_eq!(
        event_names("subscriptions"),
        covered,
        "every event has an expectation here, and every expectation an event"
    );
    let s = stack(&[]).await;
    for (name, expect) in EXPECTED {
        let resp = s.subs.handle(event_request("subscriptions", name, &[])).await.unwrap();
        let (status, text) = text_of(&resp);
        match expect {
            Expect::Json(check) => {
                assert_eq!(status, 200, "{name}: {text}");
                check(&serde_json::from_str(&text).unwrap());
            }
            Expect::Page(code, contains) => {
                assert_eq!(status, *code, "{name}: {text}");
                assert!(text.contains(contains), "{name}: {text}");
            }
        }
    }
}
