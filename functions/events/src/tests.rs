//! Unit tests of the events function: classifying records, batches, deadlines, logs.

use super::*;
use crate::mail::redact;
use serde_json::json;
use shared::domain::OutboxMail;
use shared::mail::MailError;

/// A stream record as Lambda delivers it (`SizeBytes` is required).
fn record(event_name: &str, pk: &str, sk: &str) -> EventRecord {
    let raw = json!({
        "eventID": "1",
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": 1_700_000_000.0,
            "Keys": { "pk": { "S": pk }, "sk": { "S": sk } },
            "NewImage": { "pk": { "S": pk }, "sk": { "S": sk }, "status": { "S": "PENDING" } },
            "SequenceNumber": "111",
            "SizeBytes": 26,
            "StreamViewType": "NEW_AND_OLD_IMAGES"
        },
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/customers/stream/2024-01-01T00:00:00.000"
    });
    serde_json::from_value(raw).expect("a DynamoDB stream record")
}

#[test]
fn an_inserted_outbox_item_is_a_mail_to_send() {
    let r = record("INSERT", "OUTBOX#01HZX3", "MAIL");
    assert_eq!(classify(&r), Work::Mail { id: "01HZX3".into() });
    assert_eq!(r.change.sequence_number.as_deref(), Some("111"));
}

#[test]
fn claims_and_removals_of_outbox_items_are_not() {
    assert_eq!(classify(&record("MODIFY", "OUTBOX#01HZX3", "MAIL")), Work::Nothing);
    assert_eq!(classify(&record("REMOVE", "OUTBOX#01HZX3", "MAIL")), Work::Nothing);
}

#[test]
fn other_items_are_not_mails() {
    assert_eq!(classify(&record("INSERT", "OUTBOX#01HZX3", "PROFILE")), Work::Nothing);
    assert_eq!(classify(&record("INSERT", "OUTBOX#", "MAIL")), Work::Nothing);
    assert_eq!(classify(&record("INSERT", "T#shop#OUTBOX#1", "MAIL")), Work::Nothing);
}

#[test]
fn profiles_newsletter_subscriptions_orders_and_ledger_entries_are_customer_events_and_nothing_else_is() {
    for op in ["INSERT", "MODIFY", "REMOVE"] {
        assert!(matches!(classify(&record(op, "T#shop#C#01HZX3", "PROFILE")), Work::Customer { .. }));
        assert_eq!(
            classify(&record(op, "T#shop#NEWSLETTER#ann@example.com", "NEWSLETTER")),
            Work::Newsletter {
                tenant: TenantId::parse("shop").expect("a tenant"),
                email_key: "ann@example.com".into()
            }
        );
    }
    assert_eq!(classify(&record("INSERT", "T#shop#C#01HZX3", "SESSION#01A")), Work::Nothing);
    assert_eq!(classify(&record("INSERT", "T#shop#EMAIL#ann@example.com", "GUARD")), Work::Nothing);
    assert_eq!(classify(&record("INSERT", "T#shop#TOKEN#abc", "TOKEN")), Work::Nothing);
    let order = "ORDER#2026-11-20T10:00:00.000Z#SO-1";
    assert_eq!(classify(&record("MODIFY", "T#shop#C#01HZX3", order)), Work::Buyer);
    assert_eq!(classify(&record("INSERT", "T#shop#C#01HZX3", "LEDGER#000000000001")), Work::Buyer);
    assert_eq!(classify(&record("MODIFY", "T#shop#C#01HZX3", "STANDING")), Work::Nothing);
    assert_eq!(classify(&record("INSERT", "T#shop#ORDER#SO-1", "GUARD")), Work::Nothing);
}

#[test]
fn a_record_without_string_keys_is_nothing() {
    let raw = json!({
        "eventID": "2", "eventName": "INSERT", "awsRegion": "us-east-1",
        "dynamodb": { "Keys": { "pk": { "N": "1" } }, "SizeBytes": 5 }
    });
    let r: EventRecord = serde_json::from_value(raw).expect("a record");
    assert_eq!(classify(&r), Work::Nothing);
}

#[test]
fn a_batch_event_parses_and_the_response_names_sequence_numbers() {
    let event: Event = serde_json::from_value(json!({ "Records": [] })).expect("an empty batch");
    assert!(event.records.is_empty());
    let mut failure = DynamoDbBatchItemFailure::default();
    failure.item_identifier = Some("111".into());
    let mut response = DynamoDbEventResponse::default();
    response.batch_item_failures.push(failure);
    assert_eq!(
        serde_json::to_value(&response).expect("JSON"),
        json!({ "batchItemFailures": [{ "itemIdentifier": "111" }] })
    );
}

/// `events/events/stream-batch.json`: a sample batch (also for
/// `cargo lambda invoke events --data-file ...`).
#[test]
fn in_the_sample_batch_only_the_inserted_outbox_item_is_a_mail_and_it_renders() {
    let event: Event = serde_json::from_str(include_str!("../../../events/events/stream-batch.json")).expect("sample");
    let work: Vec<Work> = event.records.iter().map(classify).collect();
    assert_eq!(work, [Work::Mail { id: "01JDQ7Z8X0C4V5B6N7M8K9J0H1".into() }, Work::Nothing, Work::Nothing]);
    let mail: OutboxMail = serde_dynamo::from_item(event.records[0].change.new_image.clone()).expect("an outbox mail");
    assert_eq!(mail.id, "01JDQ7Z8X0C4V5B6N7M8K9J0H1");
    let rendered = mail.render().expect("renders");
    assert_eq!(rendered.to, "ann@example.com");
    assert!(rendered.text.contains("token=example"), "{}", rendered.text);
}

#[test]
fn a_deadline_in_the_past_means_the_default_budget() {
    let now = SystemTime::now();
    assert_eq!(budget(SystemTime::UNIX_EPOCH + Duration::from_millis(600_000), now), DEFAULT_BUDGET);
    assert_eq!(budget(now + Duration::from_secs(30), now), Duration::from_secs(30));
    assert_eq!(budget(now + Duration::from_secs(3600), now), MAX_BUDGET);
}

#[test]
fn provider_messages_are_logged_with_the_address_masked() {
    let logged =
        redact("Email address is not verified: Kate@Example.com, kate@example.com", "Kate@Example.com", "k***");
    assert_eq!(logged, "Email address is not verified: k***, k***");
}

/// The bus of the tests below: keeps each PutEvents call (the events'
/// ids), and refuses the entry `index` of call `call` if told to.
#[derive(Default)]
struct Bus {
    calls: std::sync::Mutex<Vec<Vec<String>>>,
    refuse: Option<(usize, usize)>,
}

#[async_trait::async_trait]
impl Publisher for Bus {
    async fn publish(&self, events: &[BusEvent]) -> Result<(), Unpublished> {
        let mut calls = self.calls.lock().expect("calls");
        calls.push(events.iter().map(|e| e.event_id.clone()).collect());
        match self.refuse {
            Some((call, index)) if call + 1 == calls.len() => Err(Unpublished { index, reason: "refused".into() }),
            _ => Ok(()),
        }
    }
}

/// These batches hold no mail.
struct NoMail;

#[async_trait::async_trait]
impl Mailer for NoMail {
    async fn send(&self, _from: &str, _mail: &shared::mail::Mail) -> Result<(), MailError> {
        Err(MailError::Rejected("no mail here".into()))
    }
}

/// One relisting: the customer, the tokens added and those removed.
type Relisted = (String, Vec<String>, Vec<String>);

/// The search index's writes, kept in memory.
#[derive(Default)]
struct Index {
    relisted: std::sync::Mutex<Vec<Relisted>>,
}

#[async_trait::async_trait]
impl shared::store::SearchIndexStore for Index {
    async fn relist(
        &self,
        _tenant: &shared::domain::TenantId,
        id: &str,
        add: &[String],
        remove: &[String],
    ) -> anyhow::Result<()> {
        self.relisted.lock().expect("relisted").push((id.into(), add.to_vec(), remove.to_vec()));
        Ok(())
    }
    async fn list_entries(&self, _: &shared::domain::TenantId, _: &[(String, String)]) -> anyhow::Result<()> {
        anyhow::bail!("not written here")
    }
    async fn listed(
        &self,
        _: &shared::domain::TenantId,
        _: &str,
        _: &str,
        _: &str,
        _: bool,
        _: Option<&str>,
        _: i32,
    ) -> anyhow::Result<(Vec<String>, bool)> {
        anyhow::bail!("not read here")
    }
    async fn customers_by_ids(
        &self,
        _: &shared::domain::TenantId,
        _: &[String],
    ) -> anyhow::Result<Vec<Option<shared::domain::Customer>>> {
        anyhow::bail!("not read here")
    }
    async fn count_customers(&self, _: &shared::domain::TenantId, _: &str, _: &str, _: usize) -> anyhow::Result<usize> {
        anyhow::bail!("not read here")
    }
    async fn reindex_checkpoint(
        &self,
        _: &shared::domain::TenantId,
    ) -> anyhow::Result<shared::store::ReindexCheckpoint> {
        anyhow::bail!("not read here")
    }
    async fn save_reindex_checkpoint(
        &self,
        _: &shared::domain::TenantId,
        _: &shared::store::ReindexCheckpoint,
    ) -> anyhow::Result<()> {
        anyhow::bail!("not written here")
    }
}

/// A store never reached: profile records need none (their index writes go to an `Index`).
fn offline_store() -> Arc<dyn Store> {
    let conf = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
        .build();
    Arc::new(DynamoStore::new(aws_sdk_dynamodb::Client::from_conf(conf), "unused"))
}

fn profile_image(id: &str, version: i64, first_name: &str, last_login: Option<&str>) -> serde_json::Value {
    json!({
        "pk": { "S": format!("T#shop#C#{id}") }, "sk": { "S": "PROFILE" },
        "id": { "S": id }, "tenantId": { "S": "shop" }, "customerNumber": { "S": "1" },
        "email": { "S": format!("{id}@example.com") }, "emailKey": { "S": format!("{id}@example.com") },
        "emailVerified": { "BOOL": true }, "firstName": { "S": first_name }, "status": { "S": "ACTIVE" },
        "createdAt": { "S": "2026-11-21T12:00:00Z" }, "updatedAt": { "S": "2026-11-21T12:00:00Z" },
        "lastLoginAt": last_login.map_or(json!({ "NULL": true }), |t| json!({ "S": t })),
        "version": { "N": version.to_string() },
        "passwordHash": { "S": "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA" }, "tokenVersion": { "N": "0" }
    })
}

/// A record of customer `id`'s profile, the `seq`-th of its batch (event id `e<seq>`).
fn profile_change(
    event_name: &str,
    seq: u32,
    id: &str,
    old: Option<serde_json::Value>,
    new: Option<serde_json::Value>,
) -> EventRecord {
    let mut change = json!({
        "ApproximateCreationDateTime": 1_795_262_400.0,
        "Keys": { "pk": { "S": format!("T#shop#C#{id}") }, "sk": { "S": "PROFILE" } },
        "SequenceNumber": seq.to_string(),
        "SizeBytes": 500,
        "StreamViewType": "NEW_AND_OLD_IMAGES"
    });
    if let Some(old) = old {
        change["OldImage"] = old;
    }
    if let Some(new) = new {
        change["NewImage"] = new;
    }
    let id = format!("e{seq}");
    let raw = json!({ "eventID": id, "eventName": event_name, "awsRegion": "us-east-1", "dynamodb": change });
    serde_json::from_value(raw).expect("a record")
}

/// Two customers' changes: A created, A logs in (no event), A renamed,
/// B created, B renamed.
fn two_customers() -> Event {
    let mut event = Event::default();
    event.records = vec![
        profile_change("INSERT", 1, "a", None, Some(profile_image("a", 1, "Ann", None))),
        profile_change(
            "MODIFY",
            2,
            "a",
            Some(profile_image("a", 1, "Ann", None)),
            Some(profile_image("a", 1, "Ann", Some("2026-11-21T12:01:00Z"))),
        ),
        profile_change(
            "MODIFY",
            3,
            "a",
            Some(profile_image("a", 1, "Ann", Some("2026-11-21T12:01:00Z"))),
            Some(profile_image("a", 2, "Anna", Some("2026-11-21T12:01:00Z"))),
        ),
        profile_change("INSERT", 4, "b", None, Some(profile_image("b", 1, "Bo", None))),
        profile_change(
            "MODIFY",
            5,
            "b",
            Some(profile_image("b", 1, "Bo", None)),
            Some(profile_image("b", 2, "Bob", None)),
        ),
    ];
    event
}

#[tokio::test]
async fn events_go_out_in_record_order_and_one_call_never_holds_two_of_one_customer() {
    let bus = Arc::new(Bus::default());
    let index = Arc::new(Index::default());
    let events = Events::new(offline_store(), Arc::new(NoMail), bus.clone()).with_index(index.clone());
    let response = events.handle(two_customers()).await;
    assert!(response.batch_item_failures.is_empty());
    let calls = bus.calls.lock().expect("calls").clone();
    assert_eq!(calls, [vec!["e1"], vec!["e3", "e4"], vec!["e5"]]);
    // The index: each customer once, from before its first record to after
    // its last (created as Ann, renamed Anna: listed as Anna).
    let mut relisted = index.relisted.lock().expect("relisted").clone();
    relisted.sort();
    let who: Vec<&str> = relisted.iter().map(|(id, _, _)| id.as_str()).collect();
    assert_eq!(who, ["a", "b"]);
    assert!(relisted[0].1.contains(&"p:anna".to_string()) && relisted[0].2.is_empty(), "{relisted:?}");
    assert!(relisted[1].1.contains(&"p:bob".to_string()), "{relisted:?}");
}

#[tokio::test]
async fn a_rename_lists_what_it_adds_and_takes_off_what_it_drops_and_a_login_writes_nothing() {
    let bus = Arc::new(Bus::default());
    let index = Arc::new(Index::default());
    let events = Events::new(offline_store(), Arc::new(NoMail), bus).with_index(index.clone());
    let mut batch = two_customers();
    batch.records = batch.records[1..3].to_vec();
    assert!(events.handle(batch).await.batch_item_failures.is_empty());
    let relisted = index.relisted.lock().expect("relisted").clone();
    assert_eq!(relisted, [("a".to_string(), vec!["g:nna".to_string(), "p:anna".into()], vec![])]);
    let mut login = two_customers();
    login.records = login.records[1..2].to_vec();
    let index = Arc::new(Index::default());
    let events = Events::new(offline_store(), Arc::new(NoMail), Arc::new(Bus::default())).with_index(index.clone());
    assert!(events.handle(login).await.batch_item_failures.is_empty());
    assert!(index.relisted.lock().expect("relisted").is_empty(), "a login changes no token");
}

#[tokio::test]
async fn an_event_the_bus_refuses_fails_the_batch_from_its_record() {
    let bus = Arc::new(Bus { refuse: Some((1, 1)), ..Default::default() });
    let events = Events::new(offline_store(), Arc::new(NoMail), bus.clone()).with_index(Arc::new(Index::default()));
    // Time for one attempt only (none is made with less than RESERVE left).
    let deadline = SystemTime::now() + RESERVE + Duration::from_millis(400);
    let response = events.handle_until(two_customers(), deadline).await;
    let failed: Vec<Option<String>> = response.batch_item_failures.iter().map(|f| f.item_identifier.clone()).collect();
    assert_eq!(failed, [Some("4".to_string())], "B's creation was refused: from its record on");
    let calls = bus.calls.lock().expect("calls").clone();
    assert_eq!(calls, [vec!["e1"], vec!["e3", "e4"]], "nothing after the refused call");
}
