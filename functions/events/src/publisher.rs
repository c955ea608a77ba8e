//! Where customer events go: an Amazon EventBridge bus, through PutEvents.
//! [`Publisher`] is the port (the benchmark keeps events in memory); the
//! tests use [`EventBridgePublisher`] itself, against moto's EventBridge.

use crate::customer_events::{CustomerEvent, DEFAULT_SOURCE};
use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_eventbridge::error::DisplayErrorContext;
use aws_sdk_eventbridge::primitives::DateTime;
use aws_sdk_eventbridge::types::{PutEventsRequestEntry, PutEventsResultEntry};
use chrono::Utc;

/// PutEvents takes 1 to 10 entries...
pub const MAX_ENTRIES: usize = 10;
/// ...of less than 256 KiB together, as EventBridge counts them: the bytes
/// of `Time` (14), `Source`, `DetailType` and `Detail`.
pub const MAX_BATCH_BYTES: usize = 256 * 1024 - 1;
/// What an entry takes besides its detail-type and detail: the time, and
/// the source at its longest (EventBridge allows 256 characters), so that
/// the size is known without knowing the source.
const ENTRY_OVERHEAD: usize = 14 + 256;

/// An event as it goes on the bus.
#[derive(Debug, Clone, PartialEq)]
pub struct BusEvent {
    /// The event name.
    pub detail_type: &'static str,
    /// The detail as JSON text.
    pub detail: String,
    /// When the change happened (the entry's `Time`).
    pub time: Option<chrono::DateTime<Utc>>,
    /// The detail's `eventId`, for logs.
    pub event_id: String,
}

impl BusEvent {
    pub fn of(event: &CustomerEvent) -> anyhow::Result<Self> {
        Ok(Self {
            detail_type: event.name.as_str(),
            detail: serde_json::to_string(&event.detail).context("the event's detail as JSON")?,
            time: event.time(),
            event_id: event.detail.event_id.clone(),
        })
    }

    /// Its size against `MAX_BATCH_BYTES` (an upper bound).
    pub fn size(&self) -> usize {
        ENTRY_OVERHEAD + self.detail_type.len() + self.detail.len()
    }
}

/// Events that did not make it onto the bus: from `index` (of the events
/// given) on, nothing is known to be published (later ones may have been).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unpublished {
    pub index: usize,
    pub reason: String,
}

#[async_trait]
pub trait Publisher: Send + Sync {
    /// Puts `events` (at most `MAX_ENTRIES`, together at most
    /// `MAX_BATCH_BYTES`) on the bus, in their order.
    async fn publish(&self, events: &[BusEvent]) -> Result<(), Unpublished>;
}

/// The bus named by `EVENT_BUS_NAME` (a name or an ARN), with the source
/// `EVENT_SOURCE` (default `customer-api`).
pub struct EventBridgePublisher {
    client: aws_sdk_eventbridge::Client,
    bus: String,
    source: String,
}

impl EventBridgePublisher {
    /// A publisher to `bus` with the clients of `aws` (endpoint
    /// `AWS_ENDPOINT_URL_EVENTBRIDGE` locally).
    pub fn new(aws: &aws_config::SdkConfig, bus: impl Into<String>, source: impl Into<String>) -> Self {
        Self { client: aws_sdk_eventbridge::Client::new(aws), bus: bus.into(), source: source.into() }
    }

    /// The deployment's bus: `EVENT_BUS_NAME` is required, so that a
    /// function that would drop every event does not start.
    pub fn from_env(aws: &aws_config::SdkConfig) -> anyhow::Result<Self> {
        let var = |name: &str| std::env::var(name).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let bus = var("EVENT_BUS_NAME").context(
            "EVENT_BUS_NAME is not set: the EventBridge bus the events function publishes customer events to",
        )?;
        let source = var("EVENT_SOURCE").unwrap_or_else(|| DEFAULT_SOURCE.to_string());
        Ok(Self::new(aws, bus, source))
    }
}

/// The first event of `sent` that EventBridge did not take, by its answer
/// (one result per entry, in order; a failed entry still comes with HTTP
/// 200, carrying an error code). A result missing counts as not taken.
pub fn first_unpublished(sent: usize, results: &[PutEventsResultEntry]) -> Option<Unpublished> {
    let failed = results.iter().enumerate().find(|(_, r)| r.error_code().is_some());
    if let Some((index, result)) = failed {
        let code = result.error_code().unwrap_or_default();
        let message = result.error_message().unwrap_or_default();
        return Some(Unpublished { index, reason: format!("EventBridge refused the entry: {code}: {message}") });
    }
    (results.len() < sent).then(|| Unpublished {
        index: results.len(),
        reason: format!("EventBridge answered for {} of {sent} entries", results.len()),
    })
}

#[async_trait]
impl Publisher for EventBridgePublisher {
    async fn publish(&self, events: &[BusEvent]) -> Result<(), Unpublished> {
        if events.is_empty() {
            return Ok(());
        }
        let entries: Vec<PutEventsRequestEntry> = events
            .iter()
            .map(|e| {
                PutEventsRequestEntry::builder()
                    .event_bus_name(self.bus.as_str())
                    .source(self.source.as_str())
                    .detail_type(e.detail_type)
                    .detail(e.detail.as_str())
                    .set_time(e.time.map(|t| DateTime::from_millis(t.timestamp_millis())))
                    .build()
            })
            .collect();
        let out =
            self.client.put_events().set_entries(Some(entries)).send().await.map_err(|e| Unpublished {
                index: 0,
                reason: format!("PutEvents failed: {}", DisplayErrorContext(&e)),
            })?;
        match first_unpublished(events.len(), &out.entries.unwrap_or_default()) {
            Some(unpublished) => Err(unpublished),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(id: &str) -> PutEventsResultEntry {
        PutEventsResultEntry::builder().event_id(id).build()
    }

    fn refused(code: &str) -> PutEventsResultEntry {
        PutEventsResultEntry::builder().error_code(code).error_message("try again").build()
    }

    #[test]
    fn the_first_refused_entry_is_where_publishing_stopped() {
        assert_eq!(first_unpublished(2, &[ok("a"), ok("b")]), None);
        let u = first_unpublished(3, &[ok("a"), refused("ThrottlingException"), refused("InternalFailure")]);
        assert_eq!(u.as_ref().map(|u| u.index), Some(1));
        assert!(u.is_some_and(|u| u.reason.contains("ThrottlingException: try again")));
        assert_eq!(first_unpublished(1, &[refused("InternalFailure")]).map(|u| u.index), Some(0));
    }

    #[test]
    fn results_missing_count_as_not_published() {
        assert_eq!(first_unpublished(3, &[ok("a")]).map(|u| u.index), Some(1));
        assert_eq!(first_unpublished(2, &[]).map(|u| u.index), Some(0));
    }

    #[test]
    fn sizes_count_the_time_the_longest_source_the_type_and_the_detail() {
        let e = BusEvent { detail_type: "customer.created", detail: "{}".into(), time: None, event_id: "1".into() };
        assert_eq!(e.size(), 14 + 256 + 16 + 2);
        assert!(MAX_ENTRIES * e.size() < MAX_BATCH_BYTES);
    }
}
