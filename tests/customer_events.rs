//! Customer events (docs/events.md), end to end: the functions
//! change customers, the table's stream goes through the events function to
//! moto's EventBridge, and each test reads what arrived through a bus, a
//! catch-all rule and an SQS queue of its own. Every change makes exactly one
//! event, a login none; a customer's events arrive in version order; no
//! event carries a password, its hash, a token or a session.

use crate::support::accounts::{login, register, PASSWORD};
use crate::support::{bearer, codes, email, gql, mail, services_on_bus, unique, with_role};
use aws_sdk_eventbridge::types::{InputTransformer, Target};
use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::{json, Value};
use shared::domain::Permission;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// Every event on the bus goes to the queue: a pattern that matches any
/// source (valid on AWS too).
const CATCH_ALL: &str = r#"{"source":[{"prefix":""}]}"#;
/// The target's input: the whole event as JSON. (moto's default body for a
/// target is built by text substitution and mangles some details.)
const WHOLE_EVENT: &str = "<aws.events.event.json>";
/// How long an expected event may take to arrive.
const ARRIVAL: Duration = Duration::from_secs(10);
const NEW_PASSWORD: &str = "violet tractor sings at dawn";

/// A bus, an SQS queue and a rule from one to the other, all of a test's own.
struct EventsQueue {
    sqs: aws_sdk_sqs::Client,
    url: String,
    bus: String,
}

impl EventsQueue {
    async fn new() -> Self {
        let aws = crate::support::aws().await;
        let name = unique("events");
        let eventbridge = aws_sdk_eventbridge::Client::new(&aws);
        let sqs = aws_sdk_sqs::Client::new(&aws);
        eventbridge.create_event_bus().name(&name).send().await.expect("create the test's bus");
        let queue = sqs.create_queue().queue_name(&name).send().await.expect("create the test's queue");
        let url = queue.queue_url.expect("a queue URL");
        let attributes = sqs
            .get_queue_attributes()
            .queue_url(&url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .expect("the queue's attributes");
        let arn = attributes.attributes.and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned()).expect("its ARN");
        eventbridge
            .put_rule()
            .name(&name)
            .event_bus_name(&name)
            .event_pattern(CATCH_ALL)
            .send()
            .await
            .expect("a catch-all rule");
        let input = InputTransformer::builder().input_template(WHOLE_EVENT).build().expect("an input transformer");
        let target = Target::builder().id("queue").arn(arn).input_transformer(input).build().expect("a target");
        let out = eventbridge
            .put_targets()
            .rule(&name)
            .event_bus_name(&name)
            .targets(target)
            .send()
            .await
            .expect("the queue as the rule's target");
        assert!(out.failed_entries.unwrap_or_default().is_empty(), "the target was taken");
        Self { sqs, url, bus: name }
    }

    /// What arrives within `wait_seconds` (a long poll), in order, taken off
    /// the queue. Each message's whole text is checked for secrets first.
    async fn receive(&self, wait_seconds: i32) -> Vec<Value> {
        let out = self
            .sqs
            .receive_message()
            .queue_url(&self.url)
            .max_number_of_messages(10)
            .wait_time_seconds(wait_seconds)
            .send()
            .await
            .expect("receive from the test's queue");
        let mut events = vec![];
        for message in out.messages.unwrap_or_default() {
            let body = message.body.clone().unwrap_or_default();
            assert_no_secrets(&body);
            events.push(serde_json::from_str(&body).unwrap_or_else(|e| panic!("not an event ({e}): {body}")));
            if let Some(handle) = message.receipt_handle {
                self.sqs.delete_message().queue_url(&self.url).receipt_handle(handle).send().await.expect("delete");
            }
        }
        events
    }

    /// The next `n` events, in order of arrival; fails if they do not all
    /// arrive within `ARRIVAL`, or more arrive with them.
    async fn next(&self, n: usize) -> Vec<Value> {
        let deadline = Instant::now() + ARRIVAL;
        let mut events = vec![];
        while events.len() < n {
            assert!(Instant::now() < deadline, "{} of {n} events within {ARRIVAL:?}: {events:#?}", events.len());
            events.extend(self.receive(1).await);
        }
        assert_eq!(events.len(), n, "more events than expected: {events:#?}");
        events
    }

    /// The next event, alone.
    async fn one(&self) -> Value {
        self.next(1).await.remove(0)
    }

    /// After the events expected: nothing else arrives for a while.
    async fn assert_drained(&self) {
        let extra = self.receive(1).await;
        assert!(extra.is_empty(), "events nobody expected: {extra:#?}");
    }
}

/// No password, hash, token or session anywhere in an event's text.
fn assert_no_secrets(text: &str) {
    let lower = text.to_lowercase();
    for secret in ["$argon2", "passwordhash", "refreshhash", "token", "session", "pendingemailchange"] {
        assert!(!lower.contains(secret), "{secret} in an event: {text}");
    }
    for password in [PASSWORD, NEW_PASSWORD] {
        assert!(!text.contains(password), "a password in an event: {text}");
    }
}

/// Asserts `e` is `detail_type` about `customer` at `version`, naming
/// exactly `changed`, with the envelope and detail of the contract.
fn assert_event(e: &Value, detail_type: &str, customer: Option<&str>, version: Option<i64>, changed: &[&str]) {
    assert_eq!(e["source"], "customer-api", "{e:#}");
    assert_eq!(e["detail-type"], detail_type, "{e:#}");
    let d = &e["detail"];
    assert_eq!(d["tenantId"], "default", "{e:#}");
    assert_eq!(d["customerId"].as_str(), customer, "{e:#}");
    assert!(d.get("version").is_some(), "version is always there (null when unknown): {e:#}");
    assert_eq!(d["version"].as_i64(), version, "{e:#}");
    let names: Vec<&str> =
        d["changedFields"].as_array().expect("changedFields").iter().filter_map(Value::as_str).collect();
    assert_eq!(names, changed, "{e:#}");
    assert!(d["eventId"].as_str().is_some_and(|id| !id.is_empty()), "{e:#}");
    let at = d["occurredAt"].as_str().unwrap_or_default();
    assert!(at.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(at).is_ok(), "RFC 3339 UTC: {e:#}");
}

/// Each event's version, in order of arrival: strictly increasing.
fn assert_version_order(events: &[Value]) {
    let versions: Vec<i64> = events.iter().filter_map(|e| e["detail"]["version"].as_i64()).collect();
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "versions out of order: {versions:?}");
}

/// The four functions over one table whose events go to a queue of the test's own.
struct Stack {
    auth: crate::auth::AuthApp,
    account: crate::account::AccountApp,
    admin: crate::admin::AdminApp,
    subs: subscriptions::Subscriptions,
    /// An admin key of tenant `default` with every permission.
    key: String,
    events: EventsQueue,
    svc: Arc<shared::Services>,
}

async fn stack() -> Stack {
    let events = EventsQueue::new().await;
    // Newsletter mails then carry unsubscribe links with a token.
    let svc = services_on_bus(&[("PUBLIC_API_URL", crate::subscriptions::API)], &events.bus).await;
    let key = crate::admin::mint(&svc, "default", &Permission::ALL).await;
    Stack {
        auth: auth::app(svc.clone()),
        account: account::app(svc.clone()),
        admin: admin::app(with_role(&svc, admin::TOKEN_ROLE)),
        subs: subscriptions::app(with_role(&svc, subscriptions::TOKEN_ROLE)),
        key,
        events,
        svc,
    }
}

/// A registered customer: its id and access token.
struct Registered {
    id: String,
    access: String,
}

const UPDATE: &str =
    "mutation($i: UpdateCustomerInput!) { updateCustomer(input: $i) { customer { version } userErrors { code } } }";
const CONFIRM_EMAIL: &str = "mutation($t: String!) { confirmEmail(token: $t) { confirmed } }";
const SUBSCRIBE: &str = "mutation($e: String!) { subscribeToNewsletter(email: $e) { status userErrors { code } } }";
const CONFIRM_NEWSLETTER: &str =
    "mutation($t: String!) { confirmNewsletterSubscription(token: $t) { status userErrors { code } } }";
const UNSUBSCRIBE: &str =
    "mutation($t: String) { unsubscribeFromNewsletter(token: $t) { status userErrors { code } } }";

impl Stack {
    /// Registers `address` (first name Ada) and takes its `customer.created`.
    async fn register(&self, address: &str) -> Registered {
        let r = register(&self.auth, address, &[]).await;
        assert!(codes(&r).is_empty(), "{r}");
        let id = r["customer"]["id"].as_str().expect("an id").to_string();
        let access = r["session"]["accessToken"].as_str().expect("a session").to_string();
        let created = self.events.one().await;
        assert_eq!(created["detail-type"], "customer.created", "{created:#}");
        Registered { id, access }
    }

    async fn account(&self, c: &Registered, query: &str, variables: Value) -> Value {
        gql(&self.account, query, variables, &[bearer(&c.access)]).await
    }

    async fn rename(&self, c: &Registered, first_name: &str) {
        let r = self.account(c, UPDATE, json!({ "i": { "firstName": first_name } })).await;
        assert!(codes(&r["data"]["updateCustomer"]).is_empty(), "{r}");
    }

    async fn set_status(&self, c: &Registered, status: &str) {
        let q = "mutation($id: ID!, $s: CustomerStatus!) { setCustomerStatus(id: $id, status: $s) { userErrors { code } } }";
        let r = gql(&self.admin, q, json!({ "id": c.id, "s": status }), &[bearer(&self.key)]).await;
        assert!(codes(&r["data"]["setCustomerStatus"]).is_empty(), "{r}");
    }

    async fn subscriptions(&self, query: &str, variables: Value, headers: &[(&str, String)]) -> Value {
        gql(self.subs.graphql(), query, variables, headers).await
    }
}

/// The `token=` of `link`.
fn token_in(link: &str) -> String {
    let start = link.find("token=").map(|i| i + "token=".len()).unwrap_or(link.len());
    link[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

#[tokio::test]
async fn a_registration_is_created_with_the_public_fields_only_and_a_login_makes_no_event() {
    let s = stack().await;
    let address = email("created");
    let r = register(&s.auth, &address, &[]).await;
    let id = r["customer"]["id"].as_str().expect("registered").to_string();
    let created = s.events.one().await;
    assert_eq!(created["detail-type"], "customer.created", "{created:#}");
    let d = &created["detail"];
    assert_eq!((d["customerId"].as_str(), d["version"].as_i64()), (Some(id.as_str()), Some(1)), "{created:#}");
    let changed: Vec<&str> = d["changedFields"].as_array().expect("names").iter().filter_map(Value::as_str).collect();
    for field in ["email", "firstName", "id", "status", "tenantId"] {
        assert!(changed.contains(&field), "{field} in {changed:?}");
    }
    for field in ["version", "updatedAt", "lastLoginAt", "passwordHash"] {
        assert!(!changed.contains(&field), "{field} in {changed:?}");
    }
    assert_eq!((d["data"]["id"].as_str(), d["data"]["email"].as_str()), (Some(id.as_str()), Some(address.as_str())));
    assert_eq!((d["data"]["firstName"].as_str(), d["data"]["version"].as_i64()), (Some("Ada"), Some(1)));

    // A login changes lastLoginAt only: no event. The rename after it is the
    // very next event (the stream keeps a customer's order).
    let l = login(&s.auth, &address, PASSWORD, &[]).await;
    assert!(codes(&l).is_empty(), "{l}");
    let c = Registered { id, access: l["session"]["accessToken"].as_str().expect("a session").to_string() };
    s.rename(&c, "Adele").await;
    let updated = s.events.one().await;
    assert_event(&updated, "customer.updated", Some(&c.id), Some(2), &["firstName"]);
    assert_eq!(updated["detail"]["data"]["firstName"], "Adele");
    s.events.assert_drained().await;
}

#[tokio::test]
async fn a_customers_events_arrive_once_each_and_in_version_order() {
    let s = stack().await;
    let c = s.register(&email("busy")).await;
    for name in ["Bea", "Cleo", "Dora"] {
        s.rename(&c, name).await;
    }
    s.set_status(&c, "INACTIVE").await;
    s.set_status(&c, "ACTIVE").await;
    let events = s.events.next(5).await;
    let types: Vec<&str> = events.iter().filter_map(|e| e["detail-type"].as_str()).collect();
    let expected = ["updated", "updated", "updated", "statusChanged", "statusChanged"].map(|t| format!("customer.{t}"));
    assert_eq!(types, expected);
    let names: Vec<&str> = events.iter().filter_map(|e| e["detail"]["data"]["firstName"].as_str()).collect();
    assert_eq!(names, ["Bea", "Cleo", "Dora", "Dora", "Dora"]);
    assert_eq!(events[0]["detail"]["version"], 2, "the first change after the registration");
    assert_version_order(&events);
    let ids: std::collections::HashSet<&str> = events.iter().filter_map(|e| e["detail"]["eventId"].as_str()).collect();
    assert_eq!(ids.len(), events.len(), "one event per change, each its own id");
    s.events.assert_drained().await;
}

#[tokio::test]
async fn an_email_change_is_one_event_when_it_is_confirmed() {
    let s = stack().await;
    let c = s.register(&email("moving")).await;
    let new = email("moved");
    let q = "mutation($e: String!, $p: String!) { requestEmailChange(newEmail: $e, password: $p) { requested } }";
    let r = s.account(&c, q, json!({ "e": new, "p": PASSWORD })).await;
    assert_eq!(r["data"]["requestEmailChange"]["requested"], true, "{r}");
    let token = mail::nth_to(&new, 1).await.token();
    let q = "mutation($t: String!) { confirmEmailChange(token: $t) { confirmed } }";
    let r = gql(&s.auth, q, json!({ "t": token }), &[]).await;
    assert_eq!(r["data"]["confirmEmailChange"]["confirmed"], true, "{r}");
    // The request wrote only the pending change: the first event is the switch.
    let changed = s.events.one().await;
    assert_event(&changed, "customer.emailChanged", Some(&c.id), Some(2), &["email", "emailVerified"]);
    assert_eq!(changed["detail"]["data"]["email"], new.as_str());
    s.events.assert_drained().await;
}

#[tokio::test]
async fn a_status_set_by_the_back_office_is_a_status_change() {
    let s = stack().await;
    let c = s.register(&email("paused")).await;
    s.set_status(&c, "INACTIVE").await;
    let e = s.events.one().await;
    assert_event(&e, "customer.statusChanged", Some(&c.id), Some(2), &["status"]);
    assert_eq!(e["detail"]["data"]["status"], "INACTIVE");
    s.events.assert_drained().await;
}

#[tokio::test]
async fn a_password_change_is_a_password_change_naming_no_field() {
    let s = stack().await;
    let c = s.register(&email("secret")).await;
    let q = "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { userErrors { code } } }";
    let r = s.account(&c, q, json!({ "c": PASSWORD, "n": NEW_PASSWORD })).await;
    assert!(codes(&r["data"]["changePassword"]).is_empty(), "{r}");
    let e = s.events.one().await;
    assert_event(&e, "customer.passwordChanged", Some(&c.id), Some(2), &[]);
    s.events.assert_drained().await;
}

/// The first login under an imported hash stores the same password under
/// the service's own hash: no password change, so no event.
#[tokio::test]
async fn the_rehash_of_an_imported_password_at_login_is_no_event() {
    let s = stack().await;
    let address = email("imported");
    let c = s.register(&address).await;
    let tenant = shared::domain::TenantId::default_tenant();
    let hash = "$P$B12345678L6Lpt4BxNotVIMILOa9u81";
    crate::support::accounts::plant_password_hash(&s.svc, &tenant, &c.id, shared::auth::HashAlgorithm::Phpass, hash)
        .await;
    // Planting the hash is a new password (what an import of a known
    // customer's hash is), then the login that rehashes it is nothing.
    assert_event(&s.events.one().await, "customer.passwordChanged", Some(&c.id), Some(1), &[]);
    let l = login(&s.auth, &address, "JohnRipper", &[]).await;
    assert!(codes(&l).is_empty(), "{l}");
    let stored = s.svc.store.get_customer(&tenant, &c.id).await.unwrap().unwrap().credentials.password_hash;
    assert!(stored.is_some_and(|h| s.svc.hasher.is_current(&h)), "rehashed");
    // The next event is the rename after it (the stream keeps a customer's
    // order, so an event of the rehash would have come first) ...
    let c = Registered { id: c.id, access: l["session"]["accessToken"].as_str().expect("a session").to_string() };
    s.rename(&c, "Adele").await;
    assert_event(&s.events.one().await, "customer.updated", Some(&c.id), Some(2), &["firstName"]);
    // ... and a real change after the rehash is one.
    let q = "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { userErrors { code } } }";
    let r = s.account(&c, q, json!({ "c": "JohnRipper", "n": NEW_PASSWORD })).await;
    assert!(codes(&r["data"]["changePassword"]).is_empty(), "{r}");
    assert_event(&s.events.one().await, "customer.passwordChanged", Some(&c.id), Some(3), &[]);
    s.events.assert_drained().await;
}

#[tokio::test]
async fn deleting_the_account_is_deleted_with_no_data() {
    let s = stack().await;
    let c = s.register(&email("leaving")).await;
    let q = "mutation($p: String!) { deleteAccount(password: $p) { deleted } }";
    let r = s.account(&c, q, json!({ "p": PASSWORD })).await;
    assert_eq!(r["data"]["deleteAccount"]["deleted"], true, "{r}");
    let e = s.events.one().await;
    assert_event(&e, "customer.deleted", Some(&c.id), Some(1), &[]);
    assert!(e["detail"]["data"].is_null(), "{e:#}");
    s.events.assert_drained().await;
}

#[tokio::test]
async fn a_suppressed_address_is_one_email_suppressed_event_of_its_customer() {
    use shared::domain::{Email, Suppression, SuppressionReason, TenantId};
    let s = stack().await;
    let address = email("bounced");
    let c = s.register(&address).await;
    // What the events function writes when SES reports a permanent bounce.
    let suppression = Suppression {
        email: Email::parse(&address, &[]).unwrap(),
        reason: SuppressionReason::Bounce,
        at: chrono::Utc::now(),
        customer_id: Some(c.id.clone()),
    };
    for _ in 0..2 {
        s.svc.store.suppress(&TenantId::default_tenant(), &suppression).await.expect("suppressed");
    }
    let e = s.events.one().await;
    assert_event(&e, "customer.emailSuppressed", Some(&c.id), None, &["emailDeliverable"]);
    assert_eq!(e["detail"]["data"]["reason"], "BOUNCE", "{e:#}");
    assert_eq!(e["detail"]["data"]["emailDeliverable"], false, "{e:#}");
    s.events.assert_drained().await;
}

#[tokio::test]
async fn a_customers_newsletter_double_opt_in_and_unsubscribe_are_one_event_each() {
    let s = stack().await;
    let address = email("reader");
    let c = s.register(&address).await;
    let me = [bearer(&c.access)];
    // Only a verified address manages its newsletter: that is an update.
    let verify = mail::nth_to(&address, 1).await.token();
    let r = gql(&s.auth, CONFIRM_EMAIL, json!({ "t": verify }), &[]).await;
    assert_eq!(r["data"]["confirmEmail"]["confirmed"], true, "{r}");
    assert_event(&s.events.one().await, "customer.updated", Some(&c.id), Some(2), &["emailVerified"]);

    let p = s.subscriptions(SUBSCRIBE, json!({ "e": address }), &me).await;
    assert_eq!(p["data"]["subscribeToNewsletter"]["status"], "PENDING", "{p}");
    let token = mail::nth_to(&address, 2).await.token();
    let p = s.subscriptions(CONFIRM_NEWSLETTER, json!({ "t": token }), &[]).await;
    assert_eq!(p["data"]["confirmNewsletterSubscription"]["status"], "SUBSCRIBED", "{p}");
    // PENDING made no event; SUBSCRIBED does, for the customer of the address.
    let subscribed = s.events.one().await;
    assert_event(&subscribed, "newsletter.subscribed", Some(&c.id), None, &["confirmedAt", "status"]);
    assert_eq!(subscribed["detail"]["data"]["status"], "SUBSCRIBED");
    assert_eq!(subscribed["detail"]["data"]["email"].as_str().map(str::to_lowercase), Some(address.to_lowercase()));

    let p = s.subscriptions("mutation { unsubscribeFromNewsletter { status } }", json!({}), &me).await;
    assert_eq!(p["data"]["unsubscribeFromNewsletter"]["status"], "UNSUBSCRIBED", "{p}");
    let unsubscribed = s.events.one().await;
    assert_eq!(unsubscribed["detail-type"], "newsletter.unsubscribed", "{unsubscribed:#}");
    assert_eq!(unsubscribed["detail"]["customerId"].as_str(), Some(c.id.as_str()));
    assert_eq!(unsubscribed["detail"]["data"]["status"], "UNSUBSCRIBED");
    s.events.assert_drained().await;
}

#[tokio::test]
async fn an_address_that_is_no_customers_subscribes_and_unsubscribes_with_no_customer_id() {
    let s = stack().await;
    let address = email("anonymous");
    let p = s.subscriptions(SUBSCRIBE, json!({ "e": address }), &[]).await;
    assert_eq!(p["data"]["subscribeToNewsletter"]["status"], "PENDING", "{p}");
    let confirmation = mail::nth_to(&address, 1).await;
    let p = s.subscriptions(CONFIRM_NEWSLETTER, json!({ "t": confirmation.token() }), &[]).await;
    assert_eq!(p["data"]["confirmNewsletterSubscription"]["status"], "SUBSCRIBED", "{p}");
    let subscribed = s.events.one().await;
    assert_event(&subscribed, "newsletter.subscribed", None, None, &["confirmedAt", "status"]);

    let link = confirmation.links().into_iter().find(|l| l.contains("unsubscribe")).expect("an unsubscribe link");
    let p = s.subscriptions(UNSUBSCRIBE, json!({ "t": token_in(&link) }), &[]).await;
    assert_eq!(p["data"]["unsubscribeFromNewsletter"]["status"], "UNSUBSCRIBED", "{p}");
    let unsubscribed = s.events.one().await;
    assert_event(&unsubscribed, "newsletter.unsubscribed", None, None, &["confirmedAt", "status"]);
    assert_eq!(unsubscribed["detail"]["data"]["status"], "UNSUBSCRIBED");
    s.events.assert_drained().await;
}

const RECORD_ORDER: &str =
    "mutation($i: RecordOrderInput!) { recordOrder(input: $i) { result userErrors { code field } } }";

/// Events of `events` by detail-type, for assertions that do not depend on
/// the order of items written by one transaction.
fn by_type<'a>(events: &'a [Value], detail_type: &str) -> &'a Value {
    events.iter().find(|e| e["detail-type"] == detail_type).unwrap_or_else(|| panic!("no {detail_type}: {events:#?}"))
}

#[tokio::test]
async fn a_recorded_order_is_an_order_event_and_its_points_a_loyalty_event() {
    let s = stack().await;
    let c = s.register(&email("buyer")).await;
    let order = |status: &str| {
        json!({ "i": {
            "orderId": unique("SO"), "customer": { "customerId": c.id }, "status": status,
            "placedAt": "2026-11-20T10:00:00Z", "total": { "amount": "120.50", "currencyCode": "EUR" },
            "storeId": "berlin", "items": [{ "sku": "TEA-1", "quantity": 2 }],
        }})
    };
    let mut placed = order("PLACED");
    let stack = &s;
    let record = |v: &Value| {
        let v = v.clone();
        async move { gql(&stack.admin, RECORD_ORDER, v, &[bearer(&stack.key)]).await }
    };
    let r = record(&placed).await;
    assert_eq!(r["data"]["recordOrder"]["result"], "CREATED", "{r}");
    let events = s.events.next(2).await;
    let recorded = by_type(&events, "order.recorded");
    let fields = ["id", "items", "orderId", "placedAt", "pointsEarned", "status", "storeId", "total"];
    assert_event(recorded, "order.recorded", Some(&c.id), Some(1), &fields);
    assert_eq!(recorded["detail"]["data"]["total"], json!({ "amount": "120.50", "currencyCode": "EUR" }));
    let earned = by_type(&events, "loyalty.transactionRecorded");
    let fields = ["balanceAfter", "createdAt", "id", "kind", "orderId", "points", "stamps"];
    assert_event(earned, "loyalty.transactionRecorded", Some(&c.id), Some(1), &fields);
    assert_eq!(
        (earned["detail"]["data"]["kind"].as_str(), earned["detail"]["data"]["points"].as_i64()),
        (Some("EARN"), Some(120))
    );

    // A replay writes nothing, so it publishes nothing.
    assert_eq!(record(&placed).await["data"]["recordOrder"]["result"], "NOOP");
    placed["i"]["status"] = json!("CANCELLED");
    assert_eq!(record(&placed).await["data"]["recordOrder"]["result"], "UPDATED");
    let events = s.events.next(2).await;
    assert_event(
        by_type(&events, "order.recorded"),
        "order.recorded",
        Some(&c.id),
        Some(2),
        &["pointsEarned", "status"],
    );
    let reversed = by_type(&events, "loyalty.transactionRecorded");
    assert_event(
        reversed,
        "loyalty.transactionRecorded",
        Some(&c.id),
        Some(2),
        &["balanceAfter", "createdAt", "id", "kind", "orderId", "points", "stamps"],
    );
    assert_eq!(reversed["detail"]["data"]["points"], -120);
    for e in &events {
        assert_no_secrets(&e.to_string());
    }
    s.events.assert_drained().await;
}
