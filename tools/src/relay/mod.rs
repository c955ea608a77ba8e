//! The local stand-in for the stream's event source mapping: reads a
//! table's DynamoDB stream (DynamoDB Local serves the Streams API) and hands
//! the records, in order and in batches, to a [`Sink`]: the `events` function
//! under `cargo lambda watch` (`customer-ctl relay`), or [`Events`](events::Events) in
//! process (the tests).
//!
//! Lambda's semantics, as template.yaml configures them: batches of up to
//! `BatchSize` records; on a reported failure the batch is delivered again
//! from the failed record on, at most `MaximumRetryAttempts` times, then the
//! rest of the batch is given up with an error naming its sequence numbers
//! (where a deployment parks it in the dead-letter queue). A sink that cannot
//! be reached (the function not served yet) gets the same batch again, with
//! a growing pause, until it answers.

mod errors;
mod records;
mod sink;

use anyhow::Context;
use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_sdk_dynamodbstreams::error::DisplayErrorContext;
use aws_sdk_dynamodbstreams::types::{self as streams, ShardIteratorType, StreamStatus};
use errors::{code_of, describe_error};
use records::{backoff, first_failure};
use shared::store::stream::{relayed, StreamPath};
use std::collections::HashSet;
use std::time::Duration;

pub use records::event_record;
pub use sink::{InvokeSink, Invoked, Sink};

/// Where reading starts in the shards open when the relay starts (shards
/// found later are always read from their beginning).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartAt {
    /// Everything the stream holds (24 hours' worth): tests, over a fresh table.
    TrimHorizon,
    /// Only what is written from now on: development over a kept table,
    /// whose old records were relayed (or not) before.
    Latest,
}

impl std::str::FromStr for StartAt {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> anyhow::Result<Self> {
        match s {
            "trim-horizon" => Ok(StartAt::TrimHorizon),
            "latest" => Ok(StartAt::Latest),
            _ => anyhow::bail!("{s}: expected latest or trim-horizon"),
        }
    }
}

/// The event source mapping's settings (template.yaml's, where it has them).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Records per batch at most (`BatchSize`).
    pub batch_size: i32,
    /// Deliveries of a failed record after the first (`MaximumRetryAttempts`).
    pub max_retries: u32,
    /// Pause before reading a shard that had nothing new again.
    pub idle_wait: Duration,
    /// Pause before a delivery again, doubling with each, up to `max_backoff`.
    pub retry_backoff: Duration,
    pub max_backoff: Duration,
    /// How often the stream's shards are listed again while shards are being
    /// read: a stream may open a new shard beside the open ones (DynamoDB
    /// Local does, as DynamoDB does when a partition splits), and its
    /// records would wait until the others close.
    pub discover_every: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            batch_size: 25,
            max_retries: 5,
            idle_wait: Duration::from_millis(200),
            retry_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(10),
            discover_every: Duration::from_secs(1),
        }
    }
}

/// The most records one `GetRecords` call returns (DynamoDB Streams' limit).
const READ_LIMIT: i32 = 1000;

/// A shard being read.
struct Shard {
    id: String,
    /// None once the shard is closed.
    iterator: Option<String>,
    /// The last record handed to the sink: where to go on if the iterator expires.
    last_sequence: Option<String>,
    /// Where reading started, for an iterator that expires before any record.
    started: ShardIteratorType,
}

/// What one read of a shard gave.
enum Polled {
    Records,
    Nothing,
    Closed,
}

/// A stream's shards (every page) and its status.
type Shards = (Vec<streams::Shard>, Option<StreamStatus>);

/// What a look at the stream's shards found.
enum Discovery {
    Reading,
    Ended,
}

pub struct Relay {
    /// The one path it relays (`None`: both, in one order).
    path: Option<StreamPath>,
    table: String,
    region: String,
    ddb: aws_sdk_dynamodb::Client,
    streams: aws_sdk_dynamodbstreams::Client,
    start: StartAt,
    settings: Settings,
}

impl Relay {
    /// A relay of `table`'s stream with the clients of `aws` (the same
    /// credentials and region as the functions': DynamoDB Local keeps streams
    /// per access key and region). Its Streams endpoint is
    /// `AWS_ENDPOINT_URL_DYNAMODB_STREAMS`, or, unset, DynamoDB's own
    /// (`AWS_ENDPOINT_URL_DYNAMODB`), which is where DynamoDB Local serves it.
    pub fn new(aws: &aws_config::SdkConfig, table: impl Into<String>, start: StartAt) -> Self {
        let mut streams = aws_sdk_dynamodbstreams::config::Builder::from(aws);
        if std::env::var_os("AWS_ENDPOINT_URL_DYNAMODB_STREAMS").is_none() {
            if let Ok(url) = std::env::var("AWS_ENDPOINT_URL_DYNAMODB") {
                streams = streams.endpoint_url(url);
            }
        }
        Self {
            path: None,
            table: table.into(),
            region: aws.region().map(|r| r.to_string()).unwrap_or_else(|| "us-east-1".into()),
            ddb: aws_sdk_dynamodb::Client::new(aws),
            streams: aws_sdk_dynamodbstreams::Client::from_conf(streams.build()),
            start,
            settings: Settings::default(),
        }
    }

    /// A relay of one path of the stream only, as one of the deployment's
    /// two event source mappings reads it.
    pub fn only(self, path: StreamPath) -> Self {
        Self { path: Some(path), ..self }
    }

    pub fn with_settings(mut self, settings: Settings) -> Self {
        self.settings = settings;
        self
    }

    /// Relays until cancelled (the future dropped, its task aborted), or
    /// until the stream ends (the table deleted or its stream disabled).
    /// Fails only when there is no stream to read at the start.
    pub async fn run(&self, sink: &dyn Sink) -> anyhow::Result<()> {
        let arn = self.stream_arn().await?;
        tracing::info!(table = %self.table, stream = %arn, start = ?self.start, "relaying the table's stream");
        let mut reading: Vec<Shard> = vec![];
        let mut finished: HashSet<String> = HashSet::new();
        let mut at_start = true;
        let mut describe = true;
        let mut described = tokio::time::Instant::now();
        let mut failures = 0u32;
        loop {
            if described.elapsed() >= self.settings.discover_every {
                describe = true;
            }
            if describe {
                described = tokio::time::Instant::now();
                match self.discover(&arn, &mut reading, &mut finished, at_start).await {
                    Ok(Discovery::Ended) => {
                        tracing::info!(table = %self.table, stream = %arn, "the stream has ended: relay stopped");
                        return Ok(());
                    }
                    Ok(Discovery::Reading) => {
                        at_start = false;
                        failures = 0;
                        describe = reading.is_empty();
                    }
                    Err(e) => {
                        failures += 1;
                        let wait = backoff(self.settings.retry_backoff, failures, self.settings.max_backoff);
                        let error = format!("{e:#}");
                        tracing::warn!(table = %self.table, error = %error, "could not describe the stream");
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                }
                if reading.is_empty() {
                    // A closed shard's children are not listed yet.
                    tokio::time::sleep(self.settings.idle_wait).await;
                    continue;
                }
            }
            let mut relayed = false;
            let mut i = 0;
            while i < reading.len() {
                match self.poll(&arn, &mut reading[i], sink).await {
                    Polled::Records => {
                        relayed = true;
                        i += 1;
                    }
                    Polled::Nothing => i += 1,
                    Polled::Closed => {
                        let closed = reading.remove(i);
                        tracing::info!(table = %self.table, shard = %closed.id, "shard closed");
                        finished.insert(closed.id);
                        describe = true;
                    }
                }
            }
            if !relayed {
                tokio::time::sleep(self.settings.idle_wait).await;
            }
        }
    }

    /// The ARN of the table's stream.
    async fn stream_arn(&self) -> anyhow::Result<String> {
        let out = self
            .ddb
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
            .map_err(|e| describe_error(&format!("describe table {}", self.table), e))?;
        let table = out.table.with_context(|| format!("no description of table {}", self.table))?;
        let enabled = table.stream_specification().is_some_and(|s| s.stream_enabled());
        match table.latest_stream_arn() {
            Some(arn) if enabled => Ok(arn.to_string()),
            _ => anyhow::bail!(
                "table {} has no stream: `customer-ctl create-table` enables it (as template.yaml declares it)",
                self.table
            ),
        }
    }

    /// Whether the table still has the stream `arn`.
    async fn table_has(&self, arn: &str) -> bool {
        match self.ddb.describe_table().table_name(&self.table).send().await {
            Ok(out) => out.table.is_some_and(|t| {
                t.latest_stream_arn() == Some(arn) && t.stream_specification().is_some_and(|s| s.stream_enabled())
            }),
            Err(e) => code_of(&e).as_deref() != Some("ResourceNotFoundException"),
        }
    }

    /// The stream's shards (all pages) and its status; None when the stream
    /// is gone.
    async fn describe(&self, arn: &str) -> anyhow::Result<Option<Shards>> {
        let mut shards = vec![];
        let mut status = None;
        let mut after: Option<String> = None;
        loop {
            let result =
                self.streams.describe_stream().stream_arn(arn).set_exclusive_start_shard_id(after.clone()).send().await;
            let out = match result {
                Ok(out) => out,
                Err(e) if code_of(&e).as_deref() == Some("ResourceNotFoundException") => return Ok(None),
                Err(e) => return Err(describe_error("describe the stream", e)),
            };
            let Some(description) = out.stream_description else { break };
            status = description.stream_status;
            shards.extend(description.shards.unwrap_or_default());
            match description.last_evaluated_shard_id {
                Some(last) if after.as_deref() != Some(last.as_str()) => after = Some(last),
                _ => break,
            }
        }
        Ok(Some((shards, status)))
    }

    /// Starts reading the shards not read yet whose parents are done; at
    /// the start, `StartAt` says where (closed shards are skipped under
    /// `Latest`), later every new shard is read from its beginning.
    async fn discover(
        &self,
        arn: &str,
        reading: &mut Vec<Shard>,
        finished: &mut HashSet<String>,
        at_start: bool,
    ) -> anyhow::Result<Discovery> {
        let Some((shards, status)) = self.describe(arn).await? else {
            return Ok(Discovery::Ended);
        };
        let listed: HashSet<&str> = shards.iter().filter_map(|s| s.shard_id()).collect();
        // Until nothing changes: a child may be listed before its parent.
        loop {
            let mut changed = false;
            for shard in &shards {
                let Some(id) = shard.shard_id() else { continue };
                if finished.contains(id) || reading.iter().any(|s| s.id == id) {
                    continue;
                }
                if let Some(parent) = shard.parent_shard_id() {
                    if listed.contains(parent) && !finished.contains(parent) {
                        continue;
                    }
                }
                let closed = shard.sequence_number_range().and_then(|r| r.ending_sequence_number()).is_some();
                let kind = match (at_start, self.start) {
                    (true, StartAt::Latest) if closed => {
                        finished.insert(id.to_string());
                        changed = true;
                        continue;
                    }
                    (true, StartAt::Latest) => ShardIteratorType::Latest,
                    _ => ShardIteratorType::TrimHorizon,
                };
                match self.iterator(arn, id, kind.clone(), None).await? {
                    Some(iterator) => reading.push(Shard {
                        id: id.to_string(),
                        iterator: Some(iterator),
                        last_sequence: None,
                        started: kind,
                    }),
                    None => {
                        finished.insert(id.to_string());
                    }
                }
                changed = true;
            }
            if !changed {
                break;
            }
        }
        let enabled = matches!(status, Some(StreamStatus::Enabled) | Some(StreamStatus::Enabling));
        if reading.is_empty() && (!enabled || !self.table_has(arn).await) {
            return Ok(Discovery::Ended);
        }
        Ok(Discovery::Reading)
    }

    /// An iterator of the shard; None when the shard is gone.
    async fn iterator(
        &self,
        arn: &str,
        shard: &str,
        kind: ShardIteratorType,
        after: Option<&str>,
    ) -> anyhow::Result<Option<String>> {
        let result = self
            .streams
            .get_shard_iterator()
            .stream_arn(arn)
            .shard_id(shard)
            .shard_iterator_type(kind)
            .set_sequence_number(after.map(String::from))
            .send()
            .await;
        match result {
            Ok(out) => Ok(out.shard_iterator),
            Err(e) if code_of(&e).as_deref() == Some("ResourceNotFoundException") => Ok(None),
            Err(e) => Err(describe_error("get a shard iterator", e)),
        }
    }

    /// A fresh iterator for a shard whose iterator expired (or whose records
    /// were trimmed): after the last record relayed, else where it started.
    async fn resume(&self, arn: &str, shard: &Shard) -> anyhow::Result<Option<String>> {
        if let Some(last) = &shard.last_sequence {
            match self.iterator(arn, &shard.id, ShardIteratorType::AfterSequenceNumber, Some(last.as_str())).await {
                Ok(iterator) => return Ok(iterator),
                // Trimmed meanwhile: from the oldest record there is.
                Err(e) => {
                    tracing::warn!(shard = %shard.id, error = %format!("{e:#}"), "reading on from the oldest record")
                }
            }
            return self.iterator(arn, &shard.id, ShardIteratorType::TrimHorizon, None).await;
        }
        self.iterator(arn, &shard.id, shard.started.clone(), None).await
    }

    /// Reads the shard once and relays what it gave.
    async fn poll(&self, arn: &str, shard: &mut Shard, sink: &dyn Sink) -> Polled {
        let Some(iterator) = shard.iterator.take() else {
            return Polled::Closed;
        };
        // As many records as a read gives (Lambda reads so too): the filter
        // drops most of them (the search index's), and what passes is
        // handed over `batch_size` at a time.
        let result = self.streams.get_records().shard_iterator(&iterator).limit(READ_LIMIT).send().await;
        let out = match result {
            Ok(out) => out,
            Err(e) => {
                match code_of(&e).as_deref() {
                    Some("ResourceNotFoundException") => return Polled::Closed,
                    Some("ExpiredIteratorException") | Some("TrimmedDataAccessException") => {
                        match self.resume(arn, shard).await {
                            Ok(Some(fresh)) => shard.iterator = Some(fresh),
                            Ok(None) => return Polled::Closed,
                            Err(e) => {
                                let error = format!("{e:#}");
                                tracing::warn!(shard = %shard.id, error = %error, "could not renew the shard iterator");
                                shard.iterator = Some(iterator);
                            }
                        }
                    }
                    _ => {
                        let error = DisplayErrorContext(&e).to_string();
                        tracing::warn!(shard = %shard.id, error = %error, "could not read the stream");
                        shard.iterator = Some(iterator);
                    }
                }
                return Polled::Nothing;
            }
        };
        shard.iterator = out.next_shard_iterator;
        let records = out.records.unwrap_or_default();
        if records.is_empty() {
            return if shard.iterator.is_some() { Polled::Nothing } else { Polled::Closed };
        }
        if let Some(last) = records.last().and_then(|r| r.dynamodb()).and_then(|d| d.sequence_number()) {
            shard.last_sequence = Some(last.to_string());
        }
        let mut batch = Vec::with_capacity(records.len());
        for record in records {
            let sequence = record.dynamodb().and_then(|d| d.sequence_number()).map(String::from);
            match event_record(record, arn, &self.region) {
                // What the deployed event source mapping's filter passes.
                Ok(r) if self.path.map_or(relayed(&r.change.keys), |p| p.carries(&r.change.keys)) => batch.push(r),
                Ok(_) => {}
                Err(e) => tracing::error!(
                    table = %self.table, sequence_number = ?sequence, error = %format!("{e:#}"),
                    "a stream record could not be read: skipped"
                ),
            }
        }
        let size = usize::try_from(self.settings.batch_size).unwrap_or(1).max(1);
        while !batch.is_empty() {
            let rest = batch.split_off(size.min(batch.len()));
            self.deliver(batch, sink).await;
            batch = rest;
        }
        if shard.iterator.is_some() {
            Polled::Records
        } else {
            Polled::Closed
        }
    }

    /// Hands `records` to the sink as Lambda would: again from the first
    /// failed record on, at most `max_retries` times, then gives the rest up.
    async fn deliver(&self, records: Vec<EventRecord>, sink: &dyn Sink) {
        let mut pending = records;
        let mut failures = 0u32;
        let mut unreachable = 0u32;
        while !pending.is_empty() {
            let mut event = Event::default();
            event.records = pending.clone();
            let response = match sink.deliver(event).await {
                Ok(response) => response,
                Err(e) => {
                    unreachable += 1;
                    let wait = backoff(self.settings.retry_backoff, unreachable, self.settings.max_backoff);
                    tracing::warn!(
                        table = %self.table, records = pending.len(), retry_in_ms = wait.as_millis() as u64,
                        error = %format!("{e:#}"), "the events function did not take the batch: delivering it again"
                    );
                    tokio::time::sleep(wait).await;
                    continue;
                }
            };
            let Some(at) = first_failure(&pending, &response) else { return };
            failures += 1;
            if failures > self.settings.max_retries {
                let given_up: Vec<&str> =
                    pending[at..].iter().filter_map(|r| r.change.sequence_number.as_deref()).collect();
                tracing::error!(
                    table = %self.table, sequence_numbers = ?given_up, deliveries = failures,
                    "stream records failed every delivery: given up (deployed, they go to the dead-letter queue)"
                );
                return;
            }
            pending = pending.split_off(at);
            let wait = backoff(self.settings.retry_backoff, failures, self.settings.max_backoff);
            let from = pending.first().and_then(|r| r.change.sequence_number.as_deref());
            tracing::info!(
                table = %self.table, from = ?from, delivery = failures + 1, retry_in_ms = wait.as_millis() as u64,
                "delivering the batch again from the failed record"
            );
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests;
