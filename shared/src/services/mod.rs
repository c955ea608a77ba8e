//! Use cases: each takes the `Services` (ports and settings) and plain inputs,
//! applies the domain rules, and returns a domain result. No GraphQL, no
//! DynamoDB expressions.

pub mod account;
pub mod api_keys;
pub mod back_in_stock;
pub mod back_office;
pub mod creation;
pub mod credentials;
pub mod email_change;
pub mod email_confirmation;
pub mod login;
mod mailing;
pub mod modify;
pub mod newsletter;
pub mod paging;
pub mod password_reset;
mod quota;
pub mod registration;
mod tokens;

use crate::auth::{AccessTokens, PasswordHasher, PasswordPolicy};
use crate::config::JwtKeySource;
use crate::mail::{Mailer, SesMailer};
use crate::store::{DynamoStore, Store};
use crate::Config;
use anyhow::Context;
use std::sync::Arc;

/// Everything a request needs, built once per cold start.
pub struct Services {
    pub config: Config,
    pub store: Arc<dyn Store>,
    pub mailer: Arc<dyn Mailer>,
    pub access_tokens: AccessTokens,
    pub hasher: PasswordHasher,
    pub policy: PasswordPolicy,
}

impl Services {
    pub fn new(
        config: Config,
        store: Arc<dyn Store>,
        mailer: Arc<dyn Mailer>,
        jwt_keys: &[String],
    ) -> anyhow::Result<Self> {
        let access_tokens =
            AccessTokens::new(jwt_keys, &config.jwt_issuer, &config.jwt_audience, config.access_token_ttl)?;
        let hasher =
            PasswordHasher::new(config.argon2_memory_kib, config.argon2_iterations, config.argon2_parallelism)?;
        Ok(Self { config, store, mailer, access_tokens, hasher, policy: PasswordPolicy::default() })
    }

    /// The production wiring: AWS clients from the environment (endpoints
    /// from `AWS_ENDPOINT_URL_*` locally), the signing keys from Secrets
    /// Manager when deployed.
    pub async fn from_env() -> anyhow::Result<Self> {
        let config = Config::from_env()?;
        let aws = crate::aws::load().await?;
        let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&aws), config.table_name.clone());
        // The secret read and the DynamoDB handshake overlap: init waits for the slower one.
        let (jwt_keys, ()) = tokio::join!(jwt_keys(&aws, &config.jwt_keys), async {
            if config.open_connection_at_init {
                if let Err(e) = store.open_connection().await {
                    tracing::warn!(error = %e, "could not open the DynamoDB connection at init");
                }
            }
        });
        let mailer = SesMailer::new(&aws);
        Self::new(config, Arc::new(store), Arc::new(mailer), &jwt_keys?)
    }
}

async fn jwt_keys(aws: &aws_config::SdkConfig, source: &JwtKeySource) -> anyhow::Result<Vec<String>> {
    match source {
        JwtKeySource::Inline(keys) => Ok(keys.clone()),
        JwtKeySource::SecretArn(arn) => {
            let out = aws_sdk_secretsmanager::Client::new(aws).get_secret_value().secret_id(arn).send().await.map_err(
                |e| anyhow::anyhow!("read JWT secret: {}", aws_sdk_secretsmanager::error::DisplayErrorContext(e)),
            )?;
            let secret = out.secret_string().context("the JWT secret has no string value")?;
            Ok(secret.split_whitespace().map(String::from).collect())
        }
    }
}

/// Holds back an answer until `floor` has passed since `start`, so that
/// operations which must not reveal whether an account exists take the same
/// time on every path.
pub(crate) async fn answer_no_sooner(start: tokio::time::Instant, floor: std::time::Duration) {
    tokio::time::sleep_until(start + floor).await;
}

/// The customer owning `email` in `tenant`, if any (2 RT: guard, then customer).
pub(crate) async fn customer_by_email(
    svc: &Services,
    tenant: &crate::domain::TenantId,
    email: &crate::domain::Email,
) -> anyhow::Result<Option<crate::domain::CustomerRecord>> {
    match svc.store.customer_id_by(tenant, crate::store::UniqueKey::Email, &email.normalized()).await? {
        Some(id) => svc.store.get_customer(tenant, &id).await,
        None => Ok(None),
    }
}
