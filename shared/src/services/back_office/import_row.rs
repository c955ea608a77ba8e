//! One row of an import, written exactly as `upsertCustomer` writes a
//! customer (validation, uniqueness, guards, events), plus what only a file
//! brings: delivery addresses (added unless the customer has them), a
//! password hash (for a customer without a password) and the newsletter.
//! Run again, a row changes nothing: every part compares before it writes.
//!
//! Round trips of a row: the lookup (1-2), the write (1 for a change; a
//! create also takes a customer number), 1 more for a password hash on an
//! existing customer, 1-2 for a newsletter decision.

use super::lookup::{find, Identifier};
use super::upsert::{upsert, UpsertResult};
use super::writes::CreateInput;
use crate::domain::{
    AdminPatch, DomainError, DomainResult, Email, ErrorCode, ImportMode, ImportOptions, MatchBy, RowOutcome, TenantId,
    UserError, Writer,
};
use crate::graphql::inputs::{AttributeInput, ConsentInput};
use crate::imports::{ImportRow, Newsletter};
use crate::services::creation::{check_new_customer, NewCustomerInput};
use crate::services::{newsletter, Services};

/// Writes a row (or, in a dry run, checks it and says what it would do).
/// Errors are located relative to the row.
pub async fn import_row(
    svc: &Services,
    tenant: &TenantId,
    row: ImportRow,
    options: &ImportOptions,
) -> DomainResult<RowOutcome> {
    let ident = identifier(&row, options.match_by)?;
    let mut row = row;
    if row.merge_lists && options.mode == ImportMode::Upsert {
        merge_lists(svc, tenant, &ident, &mut row).await?;
    }
    let extras = (row.password_hash.clone(), row.newsletter);
    let (create, update) = inputs(row, options);
    if options.dry_run {
        return check(svc, tenant, &ident, create, update, options.mode).await.map_err(relative_to_row);
    }
    let (result, customer) = upsert(svc, tenant, &ident, create, update).await.map_err(relative_to_row)?;
    // Of a customer that exists, an import that only creates touches nothing.
    if result == UpsertResult::Noop && options.mode == ImportMode::CreateOnly {
        return Ok(RowOutcome::Unchanged);
    }
    let mut changed = result != UpsertResult::Noop;
    let (hash, letter) = extras;
    if let (Some(hash), false) = (hash, result == UpsertResult::Created) {
        changed |= svc.store.adopt_password_hash(tenant, &customer.id, &hash).await?;
    }
    if let Some(letter) = letter {
        changed |= newsletter::adopt(svc, tenant, &customer.email, letter == Newsletter::Subscribed).await?;
    }
    Ok(match result {
        UpsertResult::Created => RowOutcome::Created,
        _ if changed => RowOutcome::Updated,
        _ => RowOutcome::Unchanged,
    })
}

/// A row's attributes and consents as the whole lists of the customer it
/// names: the customer's, with the row's keys set (one more read, for rows
/// that bring such keys). A customer changed between this read and the
/// write keeps what the write does not name: only these lists are read.
async fn merge_lists(svc: &Services, tenant: &TenantId, ident: &Identifier, row: &mut ImportRow) -> DomainResult<()> {
    let c = &mut row.customer;
    if c.attributes.is_none() && c.consents.is_none() {
        return Ok(());
    }
    let Some(existing) = find(svc, tenant, ident).await? else { return Ok(()) };
    let existing = existing.customer;
    if let Some(given) = c.attributes.take() {
        let mut merged: Vec<AttributeInput> = existing
            .attributes
            .iter()
            .filter(|a| !given.iter().any(|g| g.key == a.key))
            .map(|a| AttributeInput { key: a.key.clone(), value: a.value.clone() })
            .collect();
        merged.extend(given);
        c.attributes = Some(merged);
    }
    if let Some(given) = c.consents.take() {
        let mut merged: Vec<ConsentInput> = existing
            .consents
            .iter()
            .filter(|k| !given.iter().any(|g| g.key == k.key))
            .map(|k| ConsentInput { key: k.key.clone(), granted: k.granted })
            .collect();
        merged.extend(given);
        c.consents = Some(merged);
    }
    Ok(())
}

/// The customer a row names, by the field the import matches on.
fn identifier(row: &ImportRow, by: MatchBy) -> DomainResult<Identifier> {
    let c = &row.customer;
    let (value, field) = match by {
        MatchBy::Email => {
            // Said of the email itself, not of a mismatch with the identifier.
            Email::parse(&c.email, &["email"])?;
            return Ok(Identifier::Email(c.email.clone()));
        }
        MatchBy::ExternalId => (c.external_id.clone(), "externalId"),
        MatchBy::Ref => (c.reference.clone(), "ref"),
    };
    match value.filter(|v| !v.trim().is_empty()) {
        Some(v) if by == MatchBy::Ref => Ok(Identifier::Ref(v)),
        Some(v) => Ok(Identifier::ExternalId(v)),
        None => Err(DomainError::user(ErrorCode::Required, &[field], "The import matches customers by this field.")),
    }
}

/// What a row creates, and what it changes on a customer that exists:
/// each field it gives (an absent or empty one stays as it is).
fn inputs(row: ImportRow, options: &ImportOptions) -> (CreateInput, AdminPatch) {
    let email_verified = row.email_verified_given.then_some(row.customer.email_verified);
    let status = row.customer.status.map(Into::into);
    let mut create = CreateInput::from(row.customer);
    let addresses: Vec<_> = row.delivery_addresses.into_iter().map(Into::into).collect();
    let has_password = create.customer.password.is_some() || row.password_hash.is_some();
    create.send_invite = options.send_invites && !has_password;
    let c: &mut NewCustomerInput = &mut create.customer;
    c.delivery_addresses = addresses.clone();
    c.password_hash = row.password_hash;
    let update = match options.mode {
        ImportMode::CreateOnly => AdminPatch::default(),
        ImportMode::Upsert => AdminPatch {
            profile: c.profile.clone(),
            // Matched by email, the email is the row's already.
            email: match options.match_by {
                MatchBy::Email => crate::domain::Patch::Keep,
                _ => crate::domain::Patch::Set(c.email.clone()),
            },
            back_office: c.back_office.clone(),
            email_verified,
            status,
            delivery_addresses: addresses,
        },
    };
    (create, update)
}

/// A dry run's verdict: the lookup, then the checks a write would make
/// (all but uniqueness against other customers, which only a write can
/// claim).
async fn check(
    svc: &Services,
    tenant: &TenantId,
    ident: &Identifier,
    create: CreateInput,
    update: AdminPatch,
    mode: ImportMode,
) -> DomainResult<RowOutcome> {
    let Some(record) = find(svc, tenant, ident).await? else {
        let customer = NewCustomerInput { writer: Writer::BackOffice, ..create.customer };
        check_new_customer(svc, tenant, customer)?;
        return Ok(RowOutcome::Created);
    };
    if mode == ImportMode::CreateOnly {
        return Ok(RowOutcome::Unchanged);
    }
    let now = svc.clock.now();
    let patch = update.validate(svc.config.profile_rules(tenant, Writer::BackOffice, now))?;
    let mut after = record.customer.clone();
    patch.apply(&mut after)?;
    Ok(if after == record.customer { RowOutcome::Unchanged } else { RowOutcome::Updated })
}

/// `upsert` places errors under `onCreate`, `onUpdate` or `identifier`;
/// a row's are its own fields.
fn relative_to_row(e: DomainError) -> DomainError {
    match e {
        DomainError::User(errors) => DomainError::User(
            errors
                .into_iter()
                .map(|mut e: UserError| {
                    if matches!(e.field.first().map(String::as_str), Some("onCreate" | "onUpdate" | "identifier")) {
                        e.field.remove(0);
                    }
                    e
                })
                .collect(),
        ),
        other => other,
    }
}
