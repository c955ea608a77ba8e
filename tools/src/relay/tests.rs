//! Unit tests of the relay: record conversion, failure positions and pauses.

use super::*;
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use aws_sdk_dynamodbstreams::types::{AttributeValue, OperationType};

fn sdk_record(op: OperationType, pk: &str) -> streams::Record {
    let change = streams::StreamRecord::builder()
        .keys("pk", AttributeValue::S(pk.into()))
        .keys("sk", AttributeValue::S("MAIL".into()))
        .new_image("pk", AttributeValue::S(pk.into()))
        .new_image("sk", AttributeValue::S("MAIL".into()))
        .new_image("attempts", AttributeValue::N("1".into()))
        .sequence_number("000000000000000000001")
        .size_bytes(40)
        .stream_view_type(streams::StreamViewType::NewAndOldImages)
        .build();
    streams::Record::builder().event_id("e1").event_name(op).aws_region("us-east-1").dynamodb(change).build()
}

#[test]
fn a_streams_record_becomes_the_record_lambda_delivers() {
    let r = event_record(sdk_record(OperationType::Insert, "OUTBOX#01A"), "arn:stream", "eu-west-1").unwrap();
    assert_eq!(r.event_name, "INSERT");
    assert_eq!(r.event_source_arn.as_deref(), Some("arn:stream"));
    assert_eq!(r.change.sequence_number.as_deref(), Some("000000000000000000001"));
    assert_eq!(r.change.new_image.get("attempts"), Some(&serde_dynamo::AttributeValue::N("1".into())));
    assert_eq!(events::classify(&r), events::Work::Mail { id: "01A".into() });
    // And it survives the trip through JSON to the function.
    let json = serde_json::to_string(&r).unwrap();
    let back: EventRecord = serde_json::from_str(&json).unwrap();
    assert_eq!(events::classify(&back), events::Work::Mail { id: "01A".into() });
}

#[test]
fn an_operation_the_sdk_does_not_know_is_a_removal_by_the_service() {
    let op = OperationType::from("UNKNOWN_TO_SDK_VERSION");
    let r = event_record(sdk_record(op, "OUTBOX#01A"), "arn:stream", "eu-west-1").unwrap();
    assert_eq!(r.event_name, "REMOVE");
    let who = r.user_identity.clone().expect("an identity");
    assert_eq!((who.type_.as_str(), who.principal_id.as_str()), ("Service", "dynamodb.amazonaws.com"));
    assert_eq!(events::classify(&r), events::Work::Nothing);
}

fn with_sequence(seq: &str) -> EventRecord {
    let mut record = EventRecord::default();
    record.change.sequence_number = Some(seq.to_string());
    record
}

fn failed(ids: &[Option<&str>]) -> DynamoDbEventResponse {
    let mut response = DynamoDbEventResponse::default();
    for id in ids {
        let mut failure = DynamoDbBatchItemFailure::default();
        failure.item_identifier = id.map(String::from);
        response.batch_item_failures.push(failure);
    }
    response
}

#[test]
fn the_first_reported_failure_is_where_delivery_starts_again() {
    let batch = [with_sequence("1"), with_sequence("2"), with_sequence("3")];
    assert_eq!(first_failure(&batch, &failed(&[])), None);
    assert_eq!(first_failure(&batch, &failed(&[Some("2")])), Some(1));
    assert_eq!(first_failure(&batch, &failed(&[Some("3"), Some("2")])), Some(1));
    assert_eq!(first_failure(&batch, &failed(&[Some("9")])), Some(0), "unknown: the whole batch");
    assert_eq!(first_failure(&batch, &failed(&[None])), Some(0), "empty: the whole batch");
}

#[test]
fn pauses_double_up_to_the_bound() {
    let first = Duration::from_millis(500);
    let max = Duration::from_secs(10);
    assert_eq!(backoff(first, 1, max), first);
    assert_eq!(backoff(first, 3, max), Duration::from_secs(2));
    assert_eq!(backoff(first, 40, max), max);
}
