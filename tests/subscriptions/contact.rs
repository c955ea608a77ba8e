//! The contact form: `sendContactRequest` mails the shop's `contactEmail`
//! with `Reply-To` the sender, within the sender's hourly mail budget, and
//! stores nothing else. Every test's requests arrive at the one contact
//! address in the shared SES emulator: a test counts only the mails
//! answered to its own (unique) sender.

use super::*;
use crate::support::mail::SentMail;
use crate::support::{codes, email, mail, settle, tenant, tenants_json, top_error, CONTACT_EMAIL};

const SEND: &str =
    "mutation($i: ContactRequestInput!) { sendContactRequest(input: $i) { sent userErrors { code field message } } }";

/// What every accepted request answers, whether or not a mail goes out.
fn sent() -> Value {
    json!({ "sent": true, "userErrors": [] })
}

async fn send(s: &Stack, input: Value, headers: &[(&str, String)]) -> Value {
    let resp = s.call(SEND, json!({ "i": input }), headers).await;
    let payload = resp["data"]["sendContactRequest"].clone();
    assert!(payload.is_object(), "{resp}");
    payload
}

/// A complete request from `sender`.
fn request(sender: &str) -> Value {
    json!({
        "email": sender,
        "salutation": "Dr.",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "subject": "Where is my order?",
        "message": "Hello,\nmy order SO-1001 has not arrived.",
    })
}

/// The contact requests from `sender` that reached the shop, once every
/// outbox mail of the test went out.
async fn at_the_shop(s: &Stack, sender: &str) -> Vec<SentMail> {
    settle(&s.svc).await;
    mail::sent_to(CONTACT_EMAIL)
        .await
        .into_iter()
        .filter(|m| m.reply_to.iter().any(|r| r.eq_ignore_ascii_case(sender)))
        .collect()
}

#[tokio::test]
async fn a_request_mails_the_shop_once_answered_to_the_sender() {
    let s = stack(&[]).await;
    let sender = email("visitor");
    let input = json!({
        "email": sender,
        "salutation": "Dr.",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "subject": "  Order <b>hi</b>  ",
        "message": "Hello,\r\nmy order <b>hi</b> is late.\r\n",
    });
    assert_eq!(send(&s, input, &[]).await, sent());

    let mails = at_the_shop(&s, &sender).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    let m = &mails[0];
    assert_eq!(m.to, [CONTACT_EMAIL]);
    assert_eq!(m.reply_to, std::slice::from_ref(&sender), "answers go to the sender");
    assert_eq!(m.from, "shop@example.com", "sent from the shop's own sender, never the visitor's address");
    assert_eq!(m.subject, "[Test Shop] Contact: Order <b>hi</b>");
    for part in
        ["Dr. Ada Lovelace", sender.as_str(), "Order <b>hi</b>", "Hello,\nmy order <b>hi</b> is late.", "contact form"]
    {
        assert!(m.text.contains(part), "{part:?} in the text: {}", m.text);
    }
    for part in ["Dr. Ada Lovelace", sender.as_str(), "Order &lt;b&gt;hi", "my order &lt;b&gt;hi", "contact form"] {
        assert!(m.html.contains(part), "{part:?} in the HTML: {}", m.html);
    }
    assert!(!m.html.contains("<b>hi"), "the visitor's markup is escaped: {}", m.html);
    assert!(mail::sent_to(&sender).await.is_empty(), "the sender gets no mail");
}

#[tokio::test]
async fn the_honeypot_answers_like_success_but_sends_nothing() {
    let s = stack(&[]).await;
    let bot = email("bot");
    let mut input = request(&bot);
    input["emailField"] = json!("bot@spam.example");
    assert_eq!(send(&s, input, &[]).await, sent(), "exactly like a success");
    let mut blank = request(&bot);
    blank["emailField"] = json!("  ");
    assert_eq!(send(&s, blank, &[]).await, sent(), "a blank honeypot is an empty one");
    assert_eq!(at_the_shop(&s, &bot).await.len(), 1, "only the request with the empty honeypot");
}

#[tokio::test]
async fn requests_count_towards_the_senders_hourly_mail_budget() {
    let s = stack(&[("MAILS_PER_ADDRESS_PER_HOUR", "2")]).await;
    let sender = email("eager");
    let mut answers = Vec::new();
    for n in 0..3 {
        let mut input = request(&sender);
        input["subject"] = json!(format!("Question {n}"));
        answers.push(send(&s, input, &[]).await);
    }
    assert!(answers.iter().all(|a| a == &sent()), "the same answer every time: {answers:?}");
    let subjects: Vec<String> = at_the_shop(&s, &sender).await.into_iter().map(|m| m.subject).collect();
    assert_eq!(subjects.len(), 2, "{subjects:?}");

    // The budget is the sender's, not the shop's: someone else still gets through.
    let other = email("patient");
    assert_eq!(send(&s, request(&other), &[]).await, sent());
    assert_eq!(at_the_shop(&s, &other).await.len(), 1);
}

#[tokio::test]
async fn bad_input_is_explained_and_mails_nothing() {
    let s = stack(&[]).await;
    let sender = email("careless");
    let cases = [
        (json!({ "subject": " \n " }), "REQUIRED", json!(["input", "subject"])),
        (json!({ "subject": "s".repeat(201) }), "TOO_LONG", json!(["input", "subject"])),
        (json!({ "message": "" }), "REQUIRED", json!(["input", "message"])),
        (json!({ "message": "m".repeat(5_001) }), "TOO_LONG", json!(["input", "message"])),
        (json!({ "message": "a\u{0}b" }), "INVALID", json!(["input", "message"])),
        (json!({ "email": "not-an-email" }), "INVALID", json!(["input", "email"])),
        (json!({ "email": "" }), "REQUIRED", json!(["input", "email"])),
        (json!({ "salutation": "s".repeat(51) }), "TOO_LONG", json!(["input", "salutation"])),
        (json!({ "firstName": "f".repeat(101) }), "TOO_LONG", json!(["input", "firstName"])),
        (json!({ "lastName": "l".repeat(101) }), "TOO_LONG", json!(["input", "lastName"])),
    ];
    for (change, code, field) in cases {
        let mut input = request(&sender);
        for (k, v) in change.as_object().unwrap() {
            input[k.as_str()] = v.clone();
        }
        let p = send(&s, input, &[]).await;
        assert_eq!(p["sent"], false, "{change}: {p}");
        assert_eq!(codes(&p), [code], "{change}: {p}");
        assert_eq!(p["userErrors"][0]["field"], field, "{change}: {p}");
    }
    // Every problem at once.
    let all = json!({ "email": "nope", "subject": "", "message": " " });
    let p = send(&s, all, &[]).await;
    let fields: Vec<Value> = p["userErrors"].as_array().unwrap().iter().map(|e| e["field"].clone()).collect();
    assert_eq!(fields, [json!(["input", "email"]), json!(["input", "subject"]), json!(["input", "message"])], "{p}");
    assert_eq!(codes(&p), ["INVALID", "REQUIRED", "REQUIRED"]);

    // The limits themselves are allowed.
    let mut longest = request(&sender);
    longest["subject"] = json!("s".repeat(200));
    longest["message"] = json!("m".repeat(5_000));
    assert_eq!(send(&s, longest, &[]).await, sent());
    assert_eq!(at_the_shop(&s, &sender).await.len(), 1, "only the valid request was mailed");

    // One mail-sending field per request.
    let twice = "mutation($i: ContactRequestInput!) { a: sendContactRequest(input: $i) { sent } b: sendContactRequest(input: $i) { sent } }";
    let resp = s.call(twice, json!({ "i": request(&sender) }), &[]).await;
    assert_eq!(top_error(&resp).as_deref(), Some("LIMIT_EXCEEDED"), "{resp}");
    assert_eq!(at_the_shop(&s, &sender).await.len(), 1, "nothing ran");
}

#[tokio::test]
async fn line_breaks_in_the_subject_add_no_header() {
    let s = stack(&[]).await;
    let sender = email("injector");
    let victim = email("bcc-victim");
    let mut input = request(&sender);
    input["subject"] = json!(format!("Hello\r\nBcc: {victim}\r\nX-Injected: yes"));
    assert_eq!(send(&s, input, &[]).await, sent());

    let mails = at_the_shop(&s, &sender).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    let m = &mails[0];
    assert_eq!(m.subject, format!("[Test Shop] Contact: Hello Bcc: {victim} X-Injected: yes"), "one line");
    assert_eq!((m.header("Bcc"), m.header("X-Injected")), (None, None), "{:?}", m.headers);
    assert_eq!(m.to, [CONTACT_EMAIL]);
    assert!(mail::sent_to(&victim).await.is_empty());
}

#[tokio::test]
async fn a_tenant_without_a_contact_address_refuses_the_form() {
    // `quiet-shop` has the test shop's settings but no contactEmail; every other tenant has it.
    let mut tenants: Value = serde_json::from_str(&tenants_json()).unwrap();
    let mut quiet = tenants["*"].clone();
    quiet.as_object_mut().unwrap().remove("contactEmail");
    tenants["quiet-shop"] = quiet;
    let s = stack(&[("TENANTS", &tenants.to_string())]).await;
    let sender = email("unheard");

    let p = send(&s, request(&sender), &[tenant("quiet-shop")]).await;
    assert_eq!(p["sent"], false, "{p}");
    assert_eq!(codes(&p), ["INVALID"], "{p}");
    assert_eq!(p["userErrors"][0]["field"], Value::Null, "about the shop, not an input: {p}");
    // A bot gets the same answer: the honeypot tells nothing apart.
    let mut bot = request(&sender);
    bot["emailField"] = json!("bot@spam.example");
    assert_eq!(codes(&send(&s, bot, &[tenant("quiet-shop")]).await), ["INVALID"]);
    assert!(at_the_shop(&s, &sender).await.is_empty());

    // The same sender through a shop with a contact address.
    assert_eq!(send(&s, request(&sender), &[]).await, sent());
    assert_eq!(at_the_shop(&s, &sender).await.len(), 1);
}

#[tokio::test]
async fn contact_requests_naming_a_victim_never_spend_its_account_recovery() {
    // Five contact requests an hour in the victim's name spend the budget of
    // mail others may trigger; a reset still reaches the victim.
    let s = stack(&[]).await;
    let victim = email("recovering");
    crate::support::accounts::register(&s.auth, &victim, &[]).await;
    for _ in 0..6 {
        assert_eq!(send(&s, request(&victim), &[]).await, sent());
    }
    let reset = "mutation($e: String!) { requestPasswordReset(email: $e) { requested } }";
    crate::support::gql(&s.auth, reset, json!({ "e": victim }), &[]).await;
    settle(&s.svc).await;
    let mails = mail::sent_to(&victim).await;
    assert!(mails.iter().any(|m| m.text.contains("reset-password")), "the reset arrived: {mails:?}");
}
