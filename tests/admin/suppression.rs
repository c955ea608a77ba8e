//! Bounces and complaints: SES's report (as the `MailFeedback` rule hands
//! it to the events function) suppresses the address for its tenant, no
//! mail goes to it, and the back office lifts it.

use super::*;
use crate::support::accounts::{PASSWORD, REGISTER};
use crate::support::mail::sent_to;
use crate::support::{aws, email, publisher, settle, DEFAULT_BUS};
use shared::mail::SesMailer;
use shared::store::DynamoStore;
use std::time::SystemTime;

const DELIVERABLE: &str = "query($id: ID!) { customer(id: $id) { emailDeliverable } }";
const CLEAR: &str = "mutation($id: ID!) { clearEmailSuppression(identifier: { customerId: $id }) { customer { emailDeliverable } userErrors { code field } } }";
const RESET: &str = "mutation($e: String!) { requestPasswordReset(email: $e) { requested } }";

/// The events function of `bo`'s table, as SES's reports reach it.
async fn events_function(bo: &Backoffice) -> ::events::Events {
    let aws = aws().await;
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&aws), bo.svc.config.table_name.clone());
    ::events::Events::new(Arc::new(store), Arc::new(SesMailer::new(&aws)), publisher(&aws, DEFAULT_BUS))
}

/// A sample event of `events/events/`, about `address`.
fn sample(name: &str, address: &str, change: impl FnOnce(&mut Value)) -> Value {
    let path = format!("{}/../events/events/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("sample event").replace("ann@example.com", address);
    let mut event: Value = serde_json::from_str(&text).expect("sample event is JSON");
    change(&mut event);
    event
}

async fn deliverable(bo: &Backoffice, id: &str) -> Value {
    bo.call(DELIVERABLE, json!({ "id": id })).await["data"]["customer"]["emailDeliverable"].clone()
}

#[tokio::test]
async fn a_bounce_suppresses_the_address_until_the_back_office_lifts_it() {
    let bo = backoffice().await;
    let function = events_function(&bo).await;
    let address = email("bounced");
    let r = gql(&bo.auth, REGISTER, json!({ "input": { "email": address, "password": PASSWORD } }), &[]).await;
    let id = r["data"]["registerCustomer"]["customer"]["id"].as_str().expect("registered").to_string();
    settle(&bo.svc).await;
    let confirmations = sent_to(&address).await.len();
    assert_eq!(confirmations, 1, "the registration's confirmation");
    assert_eq!(deliverable(&bo, &id).await, true);

    // A transient bounce (a full mailbox) suppresses nothing.
    let transient = sample("ses-bounce.json", &address, |e| e["detail"]["bounce"]["bounceType"] = json!("Transient"));
    function.handle_payload(transient, SystemTime::now()).await.expect("handled");
    assert_eq!(deliverable(&bo, &id).await, true);

    // A permanent one does, and a second delivery of it changes nothing.
    for _ in 0..2 {
        let bounce = sample("ses-bounce.json", &address, |_| {});
        function.handle_payload(bounce, SystemTime::now()).await.expect("handled");
    }
    assert_eq!(deliverable(&bo, &id).await, false);

    // Mail to it is dropped from the outbox, not sent.
    gql(&bo.auth, RESET, json!({ "e": address }), &[]).await;
    settle(&bo.svc).await;
    assert_eq!(sent_to(&address).await.len(), confirmations, "nothing mailed to a suppressed address");

    // The back office lifts it; mail flows again.
    let cleared = bo.call(CLEAR, json!({ "id": id })).await;
    assert_eq!(cleared["data"]["clearEmailSuppression"]["customer"]["emailDeliverable"], true, "{cleared}");
    gql(&bo.auth, RESET, json!({ "e": address }), &[]).await;
    settle(&bo.svc).await;
    assert_eq!(sent_to(&address).await.len(), confirmations + 1, "the reset after the suppression was lifted");
}

#[tokio::test]
async fn a_complaint_suppresses_only_in_the_tenant_the_mail_was_sent_for() {
    let bo = backoffice().await;
    let function = events_function(&bo).await;
    let address = email("complained");
    let created = bo.create(json!({ "email": address })).await;
    let id = created["customer"]["id"].as_str().expect("created").to_string();
    let elsewhere =
        sample("ses-complaint.json", &address, |e| e["detail"]["mail"]["tags"]["tenant"] = json!(["other-shop"]));
    function.handle_payload(elsewhere, SystemTime::now()).await.expect("handled");
    assert_eq!(deliverable(&bo, &id).await, true, "another tenant's complaint");
    let complaint = sample("ses-complaint.json", &address, |_| {});
    function.handle_payload(complaint, SystemTime::now()).await.expect("handled");
    assert_eq!(deliverable(&bo, &id).await, false);
    // A customer whose address changes leaves the suppression behind.
    let moved = bo
        .call(
            "mutation($id: ID!, $e: String!) { updateCustomer(identifier: { customerId: $id }, input: { email: $e }) { customer { emailDeliverable } userErrors { code } } }",
            json!({ "id": id, "e": email("moved") }),
        )
        .await;
    assert_eq!(moved["data"]["updateCustomer"]["customer"]["emailDeliverable"], true, "{moved}");
}
