//! The import port: jobs, the progress of their chunks, the errors of
//! their rows.

use super::errors::WriteError;
use crate::domain::{ImportCounts, ImportJob, ImportOptions, ImportRowError, ImportStatus, TenantId};
use crate::imports::Position;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// How far a chunk has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkState {
    /// Where its next row starts.
    pub next: Position,
    pub done: bool,
    /// Its rows that failed so far.
    pub failed: u64,
}

/// What starting a job records.
#[derive(Debug, Clone)]
pub struct ImportStart {
    pub options: ImportOptions,
    pub file_size: u64,
    pub file_etag: String,
    pub now: DateTime<Utc>,
}

/// Rows of a chunk written since its last checkpoint.
#[derive(Debug, Clone, Copy)]
pub struct Checkpoint {
    pub chunk: u64,
    /// Where the rows began: the chunk's last checkpoint (`None`: its start,
    /// never checkpointed). Another worker that moved it meanwhile makes
    /// this checkpoint a `Conflict`, and its rows are not counted twice.
    pub from: Option<Position>,
    pub to: Position,
    /// Whether `to` is the chunk's end.
    pub done: bool,
    pub counts: ImportCounts,
}

/// Import jobs of a tenant.
#[async_trait]
pub trait ImportStore: Send + Sync {
    /// Writes a new job (1 RT).
    async fn put_import(&self, tenant: &TenantId, job: &ImportJob) -> anyhow::Result<()>;

    /// One job (1 RT, consistent).
    async fn get_import(&self, tenant: &TenantId, id: &str) -> anyhow::Result<Option<ImportJob>>;

    /// Up to `limit` jobs, newest first, after the job `after`, and whether
    /// more may follow (1 RT).
    async fn list_imports(
        &self,
        tenant: &TenantId,
        after: Option<&str>,
        limit: usize,
    ) -> anyhow::Result<(Vec<ImportJob>, bool)>;

    /// Starts a staged job with `options` over the file as it is now (its
    /// size and entity tag) (1 RT); `Conflict` when it is no longer staged.
    async fn start_import(&self, tenant: &TenantId, id: &str, start: &ImportStart) -> Result<(), WriteError>;

    /// Records how the file is cut: its header, rows and chunks (1 RT);
    /// `Conflict` when the job no longer runs.
    async fn plan_import(
        &self,
        tenant: &TenantId,
        id: &str,
        header: &[String],
        rows: u64,
        chunks: u64,
    ) -> Result<(), WriteError>;

    /// Ends a job in `status` (with `failure`, why it failed) if it is in one
    /// of `from` (1 RT); `Conflict` otherwise. Ending a running job as
    /// completed also needs all its chunks done.
    async fn end_import(
        &self,
        tenant: &TenantId,
        id: &str,
        status: ImportStatus,
        failure: Option<&str>,
        from: &[ImportStatus],
        now: DateTime<Utc>,
    ) -> Result<(), WriteError>;

    /// A chunk's progress; `None` before its first checkpoint (1 RT).
    async fn chunk_state(&self, tenant: &TenantId, id: &str, chunk: u64) -> anyhow::Result<Option<ChunkState>>;

    /// Moves a chunk on and adds its rows to the job's counters, at once
    /// (1 RT); `Conflict` when the chunk moved meanwhile or the job no
    /// longer runs (cancelled).
    async fn checkpoint(&self, tenant: &TenantId, id: &str, checkpoint: &Checkpoint) -> Result<(), WriteError>;

    /// Keeps row errors to show (1 RT per 25); the same line again
    /// overwrites its error.
    async fn put_import_errors(&self, tenant: &TenantId, id: &str, errors: &[ImportRowError]) -> anyhow::Result<()>;

    /// The first `limit` errors kept, by line (1 RT).
    async fn import_errors(&self, tenant: &TenantId, id: &str, limit: usize) -> anyhow::Result<Vec<ImportRowError>>;
}
