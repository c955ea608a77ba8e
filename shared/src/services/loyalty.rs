//! Loyalty: the balance and ledger customers and the back office read, and
//! the back office's redemptions and adjustments, each idempotent by a key
//! the caller chooses.

use super::back_office::{buyer_at, Identifier};
use super::paging::{decode_cursor, encode_cursor, Page, MAX_PAGE};
use super::retry::{customer_gone, RECORD};
use super::Services;
use crate::domain::{
    fingerprint, identifier, text, Customer, DomainError, DomainResult, ErrorCode, LoyaltyReceipt, LoyaltyRequest,
    LoyaltyTransaction, Standing, TenantId, UserError, IDEMPOTENCY_KEY_MAX, REASON_MAX,
};

/// What a loyalty change answers: the transaction and the standing after it.
pub struct LoyaltyOutcome {
    pub transaction: LoyaltyTransaction,
    pub standing: Standing,
    pub customer: Customer,
}

/// Applies a redemption or adjustment to the customer `customer` names.
/// The same `idempotency_key` with the same request again returns the first
/// transaction and changes nothing; with another request it is `INVALID`.
/// Concurrent changes serialise on the standing's revision, so a balance is
/// never overdrawn. A redemption by promotion spends the promotion's cost
/// as it is when first applied (the same key later returns that, whatever
/// became of the promotion). 3 RT (lookup, receipt with standing,
/// transaction), +1 to read a promotion.
pub async fn change(
    svc: &Services,
    tenant: &TenantId,
    customer: &Identifier,
    request: LoyaltyRequest,
    reason: Option<String>,
    idempotency_key: &str,
    reason_required: bool,
) -> DomainResult<LoyaltyOutcome> {
    let mut problems = crate::domain::Problems::new();
    let key = problems
        .check(identifier(idempotency_key, IDEMPOTENCY_KEY_MAX, &["idempotencyKey"]).map_err(UserError::anchored));
    let reason = match reason {
        Some(r) => problems.check(text(&r, REASON_MAX, &["reason"]).map_err(UserError::anchored)).flatten(),
        None => None,
    };
    if reason_required && reason.is_none() {
        problems.push(UserError::argument(ErrorCode::Required, "reason", "Say why the points change."));
    }
    problems.check(request.validate());
    problems.finish()?;
    let key = key.unwrap_or_default();
    let record = buyer_at(svc, tenant, customer, &["customer"]).await?;
    let customer = record.customer;
    // What the request asks, as sent: the same key with another request is refused.
    let fingerprint = fingerprint(&(&customer.id, &request, reason.as_deref()));
    let mut promotion = None;
    for attempt in RECORD.tries() {
        let (receipt, mut standing) = svc.store.receipt_and_standing(tenant, &key, &customer.id).await?;
        if let Some(receipt) = receipt {
            if receipt.fingerprint != fingerprint {
                return Err(DomainError::argument(
                    ErrorCode::Invalid,
                    "idempotencyKey",
                    "This key was used for a different request.",
                ));
            }
            return Ok(LoyaltyOutcome { transaction: receipt.transaction, standing, customer });
        }
        if let (Some(id), None) = (request.promotion_id(), &promotion) {
            promotion = Some(super::promotions::redeemable(svc, tenant, id).await?);
        }
        let mut transaction = request.apply(&mut standing, promotion.as_ref(), reason.clone(), svc.clock.now())?;
        transaction.idempotency_key = Some(key.clone());
        let receipt = LoyaltyReceipt {
            key: key.clone(),
            customer_id: customer.id.clone(),
            fingerprint: fingerprint.clone(),
            transaction,
        };
        match svc.store.record_loyalty(tenant, &standing, &receipt).await {
            Ok(()) => {
                tracing::info!(customer = %customer.id, kind = ?receipt.transaction.kind, "loyalty transaction recorded");
                return Ok(LoyaltyOutcome { transaction: receipt.transaction, standing, customer });
            }
            // The standing moved, or the same key was used a moment ago: read again.
            Err(e) => RECORD.after(attempt, e, customer_gone).await?,
        }
    }
    Err(RECORD.exhausted())
}

/// The customer's standing: totals and loyalty balance (1 RT).
pub async fn standing_of(svc: &Services, customer: &Customer) -> DomainResult<Standing> {
    Ok(svc.store.get_standing(&customer.tenant_id, &customer.id).await?)
}

const LEDGER_CURSOR: &str = "ledger";

/// A page of the customer's ledger, newest first; only redemptions when
/// `redemptions_only`. 1 RT (more when the redemption filter leaves pages short).
pub async fn transactions_of(
    svc: &Services,
    customer: &Customer,
    redemptions_only: bool,
    first: usize,
    after: Option<&str>,
) -> DomainResult<Page<LoyaltyTransaction>> {
    let first = first.min(MAX_PAGE);
    let after = after.map(|a| decode_cursor(LEDGER_CURSOR, a, "after")).transpose()?;
    if after.as_deref().is_some_and(|a| !crate::store::keys::is_ledger_position(a)) {
        return Err(super::paging::bad_cursor("after"));
    }
    if first == 0 {
        return Ok(Page { items: vec![], has_next: false });
    }
    let (found, more) =
        svc.store.list_loyalty(&customer.tenant_id, &customer.id, redemptions_only, after.as_deref(), first).await?;
    let mut page = Page::cut(found, first, |(position, t)| (encode_cursor(LEDGER_CURSOR, &position), t));
    page.has_next |= more;
    Ok(page)
}
