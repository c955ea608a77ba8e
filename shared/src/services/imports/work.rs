//! The `imports` function's side: the tasks of the queue (an export's
//! are handed to `services::exports`).
//!
//! A split reads the file through once (it streams; nothing is held but a
//! record) to count its rows and cut it into chunks on record boundaries,
//! then queues one task per chunk. A chunk reads its byte range, writes its
//! rows one after the other, and every `CHECKPOINT_ROWS` rows moves its
//! checkpoint and adds to the job's counters in one transaction. Every
//! step may run twice (a queue delivers at least once): a split again
//! queues the same chunks; a chunk again starts at its checkpoint, and a
//! second worker on the same chunk loses the checkpoint's condition and
//! stops, its rows written (each an idempotent upsert) but not counted.

use crate::domain::{
    DomainError, FileFormat, ImportCounts, ImportJob, ImportRowError, ImportStatus, TenantId, SHOWN_ERRORS_PER_CHUNK,
};
use crate::imports::files::FileChanged;
use crate::imports::{FileError, ImportFiles, ImportRow, ImportTask, Position, Record};
use crate::services::back_office::import_row;
use crate::services::Services;
use crate::store::{Checkpoint, WriteError};
use anyhow::Context;
use tokio_util::io::SyncIoBridge;

/// Rows a chunk holds at most: a few seconds to a minute of writes.
pub const CHUNK_ROWS: u64 = 500;
/// Bytes a chunk holds at most (it is read into memory whole).
pub const CHUNK_BYTES: u64 = 4 * 1024 * 1024;
/// Rows between two checkpoints of a chunk: what a retry may write again
/// (each an idempotent upsert), and how soon a cancel is seen.
const CHECKPOINT_ROWS: usize = 25;

/// Does one task. An error leaves the task to the queue, which delivers
/// it again (and at last to its dead-letter queue).
pub async fn perform(svc: &Services, task: &ImportTask) -> anyhow::Result<()> {
    let files = svc.imports.as_deref().context("imports are not configured")?;
    let (tenant, id, chunk) = match task {
        ImportTask::Split { tenant, import_id } => (tenant, import_id.as_str(), None),
        ImportTask::Chunk { tenant, import_id, chunk, start, end } => {
            (tenant, import_id.as_str(), Some((*chunk, *start, *end)))
        }
        ImportTask::Export { tenant, export_id } => {
            let tenant = TenantId::parse(tenant).context("the task's tenant")?;
            return crate::services::exports::write_slice(svc, files, &tenant, export_id).await;
        }
    };
    let tenant = TenantId::parse(tenant).context("the task's tenant")?;
    let Some(job) = svc.store.get_import(&tenant, id).await? else {
        tracing::warn!(import = %id, "a task of an import that does not exist");
        return Ok(());
    };
    if job.status != ImportStatus::Running {
        tracing::info!(import = %id, status = ?job.status, "a task of an import that no longer runs: dropped");
        return Ok(());
    }
    let result = match chunk {
        None => split(svc, files, &tenant, &job).await,
        Some((chunk, start, end)) => write_chunk(svc, files, &tenant, &job, chunk, start, end).await,
    };
    match result {
        Err(e) if e.is::<FileChanged>() => {
            fail(svc, &tenant, id, "The file was uploaded again after the import started.").await
        }
        other => other,
    }
}

async fn fail(svc: &Services, tenant: &TenantId, id: &str, why: &str) -> anyhow::Result<()> {
    tracing::warn!(import = %id, why, "import failed");
    match svc
        .store
        .end_import(tenant, id, ImportStatus::Failed, Some(why), &[ImportStatus::Running], svc.clock.now())
        .await
    {
        Ok(()) | Err(WriteError::Conflict) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// How a file is cut.
struct Plan {
    header: Vec<String>,
    rows: u64,
    /// Each chunk's start and end (exclusive).
    chunks: Vec<(Position, u64)>,
}

fn cut(job: &ImportJob, reader: impl std::io::Read) -> Result<Plan, FileError> {
    let (mut records, header) = job.format.open(reader)?;
    let mut start = records.position();
    let (mut rows, mut in_chunk, mut chunks) = (0, 0, vec![]);
    for record in records.by_ref() {
        let record = record?;
        rows += 1;
        in_chunk += 1;
        if in_chunk == CHUNK_ROWS || record.next.byte - start.byte >= CHUNK_BYTES {
            chunks.push((start, record.next.byte));
            start = record.next;
            in_chunk = 0;
        }
    }
    if in_chunk > 0 {
        chunks.push((start, records.position().byte));
    }
    Ok(Plan { header: header.unwrap_or_default(), rows, chunks })
}

async fn split(svc: &Services, files: &ImportFiles, tenant: &TenantId, job: &ImportJob) -> anyhow::Result<()> {
    let key = ImportFiles::upload_key(tenant, &job.id);
    let etag = job.file_etag.as_deref().unwrap_or_default();
    let stream = files.read_tagged(&key, etag, 0, None).await?;
    let reader = SyncIoBridge::new(stream.into_async_read());
    let for_cut = job.clone();
    let plan = match tokio::task::spawn_blocking(move || cut(&for_cut, reader)).await? {
        Ok(plan) => plan,
        Err(FileError::Io(e)) => return Err(anyhow::Error::new(e).context("read the file")),
        Err(e) => return fail(svc, tenant, &job.id, &format!("The file cannot be read: {e}.")).await,
    };
    let chunks = plan.chunks.len() as u64;
    match svc.store.plan_import(tenant, &job.id, &plan.header, plan.rows, chunks).await {
        Ok(()) => {}
        Err(WriteError::Conflict) => return Ok(()), // cancelled meanwhile
        Err(e) => return Err(e.into()),
    }
    tracing::info!(import = %job.id, rows = plan.rows, chunks, "import planned");
    if chunks == 0 {
        return finish(svc, files, tenant, &job.id).await;
    }
    let tasks: Vec<ImportTask> = (plan.chunks.into_iter().enumerate())
        .map(|(n, (start, end))| ImportTask::Chunk {
            tenant: tenant.as_str().to_string(),
            import_id: job.id.clone(),
            chunk: n as u64,
            start,
            end,
        })
        .collect();
    files.send(&tasks).await
}

async fn write_chunk(
    svc: &Services,
    files: &ImportFiles,
    tenant: &TenantId,
    job: &ImportJob,
    chunk: u64,
    start: Position,
    end: u64,
) -> anyhow::Result<()> {
    let state = svc.store.chunk_state(tenant, &job.id, chunk).await?;
    if state.is_some_and(|s| s.done) {
        return Ok(());
    }
    let mut from = state.map(|s| s.next);
    let mut shown = state.map_or(0, |s| s.failed) as usize;
    let at = from.unwrap_or(start);
    let key = ImportFiles::upload_key(tenant, &job.id);
    let etag = job.file_etag.as_deref().unwrap_or_default();
    let bytes = files.read_tagged(&key, etag, at.byte, Some(end)).await?.collect().await?.into_bytes();
    let header = (!job.header.is_empty()).then_some(&job.header);
    let records: Vec<Record> = job.format.chunk(&bytes[..], header, at).collect::<Result<_, _>>()?;
    if records.is_empty() {
        let checkpoint = Checkpoint { chunk, from, to: at, done: true, counts: ImportCounts::default() };
        return save(svc, files, tenant, job, checkpoint, &[]).await;
    }
    let last = records.len() - 1;
    let (mut counts, mut errors) = (ImportCounts::default(), vec![]);
    for (i, record) in records.into_iter().enumerate() {
        let outcome = match record.fields {
            Err(e) => Err(vec![ImportRowError::of(record.line, &e)]),
            Ok(fields) => match ImportRow::read(fields) {
                Err(problems) => Err(problems.iter().map(|e| ImportRowError::of(record.line, e)).collect()),
                Ok(mut row) => {
                    // A Shopify row's columns are a few keys of those lists, not the lists.
                    row.merge_lists = job.format == FileFormat::ShopifyCsv;
                    match import_row(svc, tenant, row, &job.options).await {
                        Ok(outcome) => Ok(outcome),
                        Err(DomainError::User(problems)) => {
                            Err(problems.iter().map(|e| ImportRowError::of(record.line, e)).collect())
                        }
                        // The service failed, not the row: the task is tried again from its checkpoint.
                        Err(e) => return Err(anyhow::Error::new(e).context(format!("line {}", record.line))),
                    }
                }
            },
        };
        counts.count(outcome.as_ref().map(|o| *o).map_err(|_| ()));
        if let Err(row_errors) = outcome {
            errors.extend(row_errors);
        }
        if (i + 1) % CHECKPOINT_ROWS == 0 || i == last {
            let to = record.next;
            let checkpoint = Checkpoint { chunk, from, to, done: i == last, counts };
            // Kept to show: the first errors of each chunk.
            let show = &errors[..errors.len().min(SHOWN_ERRORS_PER_CHUNK.saturating_sub(shown))];
            if !errors.is_empty() {
                let part = ImportFiles::errors_part_key(tenant, &job.id, chunk, errors[0].line);
                let mut jsonl = Vec::new();
                for e in &errors {
                    serde_json::to_writer(&mut jsonl, e)?;
                    jsonl.push(b'\n');
                }
                files.write(&part, jsonl).await?;
            }
            match save(svc, files, tenant, job, checkpoint, show).await {
                Ok(()) => {}
                Err(e) if e.is::<Stopped>() => return Ok(()),
                Err(e) => return Err(e),
            }
            shown += show.len();
            from = Some(to);
            counts = ImportCounts::default();
            errors.clear();
        }
    }
    Ok(())
}

/// A checkpoint that lost: the job was cancelled, or another worker has
/// the chunk.
#[derive(Debug, thiserror::Error)]
#[error("the chunk's checkpoint moved or the import stopped")]
struct Stopped;

async fn save(
    svc: &Services,
    files: &ImportFiles,
    tenant: &TenantId,
    job: &ImportJob,
    checkpoint: Checkpoint,
    shown: &[ImportRowError],
) -> anyhow::Result<()> {
    // The errors first: should the checkpoint fail, a retry writes them again.
    if !shown.is_empty() {
        svc.store.put_import_errors(tenant, &job.id, shown).await?;
    }
    match svc.store.checkpoint(tenant, &job.id, &checkpoint).await {
        Ok(()) => {}
        Err(WriteError::Conflict) => return Err(Stopped.into()),
        Err(e) => return Err(e.into()),
    }
    if checkpoint.done {
        finish(svc, files, tenant, &job.id).await?;
    }
    Ok(())
}

/// Ends the job once every chunk is done (whichever chunk sees it first;
/// the end's condition lets one through).
async fn finish(svc: &Services, files: &ImportFiles, tenant: &TenantId, id: &str) -> anyhow::Result<()> {
    let Some(job) = svc.store.get_import(tenant, id).await? else { return Ok(()) };
    if job.status != ImportStatus::Running || Some(job.chunks_done) != job.chunks_total {
        return Ok(());
    }
    let status = job.finished_status();
    if status == ImportStatus::CompletedWithErrors {
        files.join_errors(tenant, id).await?;
    }
    match svc.store.end_import(tenant, id, status, None, &[ImportStatus::Running], svc.clock.now()).await {
        Ok(()) => {
            tracing::info!(import = %id, status = ?status, rows = job.counts.processed, "import finished");
            Ok(())
        }
        Err(WriteError::Conflict) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
