//! Where imports keep their files and send their work: an S3 bucket
//! (uploads through presigned URLs, ranges read by the chunks, the errors
//! file) and an SQS queue of tasks for the `imports` function.

use super::Position;
use crate::config::ImportsConfig;
use crate::domain::{ExportFormat, ExportPart, TenantId};
use anyhow::Context;
use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// One piece of an import's work, one message of the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "task", rename_all = "camelCase")]
pub enum ImportTask {
    /// Read the file through, count its rows and cut it into chunks.
    #[serde(rename_all = "camelCase")]
    Split { tenant: String, import_id: String },
    /// Write the rows from `start` to the byte `end`.
    #[serde(rename_all = "camelCase")]
    Chunk { tenant: String, import_id: String, chunk: u64, start: Position, end: u64 },
    /// Write the next slice of an export (each slice queues the next).
    #[serde(rename_all = "camelCase")]
    Export { tenant: String, export_id: String },
}

/// A multipart upload that is no more: completed (or aborted) already.
#[derive(Debug, thiserror::Error)]
#[error("the upload is completed or aborted already")]
pub struct UploadGone;

fn upload_error<E>(what: &str, e: aws_sdk_s3::error::SdkError<E>) -> anyhow::Error
where
    E: aws_sdk_s3::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    use aws_sdk_s3::error::ProvideErrorMetadata;
    if e.code() == Some("NoSuchUpload") {
        return anyhow::Error::new(UploadGone);
    }
    anyhow::anyhow!("{what}: {}", DisplayErrorContext(e))
}

/// The file was uploaded again after its import started.
#[derive(Debug, thiserror::Error)]
#[error("the file was uploaded again after the import started")]
pub struct FileChanged;

pub struct ImportFiles {
    s3: aws_sdk_s3::Client,
    sqs: aws_sdk_sqs::Client,
    bucket: String,
    queue_url: String,
    pub export_tuning: ExportTuning,
    /// The largest file an import takes (`MAX_IMPORT_BYTES`; a test's less).
    pub max_upload_bytes: u64,
}

/// How an export's slices read and write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportTuning {
    /// The bytes a slice gathers before it writes them as a part of the
    /// file (S3 takes parts of 5 MiB at least, but for the last): 8 MiB,
    /// some 20,000 customers.
    pub part_bytes: usize,
    /// Customers a page of the search reads (at most 100).
    pub page: usize,
    /// How long a slice reads before it writes what it has: well inside
    /// the function's timeout (300 s), whatever the search finds.
    pub slice_time: Duration,
}

impl Default for ExportTuning {
    fn default() -> Self {
        Self { part_bytes: 8 * 1024 * 1024, page: 100, slice_time: Duration::from_secs(60) }
    }
}

impl ImportFiles {
    pub fn new(aws: &aws_config::SdkConfig, config: &ImportsConfig) -> Self {
        // A local S3 (moto) is reached by path, not by a host name per bucket.
        let local = std::env::var("AWS_ENDPOINT_URL_S3").is_ok();
        let s3 = aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(aws).force_path_style(local).build());
        Self {
            s3,
            sqs: aws_sdk_sqs::Client::new(aws),
            bucket: config.bucket.clone(),
            queue_url: config.queue_url.clone(),
            export_tuning: ExportTuning::default(),
            max_upload_bytes: crate::domain::MAX_IMPORT_BYTES,
        }
    }

    /// The same, taking files of at most `bytes` (a test's limit, which it
    /// can pass without uploading gigabytes).
    pub fn with_max_upload_bytes(self, bytes: u64) -> Self {
        Self { max_upload_bytes: bytes, ..self }
    }

    /// The same, with exports read and written as `tuning` says (a test's
    /// small pages and parts, under a local S3 that takes such parts).
    pub fn with_export_tuning(self, tuning: ExportTuning) -> Self {
        Self { export_tuning: tuning, ..self }
    }

    /// An export's file.
    pub fn export_key(tenant: &TenantId, id: &str, format: ExportFormat) -> String {
        let extension = match format {
            ExportFormat::Jsonl => "jsonl",
            ExportFormat::Csv => "csv",
        };
        format!("exports/{}/{id}/customers.{extension}", tenant.as_str())
    }

    /// Rows of an export waiting to become a part, written by the slice that claimed `part`.
    pub fn export_pending_key(tenant: &TenantId, id: &str, part: i32) -> String {
        format!("exports/{}/{id}/pending/{part:05}", tenant.as_str())
    }

    /// Begins a multipart upload of `key`; its id.
    pub async fn begin_upload(&self, key: &str, content_type: &str) -> anyhow::Result<String> {
        let out = self
            .s3
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("begin upload: {}", DisplayErrorContext(e)))?;
        out.upload_id.context("an upload without an id")
    }

    /// Writes part `number` of an upload; its entity tag.
    pub async fn upload_part(&self, key: &str, upload_id: &str, number: i32, bytes: Vec<u8>) -> anyhow::Result<String> {
        let out = self
            .s3
            .upload_part()
            .bucket(&self.bucket)
            .key(key)
            .upload_id(upload_id)
            .part_number(number)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(|e| upload_error("upload part", e))?;
        out.e_tag.context("a part without an entity tag")
    }

    /// Ends an upload with `parts`, in order: the object is their bytes.
    /// Parts written but not named (a losing worker's) are dropped.
    pub async fn complete_upload(&self, key: &str, upload_id: &str, parts: &[ExportPart]) -> anyhow::Result<()> {
        let parts = parts
            .iter()
            .map(|p| aws_sdk_s3::types::CompletedPart::builder().part_number(p.number).e_tag(&p.etag).build())
            .collect();
        let upload = aws_sdk_s3::types::CompletedMultipartUpload::builder().set_parts(Some(parts)).build();
        self.s3
            .complete_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .upload_id(upload_id)
            .multipart_upload(upload)
            .send()
            .await
            .map_err(|e| upload_error("complete upload", e))?;
        Ok(())
    }

    /// Writes a whole object of `content_type`.
    pub async fn write_typed(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> anyhow::Result<()> {
        self.s3
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("write object: {}", DisplayErrorContext(e)))?;
        Ok(())
    }

    /// The uploaded file of an import.
    pub fn upload_key(tenant: &TenantId, id: &str) -> String {
        format!("imports/{}/{id}/upload", tenant.as_str())
    }

    /// The errors of the rows from `line` on in one chunk.
    pub fn errors_part_key(tenant: &TenantId, id: &str, chunk: u64, line: u64) -> String {
        format!("{}{chunk:08}-{line:012}.jsonl", Self::errors_parts(tenant, id))
    }

    fn errors_parts(tenant: &TenantId, id: &str) -> String {
        format!("imports/{}/{id}/errors/", tenant.as_str())
    }

    /// Every error of a finished import, by line.
    pub fn errors_key(tenant: &TenantId, id: &str) -> String {
        format!("imports/{}/{id}/errors.jsonl", tenant.as_str())
    }

    /// A URL that takes the file in one HTTP `PUT` until `valid` has passed.
    pub async fn upload_url(&self, key: &str, valid: Duration) -> anyhow::Result<String> {
        let presigned = self
            .s3
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .presigned(PresigningConfig::expires_in(valid)?)
            .await
            .map_err(|e| anyhow::anyhow!("presign upload: {}", DisplayErrorContext(e)))?;
        Ok(presigned.uri().to_string())
    }

    /// A URL that downloads `key` until `valid` has passed.
    pub async fn download_url(&self, key: &str, valid: Duration) -> anyhow::Result<String> {
        let presigned = self
            .s3
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .presigned(PresigningConfig::expires_in(valid)?)
            .await
            .map_err(|e| anyhow::anyhow!("presign download: {}", DisplayErrorContext(e)))?;
        Ok(presigned.uri().to_string())
    }

    /// The size and entity tag of an object; `None` when there is none.
    pub async fn head(&self, key: &str) -> anyhow::Result<Option<(u64, String)>> {
        match self.s3.head_object().bucket(&self.bucket).key(key).send().await {
            Ok(out) => {
                Ok(Some((out.content_length().unwrap_or(0).max(0) as u64, out.e_tag().unwrap_or("").to_string())))
            }
            Err(e) if e.as_service_error().is_some_and(|e| e.is_not_found()) => Ok(None),
            Err(e) => Err(anyhow::anyhow!("head object: {}", DisplayErrorContext(e))),
        }
    }

    /// The bytes of `key` from `from` on (to `to`, exclusive, when given),
    /// as they stream, if the object is still the one tagged `etag`
    /// ([`FileChanged`] otherwise).
    pub async fn read_tagged(&self, key: &str, etag: &str, from: u64, to: Option<u64>) -> anyhow::Result<ByteStream> {
        self.read_range(key, Some(etag), from, to).await
    }

    /// The bytes of `key` from `from` on (to `to`, exclusive, when given), as they stream.
    pub async fn read(&self, key: &str, from: u64, to: Option<u64>) -> anyhow::Result<ByteStream> {
        self.read_range(key, None, from, to).await
    }

    async fn read_range(
        &self,
        key: &str,
        etag: Option<&str>,
        from: u64,
        to: Option<u64>,
    ) -> anyhow::Result<ByteStream> {
        // The whole object asks for no range: a range of an empty object
        // (an export's pending rows may be none) is not satisfiable.
        let range = match to {
            Some(to) if to <= from => return Ok(ByteStream::from_static(b"")),
            Some(to) => Some(format!("bytes={from}-{}", to - 1)),
            None if from == 0 => None,
            None => Some(format!("bytes={from}-")),
        };
        let out = self
            .s3
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .set_range(range)
            .set_if_match(etag.map(str::to_string))
            .send()
            .await
            .map_err(|e| match e.raw_response().map(|r| r.status().as_u16()) {
                Some(412) => anyhow::Error::new(FileChanged),
                _ => anyhow::anyhow!("read object: {}", DisplayErrorContext(e)),
            })?;
        Ok(out.body)
    }

    pub async fn write(&self, key: &str, bytes: Vec<u8>) -> anyhow::Result<()> {
        self.write_typed(key, bytes, "application/x-ndjson").await
    }

    /// Uploads a file from disk, as it streams (an operator's import).
    pub async fn upload(&self, key: &str, path: &std::path::Path) -> anyhow::Result<()> {
        let body = ByteStream::from_path(path).await.with_context(|| format!("read {}", path.display()))?;
        self.s3
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .body(body)
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("upload {}: {}", path.display(), DisplayErrorContext(e)))?;
        Ok(())
    }

    /// Joins the errors parts of an import, in key order (chunk, then
    /// line: the file's order), into its errors file.
    pub async fn join_errors(&self, tenant: &TenantId, id: &str) -> anyhow::Result<()> {
        let mut keys = vec![];
        let mut pages = self
            .s3
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(Self::errors_parts(tenant, id))
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| anyhow::anyhow!("list errors: {}", DisplayErrorContext(e)))?;
            keys.extend(page.contents().iter().filter_map(|o| o.key().map(str::to_string)));
        }
        keys.sort();
        let mut all = Vec::new();
        for key in keys {
            let part = self.read(&key, 0, None).await?.collect().await.context("read errors part")?;
            all.extend_from_slice(&part.into_bytes());
        }
        self.write(&Self::errors_key(tenant, id), all).await
    }

    /// Sends tasks to the queue, ten a request.
    pub async fn send(&self, tasks: &[ImportTask]) -> anyhow::Result<()> {
        for (batch_no, batch) in tasks.chunks(10).enumerate() {
            let mut request = self.sqs.send_message_batch().queue_url(&self.queue_url);
            for (i, task) in batch.iter().enumerate() {
                request = request.entries(
                    aws_sdk_sqs::types::SendMessageBatchRequestEntry::builder()
                        .id(format!("{batch_no}-{i}"))
                        .message_body(serde_json::to_string(task)?)
                        .build()?,
                );
            }
            let out = request
                .send()
                .await
                .map_err(|e| anyhow::anyhow!("send tasks: {}", aws_sdk_sqs::error::DisplayErrorContext(e)))?;
            anyhow::ensure!(out.failed().is_empty(), "{} import tasks were not queued", out.failed().len());
        }
        Ok(())
    }
}
