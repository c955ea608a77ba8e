//! The customer aggregate and the validation of its parts.

use super::attributes::key;
use super::errors::{ErrorCode, Problems, UserError};
use super::values::{required_text, text, CountryCode, Email, LabelPhone, LanguageCode, Phone, TenantId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub const NAME_MAX: usize = 100;
pub const TITLE_MAX: usize = 50;
pub const ADDRESS_LINE_MAX: usize = 200;
pub const POSTAL_CODE_MAX: usize = 20;
pub const KEY_MAX: usize = 64;
pub const VALUE_MAX: usize = 1000;
pub const MAX_CONSENTS: usize = 50;
pub const MAX_ATTRIBUTES: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Gender {
    Male,
    Female,
    Other,
    Unspecified,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CustomerStatus {
    #[default]
    Active,
    Inactive,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub id: String,
    pub title: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    /// Every delivery address has one; a billing address may not.
    pub street: Option<String>,
    pub street_number: Option<String>,
    pub additional_info: Option<String>,
    pub postal_code: Option<String>,
    /// Every delivery address has one; a billing address may not.
    pub city: Option<String>,
    pub region: Option<String>,
    pub country_code: String,
    /// Numbers as printed on a label, kept as given (see `LabelPhone`).
    pub phone: Option<String>,
    #[serde(default)]
    pub mobile: Option<String>,
    #[serde(default)]
    pub fax: Option<String>,
    #[serde(default)]
    pub email: Option<Email>,
}

/// What an address is for: a delivery address needs a street and a city to
/// be delivered to; a billing address may be as small as a name, an email
/// and a country (Centra's registration sends just that).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressKind {
    Billing,
    Delivery,
}

/// An address as a client sends it (no id yet, nothing checked).
#[derive(Debug, Clone, Default)]
pub struct AddressInput {
    pub title: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub street: Option<String>,
    pub street_number: Option<String>,
    pub additional_info: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub country_code: Option<String>,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub fax: Option<String>,
    pub email: Option<String>,
}

impl AddressInput {
    /// Checks every line for an address of `kind`; errors are located
    /// relative to the address.
    pub fn validate(self, id: String, kind: AddressKind) -> Result<Address, Vec<UserError>> {
        let mut p = Problems::new();
        let opt = |p: &mut Problems, v: Option<String>, max: usize, f: &str| {
            p.check_opt(v, |s| text(&s, max, &[f])).flatten()
        };
        // A delivery address needs the line; a billing address takes it if given.
        let line = |p: &mut Problems, v: Option<String>, max: usize, f: &str| match kind {
            AddressKind::Delivery => p.check(required_text(v.as_deref().unwrap_or(""), max, &[f])),
            AddressKind::Billing => opt(p, v, max, f),
        };
        let label = |p: &mut Problems, v: Option<String>, f: &str| p.check_opt(v, |s| LabelPhone::parse(&s, &[f]));
        let address = Address {
            id,
            title: opt(&mut p, self.title, TITLE_MAX, "title"),
            first_name: opt(&mut p, self.first_name, NAME_MAX, "firstName"),
            last_name: opt(&mut p, self.last_name, NAME_MAX, "lastName"),
            company: opt(&mut p, self.company, ADDRESS_LINE_MAX, "company"),
            street: line(&mut p, self.street, ADDRESS_LINE_MAX, "street"),
            street_number: opt(&mut p, self.street_number, POSTAL_CODE_MAX, "streetNumber"),
            additional_info: opt(&mut p, self.additional_info, ADDRESS_LINE_MAX, "additionalInfo"),
            postal_code: opt(&mut p, self.postal_code, POSTAL_CODE_MAX, "postalCode"),
            city: line(&mut p, self.city, ADDRESS_LINE_MAX, "city"),
            region: opt(&mut p, self.region, ADDRESS_LINE_MAX, "region"),
            country_code: p
                .check(CountryCode::parse(self.country_code.as_deref().unwrap_or(""), &["countryCode"]))
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
            phone: label(&mut p, self.phone, "phone").map(|n| n.as_str().to_string()),
            mobile: label(&mut p, self.mobile, "mobile").map(|n| n.as_str().to_string()),
            fax: label(&mut p, self.fax, "fax").map(|n| n.as_str().to_string()),
            email: p.check_opt(self.email, |e| Email::parse(&e, &["email"])),
        };
        if p.is_empty() {
            Ok(address)
        } else {
            Err(p.into_errors())
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Consent {
    pub key: String,
    pub granted: bool,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribute {
    pub key: String,
    pub value: String,
}

/// Validates consents (`key`, `granted`) stamped with `now`; `path` locates the list.
pub fn validate_consents(input: Vec<(String, bool)>, now: DateTime<Utc>, path: &str, p: &mut Problems) -> Vec<Consent> {
    if input.len() > MAX_CONSENTS {
        p.push(UserError::new(ErrorCode::LimitExceeded, &[path], format!("At most {MAX_CONSENTS} consents.")));
        return vec![];
    }
    let mut out: Vec<Consent> = Vec::with_capacity(input.len());
    for (i, (k, granted)) in input.into_iter().enumerate() {
        let idx = i.to_string();
        if let Some(k) = p.check(key(&k, &[path, &idx, "key"])) {
            if out.iter().any(|c| c.key == k) {
                p.push(UserError::new(ErrorCode::Invalid, &[path, &idx, "key"], "Duplicate key."));
            } else {
                out.push(Consent { key: k, granted, updated_at: now });
            }
        }
    }
    out
}

/// A customer as clients see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    pub id: String,
    pub tenant_id: TenantId,
    pub customer_number: String,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    pub external_id: Option<String>,
    /// The customer's unique loyalty id in the tenant (set by the back office).
    #[serde(default)]
    pub loyalty_id: Option<String>,
    /// A username unique in the tenant (set by the back office).
    #[serde(default)]
    pub username: Option<String>,
    /// The department the customer (a business buyer) works in; back office.
    #[serde(default)]
    pub department: Option<String>,
    /// Where the record came from (`POS`, an import) and its id there; back office.
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub source_id: Option<String>,
    /// The back office's labels (`vip`, `wholesale`): at most 50, each 1 to
    /// 100 characters, each once. The storefront neither sees nor sets them.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The back office's note on the customer (at most 5,000 characters);
    /// never the storefront's.
    #[serde(default)]
    pub note: Option<String>,
    pub email: Email,
    pub email_verified: bool,
    pub title: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone_number: Option<Phone>,
    pub cell_phone_number: Option<Phone>,
    pub birthdate: Option<NaiveDate>,
    pub gender: Option<Gender>,
    pub language_code: Option<LanguageCode>,
    pub country_code: Option<CountryCode>,
    pub timezone: Option<String>,
    /// Whether the customer wants promotions (Fluent's opt-in; the
    /// newsletter is its own double opt-in).
    #[serde(default)]
    pub promotion_opt_in: bool,
    #[serde(default)]
    pub picture_url: Option<String>,
    #[serde(default)]
    pub website_url: Option<String>,
    /// Another address of the customer's; not unique, never a login.
    #[serde(default)]
    pub secondary_email: Option<Email>,
    pub status: CustomerStatus,
    pub billing_address: Option<Address>,
    #[serde(default)]
    pub delivery_addresses: Vec<Address>,
    pub default_delivery_address_id: Option<String>,
    #[serde(default)]
    pub consents: Vec<Consent>,
    #[serde(default)]
    pub attributes: Vec<Attribute>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
    /// Bumped by every change; the optimistic-concurrency token.
    pub version: i64,
}

impl Customer {
    /// A customer with nothing but its identity: active, email unverified,
    /// an empty profile and address book, version 1. A new customer is this
    /// with its profile (a `ProfilePatch`) applied.
    pub fn new(id: String, tenant_id: TenantId, customer_number: String, email: Email, now: DateTime<Utc>) -> Self {
        Self {
            id,
            tenant_id,
            customer_number,
            reference: None,
            external_id: None,
            loyalty_id: None,
            username: None,
            department: None,
            source: None,
            source_id: None,
            tags: vec![],
            note: None,
            email,
            email_verified: false,
            title: None,
            first_name: None,
            last_name: None,
            phone_number: None,
            cell_phone_number: None,
            birthdate: None,
            gender: None,
            language_code: None,
            country_code: None,
            timezone: None,
            promotion_opt_in: false,
            picture_url: None,
            website_url: None,
            secondary_email: None,
            status: CustomerStatus::Active,
            billing_address: None,
            delivery_addresses: vec![],
            default_delivery_address_id: None,
            consents: vec![],
            attributes: vec![],
            created_at: now,
            updated_at: now,
            last_login_at: None,
            version: 1,
        }
    }

    /// For templates and greetings: the first name if there is one.
    pub fn display_name(&self) -> Option<&str> {
        self.first_name.as_deref()
    }

    /// Whether the customer has shown it holds its email's mailbox (it
    /// confirmed the address). Registering an address proves nothing, since
    /// anyone may register someone else's: until then, what belongs to the
    /// address (its newsletter, the purchases and points recorded by email)
    /// is not the account's.
    pub fn owns_mailbox(&self) -> bool {
        self.email_verified
    }

    /// Whether `email` is this customer's own address, in a mailbox it has
    /// shown it holds.
    pub fn owns_mailbox_of(&self, email: &Email) -> bool {
        self.owns_mailbox() && self.email.same_address(email)
    }
}

/// What login needs besides the profile; never leaves the service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Credentials {
    /// Argon2id PHC string; `None` for a customer created without a password.
    pub password_hash: Option<String>,
    /// Bumped on password change, reset and logout-all: access and refresh
    /// tokens carry the version they were issued under and die when it moves.
    pub token_version: i64,
    /// The hash of the token that would confirm the pending email change:
    /// only that token may switch the email, so a newer request, a
    /// cancellation, or a new token version (password change or reset,
    /// logout everywhere) leaves every earlier link useless.
    #[serde(default)]
    pub pending_email_change: Option<String>,
    /// The normalised addresses the customer proved it held (a confirmation
    /// link, a reset, a confirmed change, the back office's word): an
    /// erasure ends their subscriptions. The store adds to it with every
    /// write that leaves the email verified, and writes it itself (a set).
    #[serde(default, skip_serializing)]
    pub proven_emails: std::collections::BTreeSet<String>,
    /// Set only by a rehash (the same password under the service's own
    /// hash, replacing an imported one): the mark of that one step
    /// (`rehash_mark_of`), which tells the stream that the password did not
    /// change. Any later change of the hash no longer matches it.
    #[serde(default, skip_serializing)]
    pub rehash_mark: Option<String>,
}

impl Credentials {
    /// The mark of the rehash from `old` to `new`: names that step without
    /// keeping the old hash (the point of the rehash is that it goes).
    pub fn rehash_mark_of(old: &str, new: &str) -> String {
        use sha2::Digest as _;
        let digest = sha2::Sha256::new().chain_update(old).chain_update([0]).chain_update(new).finalize();
        digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
    }

    /// Whether going from `old` to `self` changed the password: a new
    /// hash, unless this very step was a rehash.
    pub fn password_changed_since(&self, old: &Credentials) -> bool {
        match (&old.password_hash, &self.password_hash) {
            (a, b) if a == b => false,
            (Some(a), Some(b)) => self.rehash_mark.as_deref() != Some(Credentials::rehash_mark_of(a, b).as_str()),
            _ => true,
        }
    }
}

/// A customer together with its credentials, as the store keeps them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRecord {
    pub customer: Customer,
    pub credentials: Credentials,
}
