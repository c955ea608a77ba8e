//! A dependency that hangs (its process stopped, as a stalled service looks
//! to a Lambda) gives a clean `INTERNAL` within the SDK's timeouts, never a
//! hung request, and leaves nothing half-written.

use crate::support::accounts::{login, register, PASSWORD};
use crate::support::private::Private;
use crate::support::{codes, config, email, gql, top_error, unique};
use serde_json::json;
use shared::auth::TokenRole;
use shared::mail::{Mail, MailError, Mailer, SesMailer};
use shared::store::DynamoStore;
use shared::Services;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The services of a test over a DynamoDB Local of its own.
async fn services_on(ddb: &Private) -> Arc<Services> {
    let aws = crate::support::aws_as_deployed().await;
    let conf = aws_sdk_dynamodb::config::Builder::from(&aws).endpoint_url(&ddb.endpoint).build();
    let client = aws_sdk_dynamodb::Client::from_conf(conf);
    let table = unique("faults");
    shared::store::table::create_table(&client, &table).await.expect("create table");
    let store = DynamoStore::new(client, table.clone());
    let svc = Services::new(config(&table, &[]), Arc::new(store), TokenRole::Issuer);
    Arc::new(svc.expect("services"))
}

/// No hang: the answer comes within the SDK's operation timeout (with room
/// for the test machine), not when some outer timeout gives up.
fn assert_prompt(started: Instant) {
    let bound = shared::aws::OPERATION_TIMEOUT + Duration::from_secs(3);
    assert!(started.elapsed() < bound, "answered after {:?}, over {bound:?}", started.elapsed());
}

#[tokio::test]
async fn with_dynamodb_stopped_a_query_and_a_mutation_answer_internal_and_nothing_is_half_written() {
    let ddb = Private::dynamodb().await;
    let svc = services_on(&ddb).await;
    let auth = auth::app(svc.clone());
    let account = account::app(svc);
    let me = email("present");
    let access = register(&auth, &me, &[]).await["session"]["accessToken"].as_str().expect("registered").to_string();

    ddb.pause();
    let started = Instant::now();
    let q = gql(&account, "{ customer { id email } }", json!({}), &[crate::support::bearer(&access)]).await;
    assert_eq!(top_error(&q).as_deref(), Some("INTERNAL"), "{q}");
    assert!(q["errors"][0]["extensions"]["requestId"].is_string(), "with the request id: {q}");
    assert_prompt(started);

    let newcomer = email("newcomer");
    let started = Instant::now();
    let m = register(&auth, &newcomer, &[]).await;
    assert_prompt(started);
    let resp_code =
        gql(&auth, "mutation($e: String!) { requestPasswordReset(email: $e) { requested } }", json!({ "e": me }), &[])
            .await;
    assert_eq!(top_error(&resp_code).as_deref(), Some("INTERNAL"), "{resp_code}");
    assert!(m.is_null(), "the registration answered with an error, not data: {m}");

    ddb.resume();
    // All or nothing: the newcomer either exists whole (and logs in) or not
    // at all (and registers now); the customer from before is intact.
    let l = login(&auth, &newcomer, PASSWORD, &[]).await;
    if codes(&l).is_empty() {
        assert_eq!(codes(&register(&auth, &newcomer, &[]).await), ["TAKEN"]);
    } else {
        assert_eq!(codes(&l), ["INVALID_CREDENTIALS"]);
        let again = register(&auth, &newcomer, &[]).await;
        assert!(codes(&again).is_empty(), "{again}");
    }
    assert!(codes(&login(&auth, &me, PASSWORD, &[]).await).is_empty());
}

/// The events function in process, keeping every batch it was given, so a
/// test can deliver them again as Lambda would after a failure.
struct Recording {
    function: events::Events,
    batches: std::sync::Mutex<Vec<aws_lambda_events::event::dynamodb::Event>>,
}

#[async_trait::async_trait]
impl customer_ctl::relay::Sink for Recording {
    async fn deliver(
        &self,
        event: aws_lambda_events::event::dynamodb::Event,
    ) -> anyhow::Result<aws_lambda_events::event::streams::DynamoDbEventResponse> {
        self.batches.lock().expect("batches").push(event.clone());
        Ok(self.function.handle(event).await)
    }
}

/// The SES mailer, counting the sends that failed for now (a timeout).
struct CountingFailures {
    mailer: SesMailer,
    failed: std::sync::atomic::AtomicUsize,
}

#[async_trait::async_trait]
impl Mailer for CountingFailures {
    async fn send(&self, from: &str, mail: &Mail) -> Result<(), MailError> {
        let result = self.mailer.send(from, mail).await;
        if matches!(result, Err(MailError::Transient(_))) {
            self.failed.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        result
    }
}

/// The mails the SES emulator at `endpoint` holds for `address`.
async fn mails_in(endpoint: &str, address: &str) -> usize {
    let store: serde_json::Value =
        reqwest::get(format!("{endpoint}/store")).await.expect("SES emulator").json().await.expect("JSON");
    let to = |m: &serde_json::Value| m["destination"]["to"].as_array().cloned().unwrap_or_default();
    let emails = store["emails"].as_array().cloned().unwrap_or_default();
    emails.iter().filter(|m| to(m).iter().any(|t| t.as_str().is_some_and(|t| t.eq_ignore_ascii_case(address)))).count()
}

#[tokio::test]
async fn with_ses_stopped_registration_answers_at_once_the_mail_follows_and_redelivery_mails_nothing_again() {
    let ses = Private::ses().await;
    let aws = crate::support::aws_as_deployed().await;
    let table = unique("faults-ses");
    let ddb = aws_sdk_dynamodb::Client::new(&aws);
    shared::store::table::create_table(&ddb, &table).await.expect("create table");
    let store = Arc::new(DynamoStore::new(ddb.clone(), table.clone()));
    let ses_client = aws_sdk_sesv2::Client::from_conf(
        aws_sdk_sesv2::config::Builder::from(&aws).endpoint_url(&ses.endpoint).build(),
    );
    let mailer =
        Arc::new(CountingFailures { mailer: SesMailer::with_client(&aws, ses_client), failed: Default::default() });
    let recording = Arc::new(Recording {
        function: events::Events::new(
            store.clone(),
            mailer.clone(),
            crate::support::publisher(&aws, crate::support::DEFAULT_BUS),
        ),
        batches: Default::default(),
    });
    let relay = customer_ctl::relay::Relay::new(&aws, &table, customer_ctl::relay::StartAt::TrimHorizon);
    let sink = recording.clone();
    let relay_task = tokio::spawn(async move { relay.run(sink.as_ref()).await });
    let svc = Arc::new(Services::new(config(&table, &[]), store, TokenRole::Issuer).expect("services"));
    let auth = auth::app(svc.clone());

    ses.pause();
    let address = email("patient");
    let started = Instant::now();
    let r = register(&auth, &address, &[]).await;
    assert!(codes(&r).is_empty() && r["customer"]["id"].is_string(), "registered while SES hangs: {r}");
    let waited = started.elapsed();
    assert!(waited < shared::aws::ATTEMPT_TIMEOUT, "the request never waited on SES ({waited:?})");

    // SES hangs until an attempt of the events function timed out: it keeps
    // the mail for later rather than losing it.
    let deadline = Instant::now() + 3 * shared::aws::OPERATION_TIMEOUT;
    while mailer.failed.load(std::sync::atomic::Ordering::SeqCst) == 0 {
        assert!(Instant::now() < deadline, "no send timed out while SES hung");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    ses.resume();
    let mut arrived = 0;
    for _ in 0..200 {
        arrived = mails_in(&ses.endpoint, &address).await;
        if arrived > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(arrived >= 1, "the confirmation arrived after SES came back");
    // Attempts that timed out while SES hung may have reached it all the
    // same (a stopped process still queues requests): sending is at least
    // once where SES's answer never came. What was sent is settled now.
    crate::support::settle(&svc).await;
    let sent = mails_in(&ses.endpoint, &address).await;

    // Every batch the stream gave, delivered again: nothing is mailed twice.
    relay_task.abort();
    let batches = recording.batches.lock().expect("batches").clone();
    assert!(!batches.is_empty());
    for batch in batches {
        let response = recording.function.handle(batch).await;
        assert!(response.batch_item_failures.is_empty(), "redelivery succeeds");
    }
    assert_eq!(mails_in(&ses.endpoint, &address).await, sent, "a redelivered record never mails again");
}
