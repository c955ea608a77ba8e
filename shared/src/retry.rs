//! One retry policy for everything that tries again: how many tries, how
//! long to pause before the next one (doubling, bounded, jittered so that
//! racing writers spread out), and whether a pause still fits before a
//! deadline. The use cases' contention loops (`services::retry`), the
//! store's plumbing (transaction conflicts, unprocessed batch items, a
//! counter or profile that moved under it), the upsert and the `events`
//! function's sends and publications each name a `Backoff` and ask it.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// How many tries at most, the first included.
    pub tries: u32,
    /// The pause before the second try; each one after doubles it.
    pub first: Duration,
    /// No pause grows past this.
    pub max: Duration,
    /// Up to this much random time is added to each pause.
    pub jitter: Duration,
}

impl Backoff {
    /// Tries again at once, `tries` times at most: for a read that must be
    /// made again because what it read moved (nothing to wait for).
    pub const fn immediate(tries: u32) -> Self {
        Self { tries, first: Duration::ZERO, max: Duration::ZERO, jitter: Duration::ZERO }
    }

    /// Whether a try is left after try `attempt` (counted from 0).
    pub fn retries_after(&self, attempt: u32) -> bool {
        attempt.saturating_add(1) < self.tries
    }

    /// The pause after try `attempt` (counted from 0), without jitter:
    /// `first`, doubled per try since, at most `max`.
    pub fn delay(&self, attempt: u32) -> Duration {
        let doubled = self.first.saturating_mul(1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX));
        doubled.min(self.max)
    }

    /// The pause before the next try after try `attempt` failed, jitter
    /// included; `None` when no try is left.
    pub fn pause_after(&self, attempt: u32) -> Option<Duration> {
        self.retries_after(attempt).then(|| self.delay(attempt) + self.jittered())
    }

    /// Like `pause_after`, but only a pause shorter than `budget` (the time
    /// that may still be spent): past it, no try is made.
    pub fn pause_within(&self, attempt: u32, budget: Duration) -> Option<Duration> {
        self.pause_after(attempt).filter(|pause| *pause < budget)
    }

    /// Waits before the next try after try `attempt` failed; false (at once)
    /// when no try is left.
    pub async fn wait_after(&self, attempt: u32) -> bool {
        match self.pause_after(attempt) {
            Some(pause) => {
                tokio::time::sleep(pause).await;
                true
            }
            None => false,
        }
    }

    fn jittered(&self) -> Duration {
        match self.jitter.as_millis() as u64 {
            0 => Duration::ZERO,
            ms => Duration::from_millis(rand::random::<u64>() % ms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: fn(u64) -> Duration = Duration::from_millis;

    #[test]
    fn pauses_double_from_the_first_up_to_the_bound() {
        let b = Backoff { tries: 40, first: MS(10), max: MS(1000), jitter: Duration::ZERO };
        let pauses: Vec<_> = (0..9).map(|a| b.delay(a)).collect();
        assert_eq!(pauses, [10, 20, 40, 80, 160, 320, 640, 1000, 1000].map(MS));
        assert_eq!(b.delay(u32::MAX), MS(1000), "no overflow however long it goes");
    }

    #[test]
    fn no_pause_after_the_last_try() {
        let b = Backoff { tries: 3, first: MS(500), max: MS(2000), jitter: Duration::ZERO };
        assert_eq!(b.pause_after(0), Some(MS(500)));
        assert_eq!(b.pause_after(1), Some(MS(1000)));
        assert_eq!(b.pause_after(2), None, "three tries made");
        assert!(!Backoff::immediate(1).retries_after(0));
        assert!(Backoff::immediate(2).retries_after(0));
        assert_eq!(Backoff::immediate(6).pause_after(3), Some(Duration::ZERO));
    }

    #[test]
    fn jitter_stays_within_its_bound() {
        let b = Backoff { tries: 12, first: MS(5), max: MS(160), jitter: MS(10) };
        for attempt in 0..11 {
            let pause = b.pause_after(attempt).expect("a try is left");
            assert!(pause >= b.delay(attempt) && pause < b.delay(attempt) + MS(10), "{pause:?}");
        }
    }

    #[test]
    fn a_pause_is_taken_only_when_it_fits_the_time_left() {
        let b = Backoff { tries: 3, first: MS(500), max: MS(2000), jitter: Duration::ZERO };
        assert_eq!(b.pause_within(0, MS(501)), Some(MS(500)));
        assert_eq!(b.pause_within(0, MS(500)), None, "nothing left for the try itself");
        assert_eq!(b.pause_within(1, MS(400)), None);
        assert_eq!(b.pause_within(2, Duration::MAX), None, "no try left");
    }
}
