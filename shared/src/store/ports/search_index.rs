//! The search index port: lists of customer ids, one per token
//! (`domain::search_index::tokens`), each in id (creation) order, and what
//! search reads beside them.

use crate::domain::{Customer, TenantId};
use async_trait::async_trait;

/// Where a reindex of a tenant got to.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReindexCheckpoint {
    /// The id of the last customer indexed (in id order).
    pub after: Option<String>,
    /// Customers indexed so far.
    pub indexed: u64,
    /// Done: every customer up to the run's start is indexed.
    pub finished: bool,
}

#[async_trait]
pub trait SearchIndexStore: Send + Sync {
    /// Lists customer `id` under `add` and takes it off `remove` (batch
    /// writes of 25, one after another: ⌈(add + remove) / 25⌉ requests).
    async fn relist(&self, tenant: &TenantId, id: &str, add: &[String], remove: &[String]) -> anyhow::Result<()>;

    /// Lists each `(token, customer id)` of `entries` (at most 25: one
    /// batch write), whoever's they are: for bulk loads.
    async fn list_entries(&self, tenant: &TenantId, entries: &[(String, String)]) -> anyhow::Result<()>;

    /// Up to `limit` ids of the list `token` within `[from, to]`, ascending
    /// (descending when `reverse`), after the id `past` if given, and
    /// whether more may follow (1 RT, eventually consistent).
    #[allow(clippy::too_many_arguments)]
    async fn listed(
        &self,
        tenant: &TenantId,
        token: &str,
        from: &str,
        to: &str,
        reverse: bool,
        past: Option<&str>,
        limit: i32,
    ) -> anyhow::Result<(Vec<String>, bool)>;

    /// The customers with these ids, in their order, `None` for one that is
    /// not there (erased): ⌈ids / 100⌉ batch reads, eventually consistent.
    async fn customers_by_ids(&self, tenant: &TenantId, ids: &[String]) -> anyhow::Result<Vec<Option<Customer>>>;

    /// How many customers have ids in `[from, to]`, counted up to `cap`
    /// (GSI1, 1 RT per 1 MB of its items).
    async fn count_customers(&self, tenant: &TenantId, from: &str, to: &str, cap: usize) -> anyhow::Result<usize>;

    /// Where the tenant's reindex got to (1 RT).
    async fn reindex_checkpoint(&self, tenant: &TenantId) -> anyhow::Result<ReindexCheckpoint>;

    /// Records where the tenant's reindex got to (1 RT).
    async fn save_reindex_checkpoint(&self, tenant: &TenantId, checkpoint: &ReindexCheckpoint) -> anyhow::Result<()>;
}
