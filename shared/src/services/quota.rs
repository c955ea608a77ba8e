//! Hourly budgets per address: mails, newsletter confirmations.

use super::Services;
use crate::domain::TenantId;

/// Takes one mail from the address's hourly budget; false when it is spent.
pub(crate) async fn mail_quota_allows(svc: &Services, tenant: &TenantId, email_key: &str) -> anyhow::Result<bool> {
    quota_allows(svc, tenant, "MAIL", email_key, svc.config.mails_per_address_per_hour).await
}

/// Takes one unit of the hourly budget `kind` of an address; false when it
/// is spent. The key holds a hash of the address, not the address.
pub(crate) async fn quota_allows(
    svc: &Services,
    tenant: &TenantId,
    kind: &str,
    email_key: &str,
    per_hour: u32,
) -> anyhow::Result<bool> {
    let hour = chrono::Utc::now().timestamp() / 3600;
    let key = format!("{kind}#{}#{}#{hour}", tenant.as_str(), crate::auth::opaque::hash(email_key));
    let window_ends = chrono::DateTime::from_timestamp((hour + 1) * 3600, 0).unwrap_or_default();
    svc.store.take_quota(&key, per_hour, window_ends).await
}
