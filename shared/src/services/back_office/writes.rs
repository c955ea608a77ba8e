//! Creating, changing, deactivating and erasing customers.

use super::lookup::{existing, find, not_found, Identifier};
use crate::domain::{self, Problems, Template};
use crate::domain::{AdminPatch, Customer, CustomerRecord, CustomerStatus, DomainResult, TenantId, Writer};
use crate::services::creation::{build, insert, InsertError, Mails, NewCustomerInput};
use crate::services::modify::modify;
use crate::services::password_reset::mail_set_password_link;
use crate::services::Services;

/// Mails a set-password link: a reset token that lives `INVITE_TOKEN_TTL_SECONDS`.
async fn invite(svc: &Services, tenant: &TenantId, record: &CustomerRecord) -> DomainResult<()> {
    mail_set_password_link(svc, tenant, record, Template::Invite, svc.config.invite_token_ttl, None).await
}

pub struct CreateInput {
    pub customer: NewCustomerInput,
    pub send_invite: bool,
}

/// Creates a customer (with the id `id`, when given).
pub(super) async fn create_with_id(
    svc: &Services,
    tenant: &TenantId,
    input: CreateInput,
    id: Option<String>,
) -> Result<Customer, InsertError> {
    let customer = NewCustomerInput { writer: Writer::BackOffice, ..input.customer };
    let id_given = id.is_some();
    let record = build(svc, tenant, customer, id, svc.clock.now()).await.map_err(InsertError::Other)?;
    insert(svc, &record, &[], None, Mails::default(), id_given).await?;
    tracing::info!(customer = %record.customer.id, "customer created by the back office");
    // The customer exists by now: a failed invite is logged (and can be
    // repeated by a password reset), not turned into an error that a retry
    // would answer with TAKEN.
    if input.send_invite {
        if let Err(e) = invite(svc, tenant, &record).await {
            tracing::error!(customer = %record.customer.id, error = %e, "invite not sent");
        }
    }
    Ok(record.customer)
}

pub async fn create(svc: &Services, tenant: &TenantId, input: CreateInput) -> DomainResult<Customer> {
    Ok(create_with_id(svc, tenant, input, None).await?)
}

/// Ends every session when a customer becomes inactive.
async fn revoke_if_deactivated(svc: &Services, before: &Customer, after: &Customer) -> DomainResult<()> {
    if before.status == CustomerStatus::Active && after.status == CustomerStatus::Inactive {
        svc.store.revoke_all_sessions(&after.tenant_id, &after.id).await?;
        tracing::info!(customer = %after.id, "customer deactivated; sessions revoked");
    }
    Ok(())
}

/// Applies a back-office patch; unique values move with their guards.
pub(super) async fn apply_patch(
    svc: &Services,
    before: &Customer,
    patch: AdminPatch,
    expected_version: Option<i64>,
) -> DomainResult<Customer> {
    let patch = patch.validate(svc.config.profile_rules(&before.tenant_id, Writer::BackOffice, svc.clock.now()))?;
    let (after, _) = modify(svc, before, expected_version, |c| patch.clone().apply(c)).await?;
    revoke_if_deactivated(svc, before, &after).await?;
    Ok(after)
}

pub async fn update(
    svc: &Services,
    tenant: &TenantId,
    ident: &Identifier,
    patch: AdminPatch,
    expected_version: Option<i64>,
) -> DomainResult<Customer> {
    let record = existing(svc, tenant, ident, "identifier").await?;
    apply_patch(svc, &record.customer, patch, expected_version).await
}

pub async fn set_status(svc: &Services, tenant: &TenantId, id: &str, status: CustomerStatus) -> DomainResult<Customer> {
    let record = existing(svc, tenant, &Identifier::Id(id.to_string()), "id").await?;
    let patch = AdminPatch { status: Some(status), ..Default::default() };
    apply_patch(svc, &record.customer, patch, None).await
}

/// Adds `added` to the customer's tags (those it has stay once) and takes
/// `removed` out (2–3 RT: the lookup, the write; again on a version race).
/// The customer after the change.
pub async fn change_tags(
    svc: &Services,
    tenant: &TenantId,
    ident: &Identifier,
    added: Vec<String>,
    removed: Vec<String>,
) -> DomainResult<Customer> {
    let mut p = Problems::new();
    let added = domain::tags(added, &["tags"], &mut p);
    let removed = domain::tags(removed, &["tags"], &mut p);
    p.finish()?;
    let record = existing(svc, tenant, ident, "identifier").await?;
    let (after, _) = modify(svc, &record.customer, None, |c| {
        c.tags = domain::change_tags(&c.tags, &added, &removed)?;
        Ok(())
    })
    .await?;
    Ok(after)
}

/// Lets mail go to the customer's email again after SES reported a bounce
/// or complaint (2–3 RT: the lookup, the removal). The customer, unchanged.
pub async fn clear_email_suppression(svc: &Services, tenant: &TenantId, ident: &Identifier) -> DomainResult<Customer> {
    let record = existing(svc, tenant, ident, "identifier").await?;
    if svc.store.lift_suppression(tenant, &record.customer.email).await? {
        tracing::info!(customer = %record.customer.id, "email suppression lifted by the back office");
    }
    Ok(record.customer)
}

/// Erases a customer (2 RT: the read, the erasure's transaction). A
/// customer being erased is erased all the same: its job starts again (a
/// retry after a failure must not answer `NOT_FOUND` while something of the
/// customer is left).
pub async fn delete(svc: &Services, tenant: &TenantId, id: &str) -> DomainResult<()> {
    let ident = Identifier::Id(id.to_string());
    if let Some(record) = find(svc, tenant, &ident).await? {
        svc.store.delete_customer(&record, svc.clock.now()).await?;
        tracing::info!(customer = %id, "customer erased by the back office");
        return Ok(());
    }
    if ulid::Ulid::from_string(id).is_ok() && svc.store.restart_erasure(tenant, id).await? {
        tracing::info!(customer = %id, "erasure of the customer started again by the back office");
        return Ok(());
    }
    Err(not_found("id"))
}
