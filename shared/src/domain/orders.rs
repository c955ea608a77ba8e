//! Orders as the order system records them here: a read model for the
//! customer's history and totals, and what each order earns in loyalty.
//! The service is not an order system: it never changes an order by itself.

use super::errors::{ErrorCode, Problems, UserError};
use super::loyalty::{Earning, LoyaltyKind, LoyaltyTransaction, Standing, MAX_BALANCE};
use super::money::Money;
use super::values::{fingerprint, identifier, required_text, text};
use chrono::{DateTime, Datelike, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

pub const ORDER_ID_MAX: usize = 100;
pub const ORDER_FIELD_MAX: usize = 100;
pub const SKU_MAX: usize = 100;
pub const ITEM_NAME_MAX: usize = 200;
pub const MAX_ORDER_ITEMS: usize = 250;
pub const MAX_QUANTITY: i64 = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderStatus {
    Placed,
    Paid,
    Shipped,
    Completed,
    Cancelled,
    Returned,
}

impl OrderStatus {
    /// Whether an order in this status counts in the totals and earns points.
    pub fn counts(self) -> bool {
        !matches!(self, OrderStatus::Cancelled | OrderStatus::Returned)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderItem {
    pub sku: String,
    pub name: Option<String>,
    pub quantity: i64,
    pub unit_price: Option<Money>,
}

/// What an order contributes to the customer's totals and loyalty now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Contribution {
    /// Counted in `totalOrders` and `totalSpent` (not cancelled or returned).
    pub counted: bool,
    pub points: i64,
    pub stamps: i64,
    /// The tenant's earning when the order was counted: a later change of
    /// the total is earned at that rate, not at whatever the rate is by then.
    #[serde(default)]
    pub earned_with: Option<Earning>,
}

/// An order as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// This service's id (a ULID), stable across updates.
    pub id: String,
    /// The order system's id, unique per tenant.
    pub order_id: String,
    pub customer_id: String,
    pub order_number: Option<String>,
    pub store_id: Option<String>,
    pub channel: Option<String>,
    pub status: OrderStatus,
    pub placed_at: DateTime<Utc>,
    pub total: Money,
    pub payment_type: Option<String>,
    pub order_type: Option<String>,
    #[serde(default)]
    pub items: Vec<OrderItem>,
    /// When the order system changed the order to this state, if it says.
    #[serde(default)]
    pub changed_at: Option<DateTime<Utc>>,
    pub contribution: Contribution,
    /// A digest of what the order system sent, to tell a replay (`NOOP`) from a change.
    pub fingerprint: String,
    /// Bumped by every recorded change: the condition of the next one.
    pub revision: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An order as the order system sends it, nothing checked.
#[derive(Debug, Clone, Default)]
pub struct OrderInput {
    pub order_id: String,
    pub status: Option<OrderStatus>,
    pub placed_at: Option<DateTime<Utc>>,
    /// When the order system changed the order to this state: an input
    /// older than what was recorded is stale and changes nothing.
    pub changed_at: Option<DateTime<Utc>>,
    pub total_amount: String,
    pub total_currency: String,
    pub order_number: Option<String>,
    pub store_id: Option<String>,
    pub channel: Option<String>,
    pub payment_type: Option<String>,
    pub order_type: Option<String>,
    pub items: Vec<OrderItemInput>,
}

#[derive(Debug, Clone, Default)]
pub struct OrderItemInput {
    pub sku: String,
    pub name: Option<String>,
    pub quantity: i64,
    /// Amount and currency.
    pub unit_price: Option<(String, String)>,
}

/// A checked order input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidOrder {
    pub order_id: String,
    pub status: OrderStatus,
    pub placed_at: DateTime<Utc>,
    pub total: Money,
    pub order_number: Option<String>,
    pub store_id: Option<String>,
    pub channel: Option<String>,
    pub payment_type: Option<String>,
    pub order_type: Option<String>,
    pub items: Vec<OrderItem>,
    pub changed_at: Option<DateTime<Utc>>,
}

fn located(errors: Vec<UserError>, prefix: &[&str]) -> Vec<UserError> {
    errors.into_iter().map(|e| e.under(prefix)).collect()
}

impl OrderInput {
    /// Checks every field; errors are located relative to the input.
    pub fn validate(self) -> Result<ValidOrder, Vec<UserError>> {
        let mut p = Problems::new();
        let order_id = p.check(identifier(&self.order_id, ORDER_ID_MAX, &["orderId"]));
        let opt = |p: &mut Problems, v: Option<String>, f: &str| {
            p.check_opt(v, |s| text(&s, ORDER_FIELD_MAX, &[f])).flatten()
        };
        let order_number = opt(&mut p, self.order_number, "orderNumber");
        let store_id = opt(&mut p, self.store_id, "storeId");
        let channel = opt(&mut p, self.channel, "channel");
        let payment_type = opt(&mut p, self.payment_type, "paymentType");
        let order_type = opt(&mut p, self.order_type, "orderType");
        let total = match Money::parse(&self.total_amount, &self.total_currency) {
            Ok(m) => Some(m),
            Err(errors) => {
                p.extend(located(errors, &["total"]));
                None
            }
        };
        let items = validate_items(self.items, &mut p);
        if self.status.is_none() {
            p.push(UserError::new(ErrorCode::Required, &["status"], "The order's status is required."));
        }
        match self.placed_at {
            None => {
                p.push(UserError::new(ErrorCode::Required, &["placedAt"], "When the order was placed is required."))
            }
            // An order's place in its history is its time as RFC 3339 text,
            // which sorts (and reads back) only with a four-digit year.
            Some(at) if !(0..=9999).contains(&at.year()) => {
                p.push(UserError::new(ErrorCode::Invalid, &["placedAt"], "The year must be 0000 to 9999."))
            }
            Some(_) => {}
        }
        match (order_id, total, self.status, self.placed_at, p.is_empty()) {
            (Some(order_id), Some(total), Some(status), Some(placed_at), true) => Ok(ValidOrder {
                order_id,
                status,
                // Milliseconds, as the history's sort key keeps it.
                placed_at: placed_at.trunc_subsecs(3),
                changed_at: self.changed_at,
                total,
                order_number,
                store_id,
                channel,
                payment_type,
                order_type,
                items,
            }),
            _ => Err(p.into_errors()),
        }
    }
}

/// Checks the items of an order or contract (at most `MAX_ORDER_ITEMS`);
/// errors are located at `items.<i>`.
pub fn validate_items(input: Vec<OrderItemInput>, p: &mut Problems) -> Vec<OrderItem> {
    if input.len() > MAX_ORDER_ITEMS {
        p.push(UserError::new(ErrorCode::LimitExceeded, &["items"], format!("At most {MAX_ORDER_ITEMS} items.")));
    }
    let mut items = Vec::with_capacity(input.len().min(MAX_ORDER_ITEMS));
    for (i, item) in input.into_iter().take(MAX_ORDER_ITEMS).enumerate() {
        match item.validate() {
            Ok(item) => items.push(item),
            Err(errors) => p.extend(located(errors, &["items", &i.to_string()])),
        }
    }
    items
}

impl OrderItemInput {
    fn validate(self) -> Result<OrderItem, Vec<UserError>> {
        let mut p = Problems::new();
        let sku = p.check(required_text(&self.sku, SKU_MAX, &["sku"]));
        let name = p.check_opt(self.name, |n| text(&n, ITEM_NAME_MAX, &["name"])).flatten();
        if !(1..=MAX_QUANTITY).contains(&self.quantity) {
            p.push(UserError::new(ErrorCode::Invalid, &["quantity"], format!("Quantity must be 1 to {MAX_QUANTITY}.")));
        }
        let unit_price = match self.unit_price.map(|(a, c)| Money::parse(&a, &c)) {
            None => None,
            Some(Ok(m)) => Some(m),
            Some(Err(errors)) => {
                p.extend(located(errors, &["unitPrice"]));
                None
            }
        };
        match (sku, p.is_empty()) {
            (Some(sku), true) => Ok(OrderItem { sku, name, quantity: self.quantity, unit_price }),
            _ => Err(p.into_errors()),
        }
    }
}

impl ValidOrder {
    /// A digest of everything the order system sent: equal digests are a replay.
    pub fn fingerprint(&self) -> String {
        fingerprint(self)
    }
}

/// What recording an order does.
#[derive(Debug, Clone, PartialEq)]
pub enum Recording {
    /// The same order was recorded already: nothing changes.
    Noop,
    /// The order is new or changed: write what `OrderChange` holds.
    Write(Box<OrderChange>),
}

/// A new or changed order, the customer's new standing, and the loyalty
/// transaction the order's points moved by, if they did.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderChange {
    pub order: Order,
    pub standing: Standing,
    pub transaction: Option<LoyaltyTransaction>,
    pub created: bool,
}

/// Records `input` for `customer_id` over what is stored (`previous`, the
/// customer's `standing`): a new order counts and earns; a changed one moves
/// the totals and points by the difference, so a replay never counts twice
/// and a cancellation or return takes back exactly what the order added.
/// Points are computed once per (counted, total): a later change of the
/// tenant's earning rate never rewrites an order's past points.
pub fn record(
    input: ValidOrder,
    customer_id: &str,
    previous: Option<&Order>,
    standing: &Standing,
    earning: Option<&Earning>,
    new_id: impl FnOnce() -> String,
    now: DateTime<Utc>,
) -> Recording {
    let fingerprint = input.fingerprint();
    if previous.is_some_and(|p| p.fingerprint == fingerprint) {
        return Recording::Noop;
    }
    // A message the order system sent before the one recorded, delivered late.
    let stale = |p: &Order| matches!((p.changed_at, input.changed_at), (Some(was), Some(is)) if is < was);
    if previous.is_some_and(stale) {
        return Recording::Noop;
    }
    let counted = input.status.counts();
    let empty = Contribution::default();
    let before = previous.map_or(&empty, |p| &p.contribution);
    // The balance stays within GraphQL's `Int` (`MAX_BALANCE`): a newly
    // worked out earning is at most what fits; what it could not add is not
    // kept, so a reversal later gives back only what was earned.
    let room = (MAX_BALANCE - (standing.points_balance - before.points)).max(0);
    let fit = |points: i64| points.min(room);
    let contribution = match previous {
        Some(p) if p.contribution.counted == counted && p.total == input.total => p.contribution.clone(),
        // Still counted with another total: the same earning, by the new total.
        Some(p) if p.contribution.counted && counted => Contribution {
            points: fit(p.contribution.earned_with.as_ref().or(earning).map_or(0, |e| e.points_for(&input.total))),
            ..p.contribution.clone()
        },
        _ if counted => Contribution {
            counted,
            points: fit(earning.map_or(0, |e| e.points_for(&input.total))),
            stamps: earning.map_or(0, |e| e.stamps_per_order),
            earned_with: earning.cloned(),
        },
        _ => Contribution::default(),
    };
    let mut standing = standing.clone();
    if before.counted {
        standing.uncount(&previous.expect("a counted order was stored").total);
    }
    if contribution.counted {
        standing.count(&input.total);
    }
    let (points, stamps) = (contribution.points - before.points, contribution.stamps - before.stamps);
    let transaction = (points != 0 || stamps != 0).then(|| {
        let kind = if points > 0 || (points == 0 && stamps > 0) { LoyaltyKind::Earn } else { LoyaltyKind::Reverse };
        let mut t = standing.apply(kind, points, stamps, now);
        t.order_id = Some(input.order_id.clone());
        t
    });
    standing.revision += 1;
    let order = Order {
        id: previous.map_or_else(new_id, |p| p.id.clone()),
        order_id: input.order_id,
        customer_id: customer_id.to_string(),
        order_number: input.order_number,
        store_id: input.store_id,
        channel: input.channel,
        status: input.status,
        placed_at: input.placed_at,
        total: input.total,
        payment_type: input.payment_type,
        order_type: input.order_type,
        items: input.items,
        // The latest state the order system reported: a record without
        // `changedAt` never makes an older one look new again.
        changed_at: input.changed_at.max(previous.and_then(|p| p.changed_at)),
        contribution,
        fingerprint,
        revision: previous.map_or(1, |p| p.revision + 1),
        created_at: previous.map_or(now, |p| p.created_at),
        updated_at: now,
    };
    Recording::Write(Box::new(OrderChange { order, standing, transaction, created: previous.is_none() }))
}

/// Which of a customer's orders a listing wants (`placedAt` bounds inclusive).
#[derive(Debug, Clone, Default)]
pub struct OrderRange {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub store_id: Option<String>,
}

impl OrderRange {
    /// The range between `from` and `to`, in the store `store_id` if one is
    /// named (blank names none).
    pub fn new(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>, store_id: Option<String>) -> Self {
        Self { from, to, store_id: store_id.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn input(status: OrderStatus, amount: &str) -> ValidOrder {
        OrderInput {
            order_id: "A-1".into(),
            status: Some(status),
            placed_at: Some(DateTime::parse_from_rfc3339("2026-11-01T10:00:00Z").unwrap().into()),
            total_amount: amount.into(),
            total_currency: "EUR".into(),
            ..Default::default()
        }
        .validate()
        .unwrap()
    }

    fn earning() -> Earning {
        Earning {
            currency: crate::domain::CurrencyCode::parse("EUR", &[]).unwrap(),
            points_per_unit: Decimal::ONE,
            stamps_per_order: 1,
        }
    }

    fn write(r: Recording) -> (Order, Standing, Option<LoyaltyTransaction>) {
        match r {
            Recording::Write(c) => (c.order, c.standing, c.transaction),
            Recording::Noop => panic!("expected a write"),
        }
    }

    #[test]
    fn earn_replay_cancel_and_reinstate() {
        let now = crate::clock::an_instant();
        let e = earning();
        let (order, standing, t) = write(record(
            input(OrderStatus::Placed, "120.50"),
            "c",
            None,
            &Standing::default(),
            Some(&e),
            || "id".into(),
            now,
        ));
        let t = t.unwrap();
        assert_eq!((t.kind, t.points, t.stamps, t.balance_after), (LoyaltyKind::Earn, 120, 1, 120));
        assert_eq!((standing.total_orders, standing.points_balance, standing.stamps), (1, 120, 1));
        assert_eq!(standing.total_spent.get("EUR").copied(), Some(Decimal::new(12050, 2)));

        let replay =
            record(input(OrderStatus::Placed, "120.50"), "c", Some(&order), &standing, Some(&e), || "x".into(), now);
        assert_eq!(replay, Recording::Noop);

        // Shipped: a change, but nothing to count again.
        let (order, standing, t) = write(record(
            input(OrderStatus::Shipped, "120.50"),
            "c",
            Some(&order),
            &standing,
            Some(&e),
            || "x".into(),
            now,
        ));
        assert!(t.is_none());
        assert_eq!((order.id.as_str(), order.revision, standing.points_balance), ("id", 2, 120));

        let (order, standing, t) = write(record(
            input(OrderStatus::Cancelled, "120.50"),
            "c",
            Some(&order),
            &standing,
            Some(&e),
            || "x".into(),
            now,
        ));
        let t = t.unwrap();
        assert_eq!((t.kind, t.points, t.stamps, t.balance_after), (LoyaltyKind::Reverse, -120, -1, 0));
        assert_eq!((standing.total_orders, standing.points_balance, standing.stamps), (0, 0, 0));
        assert_eq!(standing.total_spent.get("EUR").copied(), None);
        assert_eq!(order.contribution, Contribution::default());

        // Cancelled again (another field changed): nothing more is taken back.
        let mut again = input(OrderStatus::Cancelled, "120.50");
        again.channel = Some("web".into());
        let (_, standing, t) = write(record(again, "c", Some(&order), &standing, Some(&e), || "x".into(), now));
        assert!(t.is_none());
        assert_eq!(standing.points_balance, 0);
    }

    #[test]
    fn an_order_earns_at_most_what_keeps_the_balance_within_an_int_and_gives_back_only_that() {
        let now = crate::clock::an_instant();
        let near = Standing { points_balance: MAX_BALANCE - 10, ..Standing::default() };
        let e = earning();
        let (order, standing, t) =
            write(record(input(OrderStatus::Paid, "100.00"), "c", None, &near, Some(&e), || "id".into(), now));
        assert_eq!((t.unwrap().points, standing.points_balance), (10, MAX_BALANCE));
        assert_eq!(order.contribution.points, 10);
        let (_, standing, t) = write(record(
            input(OrderStatus::Cancelled, "100.00"),
            "c",
            Some(&order),
            &standing,
            Some(&e),
            || "x".into(),
            now,
        ));
        assert_eq!((t.unwrap().points, standing.points_balance), (-10, MAX_BALANCE - 10));
        let full = Standing { points_balance: MAX_BALANCE, ..Standing::default() };
        let (order, standing, t) =
            write(record(input(OrderStatus::Paid, "100.00"), "c", None, &full, Some(&e), || "id".into(), now));
        assert_eq!((order.contribution.points, standing.points_balance), (0, MAX_BALANCE));
        assert_eq!(t.map(|t| (t.points, t.stamps)), Some((0, 1)), "the stamp still counts");
    }

    #[test]
    fn other_currencies_count_but_earn_no_points() {
        let mut usd = input(OrderStatus::Paid, "99.99");
        usd.total = Money::parse("99.99", "USD").unwrap();
        let (order, standing, _) = write(record(
            usd,
            "c",
            None,
            &Standing::default(),
            Some(&earning()),
            || "id".into(),
            crate::clock::an_instant(),
        ));
        assert_eq!((order.contribution.points, order.contribution.stamps), (0, 1));
        assert_eq!(standing.total_spent.get("USD").copied(), Some(Decimal::new(9999, 2)));
    }

    #[test]
    fn bad_input_is_located() {
        let errors = OrderInput {
            order_id: "has space".into(),
            total_amount: "-1".into(),
            total_currency: "EUR".into(),
            items: vec![OrderItemInput { sku: "".into(), quantity: 0, ..Default::default() }],
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        let fields: Vec<String> = errors.iter().map(|e| e.field.join(".")).collect();
        assert_eq!(fields, ["orderId", "total.amount", "items.0.sku", "items.0.quantity", "status", "placedAt"]);
    }

    #[test]
    fn a_placement_outside_four_digit_years_is_invalid() {
        let at = |t: &str| DateTime::parse_from_rfc3339(t).map(|t| t.with_timezone(&Utc)).ok();
        let far =
            chrono::NaiveDate::from_ymd_opt(10_000, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc());
        for placed_at in [far, at("0000-01-01T00:00:00Z").map(|t| t - chrono::Duration::days(1))] {
            let order = OrderInput {
                order_id: "A-1".into(),
                status: Some(OrderStatus::Completed),
                placed_at,
                total_amount: "1".into(),
                total_currency: "EUR".into(),
                ..Default::default()
            };
            let errors = order.validate().unwrap_err();
            assert_eq!((errors[0].code, errors[0].field.clone()), (ErrorCode::Invalid, vec!["placedAt".to_string()]));
        }
        let edge = OrderInput { placed_at: at("9999-12-31T23:59:59Z"), ..Default::default() };
        assert!(edge.validate().is_err_and(|e| e.iter().all(|e| e.field != ["placedAt"])), "9999 is fine");
    }
}
