//! Read-apply-write under optimistic concurrency: what a use case does when
//! its conditional write lost to another writer of the same data. One
//! policy for every such loop (orders, loyalty, promotions, contracts,
//! wishlists, profile changes): pause a little, growing and jittered so
//! that racing writers spread out (`crate::retry::Backoff`), read again,
//! and give up after the policy's tries.

use crate::domain::{DomainError, DomainResult, ErrorCode};
use crate::retry::Backoff;
use crate::store::WriteError;
use std::time::Duration;

pub(crate) struct Contention {
    /// How many times the loop reads and writes, and the pauses between.
    backoff: Backoff,
    /// Names the data in the error past the last try.
    what: &'static str,
}

/// Pauses of 5 ms doubling up to `max`, with up to 10 ms of jitter.
const fn contention(tries: u32, max_ms: u64, what: &'static str) -> Contention {
    let backoff = Backoff {
        tries,
        first: Duration::from_millis(5),
        max: Duration::from_millis(max_ms),
        jitter: Duration::from_millis(10),
    };
    Contention { backoff, what }
}

/// A customer's standing, an order, a contract or a promotion: few writers.
pub(crate) const RECORD: Contention = contention(12, 160, "the record");
/// A customer's profile.
pub(crate) const PROFILE: Contention = contention(10, 40, "the customer");
/// A customer's wishlists: each round one of the racing writers wins, so as
/// many rounds as there can be writers at once, with short pauses.
pub(crate) const WISHLISTS: Contention = contention(32, 20, "the wishlists");

impl Contention {
    pub fn tries(&self) -> std::ops::Range<usize> {
        0..self.backoff.tries as usize
    }

    /// A short random pause before try `attempt + 1`.
    pub async fn pause(&self, attempt: usize) {
        self.backoff.wait_after(attempt as u32).await;
    }

    /// After the write of try `attempt` failed with `e`: `Ok` (after a
    /// pause) when another write came first and a try is left, so the loop
    /// reads again; otherwise the error to answer. `gone` is the answer
    /// when the customer was erased meanwhile (the write made nothing).
    pub async fn after(&self, attempt: usize, e: WriteError, gone: fn() -> DomainError) -> DomainResult<()> {
        match e {
            WriteError::Conflict if self.backoff.retries_after(attempt as u32) => {
                self.pause(attempt).await;
                Ok(())
            }
            WriteError::Conflict => Err(self.exhausted()),
            WriteError::Taken(kind) => Err(super::modify::taken(kind)),
            WriteError::Gone => Err(gone()),
            WriteError::Other(e) => Err(e.into()),
        }
    }

    /// The error once every try lost.
    pub fn exhausted(&self) -> DomainError {
        anyhow::anyhow!("{} kept changing under {} concurrent writes", self.what, self.backoff.tries).into()
    }
}

/// `NOT_FOUND` at `customer`: the customer a back-office write named was
/// erased while it was being made.
pub(crate) fn customer_gone() -> DomainError {
    DomainError::user(ErrorCode::NotFound, &["customer"], "No customer with this identifier.")
}

/// The logged-in customer (or the one a profile change is for) was erased
/// meanwhile.
pub(crate) fn no_longer_exists() -> DomainError {
    DomainError::general(ErrorCode::NotFound, "The customer no longer exists.")
}
