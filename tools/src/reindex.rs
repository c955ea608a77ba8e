//! `customer-ctl reindex --tenant T`: lists every customer of a tenant in
//! the search index, for customers written before the index existed (or
//! after a stream failure left some behind). The stream keeps the index
//! from then on; running this again is safe (every write is a put of what
//! the customer's tokens are now).
//!
//! It reads the tenant's customers in id order, a page at a time, writes
//! each one's entries (a few customers side by side), and after each page
//! records where it got to in the table (`IX#<t>`/`REINDEX`): an
//! interrupted run goes on from there when started again; a finished one
//! starts over.

use futures::stream::{self, TryStreamExt};
use shared::domain::search_index::{tokens, Searchable};
use shared::domain::TenantId;
use shared::store::{CustomerStore, ReindexCheckpoint, SearchIndexStore};

/// Customers read per page (and per checkpoint).
const PAGE: i32 = 100;
/// Customers whose entries are written side by side.
const CONCURRENT: usize = 8;

/// How a run goes.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Start from the first customer even if a run was interrupted.
    pub restart: bool,
    /// Stop after this many pages (an interruption, for the tests).
    pub pages: Option<usize>,
}

/// Where a run is, for its progress bar.
#[derive(Debug, Clone)]
pub struct Progress<'a> {
    pub checkpoint: &'a ReindexCheckpoint,
    /// How far through the tenant's history the run is, 0 to 1: the
    /// creation time of the last customer indexed between the first
    /// customer's and the run's start (ids are ULIDs).
    pub fraction: f64,
}

fn millis(id: &str) -> Option<u64> {
    ulid::Ulid::from_string(id).ok().map(|u| u.timestamp_ms())
}

/// Indexes the tenant's customers, reporting each page to `progress`.
pub async fn run<S>(
    store: &S,
    tenant: &TenantId,
    options: &Options,
    mut progress: impl FnMut(Progress<'_>),
) -> anyhow::Result<ReindexCheckpoint>
where
    S: CustomerStore + SearchIndexStore + ?Sized,
{
    let saved = store.reindex_checkpoint(tenant).await?;
    let mut checkpoint = if options.restart || saved.finished { ReindexCheckpoint::default() } else { saved };
    let now = chrono::Utc::now().timestamp_millis() as u64;
    let hi = "Z".repeat(26);
    // The tenant's first customer: where the progress starts (1 RT).
    let (oldest, _) = store.list_customers(tenant, &"0".repeat(26), &hi, false, 1).await?;
    let first_ms = oldest.first().and_then(|c| millis(&c.id));
    let mut pages = 0;
    loop {
        if options.pages.is_some_and(|p| pages >= p) {
            return Ok(checkpoint);
        }
        let from = checkpoint.after.as_ref().map(|a| format!("{a}\0")).unwrap_or_else(|| "0".repeat(26));
        let (customers, more) = store.list_customers(tenant, &from, &hi, false, PAGE).await?;
        let Some(last) = customers.last().map(|c| c.id.clone()) else {
            checkpoint.finished = true;
            store.save_reindex_checkpoint(tenant, &checkpoint).await?;
            progress(Progress { checkpoint: &checkpoint, fraction: 1.0 });
            return Ok(checkpoint);
        };
        let count = customers.len() as u64;
        stream::iter(customers.into_iter().map(Ok))
            .try_for_each_concurrent(CONCURRENT, |c| async move {
                let listed: Vec<String> = tokens(&Searchable::of(&c)).into_iter().collect();
                store.relist(tenant, &c.id, &listed, &[]).await
            })
            .await?;
        checkpoint.after = Some(last.clone());
        checkpoint.indexed += count;
        checkpoint.finished = !more;
        store.save_reindex_checkpoint(tenant, &checkpoint).await?;
        pages += 1;
        let fraction = match (first_ms, millis(&last)) {
            _ if checkpoint.finished => 1.0,
            (Some(first), Some(at)) if now > first => {
                ((at.saturating_sub(first)) as f64 / (now - first) as f64).min(1.0)
            }
            _ => 0.0,
        };
        progress(Progress { checkpoint: &checkpoint, fraction });
        if checkpoint.finished {
            return Ok(checkpoint);
        }
    }
}
