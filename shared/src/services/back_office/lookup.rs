//! Naming a customer: by id, email, reference, external id, loyalty id or username.

use crate::domain::{CustomerRecord, DomainError, DomainResult, Email, ErrorCode, TenantId};
use crate::services::Services;
use crate::store::UniqueKey;

/// One way to name a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identifier {
    Id(String),
    Email(String),
    Ref(String),
    ExternalId(String),
    LoyaltyId(String),
    Username(String),
}

impl Identifier {
    /// Exactly one of the `candidates` given, else `INVALID` located at `path`.
    pub fn exactly_one(candidates: impl IntoIterator<Item = Option<Identifier>>, path: &[&str]) -> DomainResult<Self> {
        let given: Vec<Identifier> = candidates.into_iter().flatten().collect();
        match <[Identifier; 1]>::try_from(given) {
            Ok([one]) => Ok(one),
            Err(_) => Err(DomainError::user(
                ErrorCode::Invalid,
                path,
                "Give exactly one of customerId (id), email, ref, externalId, loyaltyId, username.",
            )),
        }
    }

    /// The unique value that names the customer, and its kind; none for the id.
    pub fn unique(&self) -> Option<(UniqueKey, &str)> {
        match self {
            Identifier::Id(_) => None,
            Identifier::Email(v) => Some((UniqueKey::Email, v)),
            Identifier::Ref(v) => Some((UniqueKey::Ref, v)),
            Identifier::ExternalId(v) => Some((UniqueKey::ExternalId, v)),
            Identifier::LoyaltyId(v) => Some((UniqueKey::LoyaltyId, v)),
            Identifier::Username(v) => Some((UniqueKey::Username, v)),
        }
    }
}

/// The customer an identifier names in `tenant`, if any. 1-2 RT.
pub async fn find(svc: &Services, tenant: &TenantId, ident: &Identifier) -> DomainResult<Option<CustomerRecord>> {
    let id = match ident.unique() {
        None => match ident {
            Identifier::Id(id) => Some(id.clone()),
            _ => None,
        },
        Some((UniqueKey::Email, e)) => match Email::parse(e, &[]) {
            Ok(e) => svc.store.customer_id_by(tenant, UniqueKey::Email, &e.normalized()).await?,
            Err(_) => None,
        },
        // No stored value is longer than its rule allows; a longer one names
        // nobody (and would not fit in a key).
        Some((_, value)) if value.trim().chars().count() > crate::domain::REF_MAX => None,
        Some((kind, value)) => svc.store.customer_id_by(tenant, kind, value.trim()).await?,
    };
    match id {
        Some(id) if ulid::Ulid::from_string(&id).is_ok() => Ok(svc.store.get_customer(tenant, &id).await?),
        _ => Ok(None),
    }
}

const NOT_FOUND: &str = "No customer with this identifier.";

pub(super) fn not_found(argument: &str) -> DomainError {
    DomainError::argument(ErrorCode::NotFound, argument, NOT_FOUND)
}

/// The customer an identifier names, else `NOT_FOUND` at `field` of the
/// use case's input (an identifier inside an input object).
pub async fn existing_at(
    svc: &Services,
    tenant: &TenantId,
    ident: &Identifier,
    field: &[&str],
) -> DomainResult<CustomerRecord> {
    find(svc, tenant, ident).await?.ok_or_else(|| DomainError::user(ErrorCode::NotFound, field, NOT_FOUND))
}

/// The customer whose orders, points or contracts an identifier names,
/// else `NOT_FOUND` at `field`. An email names only an account that proved
/// the mailbox: whoever registered someone else's address (nothing stops
/// that) must not receive the purchases and points its owner makes as a
/// guest or in a store, which order systems record by email.
pub(crate) async fn buyer_at(
    svc: &Services,
    tenant: &TenantId,
    ident: &Identifier,
    field: &[&str],
) -> DomainResult<CustomerRecord> {
    let record = existing_at(svc, tenant, ident, field).await?;
    match ident {
        Identifier::Email(_) if !record.customer.owns_mailbox() => Err(DomainError::user(
            ErrorCode::NotFound,
            field,
            "No customer has verified this email; name an unverified customer by id, ref, externalId, loyaltyId or username.",
        )),
        _ => Ok(record),
    }
}

/// The customer an identifier names, else `NOT_FOUND` at the operation's
/// `argument` that holds the identifier.
pub(super) async fn existing(
    svc: &Services,
    tenant: &TenantId,
    ident: &Identifier,
    argument: &str,
) -> DomainResult<CustomerRecord> {
    find(svc, tenant, ident).await?.ok_or_else(|| not_found(argument))
}
