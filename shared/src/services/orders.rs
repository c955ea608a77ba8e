//! Orders: the order system records each order (and each change of it);
//! customers and the back office read the history and totals.

use super::back_office::{buyer_at, Identifier, UpsertResult};
use super::paging::{decode_cursor, encode_cursor, Page, MAX_PAGE};
use super::retry::{customer_gone, RECORD};
use super::Services;
use crate::domain::OrderRange;
use crate::domain::{
    orders, Customer, DomainError, DomainResult, ErrorCode, Order, OrderChange, OrderInput, Recording, TenantId,
    STORE_ID_MAX,
};
use crate::store::{keys, OrderWrite};
use anyhow::Context;

/// Records an order for the customer `customer` names: `CREATED` the first
/// time, `NOOP` when the same order is recorded again, `UPDATED` when it
/// changed. Totals and points change in the order's transaction, by the
/// difference to what was recorded, so replays and concurrent calls never
/// count twice. 3-4 RT (lookup, order head with standing, transaction; a
/// replay reads the order instead of writing).
pub async fn record_order(
    svc: &Services,
    tenant: &TenantId,
    customer: &Identifier,
    input: OrderInput,
) -> DomainResult<(UpsertResult, Order, Customer)> {
    let valid = input.validate().map_err(DomainError::User)?;
    let customer = buyer_at(svc, tenant, customer, &["customer"]).await?.customer;
    let earning = svc.config.tenant(tenant).and_then(|t| t.earning());
    for attempt in RECORD.tries() {
        let (head, standing) = svc.store.order_head_and_standing(tenant, &valid.order_id, &customer.id).await?;
        if head.as_ref().is_some_and(|h| h.customer_id != customer.id) {
            return Err(DomainError::user(
                ErrorCode::Invalid,
                &["orderId"],
                "This order id is recorded for another customer.",
            ));
        }
        let now = svc.clock.now();
        let new_id = || ulid::Ulid::new().to_string();
        match orders::record(valid.clone(), &customer.id, head.as_ref(), &standing, earning.as_ref(), new_id, now) {
            Recording::Noop => {
                let head = head.context("a replay has a stored order")?;
                match svc.store.get_order(tenant, &head).await? {
                    Some(order) => return Ok((UpsertResult::Noop, order, customer)),
                    // Moved by a concurrent change a moment ago: read again.
                    None => RECORD.pause(attempt).await,
                }
            }
            Recording::Write(change) => {
                let OrderChange { order, standing, transaction, created } = *change;
                let write = OrderWrite {
                    order: &order,
                    previous: head.as_ref(),
                    standing: &standing,
                    transaction: transaction.as_ref(),
                };
                match svc.store.record_order(tenant, write).await {
                    Ok(()) => {
                        tracing::info!(customer = %customer.id, order = %order.order_id, created, "order recorded");
                        let result = if created { UpsertResult::Created } else { UpsertResult::Updated };
                        return Ok((result, order, customer));
                    }
                    Err(e) => RECORD.after(attempt, e, customer_gone).await?,
                }
            }
        }
    }
    Err(RECORD.exhausted())
}

const ORDER_CURSOR: &str = "order";

/// A page of a customer's orders in `range`, newest first. 1 RT (more when
/// a store filter leaves pages short).
pub async fn orders_of(
    svc: &Services,
    customer: &Customer,
    range: &OrderRange,
    first: usize,
    after: Option<&str>,
) -> DomainResult<Page<Order>> {
    let first = first.min(MAX_PAGE);
    // A store that could be no order's is no filter to scan the history for.
    if range.store_id.as_ref().is_some_and(|s| s.chars().count() > STORE_ID_MAX) {
        return Err(DomainError::user(ErrorCode::Invalid, &["storeId"], "Not a store id."));
    }
    if let (Some(from), Some(to)) = (range.from, range.to) {
        if from > to {
            return Err(DomainError::user(ErrorCode::Invalid, &["from"], "`from` is after `to`."));
        }
    }
    let after = after.map(|a| decode_cursor(ORDER_CURSOR, a, "after")).transpose()?;
    // A cursor is an order's place in the history, within the range asked
    // for: anything else would be a query DynamoDB refuses.
    if after.as_deref().is_some_and(|a| !keys::is_order_position_in(a, range)) {
        return Err(super::paging::bad_cursor("after"));
    }
    if first == 0 {
        return Ok(Page { items: vec![], has_next: false });
    }
    let (found, more) =
        svc.store.list_orders(&customer.tenant_id, &customer.id, range, after.as_deref(), first).await?;
    let mut page = Page::cut(found, first, |(position, order)| (encode_cursor(ORDER_CURSOR, &position), order));
    page.has_next |= more;
    Ok(page)
}
