//! The hourly mail budget of an address.

use super::Services;
use crate::domain::EmailKey;
use crate::store::Quota;

/// The address's hourly budget of mail: one per address (its normalised
/// form) across every tenant and every kind of mail nobody logged in asked
/// for: registration and resent confirmations, resets, newsletter
/// confirmations, email-change links, contact requests. Rotating the tenant or the kind of mail
/// gets no more mail to a victim. The key holds a hash of the address, not
/// the address.
pub(crate) fn mail_budget(svc: &Services, email_key: &EmailKey) -> Quota {
    let hour = svc.clock.now().timestamp() / 3600;
    Quota {
        key: format!("MAIL#{}#{hour}", email_key.hashed()),
        max: svc.config.mails_per_address_per_hour,
        window_ends: chrono::DateTime::from_timestamp((hour + 1) * 3600, 0).unwrap_or_default(),
    }
}

/// Takes one mail from the address's hourly budget; false when it is spent.
pub(crate) async fn mail_quota_allows(svc: &Services, email_key: &EmailKey) -> anyhow::Result<bool> {
    svc.store.take_quota(&mail_budget(svc, email_key)).await
}
