//! The hourly mail budgets of an address.

use super::Services;
use crate::domain::EmailKey;
use crate::store::Quota;
use chrono::{DateTime, Utc};

/// Which of an address's two hourly budgets a mail spends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Budget {
    /// Mail that anyone may trigger for an address nobody logged in as:
    /// registration and resent confirmations, newsletter confirmations,
    /// email-change links, contact requests, notices to unproven addresses.
    Others,
    /// The account's recovery (password resets): a budget of its own, so
    /// that what others trigger for the address never uses it up.
    Recovery,
}

impl Budget {
    fn prefix(self) -> &'static str {
        match self {
            Budget::Others => "MAIL",
            Budget::Recovery => "RECOVERY",
        }
    }
}

/// The address's hourly budget of `budget` mail: one per mailbox (see
/// `EmailKey::mailbox`) across every tenant and every kind of mail it
/// covers. Rotating the tenant, the kind of mail or the spelling of the
/// address gets no more mail to a victim. The key holds a hash of the
/// mailbox, not the address.
pub(crate) fn mail_budget(svc: &Services, email_key: &EmailKey, budget: Budget) -> Quota {
    hourly(email_key, budget, svc.config.mails_per_address_per_hour, svc.clock.now())
}

/// The budget of `max` mails for `email_key` in the clock hour `now` falls
/// in: a fixed window, counted under its own key, ending on the hour.
fn hourly(email_key: &EmailKey, budget: Budget, max: u32, now: DateTime<Utc>) -> Quota {
    let hour = now.timestamp().div_euclid(3600);
    let mailbox = crate::auth::opaque::hash(&email_key.mailbox());
    Quota {
        key: format!("{}#{mailbox}#{hour}", budget.prefix()),
        max,
        window_ends: DateTime::from_timestamp((hour + 1) * 3600, 0).unwrap_or_default(),
    }
}

/// Takes one mail from the address's hourly `budget`; false when it is spent.
pub(crate) async fn mail_quota_allows(svc: &Services, email_key: &EmailKey, budget: Budget) -> anyhow::Result<bool> {
    svc.store.take_quota(&mail_budget(svc, email_key, budget)).await
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
    fn one_budget_per_mailbox_and_clock_hour_whatever_the_spelling() {
        let noon = crate::clock::an_instant();
        let budget = hourly(&key("Ann@Example.com"), Budget::Others, 5, noon);
        assert_eq!(budget, hourly(&key("ann@example.com"), Budget::Others, 5, noon + Duration::minutes(59)));
        assert_eq!(budget.window_ends, noon + Duration::hours(1));
        assert_eq!(budget.key, hourly(&key("ann+1@example.com"), Budget::Others, 5, noon).key, "a +tag");
        assert_eq!(budget.key, hourly(&key("ann+shop+2@EXAMPLE.com"), Budget::Others, 5, noon).key);
        assert_ne!(budget.key, hourly(&key("ann@example.com"), Budget::Others, 5, noon + Duration::hours(1)).key);
        assert_ne!(budget.key, hourly(&key("bob@example.com"), Budget::Others, 5, noon).key, "another address");
        assert_ne!(budget.key, hourly(&key("ann@example.com"), Budget::Recovery, 5, noon).key, "recovery apart");
        assert!(!budget.key.contains("ann"), "the key names nobody: {}", budget.key);
        assert_eq!(budget.max, 5);
    }

    #[test]
    fn gmail_dots_and_punycode_domains_are_one_mailbox() {
        let noon = crate::clock::an_instant();
        let count = |a: &str| hourly(&key(a), Budget::Others, 5, noon).key;
        assert_eq!(count("v.i.c.t.i.m@gmail.com"), count("victim@gmail.com"));
        assert_eq!(count("Victim+x@googlemail.com"), count("victim@gmail.com"));
        assert_ne!(count("v.ictim@example.com"), count("victim@example.com"), "dots matter elsewhere");
        assert_eq!(count("ann@xn--bcher-kva.example"), count("ann@bücher.example"));
    }
}
