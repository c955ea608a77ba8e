//! The search index: one item per token and customer (`IX#<t>#<token>`,
//! sort key the customer id, no other attribute), so that a list reads in
//! id (creation) order, either way, from any id on.

use super::{key, s, sdk, DynamoStore, Item};
use crate::domain::{Customer, CustomerRecord, TenantId};
use crate::store::table::GSI1_PARTITION_KEY;
use crate::store::{keys, ReindexCheckpoint, SearchIndexStore};
use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{PutRequest, Select, WriteRequest};

/// Keys one `BatchGetItem` reads at most.
const BATCH_GET: usize = 100;

fn entry(tenant: &TenantId, token: &str, id: &str) -> Item {
    key(keys::search_list(tenant, token), id)
}

#[async_trait]
impl SearchIndexStore for DynamoStore {
    async fn relist(&self, tenant: &TenantId, id: &str, add: &[String], remove: &[String]) -> anyhow::Result<()> {
        let mut requests = Vec::with_capacity(add.len() + remove.len());
        for token in add {
            let put = PutRequest::builder().set_item(Some(entry(tenant, token, id))).build()?;
            requests.push(WriteRequest::builder().put_request(put).build());
        }
        for token in remove {
            let delete =
                aws_sdk_dynamodb::types::DeleteRequest::builder().set_key(Some(entry(tenant, token, id))).build()?;
            requests.push(WriteRequest::builder().delete_request(delete).build());
        }
        // One batch after another: a new customer's hundred entries are a
        // few batches, and the table's other writers are not crowded out.
        for chunk in requests.chunks(25) {
            self.write_batch(chunk.to_vec()).await?;
        }
        Ok(())
    }

    async fn list_entries(&self, tenant: &TenantId, entries: &[(String, String)]) -> anyhow::Result<()> {
        anyhow::ensure!(entries.len() <= 25, "at most 25 entries in one batch");
        let requests = entries
            .iter()
            .map(|(token, id)| -> anyhow::Result<WriteRequest> {
                let put = PutRequest::builder().set_item(Some(entry(tenant, token, id))).build()?;
                Ok(WriteRequest::builder().put_request(put).build())
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        self.write_batch(requests).await
    }

    async fn listed(
        &self,
        tenant: &TenantId,
        token: &str,
        from: &str,
        to: &str,
        reverse: bool,
        past: Option<&str>,
        limit: i32,
    ) -> anyhow::Result<(Vec<String>, bool)> {
        let list = keys::search_list(tenant, token);
        let start = past.map(|id| key(list.clone(), id));
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :p AND sk BETWEEN :from AND :to")
            .expression_attribute_values(":p", s(list))
            .expression_attribute_values(":from", s(from))
            .expression_attribute_values(":to", s(to))
            .set_exclusive_start_key(start)
            .scan_index_forward(!reverse)
            .limit(limit)
            .send()
            .await
            .map_err(sdk("read search list"))?;
        let ids = out
            .items
            .unwrap_or_default()
            .iter()
            .map(|i| super::items::sort_key(i).map(String::from).context("an index entry without sort key"))
            .collect::<anyhow::Result<Vec<String>>>()?;
        Ok((ids, out.last_evaluated_key.is_some()))
    }

    async fn customers_by_ids(&self, tenant: &TenantId, ids: &[String]) -> anyhow::Result<Vec<Option<Customer>>> {
        let mut found: std::collections::HashMap<String, Customer> = std::collections::HashMap::new();
        for chunk in ids.chunks(BATCH_GET) {
            // BatchGetItem refuses a key asked for twice.
            let mut wanted: Vec<Item> = Vec::with_capacity(chunk.len());
            for key in chunk.iter().map(|id| key(keys::customer(tenant, id), keys::PROFILE)) {
                if !wanted.contains(&key) {
                    wanted.push(key);
                }
            }
            for item in self.batch_get(wanted, false).await?.into_iter().flatten() {
                let customer: Customer = serde_dynamo::from_item(item).context("customer")?;
                found.insert(customer.id.clone(), customer);
            }
        }
        Ok(ids.iter().map(|id| found.get(id).cloned()).collect())
    }

    async fn count_customers(&self, tenant: &TenantId, from: &str, to: &str, cap: usize) -> anyhow::Result<usize> {
        let mut count = 0usize;
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(crate::store::table::GSI1)
                .key_condition_expression("#p = :p AND gsi1sk BETWEEN :from AND :to")
                .expression_attribute_names("#p", GSI1_PARTITION_KEY)
                .expression_attribute_values(":p", s(keys::customers_index(tenant)))
                .expression_attribute_values(":from", s(from))
                .expression_attribute_values(":to", s(to))
                .select(Select::Count)
                .limit((cap - count.min(cap) + 1).min(i32::MAX as usize) as i32)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(sdk("count customers"))?;
            count += out.count as usize;
            match out.last_evaluated_key {
                Some(k) if count <= cap => start = Some(k),
                _ => return Ok(count),
            }
        }
    }

    async fn reindex_checkpoint(&self, tenant: &TenantId) -> anyhow::Result<ReindexCheckpoint> {
        let item = self.get_item(key(keys::reindex_checkpoint(tenant), keys::REINDEX)).await?;
        match item {
            Some(item) => serde_dynamo::from_item(item).context("reindex checkpoint"),
            None => Ok(ReindexCheckpoint::default()),
        }
    }

    async fn save_reindex_checkpoint(&self, tenant: &TenantId, checkpoint: &ReindexCheckpoint) -> anyhow::Result<()> {
        let mut item: Item = serde_dynamo::to_item(checkpoint)?;
        item.extend(key(keys::reindex_checkpoint(tenant), keys::REINDEX));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(sdk("save checkpoint"))?;
        Ok(())
    }
}

impl DynamoStore {
    /// Writes customer profiles (at most 25) as they are, without their
    /// uniqueness guards, customer numbers or sessions: synthetic tenants
    /// for the bench, never a customer of a shop.
    pub async fn load_profiles(&self, records: &[CustomerRecord]) -> anyhow::Result<()> {
        anyhow::ensure!(records.len() <= 25, "at most 25 profiles in one batch");
        let requests = records
            .iter()
            .map(|r| -> anyhow::Result<WriteRequest> {
                let put = PutRequest::builder().set_item(Some(super::items::customer_item(r)?)).build()?;
                Ok(WriteRequest::builder().put_request(put).build())
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        self.write_batch(requests).await
    }
}
