use super::*;
use crate::support::accounts::{register, PASSWORD};
use crate::support::{codes, email, mail, post, top_error};

const SUB: &str = "mutation($i: BackInStockInput!) { backInStockSubscribe(input: $i) { subscribed userErrors { code field message } } }";
const UNSUB: &str =
    "mutation($i: BackInStockInput!) { backInStockUnsubscribe(input: $i) { subscribed userErrors { code field } } }";
const NOTIFY: &str = "mutation($item: String!, $c: String) { notifyBackInStock(item: $item, countryCode: $c) { notified userErrors { code field } } }";

async fn notify(s: &Stack, item: &str, country: Option<&str>) -> i64 {
    let resp = s.admin(NOTIFY, json!({ "item": item, "c": country })).await;
    resp["data"]["notifyBackInStock"]["notified"].as_i64().unwrap_or_else(|| panic!("{resp}"))
}

#[tokio::test]
async fn subscribing_twice_is_one_subscription_and_notify_sends_once() {
    let s = stack(&[]).await;
    let (a, b, c) = (email("a"), email("b"), email("c"));
    for (who, country, lang) in [(&a, "DE", "de"), (&a, "DE", "de"), (&b, "AT", "en"), (&c, "FR", "fr")] {
        let p = s.call(SUB, json!({ "i": { "email": who, "item": "SKU-42", "shipTo": { "countryCode": country }, "languageCode": lang } }), &[]).await;
        assert_eq!(p["data"]["backInStockSubscribe"]["subscribed"], true, "{p}");
    }
    s.call(SUB, json!({ "i": { "email": a, "item": "SKU-7", "shipTo": { "countryCode": "DE" } } }), &[]).await;

    // Only Austria first; then everyone left, concurrently with itself.
    assert_eq!(notify(&s, "SKU-42", Some("at")).await, 1);
    let (x, y) = futures::future::join(notify(&s, "SKU-42", None), notify(&s, "SKU-42", None)).await;
    assert_eq!(x + y, 2, "a and c, each once");
    assert_eq!(notify(&s, "SKU-42", None).await, 0, "nobody left");
    crate::support::settle(&s.svc).await;
    for who in [&a, &b, &c] {
        assert_eq!(mail::sent_to(who).await.len(), 1, "{who}");
    }
    let german = mail::nth_to(&a, 1).await;
    assert!(german.subject.contains("SKU-42") && german.subject.contains("wieder da"), "{}", german.subject);
    assert!(mail::nth_to(&b, 1).await.subject.contains("back in stock"));
    assert!(mail::nth_to(&c, 1).await.subject.contains("back in stock"), "no French template: English");
    assert_eq!(notify(&s, "SKU-7", None).await, 1, "other items untouched");
}

#[tokio::test]
async fn unsubscribing_and_validation() {
    let s = stack(&[]).await;
    let who = email("u");
    let input = json!({ "email": who, "item": "SKU-1", "shipTo": { "countryCode": "DE" } });
    s.call(SUB, json!({ "i": input }), &[]).await;
    let p = s.call(UNSUB, json!({ "i": input }), &[]).await;
    assert_eq!(p["data"]["backInStockUnsubscribe"]["subscribed"], false);
    assert_eq!(notify(&s, "SKU-1", None).await, 0);

    let p = s
        .call(SUB, json!({ "i": { "item": " ", "shipTo": { "countryCode": "ZZ" }, "languageCode": "xx-XX" } }), &[])
        .await;
    let fields: Vec<Value> = p["data"]["backInStockSubscribe"]["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].clone())
        .collect();
    assert_eq!(
        fields,
        [
            json!(["input", "email"]),
            json!(["input", "item"]),
            json!(["input", "shipTo", "countryCode"]),
            json!(["input", "languageCode"])
        ]
    );
    let p = s.admin(NOTIFY, json!({ "item": "" })).await;
    assert_eq!(codes(&p["data"]["notifyBackInStock"]), ["REQUIRED"]);
    let key = crate::admin::mint(&s.svc, "default", &[Permission::SubscriptionRead]).await;
    let forbidden = gql(&s.admin, NOTIFY, json!({ "item": "SKU-1" }), &[bearer(&key)]).await;
    assert_eq!(top_error(&forbidden).as_deref(), Some("FORBIDDEN"));
}

#[tokio::test]
async fn a_logged_in_customer_subscribes_its_own_address_and_erasure_removes_alerts() {
    let s = stack(&[]).await;
    let address = email("shopper");
    let r = register(&s.auth, &address, &[]).await;
    let token = r["session"]["accessToken"].as_str().unwrap().to_string();
    let me = [bearer(&token)];
    let p = s.call(SUB, json!({ "i": { "item": "SKU-9", "shipTo": { "countryCode": "DE" } } }), &me).await;
    assert_eq!(p["data"]["backInStockSubscribe"]["subscribed"], true, "{p}");
    let p = s
        .call(SUB, json!({ "i": { "email": email("else"), "item": "SKU-9", "shipTo": { "countryCode": "DE" } } }), &me)
        .await;
    assert_eq!(codes(&p["data"]["backInStockSubscribe"]), ["INVALID"]);

    // The account proved the address: its erasure takes the address's alerts.
    crate::support::accounts::confirm_email(&s.auth, &address).await;
    let q = "mutation($p: String!) { deleteAccount(password: $p) { deleted } }";
    gql(&s.account, q, json!({ "p": PASSWORD }), &me).await;
    crate::support::settle(&s.svc).await;
    assert_eq!(notify(&s, "SKU-9", None).await, 0, "the alert went with the account");
}

#[tokio::test]
async fn one_anonymous_request_stores_one_subscription_at_most_however_it_is_aliased_or_batched() {
    let s = stack(&[]).await;
    let junk = email("junk");
    let field = |alias: &str| {
        format!("{alias}: backInStockSubscribe(input: {{ email: \"{junk}\", item: \"SKU-{alias}\", shipTo: {{ countryCode: \"DE\" }} }}) {{ subscribed }}")
    };
    // 240 aliases in one operation.
    let aliased: Vec<String> = (0..240).map(|i| field(&format!("a{i}"))).collect();
    let resp = s.call(&format!("mutation {{ {} }}", aliased.join(" ")), json!({}), &[]).await;
    assert_eq!(top_error(&resp).as_deref(), Some("LIMIT_EXCEEDED"), "{resp}");
    assert!(resp["data"].is_null(), "{resp}");
    // Ten operations of one field each, batched; and the unsubscription alike.
    let batch: Vec<Value> =
        (0..10).map(|i| json!({ "query": format!("mutation {{ {} }}", field(&format!("b{i}"))) })).collect();
    let (status, resp) = post(s.subs.graphql(), serde_json::to_vec(&batch).expect("JSON"), &[]).await;
    assert_eq!((status, top_error(&resp).as_deref()), (200, Some("LIMIT_EXCEEDED")), "{resp}");
    let unsubscribe = |i: usize| {
        format!("u{i}: backInStockUnsubscribe(input: {{ email: \"{junk}\", item: \"SKU-1\", shipTo: {{ countryCode: \"DE\" }} }}) {{ subscribed }}")
    };
    let resp = s.call(&format!("mutation {{ {} {} }}", unsubscribe(1), unsubscribe(2)), json!({}), &[]).await;
    assert_eq!(top_error(&resp).as_deref(), Some("LIMIT_EXCEEDED"), "{resp}");

    // Nothing was stored; one field alone still works.
    for item in ["SKU-a0", "SKU-a239", "SKU-b0", "SKU-b9"] {
        assert_eq!(notify(&s, item, None).await, 0, "{item}");
    }
    let one = s.call(&format!("mutation {{ {} }}", field("one")), json!({}), &[]).await;
    assert_eq!(one["data"]["one"]["subscribed"], true, "{one}");
    assert_eq!(notify(&s, "SKU-one", None).await, 1);
}

async fn subscribe_to(s: &Stack, who: &str, item: &str) {
    let p = s.call(SUB, json!({ "i": { "email": who, "item": item, "shipTo": { "countryCode": "DE" } } }), &[]).await;
    assert_eq!(p["data"]["backInStockSubscribe"]["subscribed"], true, "{p}");
}

#[tokio::test]
async fn a_subscription_waits_half_a_year_and_subscribing_again_renews_it() {
    let s = stack(&[]).await;
    let (old, renewed) = (email("old"), email("renewed"));
    subscribe_to(&s, &old, "SKU-LATE").await;
    subscribe_to(&s, &renewed, "SKU-LATE").await;
    let clock = crate::support::clock(&s.svc);
    clock.advance(chrono::Duration::days(170));
    subscribe_to(&s, &renewed, "SKU-LATE").await;
    clock.advance(chrono::Duration::days(11));
    assert_eq!(notify(&s, "SKU-LATE", None).await, 1, "the one subscribed 181 days ago waits no more");
    crate::support::settle(&s.svc).await;
    assert!(mail::sent_to(&old).await.is_empty());
    assert_eq!(mail::sent_to(&renewed).await.len(), 1);
}

#[tokio::test]
async fn notify_pages_through_every_subscriber() {
    let s = stack(&[]).await;
    let subscribers: Vec<String> = (0..210).map(|i| email(&format!("many{i}"))).collect();
    use futures::StreamExt;
    futures::stream::iter(&subscribers).for_each_concurrent(8, |who| subscribe_to(&s, who, "SKU-POPULAR")).await;
    s.recorder.take();
    assert_eq!(notify(&s, "SKU-POPULAR", None).await, 210, "everyone once");
    // Read a page of 100 at a time, never the whole list at once.
    let queries = s.recorder.take().iter().filter(|c| c.operation == "Query").count();
    assert_eq!(queries, 3, "pages of 100, 100 and 10");
    assert_eq!(notify(&s, "SKU-POPULAR", None).await, 0);
}

#[tokio::test]
async fn an_address_past_its_mail_budget_is_not_mailed_and_its_alert_ends() {
    // Anyone may subscribe any address: its alerts spend the budget of mail
    // others can trigger for it.
    let s = stack(&[("MAILS_PER_ADDRESS_PER_HOUR", "2")]).await;
    let target = email("flooded");
    for item in ["SKU-A", "SKU-B", "SKU-C"] {
        subscribe_to(&s, &target, item).await;
    }
    let notified: Vec<i64> =
        [notify(&s, "SKU-A", None).await, notify(&s, "SKU-B", None).await, notify(&s, "SKU-C", None).await].to_vec();
    assert_eq!(notified, [1, 1, 0]);
    assert_eq!(notify(&s, "SKU-C", None).await, 0, "the alert past the budget ended unmailed");
    crate::support::settle(&s.svc).await;
    assert_eq!(mail::sent_to(&target).await.len(), 2);
}
