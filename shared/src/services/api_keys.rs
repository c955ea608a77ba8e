//! Minting, listing, revoking and checking API keys.

use crate::auth::opaque;
use crate::domain::{format_api_key, parse_api_key, ApiKey, DomainError, DomainResult, Permission, TenantId};
use crate::store::ApiKeyStore;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// Creates a key; the returned text is the only time the secret exists in clear.
pub async fn mint(
    store: &dyn ApiKeyStore,
    tenant: &TenantId,
    name: &str,
    permissions: Vec<Permission>,
    now: DateTime<Utc>,
) -> anyhow::Result<(ApiKey, String)> {
    anyhow::ensure!(!permissions.is_empty(), "a key needs at least one permission");
    let issued = opaque::issue();
    let key = ApiKey {
        id: ulid::Ulid::new().to_string(),
        tenant_id: tenant.clone(),
        name: name.to_string(),
        permissions,
        secret_hash: issued.hash,
        created_at: now,
        revoked_at: None,
    };
    store.put_api_key(&key).await?;
    let text = format_api_key(&key.id, &issued.secret);
    Ok((key, text))
}

/// The client an API key authenticates.
#[derive(Debug, Clone)]
pub struct ApiClient {
    pub key: ApiKey,
}

impl ApiClient {
    pub fn tenant(&self) -> &TenantId {
        &self.key.tenant_id
    }

    /// `FORBIDDEN` unless the key carries `permission`.
    pub fn require(&self, permission: Permission) -> DomainResult<()> {
        if self.key.allows(permission) {
            Ok(())
        } else {
            Err(DomainError::Forbidden(permission.as_str()))
        }
    }
}

/// Constant-time comparison of two hashes, so timing tells nothing about a guess.
fn same(a: &str, b: &str) -> bool {
    let (a, b) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    a.iter().zip(b.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Accepts a well-formed, known, unrevoked key whose tenant matches the
/// request's header (when one is sent). 1 RT.
pub async fn authenticate(
    store: &dyn ApiKeyStore,
    header_tenant: Option<&TenantId>,
    presented: &str,
) -> DomainResult<ApiClient> {
    let unknown = DomainError::Unauthenticated("unknown or revoked API key");
    let (id, secret) = parse_api_key(presented).ok_or(DomainError::Unauthenticated("malformed API key"))?;
    let key = store.get_api_key(id).await?.ok_or(DomainError::Unauthenticated("unknown or revoked API key"))?;
    if !same(&key.secret_hash, &opaque::hash(secret)) || key.revoked_at.is_some() {
        return Err(unknown);
    }
    if header_tenant.is_some_and(|t| t != &key.tenant_id) {
        return Err(DomainError::Unauthenticated("the API key belongs to another tenant"));
    }
    Ok(ApiClient { key })
}
