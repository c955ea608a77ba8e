//! Promotions: the back office keeps a tenant's catalogue; customers are
//! offered those they qualify for, and redeeming one spends its cost.

use super::back_office::UpsertResult;
use super::paging::{decode_cursor, encode_cursor, Page, MAX_PAGE};
use super::retry::{no_longer_exists, RECORD};
use super::Services;
use crate::domain::{
    identifier, Customer, DomainError, DomainResult, ErrorCode, Promotion, PromotionInput, Standing, TenantId,
    PROMOTION_ID_MAX,
};
use chrono::{DateTime, Utc};

/// Creates or changes the promotion `input.promotionId` names: `NOOP` when
/// nothing would change. 2 RT (get, conditional put).
pub async fn upsert(
    svc: &Services,
    tenant: &TenantId,
    input: PromotionInput,
) -> DomainResult<(UpsertResult, Promotion)> {
    let valid = input.validate().map_err(DomainError::User)?;
    for attempt in RECORD.tries() {
        let previous = svc.store.get_promotion(tenant, &valid.promotion_id).await?;
        let Some(promotion) = valid.clone().over(previous.as_ref(), || ulid::Ulid::new().to_string(), svc.clock.now())
        else {
            let unchanged = previous.ok_or_else(|| anyhow::anyhow!("a replay has a stored promotion"))?;
            return Ok((UpsertResult::Noop, unchanged));
        };
        match svc.store.put_promotion(tenant, &promotion).await {
            Ok(()) => {
                let result = if previous.is_none() { UpsertResult::Created } else { UpsertResult::Updated };
                return Ok((result, promotion));
            }
            // A promotion belongs to no customer: it is never gone.
            Err(e) => RECORD.after(attempt, e, no_longer_exists).await?,
        }
    }
    Err(RECORD.exhausted())
}

fn no_promotion() -> DomainError {
    DomainError::argument(ErrorCode::NotFound, "promotionId", "No promotion with this id.")
}

/// A promotion id as a client sent it, if it could name one at all.
fn promotion_key(raw: &str) -> Option<String> {
    identifier(raw, PROMOTION_ID_MAX, &[]).ok()
}

/// Removes a promotion; `NOT_FOUND` at `promotionId` when there is none (1 RT).
pub async fn delete(svc: &Services, tenant: &TenantId, promotion_id: &str) -> DomainResult<()> {
    let id = promotion_key(promotion_id).ok_or_else(no_promotion)?;
    match svc.store.delete_promotion(tenant, &id).await? {
        true => Ok(()),
        false => Err(no_promotion()),
    }
}

const PROMOTION_CURSOR: &str = "promotion";

/// A page of the tenant's promotions by `promotionId` (1 RT).
pub async fn list(
    svc: &Services,
    tenant: &TenantId,
    first: usize,
    after: Option<&str>,
) -> DomainResult<Page<Promotion>> {
    let first = first.min(MAX_PAGE);
    let after = after.map(|a| decode_cursor(PROMOTION_CURSOR, a, "after")).transpose()?;
    if after.as_deref().is_some_and(|a| promotion_key(a).as_deref() != Some(a)) {
        return Err(super::paging::bad_cursor("after"));
    }
    if first == 0 {
        return Ok(Page { items: vec![], has_next: false });
    }
    let (found, more) = svc.store.list_promotions(tenant, after.as_deref(), Some(first)).await?;
    let mut page = Page::cut(found, first, |p| (encode_cursor(PROMOTION_CURSOR, &p.promotion_id), p));
    page.has_next |= more;
    Ok(page)
}

/// The promotions of `catalogue` that `customer` (with `standing`) is
/// offered now in `store` (any store when `None`), by `promotionId`.
pub fn offered<'a>(
    catalogue: &'a [Promotion],
    customer: &Customer,
    standing: &Standing,
    store: Option<&str>,
    now: DateTime<Utc>,
) -> Vec<&'a Promotion> {
    catalogue.iter().filter(|p| p.offered_to(customer.country_code.as_ref(), standing, store, now)).collect()
}

/// Every promotion of the tenant, by `promotionId` (1 RT per 1 MB).
pub async fn catalogue(svc: &Services, tenant: &TenantId) -> DomainResult<Vec<Promotion>> {
    Ok(svc.store.list_promotions(tenant, None, None).await?.0)
}

/// The promotion a redemption names, if it is running now: `NOT_FOUND` or
/// `INVALID` at `promotionId` otherwise (1 RT).
pub async fn redeemable(svc: &Services, tenant: &TenantId, promotion_id: &str) -> DomainResult<Promotion> {
    let id = promotion_key(promotion_id).ok_or_else(no_promotion)?;
    let promotion = svc.store.get_promotion(tenant, &id).await?.ok_or_else(no_promotion)?;
    if !promotion.active(svc.clock.now()) {
        return Err(DomainError::argument(ErrorCode::Invalid, "promotionId", "The promotion is not running."));
    }
    Ok(promotion)
}
