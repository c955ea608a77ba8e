//! `customers`: the tenant's customers matching a filter, page by page.

use super::lookup::{find, Identifier};
use crate::domain::{Customer, CustomerFilter, DomainError, DomainResult, ErrorCode, TenantId};
use crate::services::paging::{bad_cursor, decode_cursor, encode_cursor, Page, MAX_PAGE};
use crate::services::Services;
use chrono::{DateTime, Utc};

/// Customers read per round trip while filtering a scan of the tenant.
const SCAN_PAGE: i32 = 200;

/// What a customer's cursor holds: `c1:<id>`.
const CURSOR: &str = "c1";

/// The cursor of a customer in search results: opaque to clients.
fn edge(c: Customer) -> (String, Customer) {
    (encode_cursor(CURSOR, &c.id), c)
}

fn after_id(after: &str) -> DomainResult<String> {
    let id = decode_cursor(CURSOR, after, "after")?;
    ulid::Ulid::from_string(&id).map_err(|_| bad_cursor("after"))?;
    Ok(id)
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
) -> DomainResult<Page<Customer>> {
    let first = first.clamp(0, MAX_PAGE);
    let after = after.map(after_id).transpose()?;
    if let (Some(from), Some(to)) = (filter.created_from, filter.created_to) {
        if from > to {
            let message = "`createdFrom` is after `createdTo`.";
            return Err(DomainError::user(ErrorCode::Invalid, &["filter", "createdFrom"], message));
        }
    }
    // A unique value in the filter names at most one customer: read that
    // one by its guard instead of scanning.
    let by_key = [
        filter.email.as_ref().map(|e| Identifier::Email(e.as_str().to_string())),
        filter.external_id.clone().map(Identifier::ExternalId),
        filter.loyalty_id.clone().map(Identifier::LoyaltyId),
        filter.username.clone().map(Identifier::Username),
        filter.exact_reference().map(|r| Identifier::Ref(r.to_string())),
    ]
    .into_iter()
    .flatten()
    .next();
    if let Some(ident) = by_key {
        let found = find(svc, tenant, &ident).await?.map(|r| r.customer);
        let customers: Vec<Customer> = found
            .filter(|c| filter.matches(c) && after.as_ref().is_none_or(|a| &c.id > a) && first > 0)
            .into_iter()
            .collect();
        // At most one customer, and none when `first` is 0: never a next page.
        return Ok(Page::cut(customers, first, edge));
    }

    let (lo, hi) = id_bounds(filter.created_from, filter.created_to);
    // Just past the cursor: the smallest string greater than the id.
    let mut from = match after {
        Some(a) if a >= lo => format!("{a}\0"),
        _ => lo,
    };
    // A cursor past the range (made without `createdTo`, say): nothing follows it.
    if from > hi {
        return Ok(Page { items: vec![], has_next: false });
    }
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
    Ok(Page::cut(customers, first, edge))
}
