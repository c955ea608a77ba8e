//! The `events` function: what must follow a change of the table, read from
//! its stream (DESIGN.md, "After a write: the change stream"). Today that is
//! the outbox: every mail was written as an item (`OUTBOX#<id>`) in the
//! transaction of the change that causes it, and is sent here, at least once
//! and never twice for one delivery of its record. Customer events to
//! EventBridge come next, as another kind of [`Work`].
//!
//! The stream's event source mapping (template.yaml) delivers batches in
//! order, with `ReportBatchItemFailures`: the first record that fails is
//! reported, and nothing after it is processed, so that the retry starts
//! there and the order holds. Retries are bounded, then the batch goes to
//! the dead-letter queue (with an alarm).

#[cfg(feature = "relay")]
pub mod relay;

use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use lambda_runtime::LambdaEvent;
use shared::domain::mask_email;
use shared::mail::{MailError, Mailer, OutboxMail, SesMailer};
use shared::store::{keys, table, DynamoStore, MailClaim, Store};
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
/// then the outbox item is updated).
const RESERVE: Duration = Duration::from_secs(6);
/// A claim outlives the invocation that made it by this much: a delivery
/// that died holds its mail no longer than that.
const LEASE_MARGIN: Duration = Duration::from_secs(5);
/// Attempts to send one mail within an invocation (each an SES call with
/// the SDK's own retries), with this backoff before the second, doubling.
const SEND_ATTEMPTS: u32 = 3;
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// How often a mail held by another delivery is asked for again.
const BUSY_WAIT: Duration = Duration::from_secs(1);

/// What a record of the stream asks of this function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Work {
    /// A mail was put into the outbox: send it.
    Mail { id: String },
    /// Nothing: the claims and removals of outbox items (this function's
    /// own writes), and every other item (for now).
    Nothing,
}

/// The string value of a key attribute of the record's item.
fn key_of<'a>(record: &'a EventRecord, name: &str) -> Option<&'a str> {
    match record.change.keys.get(name) {
        Some(serde_dynamo::AttributeValue::S(value)) => Some(value.as_str()),
        _ => None,
    }
}

/// What `record` asks for. Outbox mails are the insertions of items keyed
/// `OUTBOX#<id>` / `MAIL`; their modifications (claims, releases) and removals
/// (sent, or expired) are not.
pub fn classify(record: &EventRecord) -> Work {
    let (Some(pk), Some(sk)) = (key_of(record, table::PARTITION_KEY), key_of(record, table::SORT_KEY)) else {
        return Work::Nothing;
    };
    match pk.strip_prefix(keys::outbox("").as_str()) {
        Some(id) if !id.is_empty() && sk == keys::MAIL && record.event_name == "INSERT" => {
            Work::Mail { id: id.to_string() }
        }
        _ => Work::Nothing,
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
}

impl Events {
    pub fn new(store: Arc<dyn Store>, mailer: Arc<dyn Mailer>) -> Self {
        Self { store, mailer }
    }

    /// The production wiring: the table named by `TABLE_NAME` (default
    /// `customers`, as `shared::Config` reads it) and SES, with the clients of
    /// `shared::aws::load` (endpoints from `AWS_ENDPOINT_URL_*` locally).
    pub async fn from_env() -> anyhow::Result<Self> {
        let table = std::env::var("TABLE_NAME").unwrap_or_else(|_| "customers".into());
        let aws = shared::aws::load().await?;
        let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&aws), table);
        Ok(Self::new(Arc::new(store), Arc::new(SesMailer::new(&aws))))
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
    pub async fn handle_until(&self, event: Event, deadline: SystemTime) -> DynamoDbEventResponse {
        let until = Instant::now() + budget(deadline, SystemTime::now());
        let mut response = DynamoDbEventResponse::default();
        let mut done = 0usize;
        for record in &event.records {
            // Another kind of work (customer events) gets its arm here.
            let outcome = match classify(record) {
                Work::Mail { id } => self.send_mail(&id, until).await,
                Work::Nothing => Outcome::Done,
            };
            if outcome == Outcome::Retry {
                let mut failure = DynamoDbBatchItemFailure::default();
                failure.item_identifier = record.change.sequence_number.clone();
                response.batch_item_failures.push(failure);
                break;
            }
            done += 1;
        }
        if !response.batch_item_failures.is_empty() {
            tracing::warn!(records = event.records.len(), done, "batch stopped at a record to deliver again");
        }
        response
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
        let mut attempt = 1;
        let mut backoff = FIRST_BACKOFF;
        loop {
            match self.mailer.send(&mail.from, &rendered).await {
                Ok(()) => break,
                Err(MailError::Rejected(reason)) => return self.reject(&mail, &to, &reason).await,
                Err(MailError::Transient(e)) => {
                    let error = redact(&format!("{e:#}"), &mail.to, &to);
                    if attempt < SEND_ATTEMPTS && left(until) > backoff + RESERVE {
                        tracing::warn!(
                            mail = %mail.id, template = ?mail.template, to = %to, attempt, error = %error,
                            "mail not sent yet: trying again"
                        );
                        tokio::time::sleep(backoff).await;
                        attempt += 1;
                        backoff *= 2;
                        continue;
                    }
                    tracing::error!(
                        mail = %mail.id, template = ?mail.template, to = %to, attempt, error = %error,
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
            let now = chrono::Utc::now();
            let lease_until = now + chrono_duration(left(until) + LEASE_MARGIN);
            match self.store.claim_mail(id, now, lease_until).await {
                Ok(MailClaim::Claimed(mail)) => return Ok(mail),
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
        assert_eq!(classify(&record("INSERT", "T#shop#C#01HZX3", "PROFILE")), Work::Nothing);
        assert_eq!(classify(&record("INSERT", "OUTBOX#01HZX3", "PROFILE")), Work::Nothing);
        assert_eq!(classify(&record("INSERT", "OUTBOX#", "MAIL")), Work::Nothing);
        assert_eq!(classify(&record("INSERT", "T#shop#OUTBOX#1", "MAIL")), Work::Nothing);
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
}
