//! Item keys of the single table. Every key starts with the tenant, so no
//! read or write can reach another tenant's items.

use super::UniqueKey;
use crate::domain::{OrderRange, TenantId};
use chrono::{DateTime, SubsecRound, Utc};

pub const PROFILE: &str = "PROFILE";
/// Sort key of a customer's erasure record, in its partition.
pub const ERASURE: &str = "ERASURE";
/// GSI1 partition of the erasure records not finished (all tenants).
pub const ERASURES: &str = "ERASURES";

/// An erasure record's place in `ERASURES`: by start, then customer.
pub fn erasures_position(started_at: DateTime<Utc>, t: &TenantId, customer_id: &str) -> String {
    format!("{}#{}#{customer_id}", started_at.format("%Y-%m-%dT%H:%M:%S%.3fZ"), t.as_str())
}
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
pub fn order_sk(placed_at: DateTime<Utc>, order_id: &str) -> String {
    format!("{ORDER}{}#{order_id}", placed_at.format("%Y-%m-%dT%H:%M:%S%.3fZ"))
}

/// The history position bounding orders placed at `at` from below (`upper`
/// false) or above (`upper` true), inclusive: `$` sorts right after `#`.
pub fn order_bound(at: DateTime<Utc>, upper: bool) -> String {
    format!("{ORDER}{}{}", at.format("%Y-%m-%dT%H:%M:%S%.3fZ"), if upper { '$' } else { '#' })
}

/// The placement time and order id an order's sort key holds, if it is one
/// exactly as `order_sk` writes it.
pub(super) fn order_sk_parts(sk: &str) -> Option<(DateTime<Utc>, &str)> {
    // No order's key is longer: a longer one is parsed no further.
    if sk.len() > 300 {
        return None;
    }
    let (at, order_id) = sk.strip_prefix(ORDER)?.split_once('#')?;
    let at = DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc);
    (!order_id.is_empty() && order_sk(at, order_id) == sk).then_some((at, order_id))
}

/// The standing revision a ledger entry's sort key holds, if it is one
/// exactly as `ledger_sk` writes it.
fn ledger_revision(sk: &str) -> Option<i64> {
    let n = sk.strip_prefix(LEDGER).filter(|n| n.len() == 12 && n.bytes().all(|b| b.is_ascii_digit()))?;
    n.parse().ok()
}

/// Whether `position` (a listing's cursor, opaque above the store) is an
/// order's place in a history inside `range`: where a listing of `range`
/// may go on. Anything else would be a query DynamoDB refuses.
pub fn is_order_position_in(position: &str, range: &OrderRange) -> bool {
    order_sk_parts(position)
        .is_some_and(|(at, _)| range.from.is_none_or(|f| at >= f.trunc_subsecs(3)) && range.to.is_none_or(|t| at <= t))
}

/// Whether `position` (a listing's cursor, opaque above the store) is a
/// ledger entry's place.
pub fn is_ledger_position(position: &str) -> bool {
    ledger_revision(position).is_some()
}

/// Where a ledger entry sits: the standing revision it was written with.
pub fn ledger_sk(revision: i64) -> String {
    format!("{LEDGER}{revision:012}")
}

/// Partition key prefix of the outbox's mails.
const OUTBOX: &str = "OUTBOX#";

/// A mail of the outbox (not per tenant: the `events` function finds it by id).
pub fn outbox(id: &str) -> String {
    format!("{OUTBOX}{id}")
}

/// The search index's list of customers under `token` (`IX#<t>#<token>`,
/// sort key the customer id). Its own root, not `T#`: the events
/// function's stream filter passes `T#` and `OUTBOX#` items only, so the
/// index's own writes never invoke it.
pub fn search_list(t: &TenantId, token: &str) -> String {
    format!("{SEARCH_INDEX}{}#{token}", t.as_str())
}

/// The root of every search index item.
pub const SEARCH_INDEX: &str = "IX#";

/// Where a tenant's reindex got to: partition `IX#<t>`, sort key `REINDEX`.
pub fn reindex_checkpoint(t: &TenantId) -> String {
    format!("{SEARCH_INDEX}{}", t.as_str())
}
pub const REINDEX: &str = "REINDEX";

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

/// Sort key of a suppressed address.
pub const SUPPRESSED: &str = "SUPPRESSED";

/// An address no mail of the tenant goes to, by its normalised email's key.
pub fn suppression(t: &TenantId, email_key: &str) -> String {
    format!("T#{}#SUPPRESSED#{email_key}", t.as_str())
}

/// The newsletter subscription of an address (normalised email).
pub fn newsletter(t: &TenantId, email_key: &str) -> String {
    format!("T#{}#NEWSLETTER#{email_key}", t.as_str())
}

/// Where a newsletter subscription sits in its tenant's listing (the GSI1
/// sort key): by status, then address.
pub fn newsletter_position(status: &str, email_key: &str) -> String {
    format!("{status}#{email_key}")
}

/// Whether `position` (a listing's cursor, opaque above the store) is a
/// newsletter subscription's place in a listing of `status` (of every
/// status when `None`): where that listing may go on.
pub fn is_newsletter_position_in(position: &str, status: Option<&str>) -> bool {
    // No sort key is longer than DynamoDB's 1,024 bytes.
    let Some((of, email_key)) = position.split_once('#').filter(|_| position.len() <= 1024) else {
        return false;
    };
    let named = !of.is_empty() && of.bytes().all(|b| b.is_ascii_uppercase());
    named && !email_key.is_empty() && status.is_none_or(|s| s == of)
}

/// GSI1 partition listing a tenant's newsletter subscriptions, sorted by
/// `newsletter_position`.
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

/// The customer a customer-partition key (`customer` writes it) names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CustomerKey {
    pub tenant: TenantId,
    pub id: String,
}

/// What an item's keys name, read back exactly as this module writes them
/// (the only place that parses keys): what the table's stream reports is
/// told apart by it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemKey {
    /// An outbox mail (`outbox(id)` / `MAIL`).
    Mail { id: String },
    /// A customer's profile (`customer(t, id)` / `PROFILE`).
    Profile(CustomerKey),
    /// The record of a customer's erasure (`customer(t, id)` / `ERASURE`).
    Erasure(CustomerKey),
    /// An order in a customer's history (`order_sk`).
    Order { customer: CustomerKey, order_id: String },
    /// An entry of a customer's loyalty ledger (`ledger_sk`), by the
    /// standing revision it was written with.
    Ledger { customer: CustomerKey, revision: i64 },
    /// The newsletter subscription of an address (`newsletter(t, key)` /
    /// `NEWSLETTER`), by its normalised email's key.
    Newsletter { tenant: TenantId, email_key: String },
    /// A suppressed address (`suppression(t, key)` / `SUPPRESSED`).
    Suppression { tenant: TenantId, email_key: String },
    /// Any other item (guards, sessions, tokens, counters, ...).
    Other,
}

impl ItemKey {
    pub fn parse(pk: &str, sk: &str) -> Self {
        if let Some(id) = pk.strip_prefix(OUTBOX) {
            return if !id.is_empty() && sk == MAIL { Self::Mail { id: id.to_string() } } else { Self::Other };
        }
        // Tenant ids hold no `#`, so the tenant ends at the first one.
        let Some((tenant, rest)) = pk.strip_prefix("T#").and_then(|r| r.split_once('#')) else {
            return Self::Other;
        };
        let Some(tenant) = TenantId::parse(tenant) else {
            return Self::Other;
        };
        if let Some(id) = rest.strip_prefix("C#").filter(|id| !id.is_empty() && !id.contains('#')) {
            let customer = CustomerKey { tenant, id: id.to_string() };
            if sk == PROFILE {
                return Self::Profile(customer);
            }
            if sk == ERASURE {
                return Self::Erasure(customer);
            }
            if let Some((_, order_id)) = order_sk_parts(sk) {
                return Self::Order { order_id: order_id.to_string(), customer };
            }
            if let Some(revision) = ledger_revision(sk) {
                return Self::Ledger { customer, revision };
            }
            return Self::Other;
        }
        if let Some(email_key) = rest.strip_prefix("NEWSLETTER#").filter(|k| !k.is_empty() && sk == NEWSLETTER) {
            return Self::Newsletter { tenant, email_key: email_key.to_string() };
        }
        match rest.strip_prefix("SUPPRESSED#") {
            Some(email_key) if !email_key.is_empty() && sk == SUPPRESSED => {
                Self::Suppression { tenant, email_key: email_key.to_string() }
            }
            _ => Self::Other,
        }
    }
}

/// The tenant's import jobs, one item per job sorted by its id (a ULID).
pub fn imports(t: &TenantId) -> String {
    format!("T#{}#IMPORTS", t.as_str())
}

/// The chunks and kept row errors of one import job.
pub fn import_parts(t: &TenantId, id: &str) -> String {
    format!("T#{}#IMPORT#{id}", t.as_str())
}

/// The tenant's export jobs, one item per job sorted by its id (a ULID).
pub fn exports(t: &TenantId) -> String {
    format!("T#{}#EXPORTS", t.as_str())
}

/// Sort key prefix of an import's chunks: `CHUNK#<n>`, fixed width.
pub const IMPORT_CHUNK: &str = "CHUNK#";
/// Sort key prefix of an import's kept errors: `ERROR#<line>`, fixed width.
pub const IMPORT_ERROR: &str = "ERROR#";

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant(t: &str) -> TenantId {
        TenantId::parse(t).expect("a tenant")
    }

    #[test]
    fn every_key_written_here_parses_back_to_what_it_names() {
        let t = tenant("shop-de");
        let c = CustomerKey { tenant: t.clone(), id: "01JDQ7Z8X0C4V5B6N7M8K9J0H2".into() };
        let pk = customer(&t, &c.id);
        assert_eq!(ItemKey::parse(&pk, PROFILE), ItemKey::Profile(c.clone()));
        assert_eq!(ItemKey::parse(&pk, ERASURE), ItemKey::Erasure(c.clone()));
        let at = crate::clock::an_instant();
        assert_eq!(
            ItemKey::parse(&pk, &order_sk(at, "SO#1")),
            ItemKey::Order { customer: c.clone(), order_id: "SO#1".into() }
        );
        assert_eq!(ItemKey::parse(&pk, &ledger_sk(42)), ItemKey::Ledger { customer: c.clone(), revision: 42 });
        assert_eq!(ItemKey::parse(&outbox("01A"), MAIL), ItemKey::Mail { id: "01A".into() });
        assert_eq!(
            ItemKey::parse(&newsletter(&t, "ann#x@example.com"), NEWSLETTER),
            ItemKey::Newsletter { tenant: t.clone(), email_key: "ann#x@example.com".into() }
        );
        assert_eq!(
            ItemKey::parse(&suppression(&t, "ann@example.com"), SUPPRESSED),
            ItemKey::Suppression { tenant: t.clone(), email_key: "ann@example.com".into() }
        );
    }

    #[test]
    fn keys_of_other_items_and_malformed_keys_name_nothing() {
        let t = tenant("shop-de");
        let pk = customer(&t, "01A");
        for (pk, sk) in [
            (pk.as_str(), "SESSION#01A"),
            (pk.as_str(), STANDING),
            (pk.as_str(), "ORDER#not-a-time#SO-1"),
            (pk.as_str(), "LEDGER#12"),
            ("T#shop-de#C#", PROFILE),
            ("T#Shop#C#01A", PROFILE),
            ("T#shop-de#C#01A#x", PROFILE),
            ("T#shop-de#EMAIL#ann@example.com", GUARD),
            ("T#shop-de#NEWSLETTER#", NEWSLETTER),
            ("T#shop-de#SUPPRESSED#", SUPPRESSED),
            ("T#shop-de#SUPPRESSED#ann@example.com", NEWSLETTER),
            ("T#shop-de#BIS#sku-1", "DE#ann@example.com"),
            ("T#shop#ORDER#SO-1", GUARD),
            ("OUTBOX#", MAIL),
            ("OUTBOX#01A", "CLAIM"),
            ("T#shop#OUTBOX#1", MAIL),
        ] {
            assert_eq!(ItemKey::parse(pk, sk), ItemKey::Other, "{pk} / {sk}");
        }
    }

    #[test]
    fn a_listing_goes_on_only_from_a_position_of_its_own_kind_and_range() {
        let at = crate::clock::an_instant();
        let position = order_sk(at, "SO-1");
        assert!(is_order_position_in(&position, &OrderRange::default()));
        assert!(is_order_position_in(&position, &OrderRange::new(Some(at), Some(at), None)));
        assert!(!is_order_position_in(
            &position,
            &OrderRange::new(Some(at + chrono::Duration::seconds(1)), None, None)
        ));
        assert!(!is_order_position_in(
            &position,
            &OrderRange::new(None, Some(at - chrono::Duration::seconds(1)), None)
        ));
        assert!(!is_order_position_in(&ledger_sk(1), &OrderRange::default()));
        assert!(!is_order_position_in(&format!("{position}{}", "x".repeat(300)), &OrderRange::default()));
        assert!(is_ledger_position(&ledger_sk(7)));
        assert!(!is_ledger_position(&position) && !is_ledger_position("LEDGER#7"));
    }
}
