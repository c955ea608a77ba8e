//! Erasure that cannot be stranded: the customer is gone at once, the rest
//! goes in a job that a failure half-way does not stop for good, and the
//! job ends the subscriptions of the addresses the customer proved, and no
//! other.

use crate::admin::{mint, Backoffice};
use crate::orders::{by_id, order, record};
use crate::support::accounts::{login, PASSWORD, REGISTER};
use crate::support::{
    aws, bearer, codes, config, email, gql, items_mentioning, publisher, spawn_relay_over, unique, DEFAULT_BUS,
};
use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_runtime_api::box_error::BoxError;
use serde_json::{json, Value};
use shared::auth::TokenRole;
use shared::domain::Permission;
use shared::mail::SesMailer;
use shared::store::DynamoStore;
use shared::Services;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A DynamoDB client's interceptor that lets the first `allowed` batch
/// writes through and fails every later one, as a throttled or unreachable
/// table would: an erasure cut off half-way.
#[derive(Debug, Clone, Default)]
struct CutOff {
    allowed: Arc<AtomicUsize>,
    failed: Arc<AtomicUsize>,
}

impl Intercept for CutOff {
    fn name(&self) -> &'static str {
        "CutOff"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let target = context.request().headers().get("x-amz-target").unwrap_or_default();
        if !target.ends_with(".BatchWriteItem") {
            return Ok(());
        }
        // The search index's writes (the events function's, beside the
        // erasure's job) pass: the job's own deletes are what is cut off.
        let body = context.request().body().bytes().unwrap_or_default();
        if String::from_utf8_lossy(body).contains(&format!("\"{}", shared::store::keys::SEARCH_INDEX)) {
            return Ok(());
        }
        if self.allowed.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |a| a.checked_sub(1)).is_ok() {
            return Ok(());
        }
        self.failed.fetch_add(1, Ordering::SeqCst);
        Err("the table is out of reach (injected)".into())
    }
}

/// How many search index entries list customer `id`.
async fn index_entries_of(table: &str, id: &str) -> usize {
    let ddb = aws_sdk_dynamodb::Client::new(&aws().await);
    let out = ddb
        .scan()
        .table_name(table)
        .consistent_read(true)
        .filter_expression("begins_with(pk, :ix) AND sk = :id")
        .expression_attribute_values(
            ":ix",
            aws_sdk_dynamodb::types::AttributeValue::S(shared::store::keys::SEARCH_INDEX.into()),
        )
        .expression_attribute_values(":id", aws_sdk_dynamodb::types::AttributeValue::S(id.into()))
        .send()
        .await
        .expect("scan the index");
    assert!(out.last_evaluated_key.is_none(), "one page of a test's table");
    out.count as usize
}

/// Waits (at most a minute: the whole suite runs beside it, and each look
/// scans the table) until `done` holds.
async fn eventually(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let started = std::time::Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what}: not within a minute");
}

/// A table of its own whose stream nobody reads (a test runs the erasure's
/// job itself), and the back office over it.
pub(crate) async fn unread_table(prefix: &str) -> (aws_config::SdkConfig, String, Backoffice) {
    let aws = aws().await;
    let table = unique(prefix);
    let ddb = aws_sdk_dynamodb::Client::new(&aws);
    shared::store::table::create_table(&ddb, &table).await.expect("create table");
    let store = Arc::new(DynamoStore::new(ddb, table.clone()));
    let svc = Arc::new(Services::new(config(&table, &[]), store, TokenRole::Issuer).expect("services"));
    let key = mint(&svc, "default", &Permission::ALL).await;
    let b = Backoffice { admin: admin::app(svc.clone()), auth: auth::app(svc.clone()), svc, key };
    (aws, table, b)
}

const DELETE: &str = "mutation($id: ID!) { deleteCustomer(id: $id) { deleted userErrors { code } } }";

#[tokio::test]
async fn an_erasure_cut_off_half_way_is_finished_by_a_later_run_and_leaves_nothing() {
    let (aws, table, b) = unread_table("erasure").await;
    let svc = b.svc.clone();

    let address = email("stranded");
    let made =
        b.create(json!({ "email": address, "password": PASSWORD, "emailVerified": true, "loyaltyId": "LD-CUT" })).await;
    let id = made["customer"]["id"].as_str().unwrap_or_else(|| panic!("{made}")).to_string();
    for i in 0..30 {
        let placed = format!("2026-07-01T10:{i:02}:00Z");
        assert_eq!(
            record(&b, order(&format!("SO-CUT-{i}"), &by_id(&id), "PAID", &placed, "10.00")).await["result"],
            "CREATED"
        );
    }
    let before = items_mentioning(&table, &id).await;
    assert!(before > 60, "orders, their guards and ledger entries: {before}");

    // Gone at once: no read, login or identifier finds it.
    let d = b.call(DELETE, json!({ "id": id })).await;
    assert_eq!(d["data"]["deleteCustomer"]["deleted"], true, "{d}");
    assert!(
        b.call("query($id: ID!) { customer(id: $id) { id } }", json!({ "id": id })).await["data"]["customer"].is_null()
    );
    assert_eq!(codes(&login(&b.auth, &address, PASSWORD, &[]).await), ["INVALID_CREDENTIALS"]);
    let lookup = b.call("query($l: String!) { customer(loyaltyId: $l) { id } }", json!({ "l": "LD-CUT" })).await;
    assert!(lookup["data"]["customer"].is_null(), "{lookup}");

    // The job runs and is cut off after one batch of deletes.
    let cut = CutOff { allowed: Arc::new(AtomicUsize::new(1)), ..CutOff::default() };
    let conf = aws_sdk_dynamodb::config::Builder::from(&aws).interceptor(cut.clone()).build();
    let failing = DynamoStore::new(aws_sdk_dynamodb::Client::from_conf(conf), table.clone());
    let mailer = Arc::new(SesMailer::new(&aws));
    let relay = spawn_relay_over(&aws, &table, failing, mailer.clone(), publisher(&aws, DEFAULT_BUS));
    eventually("the job failed", async || cut.failed.load(Ordering::SeqCst) > 0).await;
    relay.abort();
    // Of what the job removes (the search index's entries are the events
    // function's, counted apart).
    let left = items_mentioning(&table, &id).await - index_entries_of(&table, &id).await;
    assert!(left > 0 && left < before, "half-way: {left} of {before} left");

    // Erased again meanwhile: the same answer, not NOT_FOUND.
    let again = b.call(DELETE, json!({ "id": id })).await;
    assert_eq!(again["data"]["deleteCustomer"]["deleted"], true, "{again}");
    // Its id cannot be taken again while its job runs (the job would
    // remove the newcomer with the old customer's items).
    let upsert =
        "mutation($input: UpsertCustomerInput!) { upsertCustomer(input: $input) { result userErrors { code field } } }";
    let input =
        json!({ "identifier": { "customerId": id }, "onCreate": { "email": email("newcomer") }, "onUpdate": {} });
    let reborn = b.call(upsert, json!({ "input": input })).await;
    assert_eq!(
        reborn["data"]["upsertCustomer"]["userErrors"],
        json!([{ "code": "TAKEN", "field": ["input", "identifier", "customerId"] }]),
        "{reborn}"
    );
    // An operator sees it among the erasures not finished.
    let pending = svc.store.pending_erasures().await.expect("pending erasures");
    assert_eq!(pending.iter().map(|(_, e)| e.customer_id.as_str()).collect::<Vec<_>>(), [id.as_str()]);

    // The next run (the stream delivers the record again) finishes it.
    let healthy = DynamoStore::new(aws_sdk_dynamodb::Client::new(&aws), table.clone());
    let relay = spawn_relay_over(&aws, &table, healthy, mailer, publisher(&aws, DEFAULT_BUS));
    eventually("nothing of the customer left", async || items_mentioning(&table, &id).await == 0).await;
    relay.abort();
    assert_eq!(items_mentioning(&table, "SO-CUT-").await, 0, "nor its orders' guards");
    let gone = b.call(DELETE, json!({ "id": id })).await;
    assert_eq!(codes(&gone["data"]["deleteCustomer"]), ["NOT_FOUND"], "done: {gone}");
    assert!(svc.store.pending_erasures().await.expect("pending erasures").is_empty());
}

#[tokio::test]
async fn a_job_that_reaches_its_deadline_stops_and_the_next_round_finishes() {
    let (_, table, b) = unread_table("erasure-deadline").await;
    let svc = b.svc.clone();
    let made = b.create(json!({ "email": email("long-history") })).await;
    let id = made["customer"]["id"].as_str().unwrap_or_else(|| panic!("{made}")).to_string();
    for i in 0..15 {
        let placed = format!("2026-07-01T10:{i:02}:00Z");
        record(&b, order(&format!("SO-LONG-{i}"), &by_id(&id), "PAID", &placed, "10.00")).await;
    }
    assert_eq!(b.call(DELETE, json!({ "id": id })).await["data"]["deleteCustomer"]["deleted"], true);

    let tenant = shared::domain::TenantId::default_tenant();
    let erasure = svc.store.erasure(&tenant, &id).await.unwrap().expect("the erasure record");
    let now = std::time::Instant::now();
    let first = svc.store.finish_erasure(&tenant, &erasure, now).await.expect("a run");
    assert_eq!(first, shared::store::Progress::More, "out of time at once: one batch, the rest is left");
    let left = items_mentioning(&table, &id).await;
    assert!(left > 0, "{left} left");
    let later = now + Duration::from_secs(60);
    assert_eq!(svc.store.finish_erasure(&tenant, &erasure, later).await.expect("a run"), shared::store::Progress::Done);
    assert_eq!(items_mentioning(&table, &id).await, 0, "nothing left");
    assert_eq!(
        svc.store.finish_erasure(&tenant, &erasure, later).await.expect("a late run"),
        shared::store::Progress::Done,
        "a late delivery of a finished job does nothing"
    );
}

const SUBSCRIBE: &str = "mutation($e: String!, $i: String!) { backInStockSubscribe(input: { email: $e, item: $i, shipTo: { countryCode: \"DE\" } }) { subscribed } }";
const NOTIFY: &str = "mutation($i: String!) { notifyBackInStock(item: $i) { notified } }";
const NEWSLETTER: &str = "mutation($e: String!) { subscribeToNewsletter(email: $e) { status } }";
const CONFIRM_NEWSLETTER: &str = "mutation($t: String!) { confirmNewsletterSubscription(token: $t) { status } }";
const EXPORT: &str = "{ newsletterSubscriptions(status: SUBSCRIBED, first: 100) { edges { node { email } } } }";

#[tokio::test]
async fn an_unproven_accounts_erasure_leaves_its_addresses_subscriptions_alone() {
    let s = crate::subscriptions::stack(&[]).await;
    let victim = email("guest");
    // A guest subscribes to the newsletter (double opt-in) and to an alert.
    gql(s.subs.graphql(), NEWSLETTER, json!({ "e": victim }), &[]).await;
    let token = crate::support::mail::nth_to(&victim, 1).await.token();
    let confirmed = gql(s.subs.graphql(), CONFIRM_NEWSLETTER, json!({ "t": token }), &[]).await;
    assert_eq!(confirmed["data"]["confirmNewsletterSubscription"]["status"], "SUBSCRIBED", "{confirmed}");
    gql(s.subs.graphql(), SUBSCRIBE, json!({ "e": victim, "i": "SKU-GUEST" }), &[]).await;

    // The attack: register the guest's address, then erase that account.
    let r = gql(&s.auth, REGISTER, json!({ "input": { "email": victim, "password": PASSWORD } }), &[]).await;
    let access = r["data"]["registerCustomer"]["session"]["accessToken"].as_str().expect("registered").to_string();
    let q = "mutation($p: String!) { deleteAccount(password: $p) { deleted } }";
    let d = gql(&s.account, q, json!({ "p": PASSWORD }), &[bearer(&access)]).await;
    assert_eq!(d["data"]["deleteAccount"]["deleted"], true, "{d}");
    crate::support::settle(&s.svc).await;

    let k = [bearer(&s.key)];
    let export = gql(&s.admin, EXPORT, json!({}), &k).await;
    let emails: Vec<&Value> = export["data"]["newsletterSubscriptions"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"]["email"])
        .collect();
    assert_eq!(emails, [&json!(victim)], "the guest is still subscribed: {export}");
    let notified = gql(&s.admin, NOTIFY, json!({ "i": "SKU-GUEST" }), &k).await;
    assert_eq!(notified["data"]["notifyBackInStock"]["notified"], 1, "the guest's alert is still there: {notified}");
}

#[tokio::test]
async fn erasure_ends_the_subscriptions_of_every_address_the_customer_proved_but_not_a_later_owners() {
    let s = crate::subscriptions::stack(&[]).await;
    let k = [bearer(&s.key)];
    let (first, second, current) = (email("first"), email("second"), email("current"));
    let created = gql(
        &s.admin,
        "mutation($e: String!) { createCustomer(input: { email: $e, emailVerified: true }) { customer { id } } }",
        json!({ "e": first }),
        &k,
    )
    .await;
    let id = created["data"]["createCustomer"]["customer"]["id"].as_str().expect("created").to_string();
    let move_to = async |address: &str| {
        let q = "mutation($id: ID!, $e: String!) { updateCustomer(identifier: { customerId: $id }, input: { email: $e, emailVerified: true }) { userErrors { code } } }";
        let r = gql(&s.admin, q, json!({ "id": id, "e": address }), &k).await;
        assert!(codes(&r["data"]["updateCustomer"]).is_empty(), "{r}");
    };
    move_to(&second).await;
    move_to(&current).await;
    for (address, item) in [(&first, "SKU-FIRST"), (&second, "SKU-SECOND"), (&current, "SKU-CURRENT")] {
        let r = gql(s.subs.graphql(), SUBSCRIBE, json!({ "e": address, "i": item }), &[]).await;
        assert_eq!(r["data"]["backInStockSubscribe"]["subscribed"], true, "{r}");
    }
    // A later customer holds the first address now: its alerts are its own.
    let heir = gql(
        &s.admin,
        "mutation($e: String!) { createCustomer(input: { email: $e }) { customer { id } } }",
        json!({ "e": first }),
        &k,
    )
    .await;
    assert!(heir["data"]["createCustomer"]["customer"]["id"].is_string(), "{heir}");

    let d = gql(&s.admin, DELETE, json!({ "id": id }), &k).await;
    assert_eq!(d["data"]["deleteCustomer"]["deleted"], true, "{d}");
    crate::support::settle(&s.svc).await;
    let notified = async |item: &str| {
        gql(&s.admin, NOTIFY, json!({ "i": item }), &k).await["data"]["notifyBackInStock"]["notified"].clone()
    };
    assert_eq!(notified("SKU-CURRENT").await, 0, "the current address's alert went");
    assert_eq!(notified("SKU-SECOND").await, 0, "so did an earlier proven address's");
    assert_eq!(notified("SKU-FIRST").await, 1, "the later owner's stays");
}
