//! `upsertCustomer`: update the customer an identifier names, or create it.

use super::lookup::{find, Identifier};
use super::writes::{apply_patch, create_with_id, CreateInput};
use crate::domain::{AdminPatch, Customer, DomainError, DomainResult, Email, ErrorCode, Patch, TenantId};
use crate::retry::Backoff;
use crate::services::creation::{InsertError, NewCustomerInput};
use crate::services::Services;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpsertResult {
    Created,
    Updated,
    Noop,
}

/// The identifier's value must be the one the new customer gets.
fn identify_new(ident: &Identifier, input: &mut NewCustomerInput) -> DomainResult<Option<String>> {
    let mismatch =
        |field: &str| DomainError::user(ErrorCode::Invalid, &["onCreate", field], "Differs from the identifier.");
    let b = &mut input.back_office;
    let (given, field) = match ident {
        Identifier::Id(id) => {
            // Written as ids are (upper case): the listings and search are
            // in id order, and a `created` range is a range of ids.
            if ulid::Ulid::from_string(id).map_or(true, |u| u.to_string() != *id) {
                return Err(DomainError::user(
                    ErrorCode::Invalid,
                    &["identifier", "customerId"],
                    "A new customer's id must be a ULID, in upper case.",
                ));
            }
            return Ok(Some(id.clone()));
        }
        Identifier::Email(e) => {
            let same =
                matches!((Email::parse(e, &[]), Email::parse(&input.email, &[])), (Ok(a), Ok(b)) if a.same_address(&b));
            return if same { Ok(None) } else { Err(mismatch("email")) };
        }
        Identifier::Ref(_) => (&mut b.reference, "ref"),
        Identifier::ExternalId(_) => (&mut b.external_id, "externalId"),
        Identifier::LoyaltyId(_) => (&mut b.loyalty_id, "loyaltyId"),
        Identifier::Username(_) => (&mut b.username, "username"),
    };
    let value = ident.unique().map(|(_, v)| v).unwrap_or_default();
    match given {
        Patch::Set(g) if g.trim() != value.trim() => Err(mismatch(field)),
        _ => {
            *given = Patch::Set(value.to_string());
            Ok(None)
        }
    }
}

/// A create that lost to a concurrent one looks the winner up and updates
/// it instead, at once: three rounds at most.
const RACES: Backoff = Backoff::immediate(3);

/// Updates the customer the identifier names, or creates it. Under
/// concurrent calls for one new identifier, its uniqueness guard (or, for a
/// customer id, the profile's own key) lets exactly one create; the others
/// find that customer and update it, or change nothing.
pub async fn upsert(
    svc: &Services,
    tenant: &TenantId,
    ident: &Identifier,
    on_create: CreateInput,
    on_update: AdminPatch,
) -> DomainResult<(UpsertResult, Customer)> {
    for _ in 0..RACES.tries {
        if let Some(record) = find(svc, tenant, ident).await? {
            let after = apply_patch(svc, &record.customer, on_update.clone(), None)
                .await
                .map_err(|e| e.under(&["onUpdate"]))?;
            let result =
                if after.version == record.customer.version { UpsertResult::Noop } else { UpsertResult::Updated };
            return Ok((result, after));
        }
        let mut create = CreateInput { customer: on_create.customer.clone(), send_invite: on_create.send_invite };
        let id = identify_new(ident, &mut create.customer)?;
        match create_with_id(svc, tenant, create, id).await.map_err(|e| e.under(&["onCreate"])) {
            Ok(customer) => return Ok((UpsertResult::Created, customer)),
            // Someone created it a moment ago: find it and update it instead;
            // unless the id is a customer's whose erasure is still running.
            Err(InsertError::IdTaken) => {
                if let Identifier::Id(id) = ident {
                    if svc.store.erasure(tenant, id).await?.is_some() {
                        return Err(DomainError::user(
                            ErrorCode::Taken,
                            &["identifier", "customerId"],
                            "A customer with this id is being erased; try again once it is gone.",
                        ));
                    }
                }
                continue;
            }
            Err(InsertError::Taken(kind, e)) => {
                if ident.unique().is_some_and(|(k, _)| k == kind) {
                    continue;
                }
                return Err(e);
            }
            Err(InsertError::Other(e)) => return Err(e),
        }
    }
    Err(anyhow::anyhow!("upsert kept racing").into())
}
