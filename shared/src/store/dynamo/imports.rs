//! Import jobs: one partition per tenant (`T#t#IMPORTS`) with an item per
//! job, sorted by its id; and per job a partition (`T#t#IMPORT#id`) of its
//! chunks' progress (`CHUNK#n`) and the row errors it keeps to show
//! (`ERROR#line#k`). The job's counters are top-level numbers that each
//! chunk's checkpoint adds to, in one transaction with the chunk's move.

use super::items::with_keys;
use super::{key, n, s, sdk, time, values, DynamoStore, Item};
use crate::domain::{ImportJob, ImportRowError, ImportStatus, TenantId};
use crate::imports::Position;
use crate::store::{keys, Checkpoint, ChunkState, ImportStart, ImportStore, WriteError};
use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use chrono::{DateTime, Utc};

fn job_key(tenant: &TenantId, id: &str) -> Item {
    key(keys::imports(tenant), id)
}

fn chunk_key(tenant: &TenantId, id: &str, chunk: u64) -> Item {
    key(keys::import_parts(tenant, id), &format!("{}{chunk:08}", keys::IMPORT_CHUNK))
}

fn status(s: ImportStatus) -> anyhow::Result<AttributeValue> {
    Ok(serde_dynamo::to_attribute_value(s)?)
}

fn job_of(item: Item) -> anyhow::Result<ImportJob> {
    serde_dynamo::from_item(item).context("import job")
}

#[async_trait]
impl ImportStore for DynamoStore {
    async fn put_import(&self, tenant: &TenantId, job: &ImportJob) -> anyhow::Result<()> {
        self.put_job(keys::imports(tenant), &job.id, job, "put import").await
    }

    async fn get_import(&self, tenant: &TenantId, id: &str) -> anyhow::Result<Option<ImportJob>> {
        self.get_item(job_key(tenant, id)).await?.map(job_of).transpose()
    }

    async fn list_imports(
        &self,
        tenant: &TenantId,
        after: Option<&str>,
        limit: usize,
    ) -> anyhow::Result<(Vec<ImportJob>, bool)> {
        let partition = keys::imports(tenant);
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :p")
            .expression_attribute_values(":p", s(partition.clone()))
            .set_exclusive_start_key(after.map(|a| key(partition.clone(), a)))
            .scan_index_forward(false)
            .limit(limit as i32 + 1)
            .send()
            .await
            .map_err(sdk("list imports"))?;
        let mut jobs = out.items.unwrap_or_default().into_iter().map(job_of).collect::<anyhow::Result<Vec<_>>>()?;
        let more = jobs.len() > limit;
        jobs.truncate(limit);
        Ok((jobs, more))
    }

    async fn start_import(&self, tenant: &TenantId, id: &str, start: &ImportStart) -> Result<(), WriteError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(job_key(tenant, id)))
            .update_expression(
                "SET #status = :running, #options = :options, startedAt = :now, fileSize = :size, fileEtag = :etag",
            )
            .condition_expression("#status = :staged")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#options", "options")
            .set_expression_attribute_values(Some(values([
                (":running", status(ImportStatus::Running)?),
                (":staged", status(ImportStatus::Staged)?),
                (":options", serde_dynamo::to_attribute_value(start.options).map_err(anyhow::Error::from)?),
                (":now", time(start.now)?),
                (":size", n(start.file_size)),
                (":etag", s(start.file_etag.as_str())),
            ])))
            .send()
            .await;
        super::held_or_conflict(result, "start import")
    }

    async fn plan_import(
        &self,
        tenant: &TenantId,
        id: &str,
        header: &[String],
        rows: u64,
        chunks: u64,
    ) -> Result<(), WriteError> {
        let header = AttributeValue::L(header.iter().map(|h| s(h.as_str())).collect());
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(job_key(tenant, id)))
            .update_expression("SET #header = :header, rowsTotal = :rows, chunksTotal = :chunks")
            .condition_expression("#status = :running")
            .expression_attribute_names("#header", "header")
            .expression_attribute_names("#status", "status")
            .set_expression_attribute_values(Some(values([
                (":header", header),
                (":rows", n(rows)),
                (":chunks", n(chunks)),
                (":running", status(ImportStatus::Running)?),
            ])))
            .send()
            .await;
        super::held_or_conflict(result, "plan import")
    }

    async fn end_import(
        &self,
        tenant: &TenantId,
        id: &str,
        to: ImportStatus,
        failure: Option<&str>,
        from: &[ImportStatus],
        now: DateTime<Utc>,
    ) -> Result<(), WriteError> {
        let mut vals = values([(":to", status(to)?)]);
        let mut allowed = vec![];
        for (i, f) in from.iter().enumerate() {
            vals.insert(format!(":from{i}"), status(*f)?);
            allowed.push(format!(":from{i}"));
        }
        let mut condition = format!("#status IN ({})", allowed.join(", "));
        if matches!(to, ImportStatus::Completed | ImportStatus::CompletedWithErrors) {
            condition.push_str(" AND chunksDone = chunksTotal");
        }
        self.end_job(job_key(tenant, id), &condition, vals, failure, now, "end import").await
    }

    async fn chunk_state(&self, tenant: &TenantId, id: &str, chunk: u64) -> anyhow::Result<Option<ChunkState>> {
        let Some(item) = self.get_item(chunk_key(tenant, id, chunk)).await? else { return Ok(None) };
        let number = |name: &str| -> anyhow::Result<u64> {
            Ok(item.get(name).and_then(|v| v.as_n().ok()).context("chunk progress")?.parse()?)
        };
        let done = item.get("done").and_then(|v| v.as_bool().ok()).copied().unwrap_or(false);
        let next = Position { line: number("nextLine")?, byte: number("nextByte")? };
        Ok(Some(ChunkState { next, done, failed: number("failedRows")? }))
    }

    async fn checkpoint(&self, tenant: &TenantId, id: &str, c: &Checkpoint) -> Result<(), WriteError> {
        let (chunk_condition, mut chunk_values) = match c.from {
            None => ("attribute_not_exists(pk)", Item::new()),
            Some(from) => (
                "nextByte = :from AND done = :false",
                values([(":from", n(from.byte)), (":false", AttributeValue::Bool(false))]),
            ),
        };
        chunk_values.extend(values([
            (":line", n(c.to.line)),
            (":byte", n(c.to.byte)),
            (":done", AttributeValue::Bool(c.done)),
            (":zero", n(0)),
            (":f", n(c.counts.failed)),
        ]));
        let chunk = self.update(
            chunk_key(tenant, id, c.chunk),
            "SET nextLine = :line, nextByte = :byte, done = :done, failedRows = if_not_exists(failedRows, :zero) + :f",
            chunk_condition,
            chunk_values,
        )?;
        let k = c.counts;
        let job = self.update_named(
            job_key(tenant, id),
            "ADD #processed :p, #created :c, #updated :u, #unchanged :n, #failed :f, chunksDone :d",
            "#status = :running",
            // Each a reserved word of DynamoDB's expressions.
            ["status", "processed", "created", "updated", "unchanged", "failed"]
                .map(|name| (format!("#{name}"), name.to_string()))
                .into(),
            values([
                (":p", n(k.processed)),
                (":c", n(k.created)),
                (":u", n(k.updated)),
                (":n", n(k.unchanged)),
                (":f", n(k.failed)),
                (":d", n(u64::from(c.done))),
                (":running", status(ImportStatus::Running)?),
            ]),
        )?;
        self.transact_conditional(vec![chunk, job], "import checkpoint").await
    }

    async fn put_import_errors(&self, tenant: &TenantId, id: &str, errors: &[ImportRowError]) -> anyhow::Result<()> {
        let partition = keys::import_parts(tenant, id);
        let mut requests = Vec::with_capacity(errors.len());
        for (k, e) in errors.iter().enumerate() {
            let item: Item = serde_dynamo::to_item(e)?;
            // A row may have several errors: each its own item, in order.
            let sk = format!("{}{:012}#{k:04}", keys::IMPORT_ERROR, e.line);
            let item = with_keys(item, partition.clone(), &sk, None);
            requests
                .push(WriteRequest::builder().put_request(PutRequest::builder().set_item(Some(item)).build()?).build());
        }
        for batch in requests.chunks(25) {
            self.write_batch(batch.to_vec()).await?;
        }
        Ok(())
    }

    async fn import_errors(&self, tenant: &TenantId, id: &str, limit: usize) -> anyhow::Result<Vec<ImportRowError>> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :p AND begins_with(sk, :e)")
            .expression_attribute_values(":p", s(keys::import_parts(tenant, id)))
            .expression_attribute_values(":e", s(keys::IMPORT_ERROR))
            .limit(limit.max(1) as i32)
            .send()
            .await
            .map_err(sdk("import errors"))?;
        out.items.unwrap_or_default().into_iter().map(|i| serde_dynamo::from_item(i).context("import error")).collect()
    }
}
