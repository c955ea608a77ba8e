//! Imports of customers (`admin`): a job is staged with an upload URL, run
//! once its file has arrived, and then worked off by the `imports` function
//! in tasks from a queue: one that reads the file through and cuts it into
//! chunks, then one per chunk that writes its rows. Counters live on the
//! job; a chunk checkpoints its progress with them, so that a retried
//! chunk goes on where the last one stopped and counts nothing twice.

mod jobs;
mod work;

use crate::domain::{download_until, DomainResult};
use crate::imports::ImportFiles;
use crate::services::Services;
use chrono::{DateTime, Utc};
use std::time::Duration;

/// The bucket and queue of imports and exports.
pub(crate) fn files(svc: &Services) -> DomainResult<&ImportFiles> {
    svc.imports
        .as_deref()
        .ok_or_else(|| anyhow::anyhow!("imports are not configured: set IMPORTS_BUCKET and IMPORTS_QUEUE_URL").into())
}

/// Whether `id` can be a job's: a ULID as ids are written. Anything else
/// (a key too long for DynamoDB, say) names no job and is never looked up.
pub(crate) fn well_formed(id: &str) -> bool {
    id.len() == 26 && ulid::Ulid::from_string(id).is_ok_and(|u| u.to_string() == id)
}

pub use jobs::{cancel, errors, errors_url, get, list, run, stage, Staged};
pub use work::{perform, CHUNK_BYTES, CHUNK_ROWS};

/// A URL of `key` until an hour from now or `gone`, whichever is first;
/// `None` once `gone` has passed.
pub(crate) async fn presigned(
    svc: &Services,
    key: &str,
    gone: DateTime<Utc>,
) -> DomainResult<Option<(String, DateTime<Utc>)>> {
    let now = svc.clock.now();
    let Some(until) = download_until(gone, now) else { return Ok(None) };
    // Whole seconds, at least one: what a presigned URL is given.
    let seconds = (until - now).num_seconds().max(1) as u64;
    let url = files(svc)?.download_url(key, Duration::from_secs(seconds)).await?;
    Ok(Some((url, until)))
}
