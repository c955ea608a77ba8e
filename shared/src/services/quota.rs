//! The hourly mail budget of an address.

use super::Services;
use crate::domain::EmailKey;
use crate::store::Quota;
use chrono::{DateTime, Utc};

/// The address's hourly budget of mail: one per address (its normalised
/// form) across every tenant and every kind of mail nobody logged in asked
/// for: registration and resent confirmations, resets, newsletter
/// confirmations, email-change links, contact requests. Rotating the tenant or the kind of mail
/// gets no more mail to a victim. The key holds a hash of the address, not
/// the address.
pub(crate) fn mail_budget(svc: &Services, email_key: &EmailKey) -> Quota {
    hourly(email_key, svc.config.mails_per_address_per_hour, svc.clock.now())
}

/// The budget of `max` mails for `email_key` in the clock hour `now` falls
/// in: a fixed window, counted under its own key, ending on the hour.
fn hourly(email_key: &EmailKey, max: u32, now: DateTime<Utc>) -> Quota {
    let hour = now.timestamp().div_euclid(3600);
    Quota {
        key: format!("MAIL#{}#{hour}", email_key.hashed()),
        max,
        window_ends: DateTime::from_timestamp((hour + 1) * 3600, 0).unwrap_or_default(),
    }
}

/// Takes one mail from the address's hourly budget; false when it is spent.
pub(crate) async fn mail_quota_allows(svc: &Services, email_key: &EmailKey) -> anyhow::Result<bool> {
    svc.store.take_quota(&mail_budget(svc, email_key)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Email;
    use chrono::Duration;

    fn key(address: &str) -> EmailKey {
        Email::parse(address, &[]).expect("an address").key()
    }

    #[test]
    fn one_budget_per_address_and_clock_hour_whatever_the_spelling() {
        let noon = crate::clock::an_instant();
        let budget = hourly(&key("Ann@Example.com"), 5, noon);
        assert_eq!(budget, hourly(&key("ann@example.com"), 5, noon + Duration::minutes(59)), "same hour");
        assert_eq!(budget.window_ends, noon + Duration::hours(1));
        assert_ne!(budget.key, hourly(&key("ann@example.com"), 5, noon + Duration::hours(1)).key, "next hour");
        assert_ne!(budget.key, hourly(&key("bob@example.com"), 5, noon).key, "another address");
        assert!(!budget.key.contains("ann"), "the key names nobody: {}", budget.key);
        assert_eq!(budget.max, 5);
    }
}
