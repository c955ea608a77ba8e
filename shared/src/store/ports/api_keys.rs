//! The API key port.

use crate::domain::{ApiKey, TenantId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// API keys of the back office.
#[async_trait]
pub trait ApiKeyStore: Send + Sync {
    async fn put_api_key(&self, key: &ApiKey) -> anyhow::Result<()>;

    /// An API key by id (1 RT, consistent: a revocation counts at once).
    async fn get_api_key(&self, id: &str) -> anyhow::Result<Option<ApiKey>>;

    async fn list_api_keys(&self, tenant: &TenantId) -> anyhow::Result<Vec<ApiKey>>;

    /// Marks a key revoked; false when there is no such key.
    async fn revoke_api_key(&self, id: &str, at: DateTime<Utc>) -> anyhow::Result<bool>;
}
