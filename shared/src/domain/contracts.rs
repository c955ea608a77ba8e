//! Subscription contracts (recurring orders) as the order system records
//! them: read by the customer and the back office, never changed here.

use super::errors::{ErrorCode, Problems, UserError};
use super::money::Money;
use super::orders::{validate_items, OrderItem, OrderItemInput, ORDER_FIELD_MAX};
use super::values::{fingerprint, identifier, text};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const CONTRACT_ID_MAX: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ContractStatus {
    Active,
    Paused,
    Cancelled,
    Expired,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionContract {
    /// This service's id (a ULID), stable across updates.
    pub id: String,
    /// The order system's id, unique per tenant.
    pub contract_id: String,
    pub customer_id: String,
    pub status: ContractStatus,
    /// As the order system words it (`P1M`, `monthly`).
    pub interval: Option<String>,
    pub next_order_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub items: Vec<OrderItem>,
    pub price: Option<Money>,
    pub fingerprint: String,
    pub revision: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A contract as the order system sends it, nothing checked.
#[derive(Debug, Clone, Default)]
pub struct ContractInput {
    pub contract_id: String,
    pub status: Option<ContractStatus>,
    pub interval: Option<String>,
    pub next_order_at: Option<DateTime<Utc>>,
    pub items: Vec<OrderItemInput>,
    /// Amount and currency.
    pub price: Option<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidContract {
    pub contract_id: String,
    pub status: ContractStatus,
    pub interval: Option<String>,
    pub next_order_at: Option<DateTime<Utc>>,
    pub items: Vec<OrderItem>,
    pub price: Option<Money>,
}

impl ContractInput {
    /// Checks every field; errors are located relative to the input.
    pub fn validate(self) -> Result<ValidContract, Vec<UserError>> {
        let mut p = Problems::new();
        let contract_id = p.check(identifier(&self.contract_id, CONTRACT_ID_MAX, &["contractId"]));
        let interval = p.check_opt(self.interval, |i| text(&i, ORDER_FIELD_MAX, &["interval"])).flatten();
        let items = validate_items(self.items, &mut p);
        let price = match self.price.map(|(a, c)| Money::parse(&a, &c)) {
            None => None,
            Some(Ok(m)) => Some(m),
            Some(Err(errors)) => {
                p.extend(errors.into_iter().map(|e| e.under(&["price"])));
                None
            }
        };
        if self.status.is_none() {
            p.push(UserError::new(ErrorCode::Required, &["status"], "The contract's status is required."));
        }
        match (contract_id, self.status, p.is_empty()) {
            (Some(contract_id), Some(status), true) => {
                Ok(ValidContract { contract_id, status, interval, next_order_at: self.next_order_at, items, price })
            }
            _ => Err(p.into_errors()),
        }
    }
}

impl ValidContract {
    /// The contract this input makes of `previous` for `customer_id`:
    /// `None` when nothing would change.
    pub fn over(
        self,
        customer_id: &str,
        previous: Option<&SubscriptionContract>,
        new_id: impl FnOnce() -> String,
        now: DateTime<Utc>,
    ) -> Option<SubscriptionContract> {
        let fingerprint = fingerprint(&self);
        if previous.is_some_and(|p| p.fingerprint == fingerprint) {
            return None;
        }
        Some(SubscriptionContract {
            id: previous.map_or_else(new_id, |p| p.id.clone()),
            contract_id: self.contract_id,
            customer_id: customer_id.to_string(),
            status: self.status,
            interval: self.interval,
            next_order_at: self.next_order_at,
            items: self.items,
            price: self.price,
            fingerprint,
            revision: previous.map_or(1, |p| p.revision + 1),
            created_at: previous.map_or(now, |p| p.created_at),
            updated_at: now,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contract_is_checked_and_a_replay_changes_nothing() {
        let input = || ContractInput {
            contract_id: "SUB-1".into(),
            status: Some(ContractStatus::Active),
            interval: Some("P1M".into()),
            price: Some(("19.90".into(), "EUR".into())),
            ..Default::default()
        };
        let c = input().validate().unwrap().over("C1", None, || "id".into(), crate::clock::an_instant()).unwrap();
        assert_eq!((c.revision, c.price.as_ref().map(|p| p.display_amount())), (1, Some("19.90".into())));
        assert_eq!(input().validate().unwrap().over("C1", Some(&c), || "x".into(), crate::clock::an_instant()), None);
        let paused = ContractInput { status: Some(ContractStatus::Paused), ..input() };
        let p = paused.validate().unwrap().over("C1", Some(&c), || "x".into(), crate::clock::an_instant()).unwrap();
        assert_eq!((p.id.as_str(), p.revision), ("id", 2));
        let errors =
            ContractInput { price: Some(("x".into(), "EUR".into())), ..Default::default() }.validate().unwrap_err();
        let fields: Vec<String> = errors.iter().map(|e| e.field.join(".")).collect();
        assert_eq!(fields, ["contractId", "price.amount", "status"]);
    }
}
