//! Export jobs: the customers a search finds, written to one file in the
//! bucket, slice after slice, each slice a part of the file.

use super::search::CustomerFilter;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How long an export's file (and an import's errors file) is kept: the
/// bucket's lifecycle rule deletes it then (template.yaml, 7 days).
pub const FILE_KEPT_DAYS: i64 = 7;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExportFormat {
    /// One JSON object a line, each a row an import reads as it is.
    Jsonl,
    /// A header row of the schema's names, nested ones dotted, as an
    /// import's `CSV` reads them.
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExportStatus {
    Running,
    Completed,
    Failed,
}

/// One part of the file in the bucket's multipart upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportPart {
    pub number: i32,
    pub etag: String,
}

/// An export job, as its item keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportJob {
    /// A ULID, like an import's.
    pub id: String,
    pub format: ExportFormat,
    pub query: Option<String>,
    #[serde(default)]
    pub filter: CustomerFilter,
    pub status: ExportStatus,
    #[serde(default)]
    pub rows_written: u64,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Why it failed (too large a file, an upload expired).
    pub failure: Option<String>,
    /// The slices written so far: a slice's checkpoint is conditioned on it.
    #[serde(default)]
    pub slices_done: u64,
    /// Where the search goes on from: the last slice's end cursor. (These
    /// are absent, never null, on the item: a save's condition asks
    /// whether they exist.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// The part numbers claimed so far (each slice claims one before it
    /// writes, so that two workers on one slice never write one part).
    #[serde(default)]
    pub parts_claimed: i32,
    /// The multipart upload, once the first full part was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_id: Option<String>,
    /// The parts of the file written so far, in order.
    #[serde(default)]
    pub parts: Vec<ExportPart>,
    /// Rows written by the last slice but too few bytes for a part yet:
    /// the next slice begins with them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<String>,
    /// Set by the last slice's save: the number of the file's last part,
    /// whose rows wait in `pending`. The file's end is written then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_part: Option<i32>,
}

impl ExportJob {
    /// When the file is deleted by the bucket's lifecycle rule.
    pub fn file_expires_at(&self) -> Option<DateTime<Utc>> {
        let finished = self.finished_at.filter(|_| self.status == ExportStatus::Completed)?;
        Some(finished + chrono::Duration::days(FILE_KEPT_DAYS))
    }
}

/// Until when a download URL asked for at `now` works: an hour on, or
/// when the file is `gone` if sooner; `None` once it is gone.
pub fn download_until(gone: DateTime<Utc>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let window = chrono::Duration::seconds(super::imports::DOWNLOAD_WINDOW_SECONDS as i64);
    (gone > now).then(|| gone.min(now + window))
}

/// What one slice of an export did, saved in one conditional write.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportProgress {
    /// The slice this moves from (the job's `slicesDone`).
    pub slice: u64,
    pub cursor: Option<String>,
    pub rows: u64,
    pub upload_id: Option<String>,
    pub part: Option<ExportPart>,
    pub pending: Option<String>,
    /// The last slice's: the file's last part number (its rows pending).
    pub final_part: Option<i32>,
}
