//! Promotions: the back office keeps a tenant's catalogue; customers are
//! offered those they qualify for, and redeeming one spends its cost.

use super::back_office::UpsertResult;
use super::paging::{decode_cursor, encode_cursor, Page, MAX_PAGE};
use super::Services;
use crate::domain::{Customer, DomainError, DomainResult, ErrorCode, Promotion, PromotionInput, Standing, TenantId};
use crate::store::WriteError;
use chrono::Utc;

/// Creates or changes the promotion `input.promotionId` names: `NOOP` when
/// nothing would change. 2 RT (get, conditional put).
pub async fn upsert(
    svc: &Services,
    tenant: &TenantId,
    input: PromotionInput,
) -> DomainResult<(UpsertResult, Promotion)> {
    let valid = input.validate().map_err(DomainError::User)?;
    for attempt in 0..4 {
        let previous = svc.store.get_promotion(tenant, &valid.promotion_id).await?;
        let Some(promotion) = valid.clone().over(previous.as_ref(), || ulid::Ulid::new().to_string(), Utc::now())
        else {
            let unchanged = previous.ok_or_else(|| anyhow::anyhow!("a replay has a stored promotion"))?;
            return Ok((UpsertResult::Noop, unchanged));
        };
        match svc.store.put_promotion(tenant, &promotion).await {
            Ok(()) => {
                let result = if previous.is_none() { UpsertResult::Created } else { UpsertResult::Updated };
                return Ok((result, promotion));
            }
            Err(WriteError::Conflict | WriteError::Taken(_)) => super::orders::contention_pause(attempt).await,
            Err(WriteError::Other(e)) => return Err(e.into()),
        }
    }
    Err(anyhow::anyhow!("upsertPromotion: the promotion kept changing").into())
}

/// Removes a promotion; `NOT_FOUND` at `promotionId` when there is none (1 RT).
pub async fn delete(svc: &Services, tenant: &TenantId, promotion_id: &str) -> DomainResult<()> {
    match svc.store.delete_promotion(tenant, promotion_id.trim()).await? {
        true => Ok(()),
        false => Err(DomainError::argument(ErrorCode::NotFound, "promotionId", "No promotion with this id.")),
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
    if first == 0 {
        return Ok(Page { items: vec![], has_next: false });
    }
    let (found, more) = svc.store.list_promotions(tenant, after.as_deref(), Some(first)).await?;
    let mut page = Page::cut(found, first, |p| (encode_cursor(PROMOTION_CURSOR, &p.promotion_id), p));
    page.has_next |= more;
    Ok(page)
}

/// The promotions `customer` (with `standing`) is offered now in `store`
/// (any store when `None`), by `promotionId`. 1 RT (the catalogue).
pub async fn available(
    svc: &Services,
    customer: &Customer,
    standing: &Standing,
    store: Option<&str>,
) -> DomainResult<Vec<Promotion>> {
    let (all, _) = svc.store.list_promotions(&customer.tenant_id, None, None).await?;
    let now = Utc::now();
    Ok(all.into_iter().filter(|p| p.offered_to(customer.country_code.as_ref(), standing, store, now)).collect())
}

/// The promotion a redemption names, if it is running now: `NOT_FOUND` or
/// `INVALID` at `promotionId` otherwise (1 RT).
pub async fn redeemable(svc: &Services, tenant: &TenantId, promotion_id: &str) -> DomainResult<Promotion> {
    let found = svc.store.get_promotion(tenant, promotion_id.trim()).await?;
    let promotion =
        found.ok_or_else(|| DomainError::argument(ErrorCode::NotFound, "promotionId", "No promotion with this id."))?;
    if !promotion.active(Utc::now()) {
        return Err(DomainError::argument(ErrorCode::Invalid, "promotionId", "The promotion is not running."));
    }
    Ok(promotion)
}
