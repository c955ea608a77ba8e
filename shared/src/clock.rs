//! Time as a port. Every rule about time (token and session expiry, login
//! locks, mail budgets, promotion dates, `createdAt`/`updatedAt`) reads the
//! `Clock` held in `Services`, never the system's time directly, so a test
//! moves time forward instead of sleeping, and each rule has one owner.

use chrono::{DateTime, Duration, Utc};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// Where the current time comes from.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The system's time: what every deployed function runs with.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The system's time moved forward by what a test asked for. Time still
/// passes between requests (so records made one after another keep their
/// order), but a test of an expiry, a lock or an hourly budget advances it
/// instead of waiting. Clones share the offset.
#[derive(Clone, Debug, Default)]
pub struct ManualClock {
    offset_ms: Arc<AtomicI64>,
}

impl ManualClock {
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves this clock (and its clones) forward by `by`.
    pub fn advance(&self, by: Duration) {
        self.offset_ms.fetch_add(by.num_milliseconds(), Ordering::SeqCst);
    }

    /// How far this clock is ahead of the system's.
    pub fn offset(&self) -> Duration {
        Duration::milliseconds(self.offset_ms.load(Ordering::SeqCst))
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        SystemClock.now() + self.offset()
    }
}

/// A fixed instant for unit tests of pure rules, which take the time as an
/// argument: 2026-03-01T12:00:00Z.
#[cfg(test)]
pub(crate) fn an_instant() -> DateTime<Utc> {
    DateTime::from_timestamp(1_772_366_400, 0).expect("a valid timestamp")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_forward_by_what_it_is_told_and_clones_share_it() {
        let clock = ManualClock::new();
        let twin = clock.clone();
        let before = SystemClock.now();
        clock.advance(Duration::hours(2));
        let now = twin.now();
        assert!(now >= before + Duration::hours(2), "{now} vs {before}");
        assert!(now < SystemClock.now() + Duration::hours(2) + Duration::seconds(5));
        assert_eq!(twin.offset(), Duration::hours(2));
    }

    #[test]
    fn the_test_instant_is_the_documented_one() {
        assert_eq!(an_instant().to_rfc3339(), "2026-03-01T12:00:00+00:00");
    }
}
