//! The export port: jobs and the progress of their slices.

use super::errors::WriteError;
use crate::domain::{ExportJob, ExportProgress, ExportStatus, TenantId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Export jobs of a tenant.
#[async_trait]
pub trait ExportStore: Send + Sync {
    /// Writes a new job (1 RT).
    async fn put_export(&self, tenant: &TenantId, job: &ExportJob) -> anyhow::Result<()>;

    /// The job `id` (1 RT, consistent: a slice reads where the last ended).
    async fn get_export(&self, tenant: &TenantId, id: &str) -> anyhow::Result<Option<ExportJob>>;

    /// Claims the part number `claimed + 1` for a slice (1 RT): `Conflict`
    /// when another worker claimed one first or the job no longer runs.
    async fn claim_export_part(&self, tenant: &TenantId, id: &str, claimed: i32) -> Result<(), WriteError>;

    /// Saves what a slice wrote (1 RT): `Conflict` when the job has moved
    /// past `progress.slice` (another worker saved it) or no longer runs.
    async fn save_export_slice(&self, tenant: &TenantId, id: &str, progress: &ExportProgress)
        -> Result<(), WriteError>;

    /// Ends a running job (1 RT); `Conflict` when it had ended.
    async fn end_export(
        &self,
        tenant: &TenantId,
        id: &str,
        to: ExportStatus,
        failure: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), WriteError>;
}
