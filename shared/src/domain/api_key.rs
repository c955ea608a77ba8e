//! API keys of back-office systems: each belongs to one tenant and carries
//! permissions. Only a hash of the secret is stored.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Permission {
    #[serde(rename = "customer:read")]
    CustomerRead,
    #[serde(rename = "customer:create")]
    CustomerCreate,
    #[serde(rename = "customer:edit")]
    CustomerEdit,
    #[serde(rename = "customer:delete")]
    CustomerDelete,
    #[serde(rename = "subscription:read")]
    SubscriptionRead,
    #[serde(rename = "subscription:notify")]
    SubscriptionNotify,
    #[serde(rename = "order:read")]
    OrderRead,
    #[serde(rename = "order:write")]
    OrderWrite,
    #[serde(rename = "loyalty:read")]
    LoyaltyRead,
    #[serde(rename = "loyalty:write")]
    LoyaltyWrite,
    #[serde(rename = "promotion:write")]
    PromotionWrite,
    #[serde(rename = "customer:import")]
    CustomerImport,
    #[serde(rename = "customer:export")]
    CustomerExport,
}

impl Permission {
    pub const ALL: [Permission; 13] = [
        Permission::CustomerRead,
        Permission::CustomerCreate,
        Permission::CustomerEdit,
        Permission::CustomerDelete,
        Permission::SubscriptionRead,
        Permission::SubscriptionNotify,
        Permission::OrderRead,
        Permission::OrderWrite,
        Permission::LoyaltyRead,
        Permission::LoyaltyWrite,
        Permission::PromotionWrite,
        Permission::CustomerImport,
        Permission::CustomerExport,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::CustomerRead => "customer:read",
            Permission::CustomerCreate => "customer:create",
            Permission::CustomerEdit => "customer:edit",
            Permission::CustomerDelete => "customer:delete",
            Permission::SubscriptionRead => "subscription:read",
            Permission::SubscriptionNotify => "subscription:notify",
            Permission::OrderRead => "order:read",
            Permission::OrderWrite => "order:write",
            Permission::LoyaltyRead => "loyalty:read",
            Permission::LoyaltyWrite => "loyalty:write",
            Permission::PromotionWrite => "promotion:write",
            Permission::CustomerImport => "customer:import",
            Permission::CustomerExport => "customer:export",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s.trim())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKey {
    pub id: String,
    pub tenant_id: super::TenantId,
    /// Who uses it, e.g. `oms-prod`.
    pub name: String,
    pub permissions: Vec<Permission>,
    /// SHA-256 of the secret part.
    pub secret_hash: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiKey {
    pub fn allows(&self, p: Permission) -> bool {
        self.revoked_at.is_none() && self.permissions.contains(&p)
    }
}

/// The text a client sends: `ck_<id>_<secret>`.
pub fn format_api_key(id: &str, secret: &str) -> String {
    format!("ck_{id}_{secret}")
}

/// The id and secret of a presented key; `None` for anything malformed.
pub fn parse_api_key(key: &str) -> Option<(&str, &str)> {
    let (id, secret) = key.strip_prefix("ck_")?.split_once('_')?;
    let id_ok = id.len() == 26 && id.bytes().all(|b| b.is_ascii_alphanumeric());
    (id_ok && crate::auth::opaque::looks_valid(secret)).then_some((id, secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_round_trip_and_keys_parse() {
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.as_str()), Some(p));
        }
        assert_eq!(Permission::parse("customer:write"), None);
        let secret = crate::auth::opaque::issue().secret;
        let id = ulid::Ulid::new().to_string();
        let key = format_api_key(&id, &secret);
        assert_eq!(parse_api_key(&key), Some((id.as_str(), secret.as_str())));
        assert_eq!(parse_api_key("ck_short_x"), None);
        assert_eq!(parse_api_key(&key.replace("ck_", "sk_")), None);
    }
}
