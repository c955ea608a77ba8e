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
pub mod feedback;
mod mail;
pub mod publisher;
pub mod search_index;

pub use customer_events::{CustomerEvent, EventName, DEFAULT_SOURCE};
pub use publisher::{BusEvent, EventBridgePublisher, Publisher, Unpublished};

use anyhow::Context;
use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use lambda_runtime::LambdaEvent;
use publisher::{MAX_BATCH_BYTES, MAX_ENTRIES};
use shared::domain::TenantId;
use shared::mail::{Mailer, SesMailer};
use shared::retry::Backoff;
use shared::store::keys::{CustomerKey, ItemKey};
use shared::store::{stream, DynamoStore, Progress, SearchIndexStore, Store, UniqueKey};
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
/// Tries to send one mail, or to publish a batch of events, within an
/// invocation (each an SES or PutEvents call with the SDK's own retries):
/// 3, pausing 0.5 s before the second and 1 s before the third, as long as
/// the pause leaves `RESERVE` before the deadline.
const DELIVERY: Backoff =
    Backoff { tries: 3, first: Duration::from_millis(500), max: Duration::from_secs(2), jitter: Duration::ZERO };

/// Customers moved in the search index side by side.
const RELISTING: usize = 4;

/// What a record of the stream asks of this function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Work {
    /// A mail was put into the outbox: send it.
    Mail { id: String },
    /// A customer's profile was created, changed or removed: move it in the
    /// search index, and publish its event, unless the change is
    /// bookkeeping only (a login, say).
    Customer { customer: CustomerKey },
    /// A newsletter subscription changed: publish an event if it turned
    /// `SUBSCRIBED` or stopped being so.
    Newsletter { tenant: TenantId, email_key: String },
    /// An order was recorded, or a loyalty transaction: publish its event.
    Buyer,
    /// A customer's erasure was started (again): remove what it left.
    Erase { customer: CustomerKey },
    /// A customer's erasure is done (its record removed): publish
    /// `customer.deleted`.
    Erased { customer: CustomerKey },
    /// An address was suppressed (SES reported a bounce or a complaint):
    /// publish `customer.emailSuppressed`.
    Suppressed { tenant: TenantId, email_key: String },
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
        ItemKey::Profile(customer) => Work::Customer { customer },
        ItemKey::Erasure(customer) if record.event_name == "REMOVE" => Work::Erased { customer },
        ItemKey::Erasure(customer) => Work::Erase { customer },
        ItemKey::Order { .. } | ItemKey::Ledger { .. } => Work::Buyer,
        ItemKey::Newsletter { tenant, email_key } => Work::Newsletter { tenant, email_key },
        ItemKey::Suppression { tenant, email_key } => Work::Suppressed { tenant, email_key },
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
    /// The search index's writes: the store's, unless a test hands another.
    index: Arc<dyn SearchIndexStore>,
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
        let index: Arc<dyn SearchIndexStore> = store.clone();
        Self { store, index, mailer, publisher }
    }

    /// The same, with the search index written to `index`.
    pub fn with_index(mut self, index: Arc<dyn SearchIndexStore>) -> Self {
        self.index = index;
        self
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
        let mailer = SesMailer::new(&aws).with_configuration_set(std::env::var("SES_CONFIGURATION_SET").ok());
        Ok(Self::new(Arc::new(store), Arc::new(mailer), Arc::new(publisher)))
    }

    /// One Lambda invocation: a batch of the table's stream (the event
    /// source mapping), until the invocation's deadline, or SES's report of
    /// a bounce or complaint (an EventBridge rule). An error is for the
    /// latter only: Lambda then invokes again (and at last parks the event
    /// in the dead-letter queue).
    pub async fn invoke(
        &self,
        event: LambdaEvent<serde_json::Value>,
    ) -> Result<serde_json::Value, lambda_runtime::Error> {
        let deadline = event.context.deadline();
        Ok(self.handle_payload(event.payload, deadline).await.map_err(|e| format!("{e:#}"))?)
    }

    /// What `invoke` does with a payload, by what it is.
    pub async fn handle_payload(
        &self,
        payload: serde_json::Value,
        deadline: SystemTime,
    ) -> anyhow::Result<serde_json::Value> {
        match Invocation::of(payload)? {
            Invocation::Stream(batch) => Ok(serde_json::to_value(self.handle_until(batch, deadline).await)?),
            Invocation::MailFeedback(detail) => {
                self.handle_feedback(&detail).await?;
                Ok(serde_json::Value::Null)
            }
        }
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
        // The search index is written beside the rest of the batch, so that
        // mail and erasures never wait on it; a record is done once both
        // are, and the first record either failed on is delivered again.
        let (delivered, relisted) =
            tokio::join!(self.deliver(&event, deadline), self.relist_batch(&event.records, deadline));
        let failed = match (delivered, relisted) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let mut response = DynamoDbEventResponse::default();
        if let Some(at) = failed {
            let mut failure = DynamoDbBatchItemFailure::default();
            failure.item_identifier = event.records.get(at).and_then(|r| r.change.sequence_number.clone());
            response.batch_item_failures.push(failure);
            tracing::warn!(records = event.records.len(), done = at, "batch stopped at a record to deliver again");
        }
        response
    }

    /// The batch's mail, events and erasures, in order: the index of the
    /// first record that failed, if any.
    async fn deliver(&self, event: &Event, deadline: SystemTime) -> Option<usize> {
        let until = Instant::now() + budget(deadline, SystemTime::now());
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
                Work::Customer { .. } => {
                    readable(record, customer_events::customer_event(record)).map(|e| (subject_of(&e, None), e))
                }
                Work::Erase { customer } => {
                    // The events of the records before go out first.
                    if let Err(at) = self.flush(&mut pending, until).await {
                        failed = Some(at);
                        break;
                    }
                    if self.erase(record, &customer, until).await == Outcome::Retry {
                        failed = Some(i);
                        break;
                    }
                    None
                }
                Work::Erased { customer } => readable(record, customer_events::erasure_event(record, &customer))
                    .map(|e| (subject_of(&e, None), e)),
                Work::Buyer => {
                    readable(record, customer_events::buyer_event(record)).map(|e| (subject_of(&e, None), e))
                }
                Work::Suppressed { tenant, email_key } => {
                    readable(record, customer_events::suppression_event(record, &tenant))
                        .map(|e| (subject_of(&e, Some(email_key.as_str())), e))
                }
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
        failed
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
}

impl Events {
    /// Moves each customer whose profile the batch changed in the search
    /// index, from its state before its first record to its state after
    /// its last (a few customers side by side): the index of the first
    /// record of a customer whose writes failed, to deliver again from (the
    /// writes are safe to repeat).
    async fn relist_batch(&self, records: &[EventRecord], deadline: SystemTime) -> Option<usize> {
        use futures::stream::StreamExt;
        let until = Instant::now() + budget(deadline, SystemTime::now());
        let changes = search_index::by_customer(records);
        let failures: Vec<usize> = futures::stream::iter(changes)
            .map(|change| async move {
                let relisting = match change.relisting(records) {
                    Ok(r) if r.is_empty() => return None,
                    Ok(r) => r,
                    Err(e) => {
                        unreadable(&records[change.first], &e);
                        return None;
                    }
                };
                let customer = &change.customer;
                // A failure is tried again here (the writes are safe to
                // repeat) before the batch is delivered again from the
                // customer's first record, which publishes the events after
                // it a second time.
                let mut attempt = 0;
                loop {
                    match self.index.relist(&customer.tenant, &customer.id, &relisting.add, &relisting.remove).await {
                        Ok(()) => return None,
                        Err(e) => match pause_before_another(attempt, until) {
                            Some(pause) => {
                                tracing::warn!(customer = %customer.id, error = %format!("{e:#}"), "search index not written yet: trying again");
                                tokio::time::sleep(pause).await;
                                attempt += 1;
                            }
                            None => {
                                tracing::error!(
                                    customer = %customer.id, error = %format!("{e:#}"),
                                    "search index not written: left for the next delivery"
                                );
                                return Some(change.first);
                            }
                        },
                    }
                }
            })
            .buffer_unordered(RELISTING)
            .filter_map(|failed| async move { failed })
            .collect()
            .await;
        failures.into_iter().min()
    }

    /// Removes what an erased customer left (its record's job): Retry when
    /// that failed or the deadline is too near (the record is delivered
    /// again; the job is safe to run again).
    async fn erase(&self, record: &EventRecord, customer: &CustomerKey, until: Instant) -> Outcome {
        if left(until) < RESERVE {
            tracing::warn!(customer = %customer.id, "too close to the deadline to erase: left for the next delivery");
            return Outcome::Retry;
        }
        let erasure: shared::domain::Erasure = match stream::decode(&record.change.new_image, "new") {
            Ok(erasure) => erasure,
            Err(e) => {
                unreadable(record, &e);
                return Outcome::Done;
            }
        };
        // The job stops with `RESERVE` left, and hands the rest to a new
        // round (a new stream record) rather than failing the batch: a long
        // history never blocks the shard or runs into the retry limit.
        let deadline = (until - RESERVE).into_std();
        match self.store.finish_erasure(&customer.tenant, &erasure, deadline).await {
            Ok(Progress::Done) => {
                tracing::info!(customer = %customer.id, round = erasure.round, "erasure finished");
                Outcome::Done
            }
            Ok(Progress::More) => match self.store.restart_erasure(&customer.tenant, &customer.id).await {
                Ok(_) => {
                    tracing::info!(customer = %customer.id, round = erasure.round, "erasure goes on in another round");
                    Outcome::Done
                }
                Err(e) => {
                    let error = format!("{e:#}");
                    tracing::error!(customer = %customer.id, error = %error, "erasure not handed on: left for the next delivery");
                    Outcome::Retry
                }
            },
            Err(e) => {
                tracing::error!(
                    customer = %customer.id, round = erasure.round, error = %format!("{e:#}"),
                    "erasure not finished: left for the next delivery"
                );
                Outcome::Retry
            }
        }
    }
}

/// What an invocation hands over.
enum Invocation {
    Stream(Event),
    /// The `detail` of an SES event.
    MailFeedback(serde_json::Value),
}

impl Invocation {
    fn of(payload: serde_json::Value) -> anyhow::Result<Self> {
        if payload.get("source").and_then(serde_json::Value::as_str) == Some("aws.ses") {
            return Ok(Self::MailFeedback(payload.get("detail").cloned().unwrap_or_default()));
        }
        serde_json::from_value(payload).map(Self::Stream).context("neither stream records nor an SES event")
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

/// The event `read` found in `record`, if any; a record that does not read
/// makes none (logged by `unreadable`).
fn readable(record: &EventRecord, read: anyhow::Result<Option<CustomerEvent>>) -> Option<CustomerEvent> {
    read.unwrap_or_else(|e| {
        unreadable(record, &e);
        None
    })
}

#[cfg(test)]
mod tests;
