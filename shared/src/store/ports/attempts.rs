//! The password attempt port: per-address attempt counting and locks.

use crate::domain::TenantId;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// The outcome of asking to check a password for an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Reserved and counted as a failure until it succeeds: the `count`-th
    /// consecutive attempt (`count` <= the limit).
    Granted { count: u32 },
    /// The limit is reached and its lock has not ended: check nothing.
    Locked,
}

/// Password attempts per address (known or not), counted before any
/// password is checked, so that requests in flight together can never
/// check more than the limit.
#[async_trait]
pub trait AttemptStore: Send + Sync {
    /// Reserves one attempt for `address` (a hash of the normalised email):
    /// `Granted` while fewer than `max` are counted (each reservation moves
    /// the lock's end to `lock_until`), `Locked` once `max` are and `now` is
    /// before the lock's end; after it, counting starts again. 1 RT (2-3
    /// when a lock just ended, or under contention).
    async fn reserve_attempt(
        &self,
        tenant: &TenantId,
        address: &str,
        max: u32,
        now: DateTime<Utc>,
        lock_until: DateTime<Utc>,
    ) -> anyhow::Result<Attempt>;

    /// A granted attempt succeeded: the count starts again from zero, unless
    /// other attempts were counted since this one (then only this one is
    /// taken back, and never a lock others reached). 1 RT (2 under contention).
    async fn attempt_succeeded(&self, tenant: &TenantId, address: &str, count: u32, max: u32) -> anyhow::Result<()>;
}
