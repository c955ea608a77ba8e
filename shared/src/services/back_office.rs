//! Back-office customer management (`admin`): lookup, search, create,
//! update, upsert, status, erasure. Every operation acts within the API
//! key's tenant.

use super::creation::{build, insert, InsertError, NewCustomerInput};
use super::modify::modify;
use super::{mailing, new_token, Services};
use crate::domain::{
    AdminPatch, Customer, CustomerFilter, CustomerRecord, CustomerStatus, DomainError, DomainResult, Email, ErrorCode,
    TenantId, TokenKind,
};
use crate::mail::Template;
use crate::store::UniqueKey;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};

/// One way to name a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identifier {
    Id(String),
    Email(String),
    Ref(String),
    ExternalId(String),
}

impl Identifier {
    /// Exactly one of the four, else `INVALID` located at `path`.
    pub fn exactly_one(
        id: Option<String>,
        email: Option<String>,
        reference: Option<String>,
        external_id: Option<String>,
        path: &[&str],
    ) -> DomainResult<Self> {
        let given: Vec<Identifier> = [
            id.map(Identifier::Id),
            email.map(Identifier::Email),
            reference.map(Identifier::Ref),
            external_id.map(Identifier::ExternalId),
        ]
        .into_iter()
        .flatten()
        .collect();
        match <[Identifier; 1]>::try_from(given) {
            Ok([one]) => Ok(one),
            Err(_) => Err(DomainError::user(
                ErrorCode::Invalid,
                path,
                "Give exactly one of customerId (id), email, ref, externalId.",
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
    };
    match id {
        Some(id) if ulid::Ulid::from_string(&id).is_ok() => Ok(svc.store.get_customer(tenant, &id).await?),
        _ => Ok(None),
    }
}

fn not_found(path: &[&str]) -> DomainError {
    DomainError::user(ErrorCode::NotFound, path, "No customer with this identifier.")
}

async fn existing(
    svc: &Services,
    tenant: &TenantId,
    ident: &Identifier,
    path: &[&str],
) -> DomainResult<CustomerRecord> {
    find(svc, tenant, ident).await?.ok_or_else(|| not_found(path))
}

// ---------------------------------------------------------------- search

pub const MAX_PAGE: usize = 100;
/// Customers read per round trip while filtering a scan of the tenant.
const SCAN_PAGE: i32 = 200;

pub struct Page {
    pub customers: Vec<Customer>,
    pub has_next: bool,
}

/// The cursor of a customer in search results: opaque to clients.
pub fn cursor(c: &Customer) -> String {
    URL_SAFE_NO_PAD.encode(format!("c1:{}", c.id))
}

fn after_id(after: &str) -> DomainResult<String> {
    let bad = || DomainError::user(ErrorCode::Invalid, &["after"], "Not a cursor of this connection.");
    let raw = URL_SAFE_NO_PAD.decode(after).map_err(|_| bad())?;
    let raw = String::from_utf8(raw).map_err(|_| bad())?;
    let id = raw.strip_prefix("c1:").ok_or_else(bad)?;
    ulid::Ulid::from_string(id).map_err(|_| bad())?;
    Ok(id.to_string())
}

/// The id range `[from, to]` of customers created in `[from, to]`: ids are
/// ULIDs, which begin with their creation time.
fn id_bounds(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> (String, String) {
    let ms = |t: DateTime<Utc>| t.timestamp_millis().clamp(0, (1 << 48) - 1) as u64;
    let lo = from.map(|t| ulid::Ulid::from_parts(ms(t), 0).to_string()).unwrap_or_else(|| "0".repeat(26));
    let hi = to.map(|t| ulid::Ulid::from_parts(ms(t), u128::MAX).to_string()).unwrap_or_else(|| "Z".repeat(26));
    (lo, hi)
}

/// Customers matching `filter`, in creation order, `first` (at most 100) per
/// page after the cursor `after`. Cursors are customer ids, so walking never
/// skips or repeats a customer, whatever is created or deleted meanwhile. An
/// exact email, external id or reference is served by its uniqueness guard;
/// any other filter reads the tenant's customers in id order (GSI1) and
/// filters them here.
pub async fn search(
    svc: &Services,
    tenant: &TenantId,
    filter: &CustomerFilter,
    first: usize,
    after: Option<&str>,
) -> DomainResult<Page> {
    let first = first.clamp(0, MAX_PAGE);
    let after = after.map(after_id).transpose()?;
    let by_key = match (&filter.email, &filter.external_id, filter.exact_reference()) {
        (Some(e), _, _) => Some(Identifier::Email(e.as_str().to_string())),
        (_, Some(x), _) => Some(Identifier::ExternalId(x.clone())),
        (_, _, Some(r)) => Some(Identifier::Ref(r.to_string())),
        _ => None,
    };
    if let Some(ident) = by_key {
        let found = find(svc, tenant, &ident).await?.map(|r| r.customer);
        let customers = found
            .filter(|c| filter.matches(c) && after.as_ref().is_none_or(|a| &c.id > a) && first > 0)
            .into_iter()
            .collect();
        return Ok(Page { customers, has_next: false });
    }

    let (lo, hi) = id_bounds(filter.created_from, filter.created_to);
    // Just past the cursor: the smallest string greater than the id.
    let mut from = match after {
        Some(a) if a >= lo => format!("{a}\0"),
        _ => lo,
    };
    let mut customers = Vec::with_capacity(first + 1);
    loop {
        let (page, more) = svc.store.list_customers(tenant, &from, &hi, SCAN_PAGE).await?;
        let Some(last) = page.last() else { break };
        from = format!("{}\0", last.id);
        customers.extend(page.into_iter().filter(|c| filter.matches(c)));
        if customers.len() > first || !more {
            break;
        }
    }
    let has_next = customers.len() > first;
    customers.truncate(first);
    Ok(Page { customers, has_next })
}

// ---------------------------------------------------------------- writes

/// Mails a set-password link: a reset token that lives `INVITE_TOKEN_TTL_SECONDS`.
async fn invite(svc: &Services, tenant: &TenantId, record: &CustomerRecord) -> DomainResult<()> {
    let c = &record.customer;
    let expires_at = Utc::now() + svc.config.invite_token_ttl;
    let (secret, token) =
        new_token(TokenKind::ResetPassword, &c.id, &c.email.normalized(), record.credentials.token_version, expires_at);
    svc.store.put_token(tenant, &token).await?;
    mailing::send(svc, tenant, Template::Invite, &record.customer, None, None, &secret, token.expires_at).await;
    Ok(())
}

pub struct CreateInput {
    pub customer: NewCustomerInput,
    pub send_invite: bool,
}

/// Creates a customer; `path` locates the input (`["input"]`).
async fn create_at(
    svc: &Services,
    tenant: &TenantId,
    input: CreateInput,
    id: Option<String>,
    path: &[&str],
) -> Result<Customer, InsertError> {
    let record = build(svc, tenant, input.customer, id, path, Utc::now()).await.map_err(InsertError::Other)?;
    insert(svc, &record, &[], None, path).await?;
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
    Ok(create_at(svc, tenant, input, None, &["input"]).await?)
}

/// Ends every session when a customer becomes inactive.
async fn revoke_if_deactivated(svc: &Services, before: &Customer, after: &Customer) -> DomainResult<()> {
    if before.status == CustomerStatus::Active && after.status == CustomerStatus::Inactive {
        svc.store.revoke_all_sessions(&after.tenant_id, &after.id).await?;
        tracing::info!(customer = %after.id, "customer deactivated; sessions revoked");
    }
    Ok(())
}

fn under(path: &[&str], e: DomainError) -> DomainError {
    match e {
        DomainError::User(errors) => DomainError::User(errors.into_iter().map(|e| e.under(path)).collect()),
        other => other,
    }
}

/// Applies a back-office patch; unique values move with their guards.
async fn apply_patch(
    svc: &Services,
    before: &Customer,
    patch: AdminPatch,
    expected_version: Option<i64>,
    path: &[&str],
) -> DomainResult<Customer> {
    let patch = patch.validate(Utc::now()).map_err(|e| under(path, e))?;
    let (after, _) = modify(svc, before, expected_version, path, |c| {
        patch.clone().apply(c);
        Ok(())
    })
    .await?;
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
    let record = existing(svc, tenant, ident, &["identifier"]).await?;
    apply_patch(svc, &record.customer, patch, expected_version, &["input"]).await
}

pub async fn set_status(svc: &Services, tenant: &TenantId, id: &str, status: CustomerStatus) -> DomainResult<Customer> {
    let record = existing(svc, tenant, &Identifier::Id(id.to_string()), &["id"]).await?;
    let patch = AdminPatch { status: Some(status), ..Default::default() };
    apply_patch(svc, &record.customer, patch, None, &[]).await
}

pub async fn delete(svc: &Services, tenant: &TenantId, id: &str) -> DomainResult<()> {
    let record = existing(svc, tenant, &Identifier::Id(id.to_string()), &["id"]).await?;
    svc.store.delete_customer(&record.customer).await?;
    tracing::info!(customer = %id, "customer erased by the back office");
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpsertResult {
    Created,
    Updated,
    Noop,
}

/// The identifier's value must be the one the new customer gets.
fn identify_new(ident: &Identifier, input: &mut NewCustomerInput) -> DomainResult<Option<String>> {
    let mismatch = |field: &str| {
        DomainError::user(ErrorCode::Invalid, &["input", "onCreate", field], "Differs from the identifier.")
    };
    match ident {
        Identifier::Id(id) => {
            if ulid::Ulid::from_string(id).is_err() {
                return Err(DomainError::user(
                    ErrorCode::Invalid,
                    &["input", "identifier", "customerId"],
                    "A new customer's id must be a ULID.",
                ));
            }
            return Ok(Some(id.clone()));
        }
        Identifier::Email(e) => {
            let same = matches!((Email::parse(e, &[]), Email::parse(&input.email, &[])), (Ok(a), Ok(b)) if a.normalized() == b.normalized());
            if !same {
                return Err(mismatch("email"));
            }
        }
        Identifier::Ref(r) => match &input.reference {
            Some(given) if given.trim() != r.trim() => return Err(mismatch("ref")),
            _ => input.reference = Some(r.clone()),
        },
        Identifier::ExternalId(x) => match &input.external_id {
            Some(given) if given.trim() != x.trim() => return Err(mismatch("externalId")),
            _ => input.external_id = Some(x.clone()),
        },
    }
    Ok(None)
}

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
    const PATH: &[&str] = &["input", "onUpdate"];
    for _ in 0..3 {
        if let Some(record) = find(svc, tenant, ident).await? {
            let after = apply_patch(svc, &record.customer, on_update.clone(), None, PATH).await?;
            let result =
                if after.version == record.customer.version { UpsertResult::Noop } else { UpsertResult::Updated };
            return Ok((result, after));
        }
        let mut create = CreateInput { customer: on_create.customer.clone(), send_invite: on_create.send_invite };
        let id = identify_new(ident, &mut create.customer)?;
        match create_at(svc, tenant, create, id, &["input", "onCreate"]).await {
            Ok(customer) => return Ok((UpsertResult::Created, customer)),
            // Someone created it a moment ago: find it and update it instead.
            Err(InsertError::IdTaken) => continue,
            Err(InsertError::Taken(kind, e)) => {
                let identifies = matches!(
                    (ident, kind),
                    (Identifier::Email(_), UniqueKey::Email)
                        | (Identifier::Ref(_), UniqueKey::Ref)
                        | (Identifier::ExternalId(_), UniqueKey::ExternalId)
                );
                if identifies {
                    continue;
                }
                return Err(e);
            }
            Err(InsertError::Other(e)) => return Err(e),
        }
    }
    Err(anyhow::anyhow!("upsert kept racing").into())
}
