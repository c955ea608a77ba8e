//! The quota port: fixed-window counters and the quota they take from.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// One unit of a fixed-window quota: `key` names the window, which holds
/// `max` units and is forgotten after `window_ends`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quota {
    pub key: String,
    pub max: u32,
    pub window_ends: DateTime<Utc>,
}

/// Fixed-window counters that bound what one address can trigger.
#[async_trait]
pub trait QuotaStore: Send + Sync {
    /// Takes one unit of `quota`; false when its `max` units were already
    /// taken (1 RT).
    async fn take_quota(&self, quota: &Quota) -> anyhow::Result<bool>;
}
