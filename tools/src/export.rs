//! `customer-ctl export`: starts an export, follows it until it ends, as a
//! back office would through `admin` (the same service calls), and
//! downloads its file.

use anyhow::Context;
use shared::domain::{CustomerFilter, ExportFormat, ExportJob, ExportStatus, TenantId};
use shared::imports::ImportFiles;
use shared::services::exports;
use shared::Services;
use std::path::Path;
use std::time::Duration;

/// Reads a format's name as the schema has it (`JSONL`, `CSV`), in any case.
pub fn format(name: &str) -> anyhow::Result<ExportFormat> {
    match name.to_ascii_uppercase().as_str() {
        "JSONL" => Ok(ExportFormat::Jsonl),
        "CSV" => Ok(ExportFormat::Csv),
        other => anyhow::bail!("unknown format {other}: JSONL or CSV"),
    }
}

/// Exports the customers `query` finds in `tenant` to the file `out`,
/// calling `progress` with the job as it moves (about every `poll`); the
/// job as it ended.
pub async fn run(
    svc: &Services,
    tenant: &TenantId,
    format: ExportFormat,
    query: Option<String>,
    out: &Path,
    poll: Duration,
    mut progress: impl FnMut(&ExportJob),
) -> anyhow::Result<ExportJob> {
    let files = svc.imports.as_deref().context("set IMPORTS_BUCKET and IMPORTS_QUEUE_URL")?;
    let mut job =
        exports::start(svc, tenant, format, query, CustomerFilter::default()).await.map_err(crate::import::describe)?;
    while job.status == ExportStatus::Running {
        progress(&job);
        tokio::time::sleep(poll).await;
        job =
            exports::get(svc, tenant, &job.id).await.map_err(crate::import::describe)?.context("the export is gone")?;
    }
    progress(&job);
    if job.status == ExportStatus::Completed {
        let key = ImportFiles::export_key(tenant, &job.id, job.format);
        let mut body = files.read(&key, 0, None).await?;
        let mut file = std::fs::File::create(out).with_context(|| format!("create {}", out.display()))?;
        while let Some(bytes) = body.next().await {
            let bytes = bytes.context("download the file")?;
            std::io::Write::write_all(&mut file, &bytes).with_context(|| format!("write {}", out.display()))?;
        }
    }
    Ok(job)
}
