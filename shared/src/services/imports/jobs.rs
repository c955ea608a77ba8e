//! The back office's side of imports: stage, run, cancel, look.
//!
//! Round trips: `stage` 1 (the job) plus a presigning (no request);
//! `run` 2 (the job, the start) plus the file's head and a message;
//! `cancel` 2; `get` 1; `list` 1; `errors` 1.

use super::{files, well_formed};
use crate::domain::{
    DomainError, DomainResult, ErrorCode, FileFormat, ImportJob, ImportOptions, ImportRowError, ImportStatus, TenantId,
    FILE_KEPT_DAYS, FILE_NAME_MAX, UPLOAD_WINDOW_SECONDS,
};
use crate::imports::{ImportFiles, ImportTask};
use crate::services::paging::{bad_cursor, decode_cursor, encode_cursor, Page, MAX_PAGE};
use crate::services::Services;
use crate::store::{ImportStart, WriteError};
use chrono::Duration;
use std::time::Duration as StdDuration;

/// A staged job and where its file goes.
pub struct Staged {
    pub job: ImportJob,
    pub upload_url: String,
}

/// A size as people write it: `2 GB`, `512 MB`, `64 KB` (of 1,024), or bytes.
fn size_text(bytes: u64) -> String {
    for (unit, name) in [(1 << 30, "GB"), (1 << 20, "MB"), (1 << 10, "KB")] {
        if bytes >= unit && bytes % unit == 0 {
            return format!("{} {name}", bytes / unit);
        }
    }
    format!("{bytes} bytes")
}

fn no_such_import() -> DomainError {
    DomainError::argument(ErrorCode::NotFound, "id", "No import with this id.")
}

/// The job `id`, or `NOT_FOUND` at `id`.
async fn job(svc: &Services, tenant: &TenantId, id: &str) -> DomainResult<ImportJob> {
    get(svc, tenant, id).await?.ok_or_else(no_such_import)
}

pub async fn stage(
    svc: &Services,
    tenant: &TenantId,
    format: FileFormat,
    file_name: Option<String>,
) -> DomainResult<Staged> {
    let files = files(svc)?;
    let file_name = file_name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    if let Some(name) = &file_name {
        if name.chars().count() > FILE_NAME_MAX || name.chars().any(char::is_control) {
            return Err(DomainError::user(
                ErrorCode::Invalid,
                &["fileName"],
                format!("A file name is at most {FILE_NAME_MAX} characters, without control characters."),
            ));
        }
    }
    let now = svc.clock.now();
    let job = ImportJob {
        id: ulid::Ulid::from_datetime(now.into()).to_string(),
        format,
        file_name,
        status: ImportStatus::Staged,
        options: ImportOptions::default(),
        created_at: now,
        upload_expires_at: now + Duration::seconds(UPLOAD_WINDOW_SECONDS),
        started_at: None,
        finished_at: None,
        rows_total: None,
        chunks_total: None,
        chunks_done: 0,
        header: vec![],
        counts: Default::default(),
        failure: None,
        file_size: None,
        file_etag: None,
    };
    let window = StdDuration::from_secs(UPLOAD_WINDOW_SECONDS as u64);
    let upload_url = files.upload_url(&ImportFiles::upload_key(tenant, &job.id), window).await?;
    svc.store.put_import(tenant, &job).await?;
    tracing::info!(import = %job.id, "import staged");
    Ok(Staged { job, upload_url })
}

/// Starts a staged job whose file has arrived.
pub async fn run(svc: &Services, tenant: &TenantId, id: &str, options: ImportOptions) -> DomainResult<ImportJob> {
    let files = files(svc)?;
    let mut staged = job(svc, tenant, id).await?;
    if staged.status != ImportStatus::Staged {
        return Err(DomainError::argument(ErrorCode::Invalid, "id", "This import has been run already."));
    }
    let invalid = |why: &str| DomainError::argument(ErrorCode::Invalid, "id", why);
    let (size, etag) = match files.head(&ImportFiles::upload_key(tenant, id)).await? {
        None => return Err(invalid("The file never arrived: PUT it to the import's uploadUrl first.")),
        Some((0, _)) => return Err(invalid("The file is empty.")),
        Some((size, _)) if size > files.max_upload_bytes => {
            return Err(invalid(&format!("The file is larger than {}.", size_text(files.max_upload_bytes))))
        }
        Some(found) => found,
    };
    let now = svc.clock.now();
    let start = ImportStart { options, file_size: size, file_etag: etag.clone(), now };
    match svc.store.start_import(tenant, id, &start).await {
        Ok(()) => {}
        Err(WriteError::Conflict) => return Err(invalid("This import has been run already.")),
        Err(e) => return Err(anyhow::Error::from(e).into()),
    }
    let split = ImportTask::Split { tenant: tenant.as_str().to_string(), import_id: id.to_string() };
    if let Err(e) = files.send(&[split]).await {
        // Nothing would ever work it off: say so on the job.
        let why = "The import could not be queued; stage the file again.";
        let _ = svc.store.end_import(tenant, id, ImportStatus::Failed, Some(why), &[ImportStatus::Running], now).await;
        return Err(e.into());
    }
    tracing::info!(import = %id, size, "import started");
    // As the start wrote it; nothing else moves a job before its split.
    staged.status = ImportStatus::Running;
    staged.options = options;
    staged.started_at = Some(now);
    (staged.file_size, staged.file_etag) = (Some(size), Some(etag));
    Ok(staged)
}

/// Stops a job: its queued chunks are dropped, a chunk being written stops
/// at its next checkpoint; what was imported stays.
pub async fn cancel(svc: &Services, tenant: &TenantId, id: &str) -> DomainResult<ImportJob> {
    let from = [ImportStatus::Staged, ImportStatus::Running];
    if !well_formed(id) {
        return Err(no_such_import());
    }
    match svc.store.end_import(tenant, id, ImportStatus::Cancelled, None, &from, svc.clock.now()).await {
        Ok(()) => tracing::info!(import = %id, "import cancelled"),
        Err(WriteError::Conflict) => {
            let job = job(svc, tenant, id).await?;
            return Err(DomainError::argument(
                ErrorCode::Invalid,
                "id",
                format!("This import has finished already ({}).", serde_json::json!(job.status).as_str().unwrap_or("")),
            ));
        }
        Err(e) => return Err(anyhow::Error::from(e).into()),
    }
    job(svc, tenant, id).await
}

pub async fn get(svc: &Services, tenant: &TenantId, id: &str) -> DomainResult<Option<ImportJob>> {
    if !well_formed(id) {
        return Ok(None);
    }
    Ok(svc.store.get_import(tenant, id).await?)
}

/// What a job's cursor holds: `i1:<id>`.
const CURSOR: &str = "i1";

/// Up to `first` jobs (at most 100), newest first, after the cursor `after`.
pub async fn list(
    svc: &Services,
    tenant: &TenantId,
    first: usize,
    after: Option<&str>,
) -> DomainResult<Page<ImportJob>> {
    let after = after.map(|a| decode_cursor(CURSOR, a, "after")).transpose()?;
    if after.as_deref().is_some_and(|a| !well_formed(a)) {
        return Err(bad_cursor("after"));
    }
    let (jobs, has_next) = svc.store.list_imports(tenant, after.as_deref(), first.clamp(1, MAX_PAGE)).await?;
    let items = jobs.into_iter().map(|j| (encode_cursor(CURSOR, &j.id), j)).collect();
    Ok(Page { items, has_next })
}

/// The first `first` row errors of a job, by line (at most 100).
pub async fn errors(svc: &Services, tenant: &TenantId, id: &str, first: usize) -> DomainResult<Vec<ImportRowError>> {
    if first == 0 || !well_formed(id) {
        return Ok(vec![]);
    }
    Ok(svc.store.import_errors(tenant, id, first.min(100)).await?)
}

/// Where a completed job's errors file downloads from, when it has one (a
/// cancelled job's errors are in `errors`: its chunks never all finished)
/// and while the bucket keeps it.
pub async fn errors_url(svc: &Services, tenant: &TenantId, job: &ImportJob) -> DomainResult<Option<String>> {
    if job.status != ImportStatus::CompletedWithErrors {
        return Ok(None);
    }
    // Deleted by the bucket's lifecycle rule after `FILE_KEPT_DAYS`.
    let Some(gone) = job.finished_at.map(|f| f + Duration::days(FILE_KEPT_DAYS)) else { return Ok(None) };
    let key = ImportFiles::errors_key(tenant, &job.id);
    Ok(super::presigned(svc, &key, gone).await?.map(|(url, _)| url))
}
