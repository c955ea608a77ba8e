//! Use cases: each takes the `Services` (ports and settings) and plain inputs,
//! applies the domain rules, and returns a domain result. No GraphQL, no
//! DynamoDB expressions.

pub mod account;
pub mod api_keys;
pub mod back_in_stock;
pub mod back_office;
pub mod contact;
pub mod contracts;
pub mod creation;
pub mod credentials;
pub mod email_change;
pub mod email_confirmation;
pub mod exports;
pub mod imports;
pub mod login;
pub mod loyalty;
mod mailing;
pub mod modify;
pub mod newsletter;
pub mod orders;
pub mod paging;
pub mod password_reset;
pub mod portability;
pub mod promotions;
mod quota;
pub mod registration;
mod retry;
mod tokens;
pub mod wishlists;

use crate::auth::{AccessTokens, PasswordHasher, PasswordPolicy, TokenRole};
use crate::clock::{Clock, SystemClock};
use crate::config::JwtKeySource;
use crate::imports::files::ImportFiles;
use crate::store::{DynamoStore, Store};
use crate::Config;
use anyhow::Context;
use std::sync::Arc;

/// Everything a request needs, built once per cold start.
pub struct Services {
    pub config: Config,
    pub store: Arc<dyn Store>,
    /// Only the keys the function's `TokenRole` needs: `issue` fails on a
    /// function holding no private key, `verify` refuses everything on one
    /// holding no key.
    pub access_tokens: AccessTokens,
    pub hasher: PasswordHasher,
    pub policy: PasswordPolicy,
    /// The time every rule reads: the system's, or a test's `ManualClock`.
    pub clock: Arc<dyn Clock>,
    /// The bucket and queue of imports, where configured.
    pub imports: Option<Arc<ImportFiles>>,
}

impl Services {
    /// The services of a function whose use of access tokens is `role`, over
    /// `store` (mail goes through the store's outbox: no request sends any), its keys given inline in the configuration
    /// (`JWT_PRIVATE_KEYS`, `JWT_PUBLIC_KEYS`: tests, benchmarks, local runs).
    pub fn new(config: Config, store: Arc<dyn Store>, role: TokenRole) -> anyhow::Result<Self> {
        let private_keys = match (&config.jwt_private_keys, role) {
            (Some(JwtKeySource::SecretArn(_)), TokenRole::Issuer) => {
                anyhow::bail!("JWT_PRIVATE_KEYS_ARN names a secret: only Services::from_env reads it")
            }
            (Some(JwtKeySource::Inline(keys)), TokenRole::Issuer) => keys.clone(),
            _ => vec![],
        };
        Self::with_private_keys(config, store, role, &private_keys)
    }

    fn with_private_keys(
        config: Config,
        store: Arc<dyn Store>,
        role: TokenRole,
        private_keys: &[String],
    ) -> anyhow::Result<Self> {
        let access_tokens = access_tokens(&config, role, private_keys)?;
        let hasher =
            PasswordHasher::new(config.argon2_memory_kib, config.argon2_iterations, config.argon2_parallelism)?;
        Ok(Self {
            config,
            store,
            access_tokens,
            hasher,
            policy: PasswordPolicy::default(),
            clock: Arc::new(SystemClock),
            imports: None,
        })
    }

    /// The same services with the bucket and queue of imports.
    pub fn with_imports(self, files: ImportFiles) -> Self {
        Self { imports: Some(Arc::new(files)), ..self }
    }

    /// The same services reading the time from `clock` (tests move it).
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        Self { clock, ..self }
    }

    /// The production wiring of a function whose use of access tokens is
    /// `role`: AWS clients from the environment (endpoints from
    /// `AWS_ENDPOINT_URL_*` locally); a function that issues tokens reads its
    /// private keys from Secrets Manager when deployed, no other reads them.
    pub async fn from_env(role: TokenRole) -> anyhow::Result<Self> {
        let config = Config::from_env()?;
        let aws = crate::aws::load().await?;
        let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&aws), config.table_name.clone());
        // The secret read and the DynamoDB handshake overlap: init waits for the slower one.
        let (private_keys, ()) = tokio::join!(private_keys(&aws, role, config.jwt_private_keys.as_ref()), async {
            if config.open_connection_at_init {
                if let Err(e) = store.open_connection().await {
                    tracing::warn!(error = %e, "could not open the DynamoDB connection at init");
                }
            }
        });
        let files = config.imports.as_ref().map(|c| ImportFiles::new(&aws, c));
        let services = Self::with_private_keys(config, Arc::new(store), role, &private_keys?)?;
        Ok(match files {
            Some(files) => services.with_imports(files),
            None => services,
        })
    }
}

/// The access tokens a function with `role` handles: an issuer refuses to
/// start without private keys, a verifier without public keys; a function
/// without tokens holds no key, whatever is configured.
fn access_tokens(config: &Config, role: TokenRole, private_keys: &[String]) -> anyhow::Result<AccessTokens> {
    let (issuer, audience, ttl) = (&config.jwt_issuer, &config.jwt_audience, config.access_token_ttl);
    match role {
        TokenRole::Issuer => {
            anyhow::ensure!(
                !private_keys.is_empty(),
                "this function issues access tokens: set JWT_PRIVATE_KEYS_ARN (deployed) or JWT_PRIVATE_KEYS (local)"
            );
            AccessTokens::signer(private_keys, issuer, audience, ttl)
        }
        TokenRole::Verifier => {
            anyhow::ensure!(
                !config.jwt_public_keys.is_empty(),
                "this function verifies access tokens: set JWT_PUBLIC_KEYS"
            );
            AccessTokens::verifier(&config.jwt_public_keys, issuer, audience, ttl)
        }
        TokenRole::NoKeys => Ok(AccessTokens::none()),
    }
}

/// The private keys of a function that issues tokens, newest first; nothing
/// for any other function, which never reads the secret.
async fn private_keys(
    aws: &aws_config::SdkConfig,
    role: TokenRole,
    source: Option<&JwtKeySource>,
) -> anyhow::Result<Vec<String>> {
    match (role, source) {
        (TokenRole::Issuer, Some(JwtKeySource::Inline(keys))) => Ok(keys.clone()),
        (TokenRole::Issuer, Some(JwtKeySource::SecretArn(arn))) => {
            let out = aws_sdk_secretsmanager::Client::new(aws).get_secret_value().secret_id(arn).send().await.map_err(
                |e| anyhow::anyhow!("read the JWT keys: {}", aws_sdk_secretsmanager::error::DisplayErrorContext(e)),
            )?;
            let secret = out.secret_string().context("the JWT private keys secret has no string value")?;
            Ok(secret.split_whitespace().map(String::from).collect())
        }
        _ => Ok(vec![]),
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
