//! Naming a customer: by id, email, reference, external id or loyalty id.

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
}

impl Identifier {
    /// Exactly one of the four, else `INVALID` located at `path`.
    pub fn exactly_one(
        id: Option<String>,
        email: Option<String>,
        reference: Option<String>,
        external_id: Option<String>,
        loyalty_id: Option<String>,
        path: &[&str],
    ) -> DomainResult<Self> {
        let given: Vec<Identifier> = [
            id.map(Identifier::Id),
            email.map(Identifier::Email),
            reference.map(Identifier::Ref),
            external_id.map(Identifier::ExternalId),
            loyalty_id.map(Identifier::LoyaltyId),
        ]
        .into_iter()
        .flatten()
        .collect();
        match <[Identifier; 1]>::try_from(given) {
            Ok([one]) => Ok(one),
            Err(_) => Err(DomainError::user(
                ErrorCode::Invalid,
                path,
                "Give exactly one of customerId (id), email, ref, externalId, loyaltyId.",
            )),
        }
    }
}

/// The customer an identifier names in `tenant`, if any. 1-2 RT.
pub async fn find(svc: &Services, tenant: &TenantId, ident: &Identifier) -> DomainResult<Option<CustomerRecord>> {
    let id = match ident {
        Identifier::Id(id) => Some(id.clone()),
        Identifier::Email(e) => match Email::parse(e, &[]) {
            Ok(e) => svc.store.customer_id_by(tenant, UniqueKey::Email, &e.normalized()).await?,
            Err(_) => None,
        },
        Identifier::Ref(r) => svc.store.customer_id_by(tenant, UniqueKey::Ref, r.trim()).await?,
        Identifier::ExternalId(x) => svc.store.customer_id_by(tenant, UniqueKey::ExternalId, x.trim()).await?,
        Identifier::LoyaltyId(x) => svc.store.customer_id_by(tenant, UniqueKey::LoyaltyId, x.trim()).await?,
    };
    match id {
        Some(id) if ulid::Ulid::from_string(&id).is_ok() => Ok(svc.store.get_customer(tenant, &id).await?),
        _ => Ok(None),
    }
}

const NOT_FOUND: &str = "No customer with this identifier.";

fn not_found(argument: &str) -> DomainError {
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
