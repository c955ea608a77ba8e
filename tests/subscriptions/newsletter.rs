use super::*;
use crate::support::accounts::{login, register, PASSWORD, REGISTER};
use crate::support::{codes, email, mail, top_error};
use lambda_http::http::Method;
use lambda_http::{Body, RequestExt};

const CONFIRM_EMAIL: &str = "mutation($t: String!) { confirmEmail(token: $t) { confirmed } }";

/// Sends a one-click request to an unsubscribe link, as a mail client or browser would.
async fn open_link(stack: &Stack, link: &str, method: Method) -> (u16, String) {
    let path = link.strip_prefix(API).expect("a link to the API");
    let mut req = lambda_http::http::Request::builder().method(method.clone()).uri(format!("https://api.test{path}"));
    if method == Method::POST {
        req = req.header("content-type", "application/x-www-form-urlencoded");
    }
    let body = if method == Method::POST { Body::from("List-Unsubscribe=One-Click") } else { Body::Empty };
    let req = req.body(body).unwrap().with_lambda_context(Default::default());
    let resp = stack.subs.handle(req).await.unwrap();
    let text = match resp.body() {
        Body::Text(t) => t.clone(),
        _ => String::new(),
    };
    (resp.status().as_u16(), text)
}

#[tokio::test]
async fn double_opt_in_then_one_click_unsubscribe_from_the_mail() {
    let s = stack(&[]).await;
    let address = email("news");
    let info = json!({ "countryCode": "at", "languageCode": "de", "gender": "FEMALE" });
    let p = s.subscribe(&address, info, &[]).await;
    assert_eq!(p, json!({ "subscribed": true, "status": "PENDING", "userErrors": [] }));
    assert_eq!(s.export().await[0]["status"], "PENDING");

    let m = mail::nth_to(&address, 1).await;
    assert!(m.subject.contains("Newsletter"), "German mail: {}", m.subject);
    let links = m.links();
    assert!(links[0].starts_with("http://localhost:3000/confirm-email?token="), "{links:?}");
    let unsubscribe =
        links.iter().find(|l| l.contains("/subscriptions/unsubscribe")).expect("an unsubscribe link").clone();
    assert_eq!(m.header("List-Unsubscribe"), Some(format!("<{unsubscribe}>").as_str()));
    assert_eq!(m.header("List-Unsubscribe-Post"), Some("List-Unsubscribe=One-Click"));

    let confirmed =
        s.call(CONFIRM, json!({ "t": m.token() }), &[]).await["data"]["confirmNewsletterSubscription"].clone();
    assert_eq!(confirmed, json!({ "subscribed": true, "status": "SUBSCRIBED", "userErrors": [] }));
    let again = s.call(CONFIRM, json!({ "t": m.token() }), &[]).await;
    assert_eq!(codes(&again["data"]["confirmNewsletterSubscription"]), ["TOKEN_INVALID"]);
    let exported = &s.export().await[0];
    assert_eq!((exported["status"].as_str(), exported["countryCode"].as_str()), (Some("SUBSCRIBED"), Some("AT")));
    assert_eq!((exported["languageCode"].as_str(), exported["gender"].as_str()), (Some("de"), Some("FEMALE")));
    assert!(exported["confirmedAt"].is_string());

    // Opening the link shows a button but changes nothing; the one-click POST unsubscribes.
    let (status, page) = open_link(&s, &unsubscribe, Method::GET).await;
    assert_eq!(status, 200);
    assert!(page.contains("<form method=\"post\""), "{page}");
    assert_eq!(s.export().await[0]["status"], "SUBSCRIBED");
    let (status, page) = open_link(&s, &unsubscribe, Method::POST).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(s.export().await[0]["status"], "UNSUBSCRIBED");
    // Idempotent, and a forged link is refused.
    assert_eq!(open_link(&s, &unsubscribe, Method::POST).await.0, 200);
    let forged = format!("{}AAAA", &unsubscribe[..unsubscribe.len() - 4]);
    assert_eq!(open_link(&s, &forged, Method::POST).await.0, 400);
}

#[tokio::test]
async fn the_honeypot_answers_like_success_but_stores_and_sends_nothing() {
    let s = stack(&[]).await;
    let address = email("bot");
    let p = s.subscribe(&address, json!({ "emailField": "bot@spam.example" }), &[]).await;
    assert_eq!(p, s.subscribe(&email("human"), json!({}), &[]).await, "exactly like a success");
    crate::support::settle(&s.svc).await;
    assert!(mail::sent_to(&address).await.is_empty());
    assert_eq!(s.export().await.len(), 1, "only the human");
}

#[tokio::test]
async fn confirmation_mails_are_limited_per_address_and_hour_and_subscribers_get_none() {
    let s = stack(&[("MAILS_PER_ADDRESS_PER_HOUR", "2")]).await;
    let address = email("eager");
    let answers: Vec<Value> = futures::future::join_all((0..5).map(|_| s.subscribe(&address, json!({}), &[]))).await;
    assert!(answers.iter().all(|a| a == &answers[0]), "the same answer every time: {answers:?}");
    crate::support::settle(&s.svc).await;
    assert_eq!(mail::sent_to(&address).await.len(), 2);

    let subscribed = email("already");
    s.subscribe(&subscribed, json!({}), &[]).await;
    let token = mail::nth_to(&subscribed, 1).await.token();
    s.call(CONFIRM, json!({ "t": token }), &[]).await;
    let p = s.subscribe(&subscribed, json!({}), &[]).await;
    assert_eq!(p["status"], "PENDING", "anonymous callers learn nothing about an address");
    crate::support::settle(&s.svc).await;
    assert_eq!(mail::sent_to(&subscribed).await.len(), 1, "already subscribed: no new mail");
}

#[tokio::test]
async fn a_customer_sees_its_own_newsletter_state_through_every_step() {
    let s = stack(&[]).await;
    let address = email("member");
    let r = register(&s.auth, &address, &[]).await;
    let token = r["session"]["accessToken"].as_str().unwrap().to_string();
    let me = [bearer(&token)];
    // Only a verified address shows (and changes) its newsletter state.
    let verify = mail::nth_to(&address, 1).await.token();
    let verified = gql(&s.auth, CONFIRM_EMAIL, json!({ "t": verify }), &[]).await;
    assert_eq!(verified["data"]["confirmEmail"]["confirmed"], true, "{verified}");
    let state = || async {
        let resp = gql(&s.account, "{ customer { newsletter { status updatedAt } } }", json!({}), &me).await;
        resp["data"]["customer"]["newsletter"]["status"].as_str().unwrap_or_else(|| panic!("{resp}")).to_string()
    };
    assert_eq!(state().await, "UNSUBSCRIBED");
    assert_eq!(s.subscribe(&address.to_uppercase(), json!({}), &me).await["status"], "PENDING");
    assert_eq!(state().await, "PENDING");
    let confirm_token = mail::nth_to(&address, 2).await.token();
    s.call(CONFIRM, json!({ "t": confirm_token }), &[]).await;
    assert_eq!(state().await, "SUBSCRIBED");
    assert_eq!(s.subscribe(&address, json!({}), &me).await["status"], "SUBSCRIBED", "its own address: the truth");

    let other = s.call(UNSUBSCRIBE, json!({ "e": email("someone-else") }), &me).await;
    assert_eq!(codes(&other["data"]["unsubscribeFromNewsletter"]), ["INVALID"]);
    let out = s.call(UNSUBSCRIBE, json!({}), &me).await["data"]["unsubscribeFromNewsletter"].clone();
    assert_eq!(out, json!({ "subscribed": false, "status": "UNSUBSCRIBED", "userErrors": [] }));
    assert_eq!(state().await, "UNSUBSCRIBED");

    let anonymous = s.call(UNSUBSCRIBE, json!({ "e": address }), &[]).await;
    assert_eq!(top_error(&anonymous).as_deref(), Some("UNAUTHENTICATED"), "no token, no login");
    let bad = s.call(UNSUBSCRIBE, json!({}), &[bearer("garbage")]).await;
    assert_eq!(top_error(&bad).as_deref(), Some("UNAUTHENTICATED"), "a bad token is not ignored");
}

#[tokio::test]
async fn registering_with_newsletter_starts_the_opt_in_and_erasure_removes_it() {
    let s = stack(&[]).await;
    let address = email("both");
    let input = json!({ "email": address, "password": PASSWORD, "newsletter": true, "countryCode": "FR" });
    let r = gql(&s.auth, REGISTER, json!({ "input": input }), &[]).await;
    let token = r["data"]["registerCustomer"]["session"]["accessToken"].as_str().unwrap().to_string();
    let subjects: Vec<String> = {
        crate::support::settle(&s.svc).await;
        mail::sent_to(&address).await.into_iter().map(|m| m.subject).collect()
    };
    assert_eq!(subjects.len(), 2, "email confirmation and newsletter confirmation: {subjects:?}");
    assert_eq!(s.export().await[0]["countryCode"], "FR");

    // The account proved the address: its erasure takes the address's subscription.
    crate::support::accounts::confirm_email(&s.auth, &address).await;
    let q = "mutation($p: String!) { deleteAccount(password: $p) { deleted } }";
    let del = gql(&s.account, q, json!({ "p": PASSWORD }), &[bearer(&token)]).await;
    assert_eq!(del["data"]["deleteAccount"]["deleted"], true);
    crate::support::settle(&s.svc).await;
    assert!(s.export().await.is_empty(), "the subscription went with the account");
}

#[tokio::test]
async fn bad_input_is_explained() {
    let s = stack(&[]).await;
    let p = s.subscribe("not-an-email", json!({ "countryCode": "XX", "languageCode": "klingon" }), &[]).await;
    let fields: Vec<Value> = p["userErrors"].as_array().unwrap().iter().map(|e| e["field"].clone()).collect();
    assert_eq!(
        fields,
        [json!(["email"]), json!(["additionalInfo", "countryCode"]), json!(["additionalInfo", "languageCode"])]
    );
    assert_eq!(p["subscribed"], false);
    assert!(s.export().await.is_empty());
}

#[tokio::test]
async fn the_export_pages_by_status() {
    let s = stack(&[]).await;
    for i in 0..7 {
        s.subscribe(&email(&format!("p{i}")), json!({}), &[]).await;
    }
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let resp = s.admin(EXPORT, json!({ "s": "PENDING", "first": 3, "after": after })).await;
        let conn = &resp["data"]["newsletterSubscriptions"];
        seen.extend(conn["edges"].as_array().unwrap().iter().map(|e| e["node"]["email"].as_str().unwrap().to_string()));
        if conn["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = conn["pageInfo"]["endCursor"].as_str().map(String::from);
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!((seen.len(), &seen), (7, &sorted), "all seven, once, by address");
    let none = s.admin(EXPORT, json!({ "s": "SUBSCRIBED" })).await;
    assert_eq!(none["data"]["newsletterSubscriptions"]["edges"], json!([]));
    let key = crate::admin::mint(&s.svc, "default", &[Permission::CustomerRead]).await;
    let forbidden = gql(&s.admin, EXPORT, json!({}), &[bearer(&key)]).await;
    assert_eq!(top_error(&forbidden).as_deref(), Some("FORBIDDEN"));
}

#[tokio::test]
async fn an_unverified_account_neither_sees_nor_changes_the_newsletter_of_its_address() {
    let s = stack(&[]).await;
    // The holder of the mailbox subscribes and confirms.
    let address = email("holder");
    s.subscribe(&address, json!({}), &[]).await;
    let confirm = mail::nth_to(&address, 1).await.token();
    let confirmed = s.call(CONFIRM, json!({ "t": confirm }), &[]).await;
    assert_eq!(confirmed["data"]["confirmNewsletterSubscription"]["status"], "SUBSCRIBED", "{confirmed}");

    // Someone else registers an account with the address (it stays unverified) and logs in.
    let r = register(&s.auth, &address, &[]).await;
    assert_eq!(r["customer"]["emailVerified"], false, "{r}");
    let l = login(&s.auth, &address, PASSWORD, &[]).await;
    let me = [bearer(l["session"]["accessToken"].as_str().unwrap_or_else(|| panic!("{l}")))];

    // The account sees what a new customer sees, not the holder's state.
    let resp = gql(&s.account, "{ customer { emailVerified newsletter { status updatedAt } } }", json!({}), &me).await;
    assert_eq!(resp["data"]["customer"]["emailVerified"], false, "{resp}");
    assert_eq!(resp["data"]["customer"]["newsletter"], json!({ "status": "UNSUBSCRIBED", "updatedAt": null }));
    // Subscribing answers as to anyone.
    assert_eq!(s.subscribe(&address, json!({}), &me).await["status"], "PENDING");
    // Unsubscribing the address, named or not, is refused.
    let named = s.call(UNSUBSCRIBE, json!({ "e": address }), &me).await;
    let named = &named["data"]["unsubscribeFromNewsletter"];
    assert_eq!(codes(named), ["INVALID"], "{named}");
    assert_eq!(named["userErrors"][0]["field"], json!(["email"]));
    let unnamed = s.call(UNSUBSCRIBE, json!({}), &me).await;
    assert_eq!(codes(&unnamed["data"]["unsubscribeFromNewsletter"]), ["INVALID"], "{unnamed}");

    // The holder is still subscribed.
    let exported = s.export().await;
    assert_eq!(exported.len(), 1, "{exported:?}");
    assert_eq!(exported[0]["status"], "SUBSCRIBED");
}

#[tokio::test]
async fn the_unsubscribe_page_cannot_be_framed_and_leaks_no_referrer() {
    let s = stack(&[]).await;
    let req = lambda_http::http::Request::builder()
        .method(Method::GET)
        .uri("https://api.test/subscriptions/unsubscribe?tenant=default&token=abc")
        .body(Body::Empty)
        .unwrap()
        .with_lambda_context(Default::default());
    let resp = s.subs.handle(req).await.unwrap();
    let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(header("content-security-policy").contains("frame-ancestors 'none'"), "{:?}", resp.headers());
    assert_eq!(header("x-frame-options"), "DENY");
    assert_eq!(header("referrer-policy"), "no-referrer");
    assert_eq!(header("cache-control"), "no-store");
}
