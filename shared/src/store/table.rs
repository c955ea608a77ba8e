//! The table's definition. `template.yaml` declares the same table for AWS;
//! a test keeps the two in agreement, and local dev and tests create their
//! tables from this one.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType, StreamSpecification, StreamViewType, TimeToLiveSpecification,
};
use aws_sdk_dynamodb::Client;

pub const PARTITION_KEY: &str = "pk";
pub const SORT_KEY: &str = "sk";
/// When DynamoDB may remove an item. Tokens and sessions keep it a week past
/// their `expiresAt`, so that an outdated one is still found and answered
/// `TOKEN_EXPIRED`, not `TOKEN_INVALID`, whenever TTL gets to it.
pub const TTL_ATTRIBUTE: &str = "purgeAt";
pub const TTL_GRACE: chrono::Duration = chrono::Duration::days(7);
/// The generic index: lists a tenant's customers, API keys and newsletter
/// subscriptions, and what a customer or an address owns outside its partition.
pub const GSI1: &str = "gsi1";
pub const GSI1_PARTITION_KEY: &str = "gsi1pk";
pub const GSI1_SORT_KEY: &str = "gsi1sk";
/// Global secondary indexes: (name, partition key, sort key). All project ALL.
pub const GSIS: &[(&str, &str, &str)] = &[(GSI1, GSI1_PARTITION_KEY, GSI1_SORT_KEY)];
/// The change stream the `events` function reads: every item before and
/// after each change (template.yaml's `StreamSpecification`).
pub const STREAM_VIEW_TYPE: StreamViewType = StreamViewType::NewAndOldImages;

fn key(name: &str, kind: KeyType) -> anyhow::Result<KeySchemaElement> {
    Ok(KeySchemaElement::builder().attribute_name(name).key_type(kind).build()?)
}

fn string_attr(name: &str) -> anyhow::Result<AttributeDefinition> {
    Ok(AttributeDefinition::builder().attribute_name(name).attribute_type(ScalarAttributeType::S).build()?)
}

fn stream() -> anyhow::Result<StreamSpecification> {
    Ok(StreamSpecification::builder().stream_enabled(true).stream_view_type(STREAM_VIEW_TYPE).build()?)
}

/// Creates the table with its indexes, stream and TTL.
pub async fn create_table(client: &Client, name: &str) -> anyhow::Result<()> {
    let mut req = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key(PARTITION_KEY, KeyType::Hash)?)
        .key_schema(key(SORT_KEY, KeyType::Range)?)
        .attribute_definitions(string_attr(PARTITION_KEY)?)
        .attribute_definitions(string_attr(SORT_KEY)?)
        .stream_specification(stream()?);
    for (index, pk, sk) in GSIS {
        req = req
            .attribute_definitions(string_attr(pk)?)
            .attribute_definitions(string_attr(sk)?)
            .global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(*index)
                    .key_schema(key(pk, KeyType::Hash)?)
                    .key_schema(key(sk, KeyType::Range)?)
                    .projection(Projection::builder().projection_type(ProjectionType::All).build())
                    .build()?,
            );
    }
    req.send()
        .await
        .map_err(|e| anyhow::anyhow!("create table {name}: {}", aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
    client
        .update_time_to_live()
        .table_name(name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder().attribute_name(TTL_ATTRIBUTE).enabled(true).build()?,
        )
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("enable TTL on {name}: {}", aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
    Ok(())
}

/// Creates the table unless it exists (local development restarts); a table
/// kept from before the change stream gets its stream.
pub async fn ensure_table(client: &Client, name: &str) -> anyhow::Result<bool> {
    match client.describe_table().table_name(name).send().await {
        Ok(out) => {
            let streaming = out.table().and_then(|t| t.stream_specification()).is_some_and(|s| s.stream_enabled());
            if !streaming {
                client.update_table().table_name(name).stream_specification(stream()?).send().await.map_err(|e| {
                    anyhow::anyhow!("enable the stream of {name}: {}", aws_sdk_dynamodb::error::DisplayErrorContext(e))
                })?;
            }
            Ok(false)
        }
        Err(e) if e.as_service_error().is_some_and(|s| s.is_resource_not_found_exception()) => {
            create_table(client, name).await.map(|_| true)
        }
        Err(e) => Err(anyhow::anyhow!("describe table {name}: {}", aws_sdk_dynamodb::error::DisplayErrorContext(e))),
    }
}
