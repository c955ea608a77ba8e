//! Input objects that name, create, update, upsert and filter customers.

use async_graphql::{InputObject, MaybeUndefined, ID};
use chrono::{DateTime, Utc};
use shared::domain::{
    AdminPatch, BackOfficePatch, CustomerFilter as DomainFilter, DomainResult, Email, Patch, ProfilePatch,
};
use shared::graphql::inputs::{
    attribute_pairs, consent_pairs, given, AddressInputObject, AttributeInput, ConsentInput, UpdateCustomerInput,
};
use shared::graphql::types::{CustomerStatusObject, Date, GenderObject};
use shared::services::back_office::{CreateInput, Identifier};
use shared::services::creation::NewCustomerInput;

/// Names one customer: exactly one field (none or several is `INVALID`).
#[derive(InputObject, Clone, Default)]
pub struct CustomerIdentifierInput {
    /// The customer's `id`. In `upsertCustomer` a customer created under it gets this id, which must be a ULID.
    pub customer_id: Option<ID>,
    /// The customer's email, compared case-insensitively (and in Unicode NFKC form).
    pub email: Option<String>,
    /// The customer's `externalId`, exact.
    pub external_id: Option<String>,
    /// The customer's `ref`, exact (no wildcards here).
    #[graphql(name = "ref")]
    pub reference: Option<String>,
    /// The customer's `loyaltyId`, exact.
    pub loyalty_id: Option<String>,
    /// The customer's `username`, exact.
    pub username: Option<String>,
}

impl CustomerIdentifierInput {
    pub fn identifier(self, path: &[&str]) -> DomainResult<Identifier> {
        let candidates = [
            self.customer_id.map(|id| Identifier::Id(id.0)),
            self.email.map(Identifier::Email),
            self.reference.map(Identifier::Ref),
            self.external_id.map(Identifier::ExternalId),
            self.loyalty_id.map(Identifier::LoyaltyId),
            self.username.map(Identifier::Username),
        ];
        Identifier::exactly_one(candidates, path)
    }
}

/// A new customer, as the back office creates it. Absent optional fields stay empty.
#[derive(InputObject, Clone)]
pub struct CreateCustomerInput {
    /// Unique in the tenant, compared case-insensitively (`TAKEN` otherwise); at most 254 bytes (UTF-8, after NFKC
    /// normalisation).
    pub email: String,
    /// Optional: without one the customer sets it through an invite or a reset.
    /// When given it must satisfy `passwordPolicy` (`TOO_SHORT`, `TOO_LONG`, `PASSWORD_TOO_WEAK`).
    pub password: Option<String>,
    /// A salutation or title, e.g. `Dr.`; at most 50 characters.
    pub title: Option<String>,
    /// At most 100 characters.
    pub first_name: Option<String>,
    /// At most 100 characters.
    pub last_name: Option<String>,
    /// A phone number in any common notation, stored in E.164 (`+4930901820`): with `+` (or `00`), or national in the shop's `defaultCountryCode`; checked with libphonenumber's rules (else `INVALID`).
    pub phone_number: Option<String>,
    /// A phone number in any common notation, stored in E.164 (`+4930901820`): with `+` (or `00`), or national in the shop's `defaultCountryCode`; checked with libphonenumber's rules (else `INVALID`).
    pub cell_phone_number: Option<String>,
    /// `YYYY-MM-DD`, in the past and at most 130 years ago.
    pub birthdate: Option<Date>,
    /// The customer's gender.
    pub gender: Option<GenderObject>,
    /// Two letters (not checked against ISO 639-1), optionally `-` or `_` and an ISO 3166-1 region (else `INVALID`); stored as `de-AT`. Picks the language of mails.
    pub language_code: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. `DE`.
    pub country_code: Option<String>,
    /// An IANA name, e.g. `Europe/Berlin`, or an offset from UTC (`GMT+10`, `UTC+05:30`, `+05:30`: stored as `+10:00`); else `INVALID`.
    pub timezone: Option<String>,
    /// Whether the customer wants promotions (not the newsletter, which has its own double opt-in). Absent: `false`.
    pub promotion_opt_in: Option<bool>,
    /// A picture of the customer: an absolute `http` or `https` URL without a user name (else `INVALID`), at most 2,048 characters (`TOO_LONG`).
    pub picture_url: Option<String>,
    /// The customer's website: an absolute `http` or `https` URL without a user name (else `INVALID`), at most 2,048 characters (`TOO_LONG`).
    pub website_url: Option<String>,
    /// Another address of the customer's (not a login, not unique), checked like `email` (else `INVALID`).
    pub secondary_email: Option<String>,
    /// The billing address.
    pub billing_address: Option<AddressInputObject>,
    /// At most 50, each `key` once.
    pub consents: Option<Vec<ConsentInput>>,
    /// The whole list: at most 100 and 64 KiB, each `key` once.
    pub attributes: Option<Vec<AttributeInput>>,
    /// The back office's reference of the customer, unique in the tenant (`TAKEN` otherwise); at most 100
    /// characters, no `%`.
    #[graphql(name = "ref")]
    pub reference: Option<String>,
    /// The customer's id in an external system (CRM, OMS), unique in the tenant (`TAKEN` otherwise); at most 100
    /// characters.
    pub external_id: Option<String>,
    /// The customer's loyalty id (card or member number), unique in the tenant (`TAKEN` otherwise); at most 100
    /// characters.
    pub loyalty_id: Option<String>,
    /// A username, unique in the tenant (`TAKEN` otherwise) and compared exactly; at most 100 characters: letters, digits and `. _ - @ +` (else `INVALID`).
    pub username: Option<String>,
    /// The department the customer works in (business customers); at most 100 characters.
    pub department: Option<String>,
    /// Where the record came from, e.g. `POS` or an import's name; at most 100 characters.
    pub source: Option<String>,
    /// The record's id in `source`; at most 100 characters.
    pub source_id: Option<String>,
    /// The back office's labels: at most 50, each 1 to 100 characters (trimmed), each once. Never shown to the
    /// storefront.
    pub tags: Option<Vec<String>>,
    /// The back office's note; at most 5,000 characters. Never shown to the storefront.
    pub note: Option<String>,
    /// Absent: `ACTIVE`. An `INACTIVE` customer cannot log in.
    pub status: Option<CustomerStatusObject>,
    /// Whether the email counts as verified (confirmed by its owner).
    #[graphql(default = false)]
    pub email_verified: bool,
    /// Mail a link to choose a password (valid `INVITE_TOKEN_TTL_SECONDS`).
    #[graphql(default = false)]
    pub send_invite: bool,
}

impl From<CreateCustomerInput> for CreateInput {
    fn from(i: CreateCustomerInput) -> Self {
        CreateInput {
            send_invite: i.send_invite,
            customer: NewCustomerInput {
                email: i.email,
                password: i.password,
                profile: ProfilePatch {
                    title: given(i.title, |v| v),
                    first_name: given(i.first_name, |v| v),
                    last_name: given(i.last_name, |v| v),
                    phone_number: given(i.phone_number, |v| v),
                    cell_phone_number: given(i.cell_phone_number, |v| v),
                    birthdate: given(i.birthdate, |d| d.0),
                    gender: given(i.gender, Into::into),
                    language_code: given(i.language_code, |v| v),
                    country_code: given(i.country_code, |v| v),
                    timezone: given(i.timezone, |v| v),
                    promotion_opt_in: i.promotion_opt_in,
                    picture_url: given(i.picture_url, |v| v),
                    website_url: given(i.website_url, |v| v),
                    secondary_email: given(i.secondary_email, |v| v),
                    billing_address: given(i.billing_address, Into::into),
                    consents: given(i.consents, consent_pairs),
                    attributes: given(i.attributes, attribute_pairs),
                },
                back_office: BackOfficePatch {
                    reference: given(i.reference, |v| v),
                    external_id: given(i.external_id, |v| v),
                    loyalty_id: given(i.loyalty_id, |v| v),
                    username: given(i.username, |v| v),
                    department: given(i.department, |v| v),
                    source: given(i.source, |v| v),
                    source_id: given(i.source_id, |v| v),
                    tags: given(i.tags, |v| v),
                    note: given(i.note, |v| v),
                },
                status: i.status.map(Into::into).unwrap_or_default(),
                email_verified: i.email_verified,
                // `writer`: the back-office service sets it.
                ..Default::default()
            },
        }
    }
}

/// A back-office update: absent fields stay, `null` clears.
#[derive(InputObject, Clone, Default)]
pub struct AdminUpdateCustomerInput {
    #[graphql(flatten)]
    pub profile: UpdateCustomerInput,
    /// A new email is unverified unless `emailVerified` says otherwise.
    pub email: MaybeUndefined<String>,
    /// Unique in the tenant (`TAKEN` otherwise); at most 100 characters, no `%`.
    #[graphql(name = "ref")]
    pub reference: MaybeUndefined<String>,
    /// Unique in the tenant (`TAKEN` otherwise); at most 100 characters.
    pub external_id: MaybeUndefined<String>,
    /// The loyalty id (card or member number), unique in the tenant (`TAKEN` otherwise); at most 100 characters.
    pub loyalty_id: MaybeUndefined<String>,
    /// A username, unique in the tenant (`TAKEN` otherwise) and compared exactly; at most 100 characters: letters, digits and `. _ - @ +` (else `INVALID`).
    pub username: MaybeUndefined<String>,
    /// The department the customer works in (business customers); at most 100 characters.
    pub department: MaybeUndefined<String>,
    /// Where the record came from, e.g. `POS` or an import's name; at most 100 characters.
    pub source: MaybeUndefined<String>,
    /// The record's id in `source`; at most 100 characters.
    pub source_id: MaybeUndefined<String>,
    /// The whole new list of tags (at most 50, each 1 to 100 characters, each once); `null` removes them all.
    /// `addCustomerTags` and `removeCustomerTags` change some.
    pub tags: MaybeUndefined<Vec<String>>,
    /// The back office's note (at most 5,000 characters); `null` removes it.
    pub note: MaybeUndefined<String>,
    /// Whether the email counts as verified; absent: unchanged (but `false` when `email` changes).
    pub email_verified: Option<bool>,
    /// `INACTIVE` blocks login and ends every session.
    pub status: Option<CustomerStatusObject>,
}

fn patch(v: MaybeUndefined<String>) -> Patch<String> {
    match v {
        MaybeUndefined::Undefined => Patch::Keep,
        MaybeUndefined::Null => Patch::Clear,
        MaybeUndefined::Value(v) => Patch::Set(v),
    }
}

impl From<AdminUpdateCustomerInput> for AdminPatch {
    fn from(i: AdminUpdateCustomerInput) -> Self {
        AdminPatch {
            profile: i.profile.into(),
            email: patch(i.email),
            back_office: BackOfficePatch {
                reference: patch(i.reference),
                external_id: patch(i.external_id),
                loyalty_id: patch(i.loyalty_id),
                username: patch(i.username),
                department: patch(i.department),
                source: patch(i.source),
                source_id: patch(i.source_id),
                tags: match i.tags {
                    MaybeUndefined::Undefined => Patch::Keep,
                    MaybeUndefined::Null => Patch::Clear,
                    MaybeUndefined::Value(v) => Patch::Set(v),
                },
                note: patch(i.note),
            },
            email_verified: i.email_verified,
            status: i.status.map(Into::into),
        }
    }
}

/// Which customer to create or update, and how. Errors are located under `identifier`, `onCreate` or `onUpdate`.
#[derive(InputObject, Clone)]
pub struct UpsertCustomerInput {
    /// The customer: exactly one field. A customer created gets its value (a different one in `onCreate` is
    /// `INVALID`).
    pub identifier: CustomerIdentifierInput,
    /// The new customer, used only when none matches `identifier`.
    pub on_create: CreateCustomerInput,
    /// The changes, applied only when a customer matches `identifier`.
    pub on_update: AdminUpdateCustomerInput,
}

/// What the customers listed must match: every field given must hold.
#[derive(InputObject, Clone, Default)]
pub struct CustomerFilter {
    /// Exact, case-insensitive.
    pub email: Option<String>,
    /// Part of the email, case-insensitive.
    pub email_contains: Option<String>,
    /// In "first last", case-insensitive.
    pub name_contains: Option<String>,
    /// Digits, in either phone number; formatting ignored.
    pub phone_contains: Option<String>,
    /// Exact and case-sensitive; with `%` (any run of characters) a case-insensitive pattern.
    #[graphql(name = "ref")]
    pub reference: Option<String>,
    /// Exact, case-sensitive.
    pub external_id: Option<String>,
    /// Exact.
    pub loyalty_id: Option<String>,
    /// Exact.
    pub username: Option<String>,
    /// Only customers with this status.
    pub status: Option<CustomerStatusObject>,
    /// Only customers created at or after this instant (RFC 3339).
    pub created_from: Option<DateTime<Utc>>,
    /// Only customers created at or before this instant (RFC 3339).
    pub created_to: Option<DateTime<Utc>>,
}

impl CustomerFilter {
    pub fn into_domain(self) -> DomainResult<DomainFilter> {
        Ok(DomainFilter {
            email: self.email.map(|e| Email::parse(&e, &["filter", "email"])).transpose()?,
            email_contains: self.email_contains,
            name_contains: self.name_contains,
            phone_contains: self.phone_contains,
            reference: self.reference,
            external_id: self.external_id,
            loyalty_id: self.loyalty_id,
            username: self.username,
            status: self.status.map(Into::into),
            created_from: self.created_from,
            created_to: self.created_to,
        })
    }
}
