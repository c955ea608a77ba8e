//! `customer-ctl import`: stages an import, uploads the file, runs it and
//! follows it until it ends, as a back office would through `admin`
//! (the same service calls), reporting its progress on the way.

use anyhow::Context;
use shared::domain::{FileFormat, ImportJob, ImportOptions, TenantId};
use shared::imports::ImportFiles;
use shared::services::imports;
use shared::Services;
use std::path::Path;
use std::time::Duration;

/// Reads a format's name as the schema has it (`JSONL`, `CSV`,
/// `SHOPIFY_CSV`), in any case, `-` for `_`.
pub fn format(name: &str) -> anyhow::Result<FileFormat> {
    match name.to_ascii_uppercase().replace('-', "_").as_str() {
        "JSONL" => Ok(FileFormat::Jsonl),
        "CSV" => Ok(FileFormat::Csv),
        "SHOPIFY_CSV" | "SHOPIFY" => Ok(FileFormat::ShopifyCsv),
        other => anyhow::bail!("unknown format {other}: JSONL, CSV or SHOPIFY_CSV"),
    }
}

/// Imports `path` into `tenant`, calling `progress` with the job as it
/// moves (about every `poll`); the job as it ended.
pub async fn run(
    svc: &Services,
    tenant: &TenantId,
    path: &Path,
    format: FileFormat,
    options: ImportOptions,
    poll: Duration,
    mut progress: impl FnMut(&ImportJob),
) -> anyhow::Result<ImportJob> {
    let files = svc.imports.as_deref().context("set IMPORTS_BUCKET and IMPORTS_QUEUE_URL")?;
    let name = path.file_name().map(|n| n.to_string_lossy().to_string());
    let staged = imports::stage(svc, tenant, format, name).await.map_err(describe)?;
    let id = staged.job.id;
    files.upload(&ImportFiles::upload_key(tenant, &id), path).await?;
    let mut job = imports::run(svc, tenant, &id, options).await.map_err(describe)?;
    while !job.status.is_finished() {
        progress(&job);
        tokio::time::sleep(poll).await;
        job = imports::get(svc, tenant, &id).await.map_err(describe)?.context("the import is gone")?;
    }
    progress(&job);
    Ok(job)
}

/// A use case's error for the operator: its user errors' messages.
pub fn describe(e: shared::domain::DomainError) -> anyhow::Error {
    match e {
        shared::domain::DomainError::User(errors) => {
            anyhow::anyhow!(errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; "))
        }
        other => anyhow::Error::new(other),
    }
}
