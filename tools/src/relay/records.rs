//! Records of the Streams API as Lambda hands them over, and the delivery helpers (failures, pauses).

use anyhow::Context;
use aws_lambda_events::event::dynamodb::{EventRecord, StreamRecord, StreamViewType, UserIdentity};
use aws_lambda_events::event::streams::DynamoDbEventResponse;
use aws_sdk_dynamodbstreams::types as streams;
use std::collections::HashMap;
use std::time::Duration;

/// `first`, doubled for each try after the first, at most `max`.
pub(super) fn backoff(first: Duration, tries: u32, max: Duration) -> Duration {
    first.saturating_mul(1u32 << tries.saturating_sub(1).min(16)).min(max)
}

/// The index of the first record of `batch` that `response` reports failed;
/// an empty or unknown identifier fails the whole batch, as in Lambda.
pub(super) fn first_failure(batch: &[EventRecord], response: &DynamoDbEventResponse) -> Option<usize> {
    let mut first: Option<usize> = None;
    for failure in &response.batch_item_failures {
        let index = failure
            .item_identifier
            .as_deref()
            .filter(|id| !id.is_empty())
            .and_then(|id| batch.iter().position(|r| r.change.sequence_number.as_deref() == Some(id)));
        let index = index.unwrap_or(0);
        first = Some(first.map_or(index, |f| f.min(index)));
    }
    first
}

fn attribute(value: streams::AttributeValue) -> anyhow::Result<serde_dynamo::AttributeValue> {
    use serde_dynamo::AttributeValue as A;
    use streams::AttributeValue as S;
    Ok(match value {
        S::S(s) => A::S(s),
        S::N(n) => A::N(n),
        S::Bool(b) => A::Bool(b),
        S::Null(b) => A::Null(b),
        S::B(b) => A::B(b.into_inner()),
        S::Ss(v) => A::Ss(v),
        S::Ns(v) => A::Ns(v),
        S::Bs(v) => A::Bs(v.into_iter().map(|b| b.into_inner()).collect()),
        S::L(v) => A::L(v.into_iter().map(attribute).collect::<anyhow::Result<_>>()?),
        S::M(m) => A::M(attributes(m)?),
        _ => anyhow::bail!("an attribute of a type the relay does not know"),
    })
}

fn attributes(
    map: HashMap<String, streams::AttributeValue>,
) -> anyhow::Result<HashMap<String, serde_dynamo::AttributeValue>> {
    map.into_iter().map(|(name, value)| Ok((name, attribute(value)?))).collect()
}

fn image(map: Option<HashMap<String, streams::AttributeValue>>) -> anyhow::Result<serde_dynamo::Item> {
    Ok(serde_dynamo::Item::from(attributes(map.unwrap_or_default())?))
}

fn view_type(v: &streams::StreamViewType) -> Option<StreamViewType> {
    match v.as_str() {
        "NEW_AND_OLD_IMAGES" => Some(StreamViewType::NewAndOldImages),
        "NEW_IMAGE" => Some(StreamViewType::NewImage),
        "OLD_IMAGE" => Some(StreamViewType::OldImage),
        "KEYS_ONLY" => Some(StreamViewType::KeysOnly),
        _ => None,
    }
}

fn identity(type_: &str, principal_id: &str) -> UserIdentity {
    let mut identity = UserIdentity::default();
    identity.type_ = type_.to_string();
    identity.principal_id = principal_id.to_string();
    identity
}

/// A record of the Streams API as Lambda hands it to a function. DynamoDB
/// Local names TTL removals with an operation the SDK does not know: they
/// become what DynamoDB reports, a `REMOVE` by the service.
pub fn event_record(record: streams::Record, stream_arn: &str, region: &str) -> anyhow::Result<EventRecord> {
    let (event_name, user_identity) = match record.event_name.as_ref().map(|o| o.as_str()) {
        Some(name @ ("INSERT" | "MODIFY" | "REMOVE")) => (
            name.to_string(),
            record.user_identity.as_ref().map(|i| identity(i.r#type().unwrap_or(""), i.principal_id().unwrap_or(""))),
        ),
        _ => ("REMOVE".to_string(), Some(identity("Service", "dynamodb.amazonaws.com"))),
    };
    let change = record.dynamodb.context("a stream record without its change")?;
    let mut stream = StreamRecord::default();
    stream.approximate_creation_date_time = change
        .approximate_creation_date_time
        .and_then(|t| chrono::DateTime::<chrono::Utc>::from_timestamp(t.secs(), t.subsec_nanos()))
        .unwrap_or_else(chrono::Utc::now);
    stream.keys = image(change.keys)?;
    stream.new_image = image(change.new_image)?;
    stream.old_image = image(change.old_image)?;
    stream.sequence_number = change.sequence_number;
    stream.size_bytes = change.size_bytes.unwrap_or(0);
    stream.stream_view_type = change.stream_view_type.as_ref().and_then(view_type);
    let mut out = EventRecord::default();
    out.aws_region = record.aws_region.unwrap_or_else(|| region.to_string());
    out.change = stream;
    out.event_id = record.event_id.unwrap_or_default();
    out.event_name = event_name;
    out.event_source = Some(record.event_source.unwrap_or_else(|| "aws:dynamodb".into()));
    out.event_version = Some(record.event_version.unwrap_or_else(|| "1.1".into()));
    out.event_source_arn = Some(stream_arn.to_string());
    out.user_identity = user_identity;
    Ok(out)
}
