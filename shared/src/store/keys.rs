//! Item keys of the single table. Every key starts with the tenant, so no
//! read or write can reach another tenant's items.

use super::UniqueKey;
use crate::domain::TenantId;

pub const PROFILE: &str = "PROFILE";
pub const GUARD: &str = "GUARD";
pub const TOKEN: &str = "TOKEN";
pub const COUNTER: &str = "COUNTER";
pub const API_KEY: &str = "APIKEY";
pub const MAIL: &str = "MAIL";
/// The customer's standing: order totals and loyalty balance.
pub const STANDING: &str = "STANDING";
/// Sort key prefix of a customer's orders: `ORDER#<placedAt>#<orderId>`.
pub const ORDER: &str = "ORDER#";
/// Sort key prefix of a customer's ledger: `LEDGER#<standing revision>`.
pub const LEDGER: &str = "LEDGER#";

/// The guard of an order id in the tenant, holding the order's head.
pub fn order_guard(t: &TenantId, order_id: &str) -> String {
    format!("T#{}#ORDER#{order_id}", t.as_str())
}

/// Sort key prefix of a customer's subscription contracts: `CONTRACT#<contractId>`.
pub const CONTRACT: &str = "CONTRACT#";

/// The guard of a subscription contract id in the tenant.
pub fn contract_guard(t: &TenantId, contract_id: &str) -> String {
    format!("T#{}#CONTRACT#{contract_id}", t.as_str())
}

/// Sort key of a customer's wishlist head (default list, version).
pub const WISHLISTS: &str = "WISHLISTS";
/// Sort key prefix of a customer's wishlists: `WISHLIST#<id>`.
pub const WISHLIST: &str = "WISHLIST#";

/// The tenant's promotions, one item per promotion sorted by its id.
pub fn promotions(t: &TenantId) -> String {
    format!("T#{}#PROMOTIONS", t.as_str())
}

/// The receipt of a loyalty idempotency key in the tenant.
pub fn loyalty_receipt(t: &TenantId, key: &str) -> String {
    format!("T#{}#LOYALTYKEY#{key}", t.as_str())
}

/// Where an order sits in its customer's history: by placement time
/// (fixed width, so text order is time order), then order id.
pub fn order_sk(placed_at: chrono::DateTime<chrono::Utc>, order_id: &str) -> String {
    format!("{ORDER}{}#{order_id}", placed_at.format("%Y-%m-%dT%H:%M:%S%.3fZ"))
}

/// The history position bounding orders placed at `at` from below (`upper`
/// false) or above (`upper` true), inclusive: `$` sorts right after `#`.
pub fn order_bound(at: chrono::DateTime<chrono::Utc>, upper: bool) -> String {
    format!("{ORDER}{}{}", at.format("%Y-%m-%dT%H:%M:%S%.3fZ"), if upper { '$' } else { '#' })
}

/// The placement time and order id an order's sort key holds, if it is one
/// exactly as `order_sk` writes it.
pub fn order_sk_parts(sk: &str) -> Option<(chrono::DateTime<chrono::Utc>, &str)> {
    let (at, order_id) = sk.strip_prefix(ORDER)?.split_once('#')?;
    let at = chrono::DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&chrono::Utc);
    (!order_id.is_empty() && order_sk(at, order_id) == sk).then_some((at, order_id))
}

/// Whether `sk` is a ledger entry's sort key.
pub fn is_ledger_sk(sk: &str) -> bool {
    sk.strip_prefix(LEDGER).is_some_and(|n| n.len() == 12 && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Where a ledger entry sits: the standing revision it was written with.
pub fn ledger_sk(revision: i64) -> String {
    format!("{LEDGER}{revision:012}")
}

/// A mail of the outbox (not per tenant: the `events` function finds it by id).
pub fn outbox(id: &str) -> String {
    format!("OUTBOX#{id}")
}

pub fn customer(t: &TenantId, id: &str) -> String {
    format!("T#{}#C#{id}", t.as_str())
}

pub fn session_sk(session_id: &str) -> String {
    format!("SESSION#{session_id}")
}

pub fn email_guard(t: &TenantId, email_key: &str) -> String {
    format!("T#{}#EMAIL#{email_key}", t.as_str())
}

pub fn token(t: &TenantId, hash: &str) -> String {
    format!("T#{}#TOKEN#{hash}", t.as_str())
}

pub fn customer_number_counter(t: &TenantId) -> String {
    format!("T#{}#COUNTER#CUSTOMER_NUMBER", t.as_str())
}

/// GSI1 partition listing a tenant's customers, sorted by id (creation time).
pub fn customers_index(t: &TenantId) -> String {
    format!("T#{}#CUSTOMERS", t.as_str())
}

/// The password attempts of an address: `address` is a hash of the
/// normalised email, so the item names nobody.
pub fn attempts(t: &TenantId, address: &str) -> String {
    format!("T#{}#ATTEMPTS#{address}", t.as_str())
}

pub fn quota(key: &str) -> String {
    format!("QUOTA#{key}")
}

pub fn ref_guard(t: &TenantId, reference: &str) -> String {
    format!("T#{}#REF#{reference}", t.as_str())
}

pub fn external_id_guard(t: &TenantId, external_id: &str) -> String {
    format!("T#{}#EXTERNAL#{external_id}", t.as_str())
}

/// The guard item of a unique value (an email already normalised).
pub fn guard(t: &TenantId, kind: UniqueKey, value: &str) -> String {
    match kind {
        UniqueKey::Email => email_guard(t, value),
        UniqueKey::Ref => ref_guard(t, value),
        UniqueKey::ExternalId => external_id_guard(t, value),
        UniqueKey::LoyaltyId => format!("T#{}#LOYALTYID#{value}", t.as_str()),
        UniqueKey::Username => format!("T#{}#USERNAME#{value}", t.as_str()),
    }
}

/// An API key's item; the key id alone finds it (the tenant is inside).
pub fn api_key(id: &str) -> String {
    format!("APIKEY#{id}")
}

/// GSI1 partition listing a tenant's API keys.
pub fn api_keys_index(t: &TenantId) -> String {
    format!("T#{}#APIKEYS", t.as_str())
}

pub const NEWSLETTER: &str = "NEWSLETTER";

/// The newsletter subscription of an address (normalised email).
pub fn newsletter(t: &TenantId, email_key: &str) -> String {
    format!("T#{}#NEWSLETTER#{email_key}", t.as_str())
}

/// GSI1 partition listing a tenant's newsletter subscriptions, sorted by
/// `<STATUS>#<email>`.
pub fn newsletters_index(t: &TenantId) -> String {
    format!("T#{}#NEWSLETTERS", t.as_str())
}

/// The back-in-stock subscriptions of an item; sort key `<country>#<email>`.
pub fn back_in_stock(t: &TenantId, item: &str) -> String {
    format!("T#{}#BIS#{item}", t.as_str())
}

/// GSI1 partition of everything an address subscribed to that is not its
/// newsletter item (back-in-stock alerts, newsletter tokens), for erasure.
pub fn subscriber_index(t: &TenantId, email_key: &str) -> String {
    format!("T#{}#SUBSCRIBER#{email_key}", t.as_str())
}
