//! Loyalty: the customer's standing (order totals and points balance, kept
//! together so that an order and its points change in one write), the
//! append-only ledger of transactions, and the rules of earning and spending.

use super::errors::{ErrorCode, UserError};
use super::money::{CurrencyCode, Money};
use super::promotions::{Promotion, PROMOTION_ID_MAX};
use super::values::identifier;
use chrono::{DateTime, Utc};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const REASON_MAX: usize = 500;
pub const IDEMPOTENCY_KEY_MAX: usize = 200;
/// The most points one adjustment or redemption moves.
pub const MAX_POINTS: i64 = 1_000_000_000;
/// The most a points balance holds: GraphQL's `Int` (a signed 32-bit
/// integer), which strict clients read balances into.
pub const MAX_BALANCE: i64 = i32::MAX as i64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LoyaltyKind {
    /// Points and stamps an order earned.
    Earn,
    /// Points or stamps spent.
    Redeem,
    /// A correction by the back office, either way.
    Adjust,
    /// What an order earned, taken back (cancelled or returned).
    Reverse,
}

/// One entry of the ledger. `points` and `stamps` are signed: what the
/// entry did to the balance (a redemption of 100 is -100).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoyaltyTransaction {
    /// A ULID: the ledger's order.
    pub id: String,
    pub kind: LoyaltyKind,
    pub points: i64,
    pub stamps: i64,
    pub balance_after: i64,
    pub stamps_after: i64,
    pub reason: Option<String>,
    pub order_id: Option<String>,
    pub promotion_id: Option<String>,
    /// The idempotency key of the request that made it (redemptions and
    /// adjustments): erasure finds the key's receipt through it.
    #[serde(default)]
    pub idempotency_key: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// How a tenant's customers earn (tenant settings `currencyCode` and
/// `loyalty`). A tenant without them earns nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Earning {
    /// Only orders in this currency earn points.
    pub currency: CurrencyCode,
    /// Points per 1.00 of an order's total, rounded down.
    pub points_per_unit: Decimal,
    pub stamps_per_order: i64,
}

impl Earning {
    /// The points an order of `total` earns.
    pub fn points_for(&self, total: &Money) -> i64 {
        if total.currency_code != self.currency {
            return 0;
        }
        let points = total.amount.checked_mul(self.points_per_unit).map(|p| p.floor().to_i64().unwrap_or(MAX_POINTS));
        points.unwrap_or(MAX_POINTS).clamp(0, MAX_POINTS)
    }
}

/// What a customer has bought and holds: totals of the orders that count,
/// and the loyalty balance. One record, written whole under the condition
/// of its `revision`, so that concurrent orders and redemptions serialise
/// and a balance never goes below zero by a redemption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Standing {
    pub total_orders: i64,
    /// Per currency code. Never stored empty: DynamoDB Local's stream
    /// writes an empty map in a form the SDK cannot read, which would stall
    /// the local relay on that record.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub total_spent: BTreeMap<String, Decimal>,
    pub points_balance: i64,
    /// Earned by orders, net of reversals.
    pub points_earned: i64,
    pub points_redeemed: i64,
    pub stamps: i64,
    /// 0 while nothing was ever written.
    pub revision: i64,
}

impl Standing {
    /// `totalSpent` as money, one per currency.
    pub fn spent_money(&self) -> Vec<Money> {
        self.total_spent
            .iter()
            .filter_map(|(c, a)| Some(Money { amount: *a, currency_code: CurrencyCode::parse(c, &[]).ok()? }))
            .collect()
    }

    pub fn count(&mut self, total: &Money) {
        self.total_orders += 1;
        *self.total_spent.entry(total.currency_code.as_str().to_string()).or_default() += total.amount;
    }

    pub fn uncount(&mut self, total: &Money) {
        self.total_orders -= 1;
        let currency = total.currency_code.as_str();
        if let Some(spent) = self.total_spent.get_mut(currency) {
            *spent -= total.amount;
            if spent.is_zero() {
                self.total_spent.remove(currency);
            }
        }
    }

    /// Moves the balance by a transaction of `kind` and returns it (without
    /// reason or references: the caller adds those).
    pub fn apply(&mut self, kind: LoyaltyKind, points: i64, stamps: i64, now: DateTime<Utc>) -> LoyaltyTransaction {
        self.points_balance += points;
        self.stamps += stamps;
        match kind {
            LoyaltyKind::Earn | LoyaltyKind::Reverse => self.points_earned += points,
            LoyaltyKind::Redeem => self.points_redeemed -= points,
            LoyaltyKind::Adjust => {}
        }
        LoyaltyTransaction {
            id: ulid::Ulid::from_datetime(now.into()).to_string(),
            kind,
            points,
            stamps,
            balance_after: self.points_balance,
            stamps_after: self.stamps,
            reason: None,
            order_id: None,
            promotion_id: None,
            idempotency_key: None,
            created_at: now,
        }
    }
}

/// A spending or correction the back office asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum LoyaltyRequest {
    /// Spend `points` (> 0), or the cost of the promotion named, or both
    /// when they agree.
    RedeemPoints {
        points: Option<i64>,
        promotion_id: Option<String>,
    },
    RedeemStamps {
        stamps: i64,
    },
    /// Add (or with a negative number take) points.
    AdjustPoints {
        points: i64,
    },
}

impl LoyaltyRequest {
    /// The promotion a redemption names.
    pub fn promotion_id(&self) -> Option<&str> {
        match self {
            LoyaltyRequest::RedeemPoints { promotion_id, .. } => promotion_id.as_deref(),
            _ => None,
        }
    }

    /// Checks the amounts; errors are located at the operation's argument.
    pub fn validate(&self) -> Result<(), UserError> {
        let (value, name, negative_ok) = match self {
            LoyaltyRequest::RedeemPoints { points: None, promotion_id: Some(id) } => {
                return identifier(id, PROMOTION_ID_MAX, &["promotionId"]).map(|_| ()).map_err(UserError::anchored);
            }
            LoyaltyRequest::RedeemPoints { points: None, promotion_id: None } => {
                return Err(UserError::argument(
                    ErrorCode::Required,
                    "points",
                    "Give the points to spend, or a promotionId whose cost to spend.",
                ));
            }
            LoyaltyRequest::RedeemPoints { points: Some(points), .. } => (*points, "points", false),
            LoyaltyRequest::RedeemStamps { stamps } => (*stamps, "stamps", false),
            LoyaltyRequest::AdjustPoints { points } => (*points, "points", true),
        };
        let lowest = if negative_ok { -MAX_POINTS } else { 1 };
        if value == 0 || value < lowest || value > MAX_POINTS {
            let allowed = if negative_ok { "not 0" } else { "at least 1" };
            return Err(UserError::argument(
                ErrorCode::Invalid,
                name,
                format!("Must be {allowed} and within {MAX_POINTS} either way."),
            ));
        }
        Ok(())
    }

    /// The transaction this request makes on `standing` (`promotion`: the
    /// one a redemption names, as it is now), or `INSUFFICIENT_POINTS` when
    /// it would take the balance below zero (redemptions and negative
    /// adjustments alike).
    pub fn apply(
        &self,
        standing: &mut Standing,
        promotion: Option<&Promotion>,
        reason: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<LoyaltyTransaction, UserError> {
        let insufficient = |name: &str, what: &str| {
            UserError::argument(ErrorCode::InsufficientPoints, name, format!("The balance holds fewer {what}."))
        };
        let mut t = match self {
            LoyaltyRequest::RedeemPoints { points, .. } => {
                let points = match (*points, promotion.map(|p| p.points_cost)) {
                    (Some(p), Some(cost)) if p != cost => {
                        return Err(UserError::argument(
                            ErrorCode::Invalid,
                            "points",
                            format!("The promotion costs {cost} points: give that, or leave points out."),
                        ))
                    }
                    (Some(p), _) | (None, Some(p)) => p,
                    (None, None) => {
                        return Err(UserError::argument(ErrorCode::Required, "points", "Give the points to spend."))
                    }
                };
                if standing.points_balance < points {
                    return Err(insufficient("points", "points"));
                }
                standing.apply(LoyaltyKind::Redeem, -points, 0, now)
            }
            LoyaltyRequest::RedeemStamps { stamps } => {
                if standing.stamps < *stamps {
                    return Err(insufficient("stamps", "stamps"));
                }
                standing.apply(LoyaltyKind::Redeem, 0, -stamps, now)
            }
            LoyaltyRequest::AdjustPoints { points } => {
                if *points < 0 && standing.points_balance + points < 0 {
                    return Err(insufficient("points", "points"));
                }
                if standing.points_balance.saturating_add(*points) > MAX_BALANCE {
                    let message = format!("The balance would pass {MAX_BALANCE} points.");
                    return Err(UserError::argument(ErrorCode::LimitExceeded, "points", message));
                }
                standing.apply(LoyaltyKind::Adjust, *points, 0, now)
            }
        };
        t.reason = reason;
        t.promotion_id = promotion.map(|p| p.promotion_id.clone());
        standing.revision += 1;
        Ok(t)
    }
}

/// The first outcome of an idempotency key, kept so that the same request
/// again answers the same and changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoyaltyReceipt {
    pub key: String,
    pub customer_id: String,
    /// A digest of the request: the same key with another request is refused.
    pub fingerprint: String,
    pub transaction: LoyaltyTransaction,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redemptions_never_overdraw() {
        let now = crate::clock::an_instant();
        let mut s = Standing::default();
        LoyaltyRequest::AdjustPoints { points: 150 }.apply(&mut s, None, Some("welcome".into()), now).unwrap();
        let t = LoyaltyRequest::RedeemPoints { points: Some(100), promotion_id: None }
            .apply(&mut s, None, None, now)
            .unwrap();
        assert_eq!((t.kind, t.points, t.balance_after), (LoyaltyKind::Redeem, -100, 50));
        assert_eq!((s.points_redeemed, s.revision), (100, 2));
        let e = LoyaltyRequest::RedeemPoints { points: Some(51), promotion_id: None }
            .apply(&mut s, None, None, now)
            .unwrap_err();
        assert_eq!((e.code, e.field.clone()), (ErrorCode::InsufficientPoints, vec!["points".to_string()]));
        let e = LoyaltyRequest::AdjustPoints { points: -51 }.apply(&mut s, None, None, now).unwrap_err();
        assert_eq!(e.code, ErrorCode::InsufficientPoints);
        let e = LoyaltyRequest::RedeemStamps { stamps: 1 }.apply(&mut s, None, None, now).unwrap_err();
        assert_eq!(e.field, vec!["stamps"]);
        assert_eq!((s.points_balance, s.revision), (50, 2), "refusals change nothing");
    }

    #[test]
    fn amounts_are_checked() {
        assert!(LoyaltyRequest::RedeemPoints { points: Some(0), promotion_id: None }.validate().is_err());
        assert!(LoyaltyRequest::RedeemPoints { points: Some(-5), promotion_id: None }.validate().is_err());
        assert!(LoyaltyRequest::AdjustPoints { points: -5 }.validate().is_ok());
        assert!(LoyaltyRequest::AdjustPoints { points: 0 }.validate().is_err());
        assert!(LoyaltyRequest::RedeemStamps { stamps: MAX_POINTS + 1 }.validate().is_err());
    }

    #[test]
    fn points_round_down_in_the_tenant_currency_only() {
        let e = Earning {
            currency: CurrencyCode::parse("EUR", &[]).unwrap(),
            points_per_unit: Decimal::new(15, 1),
            stamps_per_order: 1,
        };
        assert_eq!(e.points_for(&Money::parse("9.99", "EUR").unwrap()), 14);
        assert_eq!(e.points_for(&Money::parse("9.99", "USD").unwrap()), 0);
    }
}
