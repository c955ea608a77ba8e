//! Test support: every test gets its own table in the DynamoDB Local that
//! `scripts/test.sh` started, its own email addresses in the shared SES
//! emulator, and a function handler to send HTTP requests to. The table's
//! stream is relayed to the `events` function in process, which sends the
//! mail the functions put into the outbox (`settle` waits for it) and
//! publishes the customer events to an EventBridge bus of moto's (the
//! default bus, where they go nowhere, unless a test names its own).

pub mod accounts;
pub mod imports;
pub mod mail;
pub mod private;
pub mod recorder;
pub mod search;
pub mod tls;
pub mod watch;

use lambda_http::http::Method;
use lambda_http::Request;
use lambda_http::{Body, RequestExt};

use serde_json::{json, Value};
use shared::auth::TokenRole;
use shared::clock::ManualClock;
use shared::graphql::App;
use shared::mail::{Mailer, SesMailer};
use shared::store::outbox_status as status;
use shared::store::DynamoStore;
use shared::{Config, Services};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// The Ed25519 key pair of the tests' access tokens, in the text form of
/// `JWT_PRIVATE_KEYS` / `JWT_PUBLIC_KEYS` (base64url of the 32-byte seed and
/// public key). Generated once with a CSPRNG for the tests; never deployed.
pub const JWT_PRIVATE_KEY: &str = "6dVSphYGQq-astdIVzI7_jcdNbDfpwGefgBpUMydbxo";
pub const JWT_PUBLIC_KEY: &str = "9KB6NsFR7hseQcY8VtZ62HkzuD6H74uwV7qYb9qGOqo";
pub const SHOP_URL: &str = "http://localhost:3000";
/// Where the test shop's contact form is mailed (`contactEmail`): every
/// test's contact requests arrive here, so a test tells its own apart by
/// their sender.
pub const CONTACT_EMAIL: &str = "service@test-shop.example.com";

/// The settings of the test shop (mail links, contact address, currency,
/// loyalty earning, attribute definitions as `scripts/dev.sh` has them), for every tenant (`TENANTS`).
pub fn tenants_json() -> String {
    json!({ "*": {
        "name": "Test Shop",
        "allowedUrls": [format!("{SHOP_URL}/")],
        "confirmEmailUrl": format!("{SHOP_URL}/confirm-email"),
        "resetPasswordUrl": format!("{SHOP_URL}/reset-password"),
        "contactEmail": CONTACT_EMAIL,
        "defaultCountryCode": "GB",
        "currencyCode": "EUR",
        "loyalty": { "pointsPerUnit": 1, "stampsPerOrder": 1 },
        "attributes": [
            { "key": "loyaltyTier", "type": "STRING", "writableBy": "BACK_OFFICE", "visibleToCustomer": true },
            { "key": "internalScore", "type": "INT", "writableBy": "BACK_OFFICE", "visibleToCustomer": false },
            { "key": "favouriteColour", "type": "STRING", "writableBy": "CUSTOMER", "visibleToCustomer": true },
        ],
        "undefinedAttributes": "ALLOW",
    }})
    .to_string()
}

/// The configuration of a test: the defaults of a deployment, the tenant
/// allow-list of a local shop, and whatever the test overrides.
pub fn config(table: &str, overrides: &[(&str, &str)]) -> Config {
    let tenants = tenants_json();
    let mut env: HashMap<String, String> = HashMap::from([
        ("TABLE_NAME".into(), table.to_string()),
        ("JWT_PRIVATE_KEYS".into(), JWT_PRIVATE_KEY.into()),
        ("JWT_PUBLIC_KEYS".into(), JWT_PUBLIC_KEY.into()),
        ("TENANTS".into(), tenants),
        ("MAIL_FROM".into(), "shop@example.com".into()),
        // Short floor: tests exercise the logic, benchmarks the timing.
        ("ENUMERATION_FLOOR_MS".into(), "20".into()),
    ]);
    for (k, v) in overrides {
        env.insert(k.to_string(), v.to_string());
    }
    Config::from_lookup(|k| env.get(k).cloned()).expect("test config")
}

/// A configuration from exactly `env`, nothing added: no keys unless `env` has them.
pub fn bare_config(env: &[(&str, &str)]) -> Config {
    Config::from_lookup(|k| env.iter().find(|(e, _)| *e == k).map(|(_, v)| v.to_string())).expect("bare config")
}

pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", ulid::Ulid::new().to_string().to_lowercase())
}

/// A unique address for this test, so mails never mix between tests: ten
/// random characters (50 bits) are enough, and a short address keeps the
/// customer's search index (written for every customer) small.
pub fn email(name: &str) -> String {
    let random = ulid::Ulid::new().to_string().to_lowercase();
    format!("{name}.{}@example.com", &random[16..])
}

/// The SDK configuration of the tests' services, relays and checks: the
/// deployment's, with patient timeouts. DynamoDB Local, one process for the
/// whole suite on a busy two-core machine, at times answers a batch write
/// after more than the deployment's 2-second attempt timeout, which then
/// failed tests that had nothing wrong. The fault tests, which time how a
/// hung dependency is given up, use `aws_as_deployed`.
pub async fn aws() -> aws_config::SdkConfig {
    let patient = aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(shared::aws::CONNECT_TIMEOUT)
        .operation_attempt_timeout(Duration::from_secs(10))
        .operation_timeout(Duration::from_secs(30))
        .build();
    aws_as_deployed().await.to_builder().timeout_config(patient).build()
}

/// The SDK configuration exactly as a deployed function loads it.
pub async fn aws_as_deployed() -> aws_config::SdkConfig {
    assert!(
        std::env::var("AWS_ENDPOINT_URL_DYNAMODB").is_ok(),
        "run the tests through scripts/test.sh, which starts DynamoDB Local and the SES emulator"
    );
    shared::aws::load().await.expect("AWS SDK configuration")
}

/// The bus of tests that do not read their events: EventBridge's default
/// bus, which always exists (in moto too); with no rule on it, what is
/// published there goes nowhere. A test that reads events makes a bus of
/// its own (`services_on_bus`).
pub const DEFAULT_BUS: &str = "default";

/// The events function's publisher to `bus`, with the source of a deployment.
pub fn publisher(aws: &aws_config::SdkConfig, bus: &str) -> Arc<dyn events::Publisher> {
    assert!(
        std::env::var("AWS_ENDPOINT_URL_EVENTBRIDGE").is_ok(),
        "run the tests through scripts/test.sh, which starts moto as the local EventBridge"
    );
    Arc::new(events::EventBridgePublisher::new(aws, bus, events::DEFAULT_SOURCE))
}

/// A fresh table, its stream relayed to the events function (which sends
/// the outbox's mail through the SES emulator and publishes customer events
/// to the default bus), and the services over it. `TEST_LOG=1` shows the
/// functions' logs (with `--nocapture`).
pub async fn services(overrides: &[(&str, &str)]) -> Arc<Services> {
    services_recorded(overrides).await.0
}

/// Like `services`, with the customer events published to `bus` (which
/// must exist), for the tests that read them.
pub async fn services_on_bus(overrides: &[(&str, &str)], bus: &str) -> Arc<Services> {
    services_recorded_on(overrides, bus).await.0
}

/// Like `services`, with every DynamoDB call of the services recorded (and
/// the table's creation taken out), for tests that count round trips. The
/// relay and the events function have clients of their own: their calls are
/// never recorded.
pub async fn services_recorded(overrides: &[(&str, &str)]) -> (Arc<Services>, recorder::Recorder) {
    services_recorded_on(overrides, DEFAULT_BUS).await
}

async fn services_recorded_on(overrides: &[(&str, &str)], bus: &str) -> (Arc<Services>, recorder::Recorder) {
    let (svc, recorder) = build_services(overrides, bus).await;
    (Arc::new(svc), recorder)
}

/// The services of `services_recorded_on`, before they are shared (to add
/// to them).
pub async fn build_services(overrides: &[(&str, &str)], bus: &str) -> (Services, recorder::Recorder) {
    build_services_with(overrides, bus, true).await
}

/// Like `build_services`; without the stream's relay unless `relayed` (a
/// test that relays the stream's paths its own way).
pub async fn build_services_with(
    overrides: &[(&str, &str)],
    bus: &str,
    relayed: bool,
) -> (Services, recorder::Recorder) {
    if std::env::var("TEST_LOG").is_ok() {
        shared::logging::init();
    }
    let aws = aws().await;
    let table = unique("test");
    let recorder = recorder::Recorder::default();
    let conf = aws_sdk_dynamodb::config::Builder::from(&aws).interceptor(recorder.clone()).build();
    let ddb = aws_sdk_dynamodb::Client::from_conf(conf);
    shared::store::table::create_table(&ddb, &table).await.expect("create test table");
    if relayed {
        spawn_relay(&aws, &table, Arc::new(SesMailer::new(&aws)), publisher(&aws, bus));
    }
    let config = config(&table, overrides);
    let store = DynamoStore::new(ddb, table);
    recorder.take();
    // Signs and verifies: one set of services serves every function of a test.
    let clock = clock_of_table(&config.table_name);
    let svc = Services::new(config, Arc::new(store), TokenRole::Issuer).expect("services").with_clock(Arc::new(clock));
    (svc, recorder)
}

/// The clocks of the tests' tables: each test's services read the time
/// from a `ManualClock` of their own, which `clock` hands to the test.
static CLOCKS: std::sync::LazyLock<std::sync::Mutex<HashMap<String, ManualClock>>> =
    std::sync::LazyLock::new(Default::default);

fn clock_of_table(table: &str) -> ManualClock {
    let mut clocks = CLOCKS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    clocks.entry(table.to_string()).or_default().clone()
}

/// The clock of `svc` (and of every function built over them): a test of
/// an expiry, a lock or a budget moves it forward instead of sleeping.
pub fn clock(svc: &Services) -> ManualClock {
    clock_of_table(&svc.config.table_name)
}

/// The relay's pace in tests: mail arrives within a fraction of a second.
pub fn relay_settings() -> customer_ctl::relay::Settings {
    customer_ctl::relay::Settings {
        idle_wait: Duration::from_millis(50),
        retry_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_secs(1),
        discover_every: Duration::from_millis(250),
        ..Default::default()
    }
}

/// Relays `table`'s stream, from its first record, to the events function
/// in process, mailing through `mailer` and publishing through `publisher`;
/// with DynamoDB clients of its own (a recorder never sees their calls). The
/// task ends with the test's runtime, or when aborted.
pub fn spawn_relay(
    aws: &aws_config::SdkConfig,
    table: &str,
    mailer: Arc<dyn Mailer>,
    publisher: Arc<dyn events::Publisher>,
) -> tokio::task::JoinHandle<()> {
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(aws), table);
    spawn_relay_over(aws, table, store, mailer, publisher)
}

/// Like `spawn_relay`, with the events function over `store` (a client of
/// the caller's: one that fails on purpose, say).
pub fn spawn_relay_over(
    aws: &aws_config::SdkConfig,
    table: &str,
    store: DynamoStore,
    mailer: Arc<dyn Mailer>,
    publisher: Arc<dyn events::Publisher>,
) -> tokio::task::JoinHandle<()> {
    let function = events::Events::new(Arc::new(store), mailer, publisher);
    let relay = customer_ctl::relay::Relay::new(aws, table, customer_ctl::relay::StartAt::TrimHorizon)
        .with_settings(relay_settings());
    let table = table.to_string();
    tokio::spawn(async move {
        if let Err(e) = relay.run(&function).await {
            eprintln!("the relay of table {table} stopped: {e:#}");
        }
    })
}

/// How many items of `table` mention `text` anywhere (a consistent scan):
/// what a test of erasure counts, before and after.
pub async fn items_mentioning(table: &str, text: &str) -> usize {
    let client = aws_sdk_dynamodb::Client::new(&aws().await);
    let mut count = 0;
    let mut start = None;
    loop {
        let out =
            client.scan().table_name(table).consistent_read(true).set_exclusive_start_key(start).send().await.unwrap();
        count += out.items().iter().filter(|i| format!("{i:?}").contains(text)).count();
        match out.last_evaluated_key {
            Some(key) if !key.is_empty() => start = Some(key),
            _ => return count,
        }
    }
}

/// The outbox mails of `table` not sent yet (pending, or being sent), as
/// `id status template`, and the erasures not finished, as `pk ERASURE`.
async fn unsettled(ddb: &aws_sdk_dynamodb::Client, table: &str) -> Vec<String> {
    use aws_sdk_dynamodb::types::AttributeValue;
    let text = |item: &HashMap<String, AttributeValue>, name: &str| {
        item.get(name).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default()
    };
    let mut unsent = vec![];
    let mut start = None;
    loop {
        let out = ddb
            .scan()
            .table_name(table)
            .consistent_read(true)
            .filter_expression(
                "(begins_with(pk, :outbox) AND (#status = :pending OR #status = :sending)) OR sk = :erasure",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":outbox", AttributeValue::S(shared::store::keys::outbox("")))
            .expression_attribute_values(":pending", AttributeValue::S(status::PENDING.into()))
            .expression_attribute_values(":sending", AttributeValue::S(status::SENDING.into()))
            .expression_attribute_values(":erasure", AttributeValue::S(shared::store::keys::ERASURE.into()))
            .set_exclusive_start_key(start)
            .send()
            .await
            .expect("scan the outbox");
        for item in out.items() {
            unsent.push(format!("{} {} {}", text(item, "pk"), text(item, "sk"), text(item, "template")));
        }
        match out.last_evaluated_key {
            Some(key) if !key.is_empty() => start = Some(key),
            _ => return unsent,
        }
    }
}

/// How long a test waits for what follows a change through the stream (a
/// mail, an erasure's job, the search index): a moment when the machine is
/// idle, but DynamoDB Local serves the whole suite on two cores and may
/// stall for seconds. Only a test that fails waits this long.
pub const STREAM_WAIT: Duration = Duration::from_secs(60);

/// Waits until every mail in the outbox of `svc`'s table went out (or was
/// refused for good), every erasure's job is done and the erased customers' index
/// entries are gone, at most `STREAM_WAIT`;
/// then panics naming what is left. Call it before asserting which mails
/// were, or were not, sent, or what an erasure left.
pub async fn settle(svc: &Services) {
    let ddb = aws_sdk_dynamodb::Client::new(&aws().await);
    let table = &svc.config.table_name;
    let deadline = tokio::time::Instant::now() + STREAM_WAIT;
    loop {
        let mut unsent = unsettled(&ddb, table).await;
        if unsent.is_empty() {
            // The erased customers' index entries too, which the events
            // function takes off beside the erasure's job.
            unsent = search::orphans(&ddb, table).await;
            if unsent.is_empty() {
                return;
            }
        }
        if tokio::time::Instant::now() >= deadline {
            panic!("mail unsent, erasures unfinished or index entries of erased customers left in table {table} after {STREAM_WAIT:?}: {unsent:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The services `svc` as a function with `role` holds them: the same table,
/// mailer and settings, but only the keys that function gets.
pub fn with_role(svc: &Services, role: TokenRole) -> Arc<Services> {
    let services = Services::new(svc.config.clone(), svc.store.clone(), role).expect("services");
    Arc::new(services.with_clock(svc.clock.clone()))
}

/// Services that never reach the network: for building schemas.
pub fn offline_services() -> Arc<Services> {
    let ddb = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
        .build();
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::from_conf(ddb), "unused");
    let config = config("unused", &[]);
    Arc::new(Services::new(config, Arc::new(store), TokenRole::Issuer).expect("services"))
}

/// One HTTP request to a function, as API Gateway would hand it over; the status and body.
pub async fn post<E: async_graphql::Executor>(app: &App<E>, body: Vec<u8>, headers: &[(&str, String)]) -> (u16, Value) {
    let resp = app.handle(request(body, headers)).await.expect("infallible");
    let (status, text) = text_of(&resp);
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// A POST of `body` with `headers`, as API Gateway hands it to a function.
pub fn request(body: Vec<u8>, headers: &[(&str, String)]) -> Request {
    let mut req =
        lambda_http::http::Request::builder().method(Method::POST).uri("https://api.example.com/auth/graphql");
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    req.body(Body::from(body)).expect("request").with_lambda_context(Default::default())
}

/// Runs a GraphQL operation and returns the whole response body.
pub async fn gql<E: async_graphql::Executor>(
    app: &App<E>,
    query: &str,
    variables: Value,
    headers: &[(&str, String)],
) -> Value {
    let body = serde_json::to_vec(&json!({ "query": query, "variables": variables })).expect("json");
    let (status, value) = post(app, body, headers).await;
    assert_eq!(status, 200, "{value}");
    value
}

/// The codes of a payload's `userErrors`.
pub fn codes(payload: &Value) -> Vec<String> {
    payload["userErrors"]
        .as_array()
        .map(|a| a.iter().map(|e| e["code"].as_str().unwrap_or_default().to_string()).collect())
        .unwrap_or_default()
}

/// The `extensions.code` of the first top-level error.
pub fn top_error(resp: &Value) -> Option<String> {
    resp["errors"][0]["extensions"]["code"].as_str().map(String::from)
}

pub fn bearer(token: &str) -> (&'static str, String) {
    ("authorization", format!("Bearer {token}"))
}

pub fn tenant(id: &str) -> (&'static str, String) {
    ("x-tenant-id", id.to_string())
}

fn events_dir(function: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../events").join(function)
}

/// The names of the sample events of `function`, sorted.
pub fn event_names(function: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(events_dir(function))
        .expect("events folder")
        .filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".json").map(String::from))
        .collect();
    names.sort();
    names
}

/// `events/<function>/<name>.json` as the request Lambda would deliver,
/// after textual `replacements` (e.g. a live access token).
pub fn event_request(function: &str, name: &str, replacements: &[(&str, &str)]) -> Request {
    let mut raw = std::fs::read_to_string(events_dir(function).join(format!("{name}.json"))).expect("event file");
    for (from, to) in replacements {
        raw = raw.replace(from, to);
    }
    lambda_http::request::from_str(&raw).unwrap_or_else(|e| panic!("{name}: not an API Gateway event: {e}"))
}

/// The status and text of a response.
pub fn text_of(resp: &lambda_http::Response<Body>) -> (u16, String) {
    let text = match resp.body() {
        Body::Text(t) => t.clone(),
        Body::Binary(b) => String::from_utf8_lossy(b).into_owned(),
        _ => String::new(),
    };
    (resp.status().as_u16(), text)
}

/// Runs `events/<function>/<name>.json` through a GraphQL handler and
/// returns the JSON answer (which must come with HTTP 200).
pub async fn run_event<E: async_graphql::Executor>(
    app: &App<E>,
    function: &str,
    name: &str,
    replacements: &[(&str, &str)],
) -> Value {
    let resp = app.handle(event_request(function, name, replacements)).await.expect("infallible");
    let (status, text) = text_of(&resp);
    assert_eq!(status, 200, "{function}/{name}: {text}");
    serde_json::from_str(&text).expect("JSON")
}
