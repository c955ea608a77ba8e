//! `Money`: an amount in a currency, as orders, contracts and totals show it.

use crate::domain;
use async_graphql::SimpleObject;

/// An amount of money.
#[derive(SimpleObject, Clone)]
#[graphql(name = "Money")]
pub struct MoneyObject {
    /// A decimal written with at least the currency's minor units, e.g. `"120.50"`; never a float.
    pub amount: String,
    /// ISO 4217, e.g. `EUR`.
    pub currency_code: String,
}

impl From<&domain::Money> for MoneyObject {
    fn from(m: &domain::Money) -> Self {
        Self { amount: m.display_amount(), currency_code: m.currency_code.as_str().to_string() }
    }
}
