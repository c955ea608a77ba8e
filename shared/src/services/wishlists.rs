//! The logged-in customer's wishlists: read all, change one, write the
//! change over the version read.

use super::retry::{no_longer_exists, WISHLISTS};
use super::Services;
use crate::domain::wishlists::{Wishlist, WishlistChange, Wishlists};
use crate::domain::{DomainResult, TenantId};

/// A list as a client sees it: with whether it is the default.
#[derive(Debug, Clone)]
pub struct ListView {
    pub list: Wishlist,
    pub is_default: bool,
}

/// Every list of the customer, oldest first (1 RT).
pub async fn wishlists_of(svc: &Services, tenant: &TenantId, customer_id: &str) -> DomainResult<Vec<ListView>> {
    let all = svc.store.wishlists(tenant, customer_id).await?;
    Ok(all.lists.iter().map(|l| ListView { list: l.clone(), is_default: all.is_default(l) }).collect())
}

/// Applies `change` to the customer's lists: the list it acted on (a deleted
/// one as it was; none when removing from a customer with no list). 2 RT: a
/// read of every list and one transaction (just the read when the change
/// changes nothing); again from the read when another change came first.
pub async fn change(
    svc: &Services,
    tenant: &TenantId,
    customer_id: &str,
    change: WishlistChange,
) -> DomainResult<Option<ListView>> {
    for attempt in WISHLISTS.tries() {
        let mut lists: Wishlists = svc.store.wishlists(tenant, customer_id).await?;
        let version = lists.version;
        let applied = lists.apply(change.clone(), svc.clock.now(), ulid::Ulid::new().to_string())?;
        let view = applied.wishlist.clone().map(|l| ListView { is_default: lists.is_default(&l), list: l });
        if applied.changes_nothing() {
            return Ok(view);
        }
        let default_id = lists.default_id.as_deref();
        match svc.store.save_wishlists(tenant, customer_id, version, default_id, &applied.put, &applied.deleted).await {
            Ok(()) => return Ok(view),
            Err(e) => WISHLISTS.after(attempt, e, no_longer_exists).await?,
        }
    }
    Err(WISHLISTS.exhausted())
}
