//! Where the relay hands batches: the `Sink` trait, the function in process and the Invoke API.

use anyhow::Context;
use async_trait::async_trait;
use aws_lambda_events::event::dynamodb::Event;
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use events::Events;
use std::time::Duration;

/// Where the records of a batch go.
#[async_trait]
pub trait Sink: Send + Sync {
    /// Processes one batch as the `events` function does; an error means the
    /// batch was not processed at all (the function could not be reached).
    async fn deliver(&self, event: Event) -> anyhow::Result<DynamoDbEventResponse>;
}

/// The function in process.
#[async_trait]
impl Sink for Events {
    async fn deliver(&self, event: Event) -> anyhow::Result<DynamoDbEventResponse> {
        Ok(self.handle(event).await)
    }
}

/// The function behind the Lambda Invoke API (`cargo lambda watch` serves it
/// at `http://HOST:PORT/2015-03-31/functions/events/invocations`).
pub struct InvokeSink {
    client: reqwest::Client,
    url: String,
}

impl InvokeSink {
    pub fn new(url: impl Into<String>) -> anyhow::Result<Self> {
        // The first invocation under `cargo lambda watch` waits for the
        // function to compile: a Lambda's longest run is the bound.
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(2))
            .timeout(Duration::from_secs(900))
            .build()?;
        Ok(Self { client, url: url.into() })
    }
}

/// The start of a function's answer, for an error message.
fn excerpt(text: &str) -> String {
    text.chars().take(500).collect()
}

/// What a function behind the Invoke API answered.
pub enum Invoked {
    /// Its result.
    Answer(String),
    /// The runtime's report of an error the function returned: Lambda
    /// counts the whole batch as failed (and delivers it again).
    FunctionError(String),
}

impl InvokeSink {
    /// Invokes the function with `payload`.
    pub async fn invoke(&self, payload: &impl serde::Serialize) -> anyhow::Result<Invoked> {
        let resp = self
            .client
            .post(&self.url)
            .json(payload)
            .send()
            .await
            .with_context(|| format!("invoke the function at {}", self.url))?;
        let status = resp.status();
        let text = resp.text().await.context("read the function's answer")?;
        if status.is_success() {
            return Ok(Invoked::Answer(text));
        }
        let function_error = serde_json::from_str::<serde_json::Value>(&text)
            .is_ok_and(|v| v.get("errorType").is_some() || v.get("error_type").is_some());
        if function_error {
            tracing::warn!(status = status.as_u16(), answer = %excerpt(&text), "the function failed the batch");
            return Ok(Invoked::FunctionError(text));
        }
        anyhow::bail!("the function at {} answered {status}: {}", self.url, excerpt(&text))
    }
}

#[async_trait]
impl Sink for InvokeSink {
    async fn deliver(&self, event: Event) -> anyhow::Result<DynamoDbEventResponse> {
        match self.invoke(&event).await? {
            Invoked::Answer(text) => serde_json::from_str(&text)
                .with_context(|| format!("the events function answered without a batch response: {}", excerpt(&text))),
            Invoked::FunctionError(_) => {
                let mut failure = DynamoDbBatchItemFailure::default();
                failure.item_identifier = event.records.first().and_then(|r| r.change.sequence_number.clone());
                let mut response = DynamoDbEventResponse::default();
                response.batch_item_failures.push(failure);
                Ok(response)
            }
        }
    }
}
