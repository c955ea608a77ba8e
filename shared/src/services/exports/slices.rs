//! The `imports` function's side of an export: one slice a task.
//!
//! A slice claims the next part number, reads the search on from where the
//! last slice ended, a page after the other, until it has a part's worth of
//! bytes (`ExportTuning::part_bytes`), its time is up (`slice_time`), or
//! the search has no more. Then it writes what it gathered (a part of the
//! file's multipart upload; too few bytes for a part: a pending object the
//! next slice begins with), saves its progress on the job in one write
//! conditioned on the slice it moves from, and queues the next slice. The
//! last slice saves its rows as pending too, with the number of the file's
//! last part: only the worker whose save wins then writes the end of the
//! file (`finish`: the last part and the upload completed, or the whole
//! file), which a retry does again to the same effect.
//!
//! A task delivered twice is safe: a second worker on a slice claims
//! another part number, and the first of the two to save wins; the
//! loser's part is never named in the file and its save is refused. A
//! slice stopped by a crash is done again from the last save.
//!
//! Round trips of a slice: the job, the claim, the save (DynamoDB); per
//! page of customers (100), the search's reads and one read of their
//! newsletter subscriptions.

use crate::domain::{
    Customer, ExportFormat, ExportJob, ExportPart, ExportProgress, ExportStatus, NewsletterState, TenantId,
};
use crate::imports::export_rows::{csv_cells, csv_header, row};
use crate::imports::files::UploadGone;
use crate::imports::{ImportFiles, ImportTask};
use crate::services::back_office::{search, SearchRequest};
use crate::services::Services;
use crate::store::WriteError;
use anyhow::Context;
use std::time::Instant;

/// The most parts a file takes: S3 takes 10,000 in one upload, the job's
/// item (at most 400 KB) holds the list of some 7,000.
const MAX_PARTS: i32 = 5_000;

fn content_type(format: ExportFormat) -> &'static str {
    match format {
        ExportFormat::Jsonl => "application/x-ndjson",
        ExportFormat::Csv => "text/csv; charset=utf-8",
    }
}

/// Writes the next slice of the export `id`.
pub async fn write_slice(svc: &Services, files: &ImportFiles, tenant: &TenantId, id: &str) -> anyhow::Result<()> {
    let Some(job) = svc.store.get_export(tenant, id).await? else {
        tracing::warn!(export = %id, "a task of an export that does not exist");
        return Ok(());
    };
    if job.status != ExportStatus::Running {
        return Ok(());
    }
    if let Some(last) = job.final_part {
        return finish(svc, files, tenant, &job, last).await;
    }
    let part = job.parts_claimed + 1;
    if part > MAX_PARTS {
        return fail(svc, tenant, id, "The export is larger than its file can hold.").await;
    }
    match svc.store.claim_export_part(tenant, id, job.parts_claimed).await {
        Ok(()) => {}
        Err(WriteError::Conflict) => return Ok(()), // another worker has the slice, or it ended
        Err(e) => return Err(e.into()),
    }
    let key = ImportFiles::export_key(tenant, id, job.format);
    let mut buffer = match &job.pending {
        Some(pending) => read_all(files, pending).await?,
        None => Vec::new(),
    };
    if job.slices_done == 0 && job.format == ExportFormat::Csv {
        write_csv(&mut buffer, &csv_header())?;
    }
    let (cursor, rows, done) = gather(svc, files, tenant, &job, &mut buffer).await?;
    let mut progress = ExportProgress {
        slice: job.slices_done,
        cursor,
        rows,
        upload_id: job.upload_id.clone(),
        part: None,
        pending: None,
        final_part: None,
    };
    let ctype = content_type(job.format);
    if !done && buffer.len() >= files.export_tuning.part_bytes {
        let upload = match &job.upload_id {
            Some(upload) => upload.clone(),
            None => files.begin_upload(&key, ctype).await?,
        };
        let etag = files.upload_part(&key, &upload, part, buffer).await?;
        progress.upload_id = Some(upload);
        progress.part = Some(ExportPart { number: part, etag });
    } else {
        // Too few bytes for a part, or the end: the rows wait in the
        // bucket. At the end, the save names the last part's number, so
        // that only the worker whose save wins writes the file's end.
        let pending = ImportFiles::export_pending_key(tenant, id, part);
        files.write_typed(&pending, buffer, ctype).await?;
        progress.pending = Some(pending);
        progress.final_part = done.then_some(part);
    }
    match svc.store.save_export_slice(tenant, id, &progress).await {
        Ok(()) => {}
        Err(WriteError::Conflict) => return Ok(()), // another worker saved the slice first
        Err(e) => return Err(e.into()),
    }
    if done {
        let job = ExportJob { pending: progress.pending, final_part: progress.final_part, ..job };
        return finish(svc, files, tenant, &job, part).await;
    }
    let next = ImportTask::Export { tenant: tenant.as_str().to_string(), export_id: id.to_string() };
    files.send(&[next]).await
}

async fn read_all(files: &ImportFiles, key: &str) -> anyhow::Result<Vec<u8>> {
    Ok(files.read(key, 0, None).await?.collect().await.context("read pending rows")?.to_vec())
}

/// Writes the end of the file from the saved last rows: the whole file
/// (it never took a part), or the last part and the upload completed.
/// Each step may run again after a crash, to the same effect; an upload
/// found completed already was completed by an earlier attempt.
async fn finish(
    svc: &Services,
    files: &ImportFiles,
    tenant: &TenantId,
    job: &ExportJob,
    last: i32,
) -> anyhow::Result<()> {
    let key = ImportFiles::export_key(tenant, &job.id, job.format);
    // Written by an earlier attempt that stopped before marking the job
    // complete. (Only a file that is there answers: a missing one is an
    // error where the role may not list the bucket, and is written.)
    let written = matches!(files.head(&key).await, Ok(Some(_)));
    let rows = match (&job.pending, written) {
        (Some(pending), false) => read_all(files, pending).await?,
        _ => Vec::new(),
    };
    if written {
        tracing::info!(export = %job.id, "the file's end was written already");
    } else if let Some(upload) = &job.upload_id {
        let written = async {
            let mut parts = job.parts.clone();
            // No rows left over: the parts written are the whole file.
            if !rows.is_empty() {
                let etag = files.upload_part(&key, upload, last, rows).await?;
                parts.push(ExportPart { number: last, etag });
            }
            files.complete_upload(&key, upload, &parts).await
        }
        .await;
        match written {
            Ok(()) => {}
            Err(e) if e.is::<UploadGone>() => {
                if !matches!(files.head(&key).await, Ok(Some(_))) {
                    return fail(
                        svc,
                        tenant,
                        &job.id,
                        "The export's upload expired before it was complete; start it again.",
                    )
                    .await;
                }
            }
            Err(e) => return Err(e),
        }
    } else {
        files.write_typed(&key, rows, content_type(job.format)).await?;
    }
    match svc.store.end_export(tenant, &job.id, ExportStatus::Completed, None, svc.clock.now()).await {
        Ok(()) => tracing::info!(export = %job.id, "export finished"),
        Err(WriteError::Conflict) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

/// Reads pages on from the job's cursor into `buffer`: the cursor reached,
/// the rows written, and whether the search has no more.
async fn gather(
    svc: &Services,
    files: &ImportFiles,
    tenant: &TenantId,
    job: &ExportJob,
    buffer: &mut Vec<u8>,
) -> anyhow::Result<(Option<String>, u64, bool)> {
    let started = Instant::now();
    let mut cursor = job.cursor.clone();
    let mut rows = 0u64;
    let header = csv_header();
    loop {
        let request = SearchRequest { query: job.query.as_deref(), filter: job.filter.clone(), reverse: false };
        let found = search(svc, tenant, request, files.export_tuning.page, cursor.as_deref())
            .await
            .map_err(anyhow::Error::new)?;
        let next = found.end_cursor();
        let customers: Vec<Customer> = found.page.items.into_iter().map(|(_, c)| c).collect();
        let keys: Vec<String> = customers.iter().map(|c| c.email.key().as_str().to_string()).collect();
        let newsletters = svc.store.newsletters(tenant, &keys).await?;
        for (customer, subscription) in customers.iter().zip(newsletters) {
            let state: Option<NewsletterState> = subscription.map(|s| s.status);
            let row = row(customer, state);
            match job.format {
                ExportFormat::Jsonl => {
                    serde_json::to_writer(&mut *buffer, &row)?;
                    buffer.push(b'\n');
                }
                ExportFormat::Csv => write_csv(buffer, &csv_cells(&header, &row))?,
            }
            rows += 1;
        }
        if !found.page.has_next {
            return Ok((next.or(cursor), rows, true));
        }
        cursor = next;
        if buffer.len() >= files.export_tuning.part_bytes || started.elapsed() >= files.export_tuning.slice_time {
            return Ok((cursor, rows, false));
        }
    }
}

/// Appends a CSV record (quoted where its cells need it).
fn write_csv(buffer: &mut Vec<u8>, cells: &[String]) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_writer(buffer);
    writer.write_record(cells)?;
    writer.flush()?;
    Ok(())
}

async fn fail(svc: &Services, tenant: &TenantId, id: &str, why: &str) -> anyhow::Result<()> {
    tracing::warn!(export = %id, why, "export failed");
    match svc.store.end_export(tenant, id, ExportStatus::Failed, Some(why), svc.clock.now()).await {
        Ok(()) | Err(WriteError::Conflict) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
