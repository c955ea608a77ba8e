//! The `Store` on DynamoDB: one table, uniqueness by transactional guards,
//! optimistic concurrency by `version` conditions.
//!
//! This file holds the plumbing every aggregate uses (requests, transactions,
//! paginated queries, guards, failed conditions); `items.rs` maps domain
//! values to items; each aggregate's port is implemented in its own file.

mod api_keys;
mod attempts;
mod contracts;
mod customers;
mod exports;
mod imports;
mod items;
mod loyalty;
mod orders;
pub(crate) mod outbox;
mod promotions;
mod quotas;
mod search_index;
mod sessions;
mod subscriptions;
mod suppressions;
mod tokens;
mod transactions;

use transactions::{failed_at, verdict, Transaction, TxError};
mod wishlists;

use super::table::{GSI1, GSI1_PARTITION_KEY, PARTITION_KEY, SORT_KEY};
use super::WriteError;
use crate::retry::Backoff;
use anyhow::Context;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, DeleteRequest, WriteRequest};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::time::Duration;

type Item = HashMap<String, AttributeValue>;

/// The condition of a write that creates an item.
const NOT_EXISTS: &str = "attribute_not_exists(pk)";
/// The condition of a write that changes an item which must be there.
const EXISTS: &str = "attribute_exists(pk)";
/// The attribute of a guard item naming the customer that owns the value.
const GUARD_OWNER: &str = "customerId";
/// Items a batch write left unprocessed (throttling) are written again.
const UNPROCESSED: Backoff =
    Backoff { tries: 8, first: Duration::from_millis(20), max: Duration::from_millis(1280), jitter: Duration::ZERO };
/// Erasure reads a customer again whose version moved under it (a unique
/// value changed), this many times at most.
pub(super) const PROFILE_MOVED: Backoff = Backoff::immediate(6);
/// A login-attempt counter whose lock ended is restarted, or counted as
/// usual when another request restarted it first: this many rounds at most.
pub(super) const COUNTER_MOVED: Backoff = Backoff::immediate(4);

#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// A timestamp in the same form serde gives it inside whole items.
fn time(t: DateTime<Utc>) -> anyhow::Result<AttributeValue> {
    Ok(serde_dynamo::to_attribute_value(t)?)
}

/// Expression attribute values from `(":name", value)` pairs.
fn values<const N: usize>(pairs: [(&str, AttributeValue); N]) -> Item {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// An item's key.
fn key(pk: String, sk: &str) -> Item {
    HashMap::from([(PARTITION_KEY.to_string(), s(pk)), (SORT_KEY.to_string(), s(sk))])
}

fn sdk<E, R>(what: &'static str) -> impl FnOnce(SdkError<E, R>) -> anyhow::Error
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    // A service error says what DynamoDB refused; anything else (network,
    // timeouts) needs the whole chain.
    move |e| match e.as_service_error() {
        Some(service) => anyhow::anyhow!("{what}: {service}"),
        None => anyhow::anyhow!("{what}: {}", DisplayErrorContext(e)),
    }
}

/// The outcome of a conditional single-item write: true when it was made,
/// false when DynamoDB refused it because its condition did not hold.
fn condition_held<O, E, R>(result: Result<O, SdkError<E, R>>, what: &'static str) -> anyhow::Result<bool>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match result {
        Ok(_) => Ok(true),
        Err(e) if e.as_service_error().and_then(|s| s.code()) == Some("ConditionalCheckFailedException") => Ok(false),
        Err(e) => Err(sdk(what)(e)),
    }
}

/// A conditional write's outcome as the ports name it: `Conflict` when its
/// condition no longer held.
fn held_or_conflict<O, E, R>(result: Result<O, SdkError<E, R>>, what: &'static str) -> Result<(), WriteError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match condition_held(result, what)? {
        true => Ok(()),
        false => Err(WriteError::Conflict),
    }
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    /// Opens the HTTPS connection to DynamoDB (TCP and the TLS handshake) by
    /// reading a key that never exists. Done during init, overlapped with the
    /// signing-key read, so that the first request pays for neither
    /// (docs/performance.md).
    pub async fn open_connection(&self) -> anyhow::Result<()> {
        self.client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key("#connection".into(), "#connection")))
            .send()
            .await
            .map_err(sdk("open connection"))?;
        Ok(())
    }

    /// Every item a query finds, following DynamoDB's pages. `query` gets a
    /// request on the table and adds the index, key condition and values.
    async fn query_all(
        &self,
        what: &'static str,
        query: impl Fn(QueryFluentBuilder) -> QueryFluentBuilder,
    ) -> anyhow::Result<Vec<Item>> {
        let mut found = Vec::new();
        let mut start = None;
        loop {
            let out = query(self.client.query().table_name(&self.table))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(sdk(what))?;
            found.extend(out.items.unwrap_or_default());
            match out.last_evaluated_key {
                Some(k) => start = Some(k),
                None => return Ok(found),
            }
        }
    }

    /// The keys (`pk`, `sk`) of every item in a partition of the table, or
    /// of GSI1 (whose items carry the table keys too).
    async fn keys_in(&self, in_gsi1: bool, partition: &str) -> anyhow::Result<Vec<Item>> {
        let partition_key = if in_gsi1 { GSI1_PARTITION_KEY } else { PARTITION_KEY };
        self.query_all("list partition", |q| {
            q.set_index_name(in_gsi1.then(|| GSI1.to_string()))
                .key_condition_expression("#p = :p")
                .expression_attribute_names("#p", partition_key)
                .expression_attribute_values(":p", s(partition))
                .projection_expression(format!("{PARTITION_KEY}, {SORT_KEY}"))
        })
        .await
    }

    /// One page of a GSI1 partition's items with sort keys in `[from, to]`.
    async fn gsi1_range(
        &self,
        partition: &str,
        from: &str,
        to: &str,
        reverse: bool,
        limit: i32,
    ) -> anyhow::Result<aws_sdk_dynamodb::operation::query::QueryOutput> {
        self.client
            .query()
            .table_name(&self.table)
            .index_name(GSI1)
            .key_condition_expression("gsi1pk = :p AND gsi1sk BETWEEN :from AND :to")
            .expression_attribute_values(":p", s(partition))
            .expression_attribute_values(":from", s(from))
            .expression_attribute_values(":to", s(to))
            .scan_index_forward(!reverse)
            .limit(limit)
            .send()
            .await
            .map_err(sdk("query index range"))
    }

    /// Writes a new job item (an import's, an export's) under `partition`
    /// and `id`; an item there already is an error (ids are fresh ULIDs).
    async fn put_job(
        &self,
        partition: String,
        id: &str,
        job: &impl serde::Serialize,
        what: &'static str,
    ) -> anyhow::Result<()> {
        let item: Item = serde_dynamo::to_item(job)?;
        let item = items::with_keys(item, partition, id, None);
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(NOT_EXISTS)
            .send()
            .await
            .map_err(sdk(what))?;
        Ok(())
    }

    /// Ends a job (an import's, an export's): its status `:to` (in
    /// `values`), the time, and why it failed, if it did, where `condition`
    /// holds (`Conflict` otherwise).
    async fn end_job(
        &self,
        key: Item,
        condition: &str,
        mut values: Item,
        failure: Option<&str>,
        now: DateTime<Utc>,
        what: &'static str,
    ) -> Result<(), WriteError> {
        values.insert(":now".into(), time(now)?);
        let mut update = "SET #status = :to, finishedAt = :now".to_string();
        if let Some(why) = failure {
            values.insert(":why".into(), s(why));
            update.push_str(", failure = :why");
        }
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .update_expression(update)
            .condition_expression(condition)
            .expression_attribute_names("#status", "status")
            .set_expression_attribute_values(Some(values))
            .send()
            .await;
        held_or_conflict(result, what)
    }

    /// Deletes items by key, 25 per request, retrying what DynamoDB leaves unprocessed.
    async fn delete_all(&self, keys: Vec<Item>) -> anyhow::Result<()> {
        let requests = keys
            .into_iter()
            .map(|k| -> anyhow::Result<WriteRequest> {
                Ok(WriteRequest::builder().delete_request(DeleteRequest::builder().set_key(Some(k)).build()?).build())
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        for chunk in requests.chunks(25) {
            self.write_batch(chunk.to_vec()).await?;
        }
        Ok(())
    }

    /// One `BatchWriteItem` of at most 25 requests, retrying what DynamoDB
    /// leaves unprocessed (throttling).
    async fn write_batch(&self, mut requests: Vec<WriteRequest>) -> anyhow::Result<()> {
        for attempt in 0.. {
            let out = self
                .client
                .batch_write_item()
                .request_items(&self.table, requests)
                .send()
                .await
                .map_err(sdk("write items"))?;
            requests = out.unprocessed_items.and_then(|mut u| u.remove(&self.table)).unwrap_or_default();
            if requests.is_empty() {
                break;
            }
            anyhow::ensure!(UNPROCESSED.wait_after(attempt).await, "items left unwritten after retries");
        }
        Ok(())
    }

    /// Items by key in one consistent `BatchGetItem` (at most 100 keys, none
    /// twice), in the order of `wanted` (`None` where there is none). Keys
    /// it leaves unprocessed (throttling) are asked for again.
    async fn get_items(&self, wanted: Vec<Item>) -> anyhow::Result<Vec<Option<Item>>> {
        self.batch_get(wanted, true).await
    }

    /// `get_items`, read consistently or not (a search's candidates: half
    /// the read units, a change a moment old may not show yet).
    async fn batch_get(&self, wanted: Vec<Item>, consistent: bool) -> anyhow::Result<Vec<Option<Item>>> {
        let mut found = Vec::with_capacity(wanted.len());
        let mut ask = wanted.clone();
        for attempt in 0.. {
            let request = aws_sdk_dynamodb::types::KeysAndAttributes::builder()
                .set_keys(Some(ask))
                .consistent_read(consistent)
                .build()?;
            let out = self
                .client
                .batch_get_item()
                .request_items(&self.table, request)
                .send()
                .await
                .map_err(sdk("get items"))?;
            found.extend(out.responses.and_then(|mut r| r.remove(&self.table)).unwrap_or_default());
            ask = out.unprocessed_keys.and_then(|mut u| u.remove(&self.table)).map(|k| k.keys).unwrap_or_default();
            if ask.is_empty() {
                break;
            }
            anyhow::ensure!(UNPROCESSED.wait_after(attempt).await, "items left unread after retries");
        }
        let same =
            |a: &Item, b: &Item| a.get(PARTITION_KEY) == b.get(PARTITION_KEY) && a.get(SORT_KEY) == b.get(SORT_KEY);
        Ok(wanted.iter().map(|k| found.iter().position(|i| same(i, k)).map(|at| found.swap_remove(at))).collect())
    }

    /// A page of a customer partition's listing, newest (highest sort key)
    /// first: up to `limit` items of `partition` matching `condition` (and
    /// `filter`, with `values`), after the sort key `after`, each with its
    /// sort key, and whether more may follow. One past the page is read to
    /// know that; a filter may need more than one query to fill the page.
    #[allow(clippy::too_many_arguments)]
    async fn newest_first<T: serde::de::DeserializeOwned>(
        &self,
        partition: &str,
        condition: &str,
        filter: Option<&str>,
        values: Item,
        after: Option<&str>,
        limit: usize,
        what: &'static str,
    ) -> anyhow::Result<(Vec<(String, T)>, bool)> {
        // With a filter, at least 100 items a query: a page of rare matches
        // takes a few reads, not one per item.
        let read = if filter.is_some() { (limit + 1).max(100) } else { limit + 1 };
        let mut found = Vec::new();
        let mut start = after.map(|a| key(partition.to_string(), a));
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression(condition)
                .set_filter_expression(filter.map(String::from))
                .set_expression_attribute_values(Some(values.clone()))
                .set_exclusive_start_key(start.take())
                .scan_index_forward(false)
                .limit(read as i32)
                .send()
                .await
                .map_err(sdk(what))?;
            for item in out.items.unwrap_or_default() {
                let position = items::sort_key(&item).context("an item without sort key")?.to_string();
                found.push((position, serde_dynamo::from_item(item).context(what)?));
            }
            match out.last_evaluated_key {
                Some(k) if found.len() <= limit => start = Some(k),
                _ => break,
            }
        }
        let more = found.len() > limit;
        found.truncate(limit);
        Ok((found, more))
    }

    /// One item, read consistently.
    async fn get_item(&self, key: Item) -> anyhow::Result<Option<Item>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk("get item"))?;
        Ok(out.item)
    }
}
