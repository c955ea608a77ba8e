//! Import jobs: a file staged by the back office, run in chunks, with
//! counters of what each row did and the errors of the rows that failed.

use super::errors::{ErrorCode, UserError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The most a file may hold.
pub const MAX_IMPORT_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// How long a staged import's upload URL works.
pub const UPLOAD_WINDOW_SECONDS: i64 = 3600;
/// How long a finished import's errors file can be downloaded through one URL.
pub const DOWNLOAD_WINDOW_SECONDS: u64 = 3600;
/// The errors a job keeps to show (`CustomerImport.errors`), per chunk; the
/// errors file holds all of them.
pub const SHOWN_ERRORS_PER_CHUNK: usize = 100;
/// At most this many characters of a file's name are kept.
pub const FILE_NAME_MAX: usize = 255;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FileFormat {
    /// One JSON object a line.
    Jsonl,
    /// A header row of the schema's names, nested ones dotted.
    Csv,
    /// The file Shopify's customer export writes.
    ShopifyCsv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ImportStatus {
    Staged,
    Running,
    Completed,
    CompletedWithErrors,
    Failed,
    Cancelled,
}

impl ImportStatus {
    pub fn is_finished(self) -> bool {
        !matches!(self, ImportStatus::Staged | ImportStatus::Running)
    }
}

/// Whether rows may change customers that exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ImportMode {
    /// A row whose customer exists changes nothing (`unchanged`).
    CreateOnly,
    #[default]
    Upsert,
}

/// The field that says which customer a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MatchBy {
    #[default]
    Email,
    ExternalId,
    Ref,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportOptions {
    pub mode: ImportMode,
    pub match_by: MatchBy,
    /// Mail a set-password link to each customer created without a password.
    pub send_invites: bool,
    /// Read and check every row, write nothing.
    pub dry_run: bool,
}

/// What a row did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowOutcome {
    Created,
    Updated,
    Unchanged,
}

/// Rows counted so far, by what they did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ImportCounts {
    pub processed: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub failed: u64,
}

impl ImportCounts {
    pub fn count(&mut self, outcome: Result<RowOutcome, ()>) {
        self.processed += 1;
        match outcome {
            Ok(RowOutcome::Created) => self.created += 1,
            Ok(RowOutcome::Updated) => self.updated += 1,
            Ok(RowOutcome::Unchanged) => self.unchanged += 1,
            Err(()) => self.failed += 1,
        }
    }
}

/// One problem of one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportRowError {
    pub line: u64,
    pub code: ErrorCode,
    pub field: Vec<String>,
    pub message: String,
}

impl ImportRowError {
    pub fn of(line: u64, e: &UserError) -> Self {
        Self { line, code: e.code, field: e.field.clone(), message: e.message.clone() }
    }

    /// An error of the row as a whole (the service failed to write it).
    pub fn general(line: u64, code: ErrorCode, message: &str) -> Self {
        Self { line, code, field: vec![], message: message.to_string() }
    }
}

/// An import job, as its item keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportJob {
    /// A ULID: jobs list newest first.
    pub id: String,
    pub format: FileFormat,
    pub file_name: Option<String>,
    pub status: ImportStatus,
    #[serde(default)]
    pub options: ImportOptions,
    pub created_at: DateTime<Utc>,
    pub upload_expires_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Known once the file has been read through and cut into chunks.
    pub rows_total: Option<u64>,
    pub chunks_total: Option<u64>,
    #[serde(default)]
    pub chunks_done: u64,
    /// A CSV's columns, for the chunks to read their rows under.
    #[serde(default)]
    pub header: Vec<String>,
    /// Top-level attributes of the item, which the chunks add to.
    #[serde(flatten)]
    pub counts: ImportCounts,
    /// Why the import failed as a whole (an unreadable file).
    pub failure: Option<String>,
    /// The file's size and entity tag when it started: every read names the
    /// tag, so that a file uploaded again meanwhile is never read in part.
    pub file_size: Option<u64>,
    pub file_etag: Option<String>,
}

impl ImportJob {
    /// The status a job whose chunks are all done ends in.
    pub fn finished_status(&self) -> ImportStatus {
        if self.counts.failed > 0 {
            ImportStatus::CompletedWithErrors
        } else {
            ImportStatus::Completed
        }
    }
}
