//! Input objects that name, create, update, upsert and filter customers.

use async_graphql::{InputObject, MaybeUndefined, ID};
use chrono::{DateTime, Utc};
use shared::domain::{AdminPatch, BackOfficePatch, CustomerFilter as DomainFilter, DomainResult, Email, Patch};
pub use shared::graphql::create_input::CreateCustomerInput;
use shared::graphql::inputs::UpdateCustomerInput;
use shared::graphql::types::CustomerStatusObject;
use shared::services::back_office::Identifier;

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
            delivery_addresses: vec![],
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
