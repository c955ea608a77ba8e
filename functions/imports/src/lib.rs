//! The `imports` function: the tasks of customer imports and exports, from
//! the imports queue (template.yaml): reading a file through and cutting it
//! into chunks, writing a chunk's rows (`shared::services::imports`), and
//! writing a slice of an export (`shared::services::exports`).
//!
//! The queue's event source mapping bounds how many run at once
//! (`MaximumConcurrency`), which bounds the write rate an import takes
//! from the table. A task that fails is reported (`ReportBatchItemFailures`)
//! and delivered again after the visibility timeout, at most
//! `maxReceiveCount` times, then parked in the dead-letter queue (with an
//! alarm); a task read again goes on from its chunk's checkpoint (an
//! export's, from its last saved slice).

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use lambda_runtime::LambdaEvent;
use shared::auth::TokenRole;
use shared::imports::ImportTask;
use shared::Services;
use std::sync::Arc;

pub struct Imports {
    svc: Arc<Services>,
}

impl Imports {
    pub fn new(svc: Arc<Services>) -> Self {
        Self { svc }
    }

    pub async fn from_env() -> anyhow::Result<Self> {
        Ok(Self::new(Arc::new(Services::from_env(TokenRole::NoKeys).await?)))
    }

    /// Performs each task of the batch; those that fail are reported, to be
    /// delivered again.
    pub async fn invoke(&self, event: LambdaEvent<SqsEvent>) -> Result<SqsBatchResponse, lambda_runtime::Error> {
        let mut failures = vec![];
        for message in event.payload.records {
            let id = message.message_id.clone().unwrap_or_default();
            let task: ImportTask = match message.body.as_deref().map(serde_json::from_str) {
                Some(Ok(task)) => task,
                // Never will it read: retrying would not help.
                _ => {
                    tracing::error!(message_id = %id, "an imports message that is no task: dropped");
                    continue;
                }
            };
            if let Err(e) = shared::services::imports::perform(&self.svc, &task).await {
                tracing::error!(message_id = %id, error = format!("{e:#}"), "import task failed; it is delivered again");
                let mut failure = BatchItemFailure::default();
                failure.item_identifier = id;
                failures.push(failure);
            }
        }
        let mut response = SqsBatchResponse::default();
        response.batch_item_failures = failures;
        Ok(response)
    }
}
