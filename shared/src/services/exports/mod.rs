//! Exports of customers (`admin`): a job names a search (a query and a
//! filter, as `customers` reads them) and a format; the `imports` function
//! writes the customers it finds into one file of the bucket, slice after
//! slice (`slices`), and the back office downloads it through a URL.
//!
//! Round trips: `start` 1 (the job) plus a message; `get` 1.

mod slices;

pub use slices::write_slice;

use crate::domain::{CustomerFilter, DomainResult, ExportFormat, ExportJob, ExportStatus, TenantId};
use crate::imports::{ImportFiles, ImportTask};
use crate::services::back_office::{check_search, SearchRequest};
use crate::services::imports::{files, presigned, well_formed};
use crate::services::Services;
use chrono::{DateTime, Utc};

/// Starts an export of the customers `query` and `filter` find.
pub async fn start(
    svc: &Services,
    tenant: &TenantId,
    format: ExportFormat,
    query: Option<String>,
    filter: CustomerFilter,
) -> DomainResult<ExportJob> {
    let files = files(svc)?;
    let query = query.filter(|q| !q.trim().is_empty());
    // A search that cannot be read fails now, at its path, not in the job.
    check_search(SearchRequest { query: query.as_deref(), filter: filter.clone(), reverse: false })?;
    let now = svc.clock.now();
    let job = ExportJob {
        id: ulid::Ulid::from_datetime(now.into()).to_string(),
        format,
        query,
        filter,
        status: ExportStatus::Running,
        rows_written: 0,
        created_at: now,
        finished_at: None,
        failure: None,
        slices_done: 0,
        cursor: None,
        parts_claimed: 0,
        upload_id: None,
        parts: vec![],
        pending: None,
        final_part: None,
    };
    svc.store.put_export(tenant, &job).await?;
    let task = ImportTask::Export { tenant: tenant.as_str().to_string(), export_id: job.id.clone() };
    if let Err(e) = files.send(&[task]).await {
        let why = "The export could not be queued; start it again.";
        let _ = svc.store.end_export(tenant, &job.id, ExportStatus::Failed, Some(why), now).await;
        return Err(e.into());
    }
    tracing::info!(export = %job.id, "export started");
    Ok(job)
}

pub async fn get(svc: &Services, tenant: &TenantId, id: &str) -> DomainResult<Option<ExportJob>> {
    if !well_formed(id) {
        return Ok(None);
    }
    Ok(svc.store.get_export(tenant, id).await?)
}

/// Where a completed export's file downloads from, and until when: an
/// hour, or less when the bucket deletes the file sooner; `None` before it
/// is complete and once the file is gone.
pub async fn download(
    svc: &Services,
    tenant: &TenantId,
    job: &ExportJob,
) -> DomainResult<Option<(String, DateTime<Utc>)>> {
    let Some(gone) = job.file_expires_at() else { return Ok(None) };
    let key = ImportFiles::export_key(tenant, &job.id, job.format);
    presigned(svc, &key, gone).await
}
