//! Configuration, read once per cold start from the environment.

use crate::auth::password::{ARGON2_MAX_ITERATIONS, ARGON2_MAX_MEMORY_KIB, ARGON2_MAX_PARALLELISM};
use crate::domain::{
    AttributeRules, CountryCode, CurrencyCode, Earning, Email, ProfileRules, TenantId, Writer, OPEN_ATTRIBUTES,
};
use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use std::collections::HashMap;
use url::Url;

/// Per-tenant settings: where links in mails may point, and the sender.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantSettings {
    /// Display name used in mails.
    #[serde(default = "default_shop_name")]
    pub name: String,
    /// The only URLs (scheme, host, port and path prefix) a mailed link may use.
    pub allowed_urls: Vec<Url>,
    /// Where the email-confirmation link points (`?token=` is appended).
    pub confirm_email_url: Url,
    /// Default target of password-reset links when the client names none.
    pub reset_password_url: Url,
    /// Where the link confirming an email change points; `confirmEmailUrl`
    /// when absent.
    pub confirm_email_change_url: Option<Url>,
    /// Where the link cancelling an email change (mailed to the old address)
    /// points; `confirmEmailChangeUrl` with `action=cancel` when absent.
    pub cancel_email_change_url: Option<Url>,
    /// The storefront page that confirms a newsletter subscription;
    /// `confirmEmailUrl` when absent.
    pub newsletter_confirm_url: Option<Url>,
    /// The storefront page that unsubscribes from the newsletter (used when
    /// `PUBLIC_API_URL` is not set); `confirmEmailUrl` when absent.
    pub unsubscribe_url: Option<Url>,
    /// Sender address; the deployment-wide `MAIL_FROM` when absent.
    pub mail_from: Option<String>,
    /// Where the shop's contact form (`sendContactRequest`) is mailed, with
    /// `Reply-To` the sender; absent: the form is refused (`INVALID`).
    pub contact_email: Option<String>,
    /// The shop's currency (ISO 4217): orders in it earn loyalty points.
    pub currency_code: Option<String>,
    /// How customers earn loyalty; absent: nobody earns.
    pub loyalty: Option<LoyaltySettings>,
    /// The country (ISO 3166-1 alpha-2) whose national phone numbers a
    /// customer may give without `+`; absent: only international ones.
    pub default_country_code: Option<String>,
    /// The attribute keys the shop defines (`attributes`) and what an
    /// undefined key is (`undefinedAttributes`).
    #[serde(flatten)]
    pub attribute_rules: AttributeRules,
}

/// Loyalty earning of a tenant (needs `currencyCode`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoyaltySettings {
    /// Points per 1.00 of an order's total in the tenant's currency, rounded
    /// down; a decimal (`0.5`), never negative.
    pub points_per_unit: rust_decimal::Decimal,
    #[serde(default)]
    pub stamps_per_order: i64,
}

fn default_shop_name() -> String {
    "Your shop".to_string()
}

impl TenantSettings {
    pub fn confirm_email_change_url(&self) -> &Url {
        self.confirm_email_change_url.as_ref().unwrap_or(&self.confirm_email_url)
    }

    pub fn cancel_email_change_url(&self) -> Url {
        self.cancel_email_change_url.clone().unwrap_or_else(|| {
            let mut url = self.confirm_email_change_url().clone();
            url.query_pairs_mut().append_pair("action", "cancel");
            url
        })
    }

    pub fn newsletter_confirm_url(&self) -> &Url {
        self.newsletter_confirm_url.as_ref().unwrap_or(&self.confirm_email_url)
    }

    pub fn unsubscribe_url(&self) -> &Url {
        self.unsubscribe_url.as_ref().unwrap_or(&self.confirm_email_url)
    }

    /// How the tenant's customers earn, if they do.
    pub fn earning(&self) -> Option<Earning> {
        let loyalty = self.loyalty.as_ref()?;
        Some(Earning {
            currency: CurrencyCode::parse(self.currency_code.as_deref()?, &[]).ok()?,
            points_per_unit: loyalty.points_per_unit,
            stamps_per_order: loyalty.stamps_per_order,
        })
    }

    /// The address the contact form mails, if the shop has one (checked
    /// when the configuration is read).
    pub fn contact_email(&self) -> Option<Email> {
        self.contact_email.as_deref().and_then(|c| Email::parse(c, &[]).ok())
    }

    /// The shop's front page: the first allowed URL.
    pub fn shop_url(&self) -> &Url {
        self.allowed_urls.first().unwrap_or(&self.confirm_email_url)
    }

    /// True when `url` lies under one of the allowed URLs: exactly its
    /// origin (scheme, host and port), and a path that is the allowed path
    /// or lies below it at a `/` (`/account/` allows `/account/reset`, and
    /// `/account` allows `/account/reset` but never `/accountant`); no user
    /// info, no fragment, no `..` segment however encoded. Plain string
    /// prefixes would let `https://shop.example.com.evil.io` through.
    pub fn allows(&self, url: &Url) -> bool {
        let dotted = url.path().split('/').any(|segment| {
            let decoded = segment.to_ascii_lowercase().replace("%2e", ".");
            decoded == ".." || decoded == "."
        });
        let clean = url.username().is_empty() && url.password().is_none() && url.fragment().is_none() && !dotted;
        clean
            && self.allowed_urls.iter().any(|a| {
                let base = a.path();
                let under = url.path() == base
                    || (base.ends_with('/') && url.path().starts_with(base))
                    || url.path().strip_prefix(base).is_some_and(|rest| rest.starts_with('/'));
                a.scheme() == url.scheme()
                    && a.host_str() == url.host_str()
                    && a.port_or_known_default() == url.port_or_known_default()
                    && under
            })
    }
}

/// A numeric setting within `[min, max]`, else a start-up error naming it
/// (a negative or huge value would otherwise wrap when narrowed).
fn bounded(name: &str, value: i64, min: u32, max: u32) -> anyhow::Result<u32> {
    u32::try_from(value)
        .ok()
        .filter(|v| (min..=max).contains(v))
        .with_context(|| format!("{name} must be {min} to {max}, not {value}"))
}

#[derive(Debug, Clone)]
pub struct Config {
    pub table_name: String,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    /// Where the Ed25519 private keys of access tokens come from (newest
    /// first); only the functions that issue tokens read them.
    pub jwt_private_keys: Option<JwtKeySource>,
    /// The Ed25519 public keys of access tokens (newest first, text form of
    /// `auth::access_token`), for a function that only verifies tokens.
    pub jwt_public_keys: Vec<String>,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    /// How long a session lives at most from its login, however often it is refreshed.
    pub session_max_age: Duration,
    pub reset_token_ttl: Duration,
    pub confirmation_token_ttl: Duration,
    pub email_change_token_ttl: Duration,
    pub invite_token_ttl: Duration,
    /// The public base URL of the API (`https://…/`), for one-click
    /// unsubscribe links (RFC 8058) that point at the API itself.
    pub public_api_url: Option<Url>,
    /// Where imported files go (`IMPORTS_BUCKET`) and the queue their work
    /// goes through (`IMPORTS_QUEUE_URL`): both, or imports are off.
    pub imports: Option<ImportsConfig>,
    pub login_max_failures: u32,
    pub login_lock: Duration,
    pub mails_per_address_per_hour: u32,
    /// Operations that must not reveal whether an account exists answer no
    /// sooner than this, whichever path they took.
    pub enumeration_floor: std::time::Duration,
    pub mail_from: String,
    pub tenants: HashMap<String, TenantSettings>,
    pub graphiql: bool,
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub argon2_parallelism: u32,
    pub limits: Limits,
    /// Open the DynamoDB connection during init (see `DynamoStore::open_connection`).
    pub open_connection_at_init: bool,
}

/// Where private keys come from.
#[derive(Clone)]
pub enum JwtKeySource {
    /// Keys given directly (`JWT_PRIVATE_KEYS`: local development and tests), newest first.
    Inline(Vec<String>),
    /// The ARN of a Secrets Manager secret holding the keys, newest first,
    /// separated by whitespace (`JWT_PRIVATE_KEYS_ARN`: deployed).
    SecretArn(String),
}

/// Never prints a key.
impl std::fmt::Debug for JwtKeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Inline(keys) => write!(f, "Inline([{} keys redacted])", keys.len()),
            Self::SecretArn(arn) => f.debug_tuple("SecretArn").field(arn).finish(),
        }
    }
}

/// Request limits every function enforces.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_body_bytes: usize,
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_batch: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_body_bytes: 1024 * 1024, max_depth: 15, max_complexity: 500, max_batch: 10 }
    }
}

impl Config {
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Builds the configuration from any key lookup (tests pass a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let num = |k: &str, default: i64| -> anyhow::Result<i64> {
            get(k).map(|v| v.parse().with_context(|| format!("{k} must be a number"))).unwrap_or(Ok(default))
        };
        let secs = |k: &str, default: i64| num(k, default).map(Duration::seconds);
        let flag = |k: &str, default: bool| -> anyhow::Result<bool> {
            match get(k).as_deref() {
                None | Some("") => Ok(default),
                Some("true" | "1") => Ok(true),
                Some("false" | "0") => Ok(false),
                Some(other) => anyhow::bail!("{k} must be true or false, not {other:?}"),
            }
        };
        // Which keys a function needs is its own business (`TokenRole`): none is required here.
        let key_list = |k: &str| -> Vec<String> {
            get(k).map(|v| v.split_whitespace().map(String::from).collect()).unwrap_or_default()
        };
        let jwt_private_keys = match get("JWT_PRIVATE_KEYS_ARN").filter(|a| !a.trim().is_empty()) {
            Some(arn) => Some(JwtKeySource::SecretArn(arn.trim().to_string())),
            None => Some(key_list("JWT_PRIVATE_KEYS")).filter(|k| !k.is_empty()).map(JwtKeySource::Inline),
        };
        let tenants: HashMap<String, TenantSettings> = match get("TENANTS") {
            Some(json) => serde_json::from_str(&json).context("TENANTS must be a JSON object of tenant settings")?,
            None => HashMap::new(),
        };
        for (id, t) in &tenants {
            anyhow::ensure!(id == "*" || TenantId::parse(id).is_some(), "TENANTS: bad tenant id {id}");
            anyhow::ensure!(t.allows(&t.confirm_email_url), "TENANTS.{id}: confirmEmailUrl is not in allowedUrls");
            anyhow::ensure!(t.allows(&t.reset_password_url), "TENANTS.{id}: resetPasswordUrl is not in allowedUrls");
            anyhow::ensure!(
                t.allows(t.confirm_email_change_url()),
                "TENANTS.{id}: confirmEmailChangeUrl is not in allowedUrls"
            );
            anyhow::ensure!(
                t.allows(&t.cancel_email_change_url()),
                "TENANTS.{id}: cancelEmailChangeUrl is not in allowedUrls"
            );
            if let Some(c) = &t.currency_code {
                anyhow::ensure!(CurrencyCode::parse(c, &[]).is_ok(), "TENANTS.{id}: currencyCode {c} is not ISO 4217");
            }
            if let Some(c) = &t.default_country_code {
                anyhow::ensure!(
                    CountryCode::parse(c, &[]).is_ok(),
                    "TENANTS.{id}: defaultCountryCode {c} is not ISO 3166-1"
                );
            }
            if let Some(c) = &t.contact_email {
                anyhow::ensure!(Email::parse(c, &[]).is_ok(), "TENANTS.{id}: contactEmail {c} is not an email address");
            }
            t.attribute_rules.check().map_err(|e| anyhow::anyhow!("TENANTS.{id}: {e}"))?;
            if let Some(l) = &t.loyalty {
                anyhow::ensure!(t.currency_code.is_some(), "TENANTS.{id}: loyalty needs a currencyCode");
                anyhow::ensure!(
                    !l.points_per_unit.is_sign_negative()
                        && l.points_per_unit <= rust_decimal::Decimal::from(crate::domain::MAX_POINTS)
                        && (0..=1000).contains(&l.stamps_per_order),
                    "TENANTS.{id}: loyalty pointsPerUnit must be 0 to 1e9 and stampsPerOrder 0 to 1000"
                );
            }
        }
        Ok(Self {
            table_name: get("TABLE_NAME").unwrap_or_else(|| "customers".into()),
            jwt_issuer: get("JWT_ISSUER").unwrap_or_else(|| "customer-api".into()),
            jwt_audience: get("JWT_AUDIENCE").unwrap_or_else(|| "storefront".into()),
            jwt_private_keys,
            jwt_public_keys: key_list("JWT_PUBLIC_KEYS"),
            access_token_ttl: secs("ACCESS_TOKEN_TTL_SECONDS", 15 * 60)?,
            refresh_token_ttl: secs("REFRESH_TOKEN_TTL_SECONDS", 30 * 24 * 3600)?,
            session_max_age: match num("SESSION_MAX_DAYS", 90)? {
                days @ 1..=36_500 => Duration::days(days),
                days => anyhow::bail!("SESSION_MAX_DAYS must be a number of days from 1 to 36500, not {days}"),
            },
            reset_token_ttl: secs("RESET_TOKEN_TTL_SECONDS", 3600)?,
            confirmation_token_ttl: secs("CONFIRMATION_TOKEN_TTL_SECONDS", 3 * 24 * 3600)?,
            email_change_token_ttl: secs("EMAIL_CHANGE_TOKEN_TTL_SECONDS", 24 * 3600)?,
            invite_token_ttl: secs("INVITE_TOKEN_TTL_SECONDS", 7 * 24 * 3600)?,
            public_api_url: match get("PUBLIC_API_URL").filter(|u| !u.trim().is_empty()) {
                Some(u) => Some(Url::parse(u.trim_end_matches('/')).context("PUBLIC_API_URL must be a URL")?),
                None => None,
            },
            imports: match (
                get("IMPORTS_BUCKET").filter(|b| !b.is_empty()),
                get("IMPORTS_QUEUE_URL").filter(|q| !q.is_empty()),
            ) {
                (Some(bucket), Some(queue_url)) => Some(ImportsConfig { bucket, queue_url }),
                (None, None) => None,
                _ => anyhow::bail!("IMPORTS_BUCKET and IMPORTS_QUEUE_URL go together: set both or neither"),
            },
            login_max_failures: num("LOGIN_MAX_FAILURES", 10)?.clamp(1, 10) as u32,
            login_lock: secs("LOGIN_LOCK_SECONDS", 15 * 60)?,
            mails_per_address_per_hour: num("MAILS_PER_ADDRESS_PER_HOUR", 5)?.max(1) as u32,
            enumeration_floor: std::time::Duration::from_millis(num("ENUMERATION_FLOOR_MS", 300)?.max(0) as u64),
            mail_from: get("MAIL_FROM").unwrap_or_else(|| "no-reply@example.com".into()),
            tenants,
            graphiql: flag("GRAPHIQL", false)?,
            argon2_memory_kib: bounded(
                "ARGON2_MEMORY_KIB",
                num("ARGON2_MEMORY_KIB", 19 * 1024)?,
                8 * 1024,
                ARGON2_MAX_MEMORY_KIB,
            )?,
            argon2_iterations: bounded("ARGON2_ITERATIONS", num("ARGON2_ITERATIONS", 2)?, 1, ARGON2_MAX_ITERATIONS)?,
            argon2_parallelism: bounded(
                "ARGON2_PARALLELISM",
                num("ARGON2_PARALLELISM", 1)?,
                1,
                ARGON2_MAX_PARALLELISM,
            )?,
            limits: Limits::default(),
            open_connection_at_init: flag("OPEN_CONNECTION_AT_INIT", true)?,
        })
    }

    /// The settings of `tenant`, else those of the `*` entry. A tenant with
    /// neither cannot be mailed links.
    pub fn tenant(&self, tenant: &TenantId) -> Option<&TenantSettings> {
        self.tenants.get(tenant.as_str()).or_else(|| self.tenants.get("*"))
    }

    /// What a profile of `tenant` that `writer` sends is checked against.
    pub fn profile_rules(&self, tenant: &TenantId, writer: Writer, now: DateTime<Utc>) -> ProfileRules<'_> {
        ProfileRules {
            now,
            phone_country: self.phone_country(tenant),
            attributes: self.attribute_rules(tenant),
            writer,
        }
    }

    /// The attribute definitions of `tenant` (none: every key the customer's).
    pub fn attribute_rules(&self, tenant: &TenantId) -> &AttributeRules {
        self.tenant(tenant).map_or(&OPEN_ATTRIBUTES, |t| &t.attribute_rules)
    }

    /// The country in which a tenant's phone numbers without `+` are read.
    pub fn phone_country(&self, tenant: &TenantId) -> Option<CountryCode> {
        let code = self.tenant(tenant)?.default_country_code.as_deref()?;
        CountryCode::parse(code, &[]).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(allowed: &[&str]) -> TenantSettings {
        TenantSettings {
            name: "Shop".into(),
            allowed_urls: allowed.iter().map(|u| Url::parse(u).unwrap()).collect(),
            confirm_email_url: Url::parse(allowed[0]).unwrap(),
            reset_password_url: Url::parse(allowed[0]).unwrap(),
            confirm_email_change_url: None,
            cancel_email_change_url: None,
            newsletter_confirm_url: None,
            unsubscribe_url: None,
            mail_from: None,
            contact_email: None,
            currency_code: None,
            loyalty: None,
            default_country_code: None,
            attribute_rules: Default::default(),
        }
    }

    #[test]
    fn allow_list_matches_origin_and_path_not_string_prefix() {
        let s = settings(&["https://shop.example.com/account/"]);
        let ok = |u: &str| s.allows(&Url::parse(u).unwrap());
        assert!(ok("https://shop.example.com/account/reset"));
        assert!(!ok("https://shop.example.com.evil.io/account/reset"));
        assert!(!ok("http://shop.example.com/account/reset"));
        assert!(!ok("https://shop.example.com:8443/account/reset"));
        assert!(!ok("https://shop.example.com/other"));
        assert!(!ok("https://user@shop.example.com/account/reset"));
        assert!(!ok("https://shop.example.com/account/reset#https://evil.io"), "a fragment");
        assert!(!ok("https://shop.example.com/account/%2e%2e/admin"), "an encoded ..");
        assert!(!ok("https://shop.example.com/account/%2E%2e/admin"));
        // A path without its slash is a prefix only up to a `/`.
        let bare = settings(&["https://shop.example.com/account"]);
        let ok = |u: &str| bare.allows(&Url::parse(u).unwrap());
        assert!(ok("https://shop.example.com/account") && ok("https://shop.example.com/account/reset"));
        assert!(!ok("https://shop.example.com/accountant/reset"), "not a prefix ending at a /");
    }

    #[test]
    fn env_parsing() {
        let env: HashMap<&str, &str> = [
            ("JWT_PRIVATE_KEYS", " private-1\n private-2 "),
            ("JWT_PUBLIC_KEYS", "public-1 public-2 public-3"),
            ("TENANTS", r#"{"*":{"allowedUrls":["http://localhost:3000/"],"confirmEmailUrl":"http://localhost:3000/confirm","resetPasswordUrl":"http://localhost:3000/reset"}}"#),
            ("GRAPHIQL", "true"),
        ]
        .into_iter()
        .collect();
        let c = Config::from_lookup(|k| env.get(k).map(|v| v.to_string())).unwrap();
        assert!(matches!(c.jwt_private_keys, Some(JwtKeySource::Inline(ref k)) if k == &["private-1", "private-2"]));
        assert!(!format!("{c:?}").contains("private-1"), "Debug redacts private keys");
        assert_eq!(c.jwt_public_keys, ["public-1", "public-2", "public-3"]);
        assert!(c.graphiql);
        assert!(c.open_connection_at_init, "on unless switched off");
        assert!(c.tenant(&TenantId::parse("any").unwrap()).is_some());
        let arn = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:jwt-AbCdEf";
        let deployed = Config::from_lookup(|k| match k {
            "JWT_PRIVATE_KEYS_ARN" => Some(arn.to_string()),
            "JWT_PRIVATE_KEYS" => Some("ignored".to_string()),
            _ => None,
        })
        .unwrap();
        assert!(matches!(deployed.jwt_private_keys, Some(JwtKeySource::SecretArn(ref a)) if a == arn));
        // A function without tokens (admin) runs with no key at all; the others check theirs at start.
        let keyless = Config::from_lookup(|_| None).unwrap();
        assert!(keyless.jwt_private_keys.is_none() && keyless.jwt_public_keys.is_empty());
    }

    #[test]
    fn a_contact_email_must_be_an_address() {
        let with = |contact: &str| {
            let tenants = format!(
                r#"{{"*":{{"allowedUrls":["http://localhost:3000/"],"confirmEmailUrl":"http://localhost:3000/confirm","resetPasswordUrl":"http://localhost:3000/reset"{contact}}}}}"#
            );
            Config::from_lookup(move |k| (k == "TENANTS").then(|| tenants.clone()))
        };
        let any = TenantId::parse("any").unwrap();
        let none = with("").unwrap();
        assert!(none.tenant(&any).unwrap().contact_email().is_none());
        let set = with(r#","contactEmail":" Service@Shop.example ""#).unwrap();
        assert_eq!(set.tenant(&any).unwrap().contact_email().unwrap().as_str(), "Service@Shop.example");
        let err = with(r#","contactEmail":"service""#).unwrap_err().to_string();
        assert!(err.contains("contactEmail"), "{err}");
    }

    #[test]
    fn switches_take_true_or_false_and_refuse_anything_else() {
        let with = |k: &'static str, v: &'static str| {
            Config::from_lookup(move |key| match key {
                _ if key == k => Some(v.to_string()),
                _ => None,
            })
        };
        assert!(!with("OPEN_CONNECTION_AT_INIT", "false").unwrap().open_connection_at_init);
        assert!(!with("GRAPHIQL", "0").unwrap().graphiql);
        let err = with("GRAPHIQL", "yes").unwrap_err().to_string();
        assert!(err.contains("GRAPHIQL must be true or false"), "{err}");
    }

    #[test]
    fn session_max_days_defaults_to_90_and_is_at_least_1() {
        let with = |v: Option<&'static str>| {
            Config::from_lookup(move |key| match key {
                "JWT_SECRET" => Some("k1-0123456789abcdef0123456789abcdef".to_string()),
                "SESSION_MAX_DAYS" => v.map(String::from),
                _ => None,
            })
        };
        assert_eq!(with(None).unwrap().session_max_age, Duration::days(90));
        assert_eq!(with(Some("7")).unwrap().session_max_age, Duration::days(7));
        for bad in ["0", "-3", "a week", "99999999999"] {
            assert!(with(Some(bad)).is_err(), "{bad}");
        }
    }
}

/// The bucket and queue of imports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportsConfig {
    pub bucket: String,
    pub queue_url: String,
}
