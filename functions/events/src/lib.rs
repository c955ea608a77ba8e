//! The `events` function: what must follow a change of the table, read from
//! its stream (docs/events.md):
//!
//! - the outbox: every mail was written as an item (`OUTBOX#<id>`) in the
//!   transaction of the change that causes it, and is sent here, at least
//!   once and never twice for one delivery of its record;
//! - customer events (docs/events.md): the changes of customer
//!   profiles and newsletter subscriptions, as [`customer_events`] reads
//!   them, are published to an EventBridge bus, at least once, in the order
//!   of the records (so in version order per customer), up to ten records'
//!   events in one PutEvents call.
//!
//! The stream's event source mapping (template.yaml) delivers batches in
//! order, with `ReportBatchItemFailures`: the first record that fails (a
//! mail not sent, an event not published) is reported, and nothing after it
//! is processed, so that the retry starts there and the order holds. Retries
//! are bounded, then the batch goes to the dead-letter queue (with an alarm).

pub mod customer_events;
pub mod publisher;

pub use customer_events::{CustomerEvent, EventName, DEFAULT_SOURCE};
pub use publisher::{BusEvent, EventBridgePublisher, Publisher, Unpublished};

use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use lambda_runtime::LambdaEvent;
use publisher::{MAX_BATCH_BYTES, MAX_ENTRIES};
use shared::clock::Clock;
use shared::domain::OutboxMail;
use shared::domain::{mask_email, TenantId};
use shared::mail::{MailError, Mailer, SesMailer};
use shared::retry::Backoff;
use shared::store::keys::ItemKey;
use shared::store::{stream, DynamoStore, MailClaim, Store, UniqueKey};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::time::Instant;

/// The time an invocation may take when its deadline is unknown: the
/// function's `Timeout` in template.yaml.
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(60);
/// Lambda never runs an invocation longer than this.
const MAX_BUDGET: Duration = Duration::from_secs(15 * 60);
/// Time kept before the deadline: no mail is started, and no attempt made,
/// with less left (an SES call takes at most `shared::aws::OPERATION_TIMEOUT`,
/// as long to claim it and as long to remove it): a send must never be cut
/// off between SES taking the mail and the item's removal.
const RESERVE: Duration = Duration::from_secs(3 * shared::aws::OPERATION_TIMEOUT.as_secs() + 2);
/// A claim outlives the invocation that made it by this much: a delivery
/// that died holds its mail no longer than that.
const LEASE_MARGIN: Duration = Duration::from_secs(5);
/// Tries to send one mail, or to publish a batch of events, within an
/// invocation (each an SES or PutEvents call with the SDK's own retries):
/// 3, pausing 0.5 s before the second and 1 s before the third, as long as
/// the pause leaves `RESERVE` before the deadline.
const DELIVERY: Backoff =
    Backoff { tries: 3, first: Duration::from_millis(500), max: Duration::from_secs(2), jitter: Duration::ZERO };
/// How often a mail held by another delivery is asked for again.
const BUSY_WAIT: Duration = Duration::from_secs(1);

/// What a record of the stream asks of this function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Work {
    /// A mail was put into the outbox: send it.
    Mail { id: String },
    /// A customer's profile was created, changed or removed: publish its
    /// event, unless the change is bookkeeping only (a login, say).
    Customer,
    /// A newsletter subscription changed: publish an event if it turned
    /// `SUBSCRIBED` or stopped being so.
    Newsletter { tenant: TenantId, email_key: String },
    /// An order was recorded, or a loyalty transaction: publish its event.
    Buyer,
    /// Nothing: the claims and removals of outbox items (this function's
    /// own writes), and every other item.
    Nothing,
}

/// What `record` asks for, by what its keys name (the store's grammar,
/// `shared::store::stream`). Outbox mails are the insertions of mail items;
/// their modifications (claims, releases) and removals (sent, or expired)
/// are not.
pub fn classify(record: &EventRecord) -> Work {
    match stream::item_key(&record.change.keys) {
        ItemKey::Mail { id } if record.event_name == "INSERT" => Work::Mail { id },
        ItemKey::Profile(_) => Work::Customer,
        ItemKey::Order { .. } | ItemKey::Ledger { .. } => Work::Buyer,
        ItemKey::Newsletter { tenant, email_key } => Work::Newsletter { tenant, email_key },
        ItemKey::Mail { .. } | ItemKey::Other => Work::Nothing,
    }
}

/// How one record ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Done with (including: nothing to do, or refused for good and kept).
    Done,
    /// To be delivered again: reported as the batch's first failure.
    Retry,
}

pub struct Events {
    store: Arc<dyn Store>,
    mailer: Arc<dyn Mailer>,
    publisher: Arc<dyn Publisher>,
}

/// Events read from the batch's records and not published yet, each with
/// the index of its record and the customer (or address) it is about.
#[derive(Default)]
struct Pending {
    events: Vec<BusEvent>,
    records: Vec<usize>,
    subjects: Vec<Subject>,
    bytes: usize,
}

impl Pending {
    fn clear(&mut self) {
        *self = Pending::default();
    }
}

impl Events {
    pub fn new(store: Arc<dyn Store>, mailer: Arc<dyn Mailer>, publisher: Arc<dyn Publisher>) -> Self {
        Self { store, mailer, publisher }
    }

    /// The production wiring: the table named by `TABLE_NAME` (default
    /// `customers`, as `shared::Config` reads it), SES, and the EventBridge
    /// bus named by `EVENT_BUS_NAME` (required: without it the function does
    /// not start) with the source `EVENT_SOURCE` (default `customer-api`),
    /// with the clients of `shared::aws::load` (endpoints from
    /// `AWS_ENDPOINT_URL_*` locally).
    pub async fn from_env() -> anyhow::Result<Self> {
        let table = std::env::var("TABLE_NAME").unwrap_or_else(|_| "customers".into());
        let aws = shared::aws::load().await?;
        let publisher = EventBridgePublisher::from_env(&aws)?;
        let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&aws), table);
        Ok(Self::new(Arc::new(store), Arc::new(SesMailer::new(&aws)), Arc::new(publisher)))
    }

    /// One Lambda invocation: the batch, until the invocation's deadline.
    pub async fn invoke(&self, event: LambdaEvent<Event>) -> Result<DynamoDbEventResponse, Infallible> {
        Ok(self.handle_until(event.payload, event.context.deadline()).await)
    }

    /// A batch of stream records, given `DEFAULT_BUDGET`.
    pub async fn handle(&self, event: Event) -> DynamoDbEventResponse {
        self.handle_until(event, SystemTime::now() + DEFAULT_BUDGET).await
    }

    /// A batch of stream records, in order, until `deadline`. The answer
    /// names the first record that failed (by its sequence number); the
    /// records after it are left untouched, for the retry. A deadline that
    /// has passed already counts as unknown: `cargo lambda watch` hands every
    /// invocation the same deadline, in 1970.
    ///
    /// Events are collected and published together (`flush`) when ten are
    /// pending, when their size or a second event about the same customer
    /// calls for it (one PutEvents call never holds two events of one
    /// customer, so a partly failed call cannot put them out of order),
    /// before a mail is sent, and at the end: a record counts as done only
    /// once the events of the records before it are on the bus.
    pub async fn handle_until(&self, event: Event, deadline: SystemTime) -> DynamoDbEventResponse {
        let until = Instant::now() + budget(deadline, SystemTime::now());
        let mut response = DynamoDbEventResponse::default();
        let mut pending = Pending::default();
        let mut failed: Option<usize> = None;
        for (i, record) in event.records.iter().enumerate() {
            let found = match classify(record) {
                Work::Mail { id } => {
                    // The events of the records before go out first.
                    if let Err(at) = self.flush(&mut pending, until).await {
                        failed = Some(at);
                        break;
                    }
                    if self.send_mail(&id, until).await == Outcome::Retry {
                        failed = Some(i);
                        break;
                    }
                    None
                }
                Work::Customer => customer_event(record).map(|e| (subject_of(&e, None), e)),
                Work::Buyer => buyer_event(record).map(|e| (subject_of(&e, None), e)),
                Work::Newsletter { tenant, email_key } => {
                    match self.newsletter_event(record, &tenant, &email_key).await {
                        Ok(found) => found.map(|e| (subject_of(&e, Some(email_key.as_str())), e)),
                        Err(Lookup) => {
                            failed = Some(self.flush(&mut pending, until).await.err().unwrap_or(i));
                            break;
                        }
                    }
                }
                Work::Nothing => None,
            };
            if let Some((subject, found)) = found {
                if let Err(at) = self.queue(&mut pending, i, subject, found, until).await {
                    failed = Some(at);
                    break;
                }
            }
        }
        if failed.is_none() {
            failed = self.flush(&mut pending, until).await.err();
        }
        if let Some(at) = failed {
            let mut failure = DynamoDbBatchItemFailure::default();
            failure.item_identifier = event.records.get(at).and_then(|r| r.change.sequence_number.clone());
            response.batch_item_failures.push(failure);
            tracing::warn!(records = event.records.len(), done = at, "batch stopped at a record to deliver again");
        }
        response
    }

    /// The event of a newsletter record, with the customer that owns the
    /// address in the tenant (read through its email guard), if the change
    /// is one; `Lookup` when that read failed (the record is to be
    /// delivered again).
    async fn newsletter_event(
        &self,
        record: &EventRecord,
        tenant: &TenantId,
        email_key: &str,
    ) -> Result<Option<CustomerEvent>, Lookup> {
        let change = match customer_events::newsletter_change(record) {
            Ok(Some(change)) => change,
            Ok(None) => return Ok(None),
            Err(e) => {
                unreadable(record, &e);
                return Ok(None);
            }
        };
        match self.store.customer_id_by(tenant, UniqueKey::Email, email_key).await {
            Ok(customer) => Ok(Some(customer_events::newsletter_event(record, tenant, change, customer))),
            Err(e) => {
                tracing::error!(
                    event = %record.event_id, tenant = tenant.as_str(), error = %format!("{e:#}"),
                    "could not read which customer has the newsletter's address: left for the next delivery"
                );
                Err(Lookup)
            }
        }
    }

    /// Adds the event of record `record`, about `subject`, to those pending,
    /// publishing those first when it does not go with them. Err: the record
    /// to deliver again from.
    async fn queue(
        &self,
        pending: &mut Pending,
        record: usize,
        subject: Subject,
        event: CustomerEvent,
        until: Instant,
    ) -> Result<(), usize> {
        let mut event = event;
        // A customer can be larger than an event may be (256 KB): then the
        // event goes out without `data` (consumers read the customer through
        // the API) rather than blocking the stream, and the mail behind it.
        if BusEvent::of(&event).is_ok_and(|e| e.size() > MAX_BATCH_BYTES) {
            tracing::warn!(event = %event.detail.event_id, "event too large for the bus: published without data");
            event.detail.data = serde_json::Value::Null;
        }
        let bus_event = match BusEvent::of(&event) {
            Ok(bus_event) => bus_event,
            Err(e) => {
                let error = format!("{e:#}");
                let id = &event.detail.event_id;
                tracing::error!(event = %id, error = %error, "an event that cannot be written: skipped");
                return Ok(());
            }
        };
        let full = pending.events.len() >= MAX_ENTRIES
            || pending.bytes + bus_event.size() > MAX_BATCH_BYTES
            || pending.subjects.contains(&subject);
        if full {
            self.flush(pending, until).await?;
        }
        pending.bytes += bus_event.size();
        pending.events.push(bus_event);
        pending.records.push(record);
        pending.subjects.push(subject);
        Ok(())
    }

    /// Publishes the pending events, in order, with a few attempts (from the
    /// first event not published on) as the deadline allows. Err: the index
    /// of the record of the first event that is not known to be published,
    /// to deliver again from (the events after it may go out twice: at
    /// least once, their `eventId` tells).
    async fn flush(&self, pending: &mut Pending, until: Instant) -> Result<(), usize> {
        if pending.events.is_empty() {
            return Ok(());
        }
        let mut from = 0usize;
        let mut attempt = 0;
        let result = loop {
            if left(until) < RESERVE {
                let events = pending.events.len() - from;
                tracing::warn!(events, "too close to the deadline to publish events: left for the next delivery");
                break Err(pending.records[from]);
            }
            match self.publisher.publish(&pending.events[from..]).await {
                Ok(()) => {
                    for e in &pending.events[from..] {
                        tracing::info!(event = %e.event_id, detail_type = e.detail_type, "customer event published");
                    }
                    break Ok(());
                }
                Err(unpublished) => {
                    let stopped = (from + unpublished.index).min(pending.events.len() - 1);
                    for e in &pending.events[from..stopped] {
                        tracing::info!(event = %e.event_id, detail_type = e.detail_type, "customer event published");
                    }
                    from = stopped;
                    let (event, error) = (&pending.events[from], &unpublished.reason);
                    if let Some(pause) = pause_before_another(attempt, until) {
                        tracing::warn!(
                            event = %event.event_id, detail_type = event.detail_type, attempt = attempt + 1, error = %error,
                            "customer event not published yet: trying again"
                        );
                        tokio::time::sleep(pause).await;
                        attempt += 1;
                        continue;
                    }
                    tracing::error!(
                        event = %event.event_id, detail_type = event.detail_type, attempt = attempt + 1, error = %error,
                        "customer event not published: left for the next delivery"
                    );
                    break Err(pending.records[from]);
                }
            }
        };
        pending.clear();
        result
    }

    /// Sends the outbox mail `id` unless it was sent or refused already.
    async fn send_mail(&self, id: &str, until: Instant) -> Outcome {
        if left(until) < RESERVE {
            tracing::warn!(mail = id, "too close to the deadline to send: left for the next delivery");
            return Outcome::Retry;
        }
        let mail = match self.claim(id, until).await {
            Ok(mail) => mail,
            Err(outcome) => return outcome,
        };
        let to = mask_email(&mail.to);
        let rendered = match mail.render() {
            Ok(rendered) => rendered,
            Err(e) => return self.reject(&mail, &to, &format!("the mail does not render: {e:#}")).await,
        };
        let mut attempt = 0;
        loop {
            match self.mailer.send(&mail.from, &rendered).await {
                Ok(()) => break,
                Err(MailError::Rejected(reason)) => return self.reject(&mail, &to, &reason).await,
                Err(MailError::Transient(e)) => {
                    let error = redact(&format!("{e:#}"), &mail.to, &to);
                    if let Some(pause) = pause_before_another(attempt, until) {
                        tracing::warn!(
                            mail = %mail.id, template = ?mail.template, to = %to, attempt = attempt + 1, error = %error,
                            "mail not sent yet: trying again"
                        );
                        tokio::time::sleep(pause).await;
                        attempt += 1;
                        continue;
                    }
                    tracing::error!(
                        mail = %mail.id, template = ?mail.template, to = %to, attempt = attempt + 1, error = %error,
                        "mail not sent: left for the next delivery"
                    );
                    self.release(&mail.id).await;
                    return Outcome::Retry;
                }
            }
        }
        match self.store.mail_sent(&mail.id).await {
            Ok(()) => tracing::info!(
                mail = %mail.id, tenant = %mail.tenant_id, template = ?mail.template, to = %to, "mail sent"
            ),
            // Sent is sent: delivering the record again would mail twice. The
            // item stays claimed until its TTL removes it.
            Err(e) => tracing::error!(
                mail = %mail.id, template = ?mail.template, to = %to, error = %format!("{e:#}"),
                "mail sent, but its outbox item could not be removed"
            ),
        }
        Outcome::Done
    }

    /// Takes the mail for this delivery, until the invocation's deadline
    /// (and a margin); waits while another delivery holds it, as long as
    /// the deadline allows. Otherwise, how the record ends.
    async fn claim(&self, id: &str, until: Instant) -> Result<OutboxMail, Outcome> {
        loop {
            // The lease is measured against the invocation's real deadline,
            // so it reads the system's time like the deadline does.
            let now = shared::clock::SystemClock.now();
            let lease_until = now + chrono_duration(left(until) + LEASE_MARGIN);
            match self.store.claim_mail(id, now, lease_until).await {
                Ok(MailClaim::Claimed(mail)) => return Ok(*mail),
                Ok(MailClaim::Gone) => {
                    tracing::info!(mail = id, "outbox mail sent already (or gone): nothing to do");
                    return Err(Outcome::Done);
                }
                Ok(MailClaim::Rejected) => {
                    tracing::info!(mail = id, "outbox mail refused for good earlier: not sent again");
                    return Err(Outcome::Done);
                }
                Ok(MailClaim::Busy) if left(until) > BUSY_WAIT + RESERVE => tokio::time::sleep(BUSY_WAIT).await,
                Ok(MailClaim::Busy) => {
                    tracing::warn!(mail = id, "outbox mail held by another delivery: left for the next delivery");
                    return Err(Outcome::Retry);
                }
                Err(e) => {
                    tracing::error!(mail = id, error = %format!("{e:#}"), "could not claim the outbox mail");
                    return Err(Outcome::Retry);
                }
            }
        }
    }

    /// Keeps a mail SES refused for good, with the reason, for an operator.
    async fn reject(&self, mail: &OutboxMail, to: &str, reason: &str) -> Outcome {
        let logged = redact(reason, &mail.to, to);
        match self.store.mail_rejected(&mail.id, reason).await {
            Ok(()) => {
                tracing::error!(
                    mail = %mail.id, tenant = %mail.tenant_id, template = ?mail.template, to = %to, reason = %logged,
                    "mail refused for good: kept in the outbox for an operator"
                );
                Outcome::Done
            }
            Err(e) => {
                tracing::error!(
                    mail = %mail.id, template = ?mail.template, to = %to, reason = %logged, error = %format!("{e:#}"),
                    "mail refused for good, but could not be marked so: left for the next delivery"
                );
                self.release(&mail.id).await;
                Outcome::Retry
            }
        }
    }

    /// Gives a claimed mail back at once, so that the next delivery need not
    /// wait for the lease to run out.
    async fn release(&self, id: &str) {
        if let Err(e) = self.store.release_mail(id).await {
            let error = format!("{e:#}");
            tracing::warn!(mail = id, error = %error, "could not release the outbox mail: its lease runs out");
        }
    }
}

/// The time an invocation has: until `deadline`, or `DEFAULT_BUDGET` if that
/// has passed already (no real deadline), at most Lambda's maximum.
fn budget(deadline: SystemTime, now: SystemTime) -> Duration {
    match deadline.duration_since(now) {
        Ok(left) if !left.is_zero() => left.min(MAX_BUDGET),
        _ => DEFAULT_BUDGET,
    }
}

fn left(until: Instant) -> Duration {
    until.saturating_duration_since(Instant::now())
}

/// The pause before another try at a delivery after try `attempt` (from 0)
/// failed, if one is left and the pause leaves `RESERVE` before `until`.
fn pause_before_another(attempt: u32, until: Instant) -> Option<Duration> {
    DELIVERY.pause_within(attempt, left(until).saturating_sub(RESERVE))
}

/// The customer's store could not be read: the record is to be delivered again.
#[derive(Debug)]
struct Lookup;

/// Who an event is about: its customer, or else the address of its
/// newsletter subscription. One PutEvents call holds one event per subject.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Subject {
    Customer { tenant: String, id: String },
    Address { tenant: String, email_key: String },
}

fn subject_of(event: &CustomerEvent, email_key: Option<&str>) -> Subject {
    let tenant = event.detail.tenant_id.clone();
    match (&event.detail.customer_id, email_key) {
        (Some(id), _) => Subject::Customer { tenant, id: id.clone() },
        (None, key) => Subject::Address { tenant, email_key: key.unwrap_or_default().to_string() },
    }
}

/// A record that cannot be read as what its keys say it is: no delivery
/// would change that, so it makes no event, and an error is logged.
fn unreadable(record: &EventRecord, error: &anyhow::Error) {
    tracing::error!(
        event = %record.event_id, sequence_number = ?record.change.sequence_number, error = %format!("{error:#}"),
        "a stream record that cannot be read: no event"
    );
}

/// The event of a record of a customer's profile, if the change makes one.
fn customer_event(record: &EventRecord) -> Option<CustomerEvent> {
    match customer_events::customer_event(record) {
        Ok(event) => event,
        Err(e) => {
            unreadable(record, &e);
            None
        }
    }
}

/// The event of a record of an order or ledger entry, if it makes one.
fn buyer_event(record: &EventRecord) -> Option<CustomerEvent> {
    match customer_events::buyer_event(record) {
        Ok(event) => event,
        Err(e) => {
            unreadable(record, &e);
            None
        }
    }
}

fn chrono_duration(d: Duration) -> chrono::Duration {
    chrono::Duration::milliseconds(i64::try_from(d.min(MAX_BUDGET + LEASE_MARGIN).as_millis()).unwrap_or(0))
}

/// `text` (a provider's message) with the recipient's address masked: logs
/// never hold a full address.
fn redact(text: &str, address: &str, masked: &str) -> String {
    if address.is_empty() {
        return text.to_string();
    }
    text.replace(address, masked).replace(&address.to_lowercase(), masked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
            assert_eq!(classify(&record(op, "T#shop#C#01HZX3", "PROFILE")), Work::Customer);
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
        let event: Event =
            serde_json::from_str(include_str!("../../../events/events/stream-batch.json")).expect("sample");
        let work: Vec<Work> = event.records.iter().map(classify).collect();
        assert_eq!(work, [Work::Mail { id: "01JDQ7Z8X0C4V5B6N7M8K9J0H1".into() }, Work::Nothing, Work::Nothing]);
        let mail: OutboxMail =
            serde_dynamo::from_item(event.records[0].change.new_image.clone()).expect("an outbox mail");
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

    /// A store never reached: profile records need none.
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
        let events = Events::new(offline_store(), Arc::new(NoMail), bus.clone());
        let response = events.handle(two_customers()).await;
        assert!(response.batch_item_failures.is_empty());
        let calls = bus.calls.lock().expect("calls").clone();
        assert_eq!(calls, [vec!["e1"], vec!["e3", "e4"], vec!["e5"]]);
    }

    #[tokio::test]
    async fn an_event_the_bus_refuses_fails_the_batch_from_its_record() {
        let bus = Arc::new(Bus { refuse: Some((1, 1)), ..Default::default() });
        let events = Events::new(offline_store(), Arc::new(NoMail), bus.clone());
        // Time for one attempt only (none is made with less than RESERVE left).
        let deadline = SystemTime::now() + RESERVE + Duration::from_millis(400);
        let response = events.handle_until(two_customers(), deadline).await;
        let failed: Vec<Option<String>> =
            response.batch_item_failures.iter().map(|f| f.item_identifier.clone()).collect();
        assert_eq!(failed, [Some("4".to_string())], "B's creation was refused: from its record on");
        let calls = bus.calls.lock().expect("calls").clone();
        assert_eq!(calls, [vec!["e1"], vec!["e3", "e4"]], "nothing after the refused call");
    }
}
