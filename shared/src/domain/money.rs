//! Money: a decimal amount in an ISO 4217 currency, never a float.

use super::errors::{ErrorCode, UserError};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Digits after the point an amount may have (the most any currency uses is 3).
pub const MAX_SCALE: u32 = 4;
/// The largest amount accepted: no order system sends more, and sums of
/// thousands of them stay far inside a decimal's range.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000;

/// An ISO 4217 currency code, upper case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CurrencyCode(String);

impl CurrencyCode {
    pub fn parse(raw: &str, field: &[&str]) -> Result<Self, UserError> {
        let code = raw.trim().to_ascii_uppercase();
        match iso_currency::Currency::from_code(&code) {
            Some(_) => Ok(Self(code)),
            None => Err(UserError::new(ErrorCode::Invalid, field, "Currency must be an ISO 4217 code, e.g. EUR.")),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Digits after the point the currency is written with (2 for EUR, 0 for JPY).
    pub fn minor_units(&self) -> u32 {
        iso_currency::Currency::from_code(&self.0).and_then(|c| c.exponent()).map(u32::from).unwrap_or(2)
    }
}

/// An amount of money.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Money {
    /// Stored as its decimal string (serde of `rust_decimal`): exact.
    pub amount: Decimal,
    pub currency_code: CurrencyCode,
}

impl Money {
    /// Checks a client's amount (a decimal string, not negative, at most
    /// `MAX_SCALE` digits after the point) and currency; errors are located
    /// at `amount` and `currencyCode`.
    pub fn parse(amount: &str, currency: &str) -> Result<Self, Vec<UserError>> {
        let mut errors = vec![];
        let amount = match parse_amount(amount) {
            Ok(a) => Some(a),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let currency = match CurrencyCode::parse(currency, &["currencyCode"]) {
            Ok(c) => Some(c),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        match (amount, currency) {
            (Some(amount), Some(currency_code)) => Ok(Self { amount, currency_code }),
            _ => Err(errors),
        }
    }

    /// The amount as clients see it: at least the currency's minor units
    /// (`241` EUR is `"241.00"`), more when the amount has more.
    pub fn display_amount(&self) -> String {
        display(self.amount, &self.currency_code)
    }
}

/// `amount` written with at least `currency`'s minor units.
pub fn display(amount: Decimal, currency: &CurrencyCode) -> String {
    let mut a = amount.normalize();
    let scale = a.scale().max(currency.minor_units());
    a.rescale(scale);
    a.to_string()
}

fn parse_amount(raw: &str) -> Result<Decimal, UserError> {
    let field = &["amount"];
    let raw = raw.trim();
    // Plain decimal notation only: no exponent, no sign but a minus (refused below).
    let plain = !raw.is_empty() && raw.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-');
    let amount = plain.then(|| Decimal::from_str(raw).ok()).flatten().ok_or_else(|| {
        UserError::new(ErrorCode::Invalid, field, "Amount must be a decimal number written like \"123.45\".")
    })?;
    if amount.is_sign_negative() && !amount.is_zero() {
        return Err(UserError::new(ErrorCode::Invalid, field, "Amount must not be negative."));
    }
    if amount.scale() > MAX_SCALE {
        return Err(UserError::new(ErrorCode::Invalid, field, format!("At most {MAX_SCALE} digits after the point.")));
    }
    if amount > Decimal::from(MAX_AMOUNT) {
        return Err(UserError::new(ErrorCode::Invalid, field, format!("Amount must be at most {MAX_AMOUNT}.")));
    }
    Ok(amount.abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_exact_decimals_with_currency_scale() {
        let m = Money::parse(" 120.50 ", "eur").unwrap();
        assert_eq!(m.currency_code.as_str(), "EUR");
        assert_eq!(m.display_amount(), "120.50");
        let sum = m.amount + Money::parse("0.1", "EUR").unwrap().amount + Money::parse("0.2", "EUR").unwrap().amount;
        assert_eq!(display(sum, &m.currency_code), "120.80");
        assert_eq!(Money::parse("1500", "JPY").unwrap().display_amount(), "1500");
        assert_eq!(Money::parse("1.2345", "EUR").unwrap().display_amount(), "1.2345");
    }

    #[test]
    fn bad_money_is_refused_at_its_field() {
        for bad in ["abc", "-5", "1e3", "", "1.23456", "+1", "1,5", "10000000000000"] {
            let errors = Money::parse(bad, "EUR").unwrap_err();
            assert_eq!(errors[0].field, vec!["amount"], "{bad}");
        }
        let errors = Money::parse("x", "EURO").unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.join(".")).collect();
        assert_eq!(fields, ["amount", "currencyCode"]);
        assert!(CurrencyCode::parse("XYZ", &["c"]).is_err());
    }
}
