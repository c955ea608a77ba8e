//! Export jobs: one partition per tenant (`T#t#EXPORTS`) with an item per
//! job, sorted by its id. A slice's progress (the search's cursor, the
//! parts of the file, the rows written) is saved on the job item in one
//! conditional update.

use super::{key, n, s, values, DynamoStore, Item};
use crate::domain::{ExportJob, ExportProgress, ExportStatus, TenantId};
use crate::store::{keys, ExportStore, WriteError};
use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

fn job_key(tenant: &TenantId, id: &str) -> Item {
    key(keys::exports(tenant), id)
}

fn status(s: ExportStatus) -> anyhow::Result<AttributeValue> {
    Ok(serde_dynamo::to_attribute_value(s)?)
}

/// Every attribute an expression here names, aliased (several are
/// reserved words of DynamoDB's expressions).
fn names(list: &[&str]) -> HashMap<String, String> {
    list.iter().map(|n| (format!("#{n}"), n.to_string())).collect()
}

#[async_trait]
impl ExportStore for DynamoStore {
    async fn put_export(&self, tenant: &TenantId, job: &ExportJob) -> anyhow::Result<()> {
        self.put_job(keys::exports(tenant), &job.id, job, "put export").await
    }

    async fn get_export(&self, tenant: &TenantId, id: &str) -> anyhow::Result<Option<ExportJob>> {
        let item = self.get_item(job_key(tenant, id)).await?;
        item.map(|i| serde_dynamo::from_item(i).context("export job")).transpose()
    }

    async fn claim_export_part(&self, tenant: &TenantId, id: &str, claimed: i32) -> Result<(), WriteError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(job_key(tenant, id)))
            .update_expression("SET #partsClaimed = :next")
            .condition_expression("#status = :running AND #partsClaimed = :claimed")
            .set_expression_attribute_names(Some(names(&["status", "partsClaimed"])))
            .set_expression_attribute_values(Some(values([
                (":next", n(claimed as i64 + 1)),
                (":claimed", n(claimed as i64)),
                (":running", status(ExportStatus::Running)?),
            ])))
            .send()
            .await;
        super::held_or_conflict(result, "claim export part")
    }

    async fn save_export_slice(&self, tenant: &TenantId, id: &str, p: &ExportProgress) -> Result<(), WriteError> {
        let mut set = vec!["#slicesDone = :next", "#rowsWritten = #rowsWritten + :rows"];
        let mut remove = vec![];
        let mut vals = values([
            (":running", status(ExportStatus::Running)?),
            (":slice", n(p.slice)),
            (":next", n(p.slice + 1)),
            (":rows", n(p.rows)),
        ]);
        match &p.cursor {
            Some(cursor) => {
                set.push("#cursor = :cursor");
                vals.insert(":cursor".into(), s(cursor.as_str()));
            }
            None => remove.push("#cursor"),
        }
        match &p.pending {
            Some(pending) => {
                set.push("#pending = :pending");
                vals.insert(":pending".into(), s(pending.as_str()));
            }
            None => remove.push("#pending"),
        }
        // The upload, once begun, is the job's one upload: a worker that
        // began another loses.
        let mut condition = "#status = :running AND #slicesDone = :slice".to_string();
        if let Some(upload) = &p.upload_id {
            set.push("#uploadId = :upload");
            condition.push_str(" AND (attribute_not_exists(#uploadId) OR #uploadId = :upload)");
            vals.insert(":upload".into(), s(upload.as_str()));
        }
        if let Some(last) = p.final_part {
            set.push("#finalPart = :last");
            vals.insert(":last".into(), n(last));
        }
        if let Some(part) = &p.part {
            set.push("#parts = list_append(#parts, :part)");
            let part = serde_dynamo::to_attribute_value(part).map_err(anyhow::Error::from)?;
            vals.insert(":part".into(), AttributeValue::L(vec![part]));
        }
        let mut update = format!("SET {}", set.join(", "));
        if !remove.is_empty() {
            update.push_str(&format!(" REMOVE {}", remove.join(", ")));
        }
        // DynamoDB refuses a name the expressions do not use.
        let all =
            names(&["status", "slicesDone", "rowsWritten", "cursor", "pending", "uploadId", "parts", "finalPart"]);
        let used = all
            .into_iter()
            .filter(|(alias, _)| update.contains(alias.as_str()) || condition.contains(alias.as_str()))
            .collect();
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(job_key(tenant, id)))
            .update_expression(update)
            .condition_expression(condition)
            .set_expression_attribute_names(Some(used))
            .set_expression_attribute_values(Some(vals))
            .send()
            .await;
        super::held_or_conflict(result, "save export slice")
    }

    async fn end_export(
        &self,
        tenant: &TenantId,
        id: &str,
        to: ExportStatus,
        failure: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), WriteError> {
        let vals = values([(":to", status(to)?), (":running", status(ExportStatus::Running)?)]);
        self.end_job(job_key(tenant, id), "#status = :running", vals, failure, now, "end export").await
    }
}
