//! Promotions: a tenant's catalogue of offers bought with points, and which
//! of them a customer is offered now.

use super::errors::{ErrorCode, Problems, UserError};
use super::loyalty::{Standing, MAX_POINTS};
use super::values::{fingerprint, identifier, required_text, text, CountryCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const PROMOTION_ID_MAX: usize = 100;
pub const PROMOTION_NAME_MAX: usize = 200;
pub const PROMOTION_DESCRIPTION_MAX: usize = 2000;
pub const STORE_ID_MAX: usize = 100;
/// Stores or countries one promotion may name.
pub const MAX_PROMOTION_SCOPE: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Promotion {
    /// This service's id (a ULID), stable across updates.
    pub id: String,
    /// The tenant's id of the promotion.
    pub promotion_id: String,
    pub name: String,
    pub description: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    /// Empty: every store.
    #[serde(default)]
    pub store_ids: Vec<String>,
    /// Empty: every country.
    #[serde(default)]
    pub country_codes: Vec<String>,
    pub points_cost: i64,
    pub min_points_balance: i64,
    pub min_total_orders: i64,
    /// A digest of the input, to tell `NOOP` from a change.
    pub fingerprint: String,
    /// Bumped by every change: the condition of the next one.
    pub revision: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A promotion as the back office sends it, nothing checked.
#[derive(Debug, Clone, Default)]
pub struct PromotionInput {
    pub promotion_id: String,
    pub name: String,
    pub description: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub store_ids: Vec<String>,
    pub country_codes: Vec<String>,
    pub points_cost: i64,
    pub min_points_balance: i64,
    pub min_total_orders: i64,
}

/// A checked promotion input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidPromotion {
    pub promotion_id: String,
    pub name: String,
    pub description: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub store_ids: Vec<String>,
    pub country_codes: Vec<String>,
    pub points_cost: i64,
    pub min_points_balance: i64,
    pub min_total_orders: i64,
}

fn non_negative(p: &mut Problems, value: i64, field: &str) {
    if !(0..=MAX_POINTS).contains(&value) {
        p.push(UserError::new(ErrorCode::Invalid, &[field], format!("Must be 0 to {MAX_POINTS}.")));
    }
}

/// Checks a list of scope values (stores, countries): at most
/// `MAX_PROMOTION_SCOPE`, each by `check`, duplicates dropped.
fn scope(
    p: &mut Problems,
    values: Vec<String>,
    field: &str,
    check: impl Fn(&str, &[&str]) -> Result<String, UserError>,
) -> Vec<String> {
    if values.len() > MAX_PROMOTION_SCOPE {
        p.push(UserError::new(ErrorCode::LimitExceeded, &[field], format!("At most {MAX_PROMOTION_SCOPE}.")));
        return vec![];
    }
    let mut out: Vec<String> = vec![];
    for (i, v) in values.iter().enumerate() {
        if let Some(v) = p.check(check(v, &[field, &i.to_string()])) {
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    out
}

impl PromotionInput {
    /// Checks every field; errors are located relative to the input.
    pub fn validate(self) -> Result<ValidPromotion, Vec<UserError>> {
        let mut p = Problems::new();
        let promotion_id = p.check(identifier(&self.promotion_id, PROMOTION_ID_MAX, &["promotionId"]));
        let name = p.check(required_text(&self.name, PROMOTION_NAME_MAX, &["name"]));
        let description =
            p.check_opt(self.description, |d| text(&d, PROMOTION_DESCRIPTION_MAX, &["description"])).flatten();
        if let (Some(s), Some(e)) = (self.starts_at, self.ends_at) {
            if e <= s {
                p.push(UserError::new(ErrorCode::Invalid, &["endsAt"], "Must be after startsAt."));
            }
        }
        let store_ids = scope(&mut p, self.store_ids, "storeIds", |v, f| required_text(v, STORE_ID_MAX, f));
        let country_codes = scope(&mut p, self.country_codes, "countryCodes", |v, f| {
            CountryCode::parse(v, f).map(|c| c.as_str().into())
        });
        non_negative(&mut p, self.points_cost, "pointsCost");
        non_negative(&mut p, self.min_points_balance, "minPointsBalance");
        non_negative(&mut p, self.min_total_orders, "minTotalOrders");
        match (promotion_id, name, p.is_empty()) {
            (Some(promotion_id), Some(name), true) => Ok(ValidPromotion {
                promotion_id,
                name,
                description,
                starts_at: self.starts_at,
                ends_at: self.ends_at,
                store_ids,
                country_codes,
                points_cost: self.points_cost,
                min_points_balance: self.min_points_balance,
                min_total_orders: self.min_total_orders,
            }),
            _ => Err(p.into_errors()),
        }
    }
}

impl ValidPromotion {
    /// The promotion this input makes of `previous` (if any): `None` when
    /// nothing would change.
    pub fn over(
        self,
        previous: Option<&Promotion>,
        new_id: impl FnOnce() -> String,
        now: DateTime<Utc>,
    ) -> Option<Promotion> {
        let fingerprint = fingerprint(&self);
        if previous.is_some_and(|p| p.fingerprint == fingerprint) {
            return None;
        }
        Some(Promotion {
            id: previous.map_or_else(new_id, |p| p.id.clone()),
            promotion_id: self.promotion_id,
            name: self.name,
            description: self.description,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            store_ids: self.store_ids,
            country_codes: self.country_codes,
            points_cost: self.points_cost,
            min_points_balance: self.min_points_balance,
            min_total_orders: self.min_total_orders,
            fingerprint,
            revision: previous.map_or(1, |p| p.revision + 1),
            created_at: previous.map_or(now, |p| p.created_at),
            updated_at: now,
        })
    }
}

impl Promotion {
    /// Running at `now`: started (or no start) and not ended (or no end).
    pub fn active(&self, now: DateTime<Utc>) -> bool {
        self.starts_at.is_none_or(|s| s <= now) && self.ends_at.is_none_or(|e| now < e)
    }

    /// Whether a customer in `country` with `standing` is offered it now in
    /// `store` (`None`: wherever): running, offered there and in that
    /// country, thresholds met, and the balance covers its cost.
    pub fn offered_to(
        &self,
        country: Option<&CountryCode>,
        standing: &Standing,
        store: Option<&str>,
        now: DateTime<Utc>,
    ) -> bool {
        let in_store = self.store_ids.is_empty() || store.is_none_or(|s| self.store_ids.iter().any(|x| x == s));
        let in_country = self.country_codes.is_empty()
            || country.is_some_and(|c| self.country_codes.iter().any(|x| x == c.as_str()));
        self.active(now)
            && in_store
            && in_country
            && standing.points_balance >= self.min_points_balance
            && standing.total_orders >= self.min_total_orders
            && standing.points_balance >= self.points_cost
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn promotion(change: impl FnOnce(&mut PromotionInput)) -> Promotion {
        let mut input = PromotionInput { promotion_id: "P1".into(), name: "Free coffee".into(), ..Default::default() };
        change(&mut input);
        input.validate().unwrap().over(None, || "id".into(), crate::clock::an_instant()).unwrap()
    }

    fn standing(balance: i64, orders: i64) -> Standing {
        Standing { points_balance: balance, total_orders: orders, ..Default::default() }
    }

    #[test]
    fn offered_by_dates_store_country_thresholds_and_cost() {
        let now = crate::clock::an_instant();
        let de = CountryCode::parse("DE", &[]).unwrap();
        let fr = CountryCode::parse("FR", &[]).unwrap();
        let p = promotion(|i| {
            i.points_cost = 100;
            i.min_total_orders = 2;
            i.store_ids = vec!["berlin".into()];
            i.country_codes = vec!["de".into()];
            i.starts_at = Some(now - Duration::days(1));
            i.ends_at = Some(now + Duration::days(1));
        });
        assert!(p.offered_to(Some(&de), &standing(100, 2), Some("berlin"), now));
        assert!(p.offered_to(Some(&de), &standing(100, 2), None, now), "no store named: every store");
        assert!(!p.offered_to(Some(&de), &standing(99, 2), Some("berlin"), now), "cost not covered");
        assert!(!p.offered_to(Some(&de), &standing(100, 1), Some("berlin"), now), "too few orders");
        assert!(!p.offered_to(Some(&de), &standing(100, 2), Some("paris"), now), "another store");
        assert!(!p.offered_to(Some(&fr), &standing(100, 2), Some("berlin"), now), "another country");
        assert!(!p.offered_to(None, &standing(100, 2), Some("berlin"), now), "no country known");
        assert!(!p.offered_to(Some(&de), &standing(100, 2), Some("berlin"), now + Duration::days(2)), "ended");
        assert!(!p.offered_to(Some(&de), &standing(100, 2), Some("berlin"), now - Duration::days(2)), "not started");
    }

    #[test]
    fn bad_input_is_located_and_a_replay_changes_nothing() {
        let errors = PromotionInput {
            promotion_id: "".into(),
            name: " ".into(),
            starts_at: Some(crate::clock::an_instant()),
            ends_at: Some(crate::clock::an_instant() - Duration::days(1)),
            country_codes: vec!["XX".into()],
            points_cost: -1,
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        let fields: Vec<String> = errors.iter().map(|e| e.field.join(".")).collect();
        assert_eq!(fields, ["promotionId", "name", "endsAt", "countryCodes.0", "pointsCost"]);
        let p = promotion(|_| {});
        let again = PromotionInput { promotion_id: "P1".into(), name: "Free coffee".into(), ..Default::default() };
        assert_eq!(again.validate().unwrap().over(Some(&p), || "x".into(), crate::clock::an_instant()), None);
    }
}
