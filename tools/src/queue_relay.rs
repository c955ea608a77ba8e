//! The local stand-in for an SQS event source mapping: receives messages
//! from a queue (moto's, locally) and hands them to the `imports` function
//! in batches, as Lambda does for a deployment (template.yaml): up to
//! `batch_size` messages an invocation, at most `concurrency` invocations at
//! once (`MaximumConcurrency`); the messages the function handled are
//! deleted, those it reports failed (`ReportBatchItemFailures`) stay, and
//! the queue delivers them again once their visibility timeout has passed.

use crate::relay::Invoked;
use anyhow::Context;
use async_trait::async_trait;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use aws_sdk_sqs::error::DisplayErrorContext;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

/// Where the messages of a batch go.
#[async_trait]
pub trait QueueSink: Send + Sync {
    /// Processes one batch as the `imports` function does; an error means
    /// nothing of it was processed (the function could not be reached).
    async fn deliver(&self, event: SqsEvent) -> anyhow::Result<SqsBatchResponse>;
}

/// The function in process.
#[async_trait]
impl QueueSink for imports::Imports {
    async fn deliver(&self, event: SqsEvent) -> anyhow::Result<SqsBatchResponse> {
        let context = lambda_runtime::Context::default();
        self.invoke(lambda_runtime::LambdaEvent::new(event, context)).await.map_err(|e| anyhow::anyhow!("{e}"))
    }
}

/// The function behind the Lambda Invoke API (`cargo lambda watch`).
#[async_trait]
impl QueueSink for crate::relay::InvokeSink {
    async fn deliver(&self, event: SqsEvent) -> anyhow::Result<SqsBatchResponse> {
        match self.invoke(&event).await? {
            Invoked::Answer(text) => {
                serde_json::from_str(&text).context("the imports function answered without a batch response")
            }
            // Every message of the batch fails, and is delivered again.
            Invoked::FunctionError(_) => {
                let mut response = SqsBatchResponse::default();
                for m in &event.records {
                    let mut failure = aws_lambda_events::event::sqs::BatchItemFailure::default();
                    failure.item_identifier = m.message_id.clone().unwrap_or_default();
                    response.batch_item_failures.push(failure);
                }
                Ok(response)
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct QueueSettings {
    /// Messages an invocation at most (`BatchSize`).
    pub batch_size: i32,
    /// Invocations at once at most (`ScalingConfig.MaximumConcurrency`).
    pub concurrency: usize,
    /// How long a received message stays hidden before it is delivered again
    /// (the queue's `VisibilityTimeout`, for what this relay receives). As
    /// in a deployment, it must outlast an invocation: a message still being
    /// processed would otherwise be delivered to a second invocation.
    pub visibility: Duration,
    /// When a failed message is delivered again: `None` once its visibility
    /// timeout has passed (as Lambda does); a test sets a shorter wait, so
    /// that a retry comes soon while a slow invocation keeps its message.
    pub retry_after: Option<Duration>,
}

impl Default for QueueSettings {
    fn default() -> Self {
        Self { batch_size: 1, concurrency: 2, visibility: Duration::from_secs(300), retry_after: None }
    }
}

pub struct QueueRelay {
    sqs: aws_sdk_sqs::Client,
    queue_url: String,
    settings: QueueSettings,
}

impl QueueRelay {
    pub fn new(aws: &aws_config::SdkConfig, queue_url: impl Into<String>) -> Self {
        Self { sqs: aws_sdk_sqs::Client::new(aws), queue_url: queue_url.into(), settings: QueueSettings::default() }
    }

    pub fn with_settings(self, settings: QueueSettings) -> Self {
        Self { settings, ..self }
    }

    /// Relays until the task is dropped; `concurrency` pollers side by side.
    pub async fn run(self, sink: Arc<dyn QueueSink>) -> anyhow::Result<()> {
        let relay = Arc::new(self);
        let mut pollers = tokio::task::JoinSet::new();
        for _ in 0..relay.settings.concurrency.max(1) {
            let (relay, sink) = (relay.clone(), sink.clone());
            pollers.spawn(async move { relay.poll(sink.as_ref()).await });
        }
        match pollers.join_next().await {
            Some(result) => result?,
            None => Ok(()),
        }
    }

    async fn poll(&self, sink: &dyn QueueSink) -> anyhow::Result<()> {
        let mut pause = Duration::from_millis(200);
        loop {
            let received = self
                .sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(self.settings.batch_size.clamp(1, 10))
                .visibility_timeout(self.settings.visibility.as_secs() as i32)
                .wait_time_seconds(1)
                .send()
                .await;
            let messages = match received {
                Ok(out) => out.messages.unwrap_or_default(),
                Err(e) => {
                    tracing::warn!(error = %DisplayErrorContext(&e), "the queue could not be read; trying again");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(5));
                    continue;
                }
            };
            pause = Duration::from_millis(200);
            if messages.is_empty() {
                continue;
            }
            let records: Vec<SqsMessage> = messages.iter().map(message).collect();
            let mut event = SqsEvent::default();
            event.records = records;
            let failed: HashSet<String> = match sink.deliver(event).await {
                Ok(response) => response.batch_item_failures.into_iter().map(|f| f.item_identifier).collect(),
                Err(e) => {
                    // Nothing was processed: every message comes back.
                    tracing::warn!(error = format!("{e:#}"), "the imports function could not be reached");
                    messages.iter().filter_map(|m| m.message_id().map(str::to_string)).collect()
                }
            };
            for m in &messages {
                if failed.contains(m.message_id().unwrap_or_default()) {
                    self.retry_soon(m).await;
                    continue;
                }
                if let Some(handle) = m.receipt_handle() {
                    let deleted =
                        self.sqs.delete_message().queue_url(&self.queue_url).receipt_handle(handle).send().await;
                    if let Err(e) = deleted {
                        tracing::warn!(error = %DisplayErrorContext(&e), "a handled message was not deleted");
                    }
                }
            }
        }
    }
}

impl QueueRelay {
    /// Makes a failed message visible after `retry_after`, if set.
    async fn retry_soon(&self, m: &aws_sdk_sqs::types::Message) {
        let (Some(after), Some(handle)) = (self.settings.retry_after, m.receipt_handle()) else { return };
        let changed = self
            .sqs
            .change_message_visibility()
            .queue_url(&self.queue_url)
            .receipt_handle(handle)
            .visibility_timeout(after.as_secs() as i32)
            .send()
            .await;
        if let Err(e) = changed {
            tracing::warn!(error = %DisplayErrorContext(&e), "a failed message waits for its visibility timeout");
        }
    }
}

/// An SQS message as Lambda hands it over.
fn message(m: &aws_sdk_sqs::types::Message) -> SqsMessage {
    let mut out = SqsMessage::default();
    out.message_id = m.message_id().map(str::to_string);
    out.receipt_handle = m.receipt_handle().map(str::to_string);
    out.body = m.body().map(str::to_string);
    out.md5_of_body = m.md5_of_body().map(str::to_string);
    out.event_source = Some("aws:sqs".into());
    out
}
