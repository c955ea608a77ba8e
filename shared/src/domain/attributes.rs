//! Customer attributes and who owns them. A tenant may define its attribute
//! keys (`TENANTS.<id>.attributes`): each has a type its values must fit,
//! an owner (`CUSTOMER` keys are the storefront's, `BACK_OFFICE` keys the
//! back office's) and a visibility to the customer. Keys it does not define
//! are either `ALLOW`ed (a `STRING` the customer writes: the behaviour of a
//! tenant that defines nothing) or `REJECT`ed.
//!
//! The storefront's list replaces only the customer's own entries: a
//! customer can neither set a back-office key (a loyalty tier downstream
//! systems trust) nor remove one by sending a shorter list.

use super::customer::{Attribute, KEY_MAX, MAX_ATTRIBUTES, VALUE_MAX};
use super::errors::{ErrorCode, Problems, UserError};
use super::values::{required_text, text};
use chrono::NaiveDate;
use serde::Deserialize;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AttributeType {
    String,
    /// A whole number (64 bits), stored in its canonical form (`7`, `-12`).
    Int,
    /// A decimal number (`12.50`), kept with its scale.
    Decimal,
    /// `true` or `false` (any case), stored in lower case.
    Boolean,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// One of the definition's `values`, exactly.
    Enum,
}

/// Who writes an attribute key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Writer {
    /// The storefront (`registerCustomer`, the account's `updateCustomer`);
    /// the default, as the narrower.
    #[default]
    Customer,
    /// The back office (admin API keys), which writes every key.
    BackOffice,
}

/// What a tenant does with keys it has not defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UndefinedAttributes {
    /// A `STRING` the customer writes.
    #[default]
    Allow,
    /// `INVALID` for every writer.
    Reject,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AttributeDefinition {
    pub key: String,
    #[serde(rename = "type")]
    pub kind: AttributeType,
    /// The allowed values of an `ENUM`; empty for every other type.
    #[serde(default)]
    pub values: Vec<String>,
    pub writable_by: Writer,
    /// `false`: the storefront's `Customer.attributes` omits the key.
    #[serde(default = "visible")]
    pub visible_to_customer: bool,
}

fn visible() -> bool {
    true
}

/// A tenant's attribute definitions, as its settings hold them
/// (`attributes`, `undefinedAttributes`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct AttributeRules {
    #[serde(rename = "attributes", default)]
    pub definitions: Vec<AttributeDefinition>,
    #[serde(rename = "undefinedAttributes", default)]
    pub undefined: UndefinedAttributes,
}

/// The rules of a tenant that defines nothing: every key a customer's `STRING`.
pub static OPEN_ATTRIBUTES: AttributeRules =
    AttributeRules { definitions: Vec::new(), undefined: UndefinedAttributes::Allow };

impl AttributeRules {
    /// Checks the definitions themselves (read from the configuration at
    /// start-up): valid, unique keys; values for an `ENUM` and for nothing else.
    pub fn check(&self) -> Result<(), String> {
        for (i, d) in self.definitions.iter().enumerate() {
            key(&d.key, &[]).map_err(|e| format!("attributes[{i}].key {:?}: {}", d.key, e.message))?;
            if self.definitions[..i].iter().any(|o| o.key == d.key) {
                return Err(format!("attributes[{i}].key {:?} is defined twice", d.key));
            }
            match d.kind {
                AttributeType::Enum if d.values.is_empty() => {
                    return Err(format!("attributes[{i}] ({}): an ENUM needs values", d.key))
                }
                AttributeType::Enum => {
                    if let Some(v) = d.values.iter().find(|v| v.is_empty() || v.chars().count() > VALUE_MAX) {
                        return Err(format!("attributes[{i}] ({}): bad value {v:?}", d.key));
                    }
                }
                _ if !d.values.is_empty() => {
                    return Err(format!("attributes[{i}] ({}): only an ENUM has values", d.key))
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn definition(&self, key: &str) -> Option<&AttributeDefinition> {
        self.definitions.iter().find(|d| d.key == key)
    }

    /// Whether the storefront writes `key`: a `CUSTOMER` key, or an undefined
    /// one while the tenant allows those.
    pub fn customer_writes(&self, key: &str) -> bool {
        match self.definition(key) {
            Some(d) => d.writable_by == Writer::Customer,
            None => self.undefined == UndefinedAttributes::Allow,
        }
    }

    /// Whether the storefront shows `key` to the customer.
    pub fn visible_to_customer(&self, key: &str) -> bool {
        self.definition(key).is_none_or(|d| d.visible_to_customer)
    }

    /// The entries of `list` the customer may see, in order.
    pub fn visible<'a>(&self, list: &'a [Attribute]) -> impl Iterator<Item = &'a Attribute> + use<'a, '_> {
        list.iter().filter(|a| self.visible_to_customer(&a.key))
    }

    /// Validates a list `writer` sends (`key`, `value`), each value against
    /// its key's type (stored in canonical form); `path` locates the list.
    /// The storefront sends at most `MAX_ATTRIBUTES` entries and 16 KiB, the
    /// back office (whose list holds the customer's entries too) twice the
    /// entries and 64 KiB: together they stay far below DynamoDB's 400 KB
    /// item, so no list can make a later write of the customer fail.
    pub fn validate(
        &self,
        input: Vec<(String, String)>,
        writer: Writer,
        path: &str,
        p: &mut Problems,
    ) -> Vec<Attribute> {
        let (max, max_bytes) = match writer {
            Writer::Customer => (MAX_ATTRIBUTES, 16 * 1024),
            Writer::BackOffice => (2 * MAX_ATTRIBUTES, 64 * 1024),
        };
        if input.len() > max {
            p.push(UserError::new(ErrorCode::LimitExceeded, &[path], format!("At most {max} attributes.")));
            return vec![];
        }
        let bytes: usize = input.iter().map(|(k, v)| k.len() + v.len()).sum();
        if bytes > max_bytes {
            let message = format!("At most {} KiB of keys and values together.", max_bytes / 1024);
            p.push(UserError::new(ErrorCode::LimitExceeded, &[path], message));
            return vec![];
        }
        let mut out: Vec<Attribute> = Vec::with_capacity(input.len());
        for (i, (k, v)) in input.into_iter().enumerate() {
            let idx = i.to_string();
            let key_path = [path, &idx, "key"];
            let Some(k) = p.check(key(&k, &key_path)) else { continue };
            let definition = self.definition(&k);
            let writable = match (definition, writer) {
                (None, _) => self.undefined == UndefinedAttributes::Allow,
                (Some(_), Writer::BackOffice) => true,
                (Some(d), Writer::Customer) => d.writable_by == Writer::Customer,
            };
            if !writable {
                // One message for a back-office key and an unknown one under
                // `REJECT`. (Under `ALLOW` an unknown key is accepted, so the
                // difference tells a back-office key's name, not its value.)
                p.push(UserError::new(ErrorCode::Invalid, &key_path, "This attribute cannot be set here."));
                continue;
            }
            let kind = definition.map_or(AttributeType::String, |d| d.kind);
            let values = definition.map_or(&[][..], |d| d.values.as_slice());
            let Some(v) = p.check(typed(&v, kind, values, &[path, &idx, "value"])) else { continue };
            if out.iter().any(|a| a.key == k) {
                p.push(UserError::new(ErrorCode::Invalid, &key_path, "Duplicate key."));
            } else {
                out.push(Attribute { key: k, value: v });
            }
        }
        out
    }

    /// The customer's attributes after `writer` sent `new` (validated): the
    /// back office replaces the whole list; the storefront replaces only the
    /// entries it writes and sees (a hidden key of its own it cannot send
    /// back, so leaving it out removes nothing), and the others stay (in
    /// their order, first).
    pub fn merge(&self, writer: Writer, current: &[Attribute], new: Vec<Attribute>) -> Vec<Attribute> {
        match writer {
            Writer::BackOffice => new,
            Writer::Customer => {
                let stays = |a: &&Attribute| {
                    !self.customer_writes(&a.key)
                        || (!self.visible_to_customer(&a.key) && !new.iter().any(|n| n.key == a.key))
                };
                let kept: Vec<Attribute> = current.iter().filter(stays).cloned().collect();
                kept.into_iter().chain(new).collect()
            }
        }
    }
}

/// Keys of consents and attributes: short, machine-friendly, unique in a list.
pub(super) fn key(raw: &str, field: &[&str]) -> Result<String, UserError> {
    let k = required_text(raw, KEY_MAX, field)?;
    if k.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':')) {
        Ok(k)
    } else {
        Err(UserError::new(ErrorCode::Invalid, field, "Keys may hold letters, digits and _ - . : only."))
    }
}

/// `raw` as a value of `kind`, in canonical form.
fn typed(raw: &str, kind: AttributeType, values: &[String], field: &[&str]) -> Result<String, UserError> {
    let bad = |what: &str| UserError::new(ErrorCode::Invalid, field, format!("The value must be {what}."));
    if kind == AttributeType::String {
        return text(raw, VALUE_MAX, field).map(Option::unwrap_or_default);
    }
    let v = raw.trim();
    match kind {
        AttributeType::String => unreachable!("handled above"),
        AttributeType::Int => v.parse::<i64>().map(|n| n.to_string()).map_err(|_| bad("a whole number")),
        AttributeType::Decimal => {
            // Plain digits only: `1e9` or `0x1f` are no prices.
            let plain = !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+'));
            rust_decimal::Decimal::from_str(v)
                .ok()
                .filter(|_| plain)
                .map(|d| d.to_string())
                .ok_or_else(|| bad("a decimal number such as 12.50"))
        }
        AttributeType::Boolean => match v.to_ascii_lowercase().as_str() {
            b @ ("true" | "false") => Ok(b.to_string()),
            _ => Err(bad("true or false")),
        },
        AttributeType::Date => NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .ok()
            .filter(|_| v.len() == 10)
            .map(|d| d.format("%Y-%m-%d").to_string())
            .ok_or_else(|| bad("a date (YYYY-MM-DD)")),
        AttributeType::Enum => values
            .iter()
            .find(|allowed| allowed.as_str() == v)
            .cloned()
            .ok_or_else(|| bad(&format!("one of {}", values.join(", ")))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop() -> AttributeRules {
        let def = |key: &str, kind, writable_by, visible_to_customer| AttributeDefinition {
            key: key.into(),
            kind,
            values: if kind == AttributeType::Enum { vec!["S".into(), "M".into()] } else { vec![] },
            writable_by,
            visible_to_customer,
        };
        AttributeRules {
            definitions: vec![
                def("loyaltyTier", AttributeType::String, Writer::BackOffice, true),
                def("internalScore", AttributeType::Int, Writer::BackOffice, false),
                def("favouriteColour", AttributeType::String, Writer::Customer, true),
                def("size", AttributeType::Enum, Writer::Customer, true),
                def("price", AttributeType::Decimal, Writer::BackOffice, true),
                def("vip", AttributeType::Boolean, Writer::BackOffice, true),
                def("since", AttributeType::Date, Writer::BackOffice, true),
            ],
            undefined: UndefinedAttributes::Allow,
        }
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn attr(k: &str, v: &str) -> Attribute {
        Attribute { key: k.into(), value: v.into() }
    }

    fn errors(rules: &AttributeRules, list: &[(&str, &str)], writer: Writer) -> Vec<(Vec<String>, ErrorCode)> {
        let mut p = Problems::new();
        rules.validate(pairs(list), writer, "attributes", &mut p);
        p.into_errors().into_iter().map(|e| (e.field, e.code)).collect()
    }

    fn path(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_storefront_cannot_write_a_back_office_key_nor_an_undefined_one_under_reject() {
        let rules = shop();
        let at = |i: &str| (path(&["attributes", i, "key"]), ErrorCode::Invalid);
        assert_eq!(
            errors(&rules, &[("favouriteColour", "red"), ("loyaltyTier", "platinum")], Writer::Customer),
            [at("1")]
        );
        assert_eq!(errors(&rules, &[("anything", "x")], Writer::Customer), []);
        let strict = AttributeRules { undefined: UndefinedAttributes::Reject, ..shop() };
        assert_eq!(errors(&strict, &[("anything", "x")], Writer::Customer), [at("0")]);
        assert_eq!(errors(&strict, &[("anything", "x")], Writer::BackOffice), [at("0")]);
        assert_eq!(errors(&rules, &[("loyaltyTier", "gold"), ("internalScore", "7")], Writer::BackOffice), []);
    }

    #[test]
    fn values_fit_their_type_and_are_stored_canonically() {
        let rules = shop();
        let mut p = Problems::new();
        let list = [("internalScore", " 007 "), ("price", "12.50"), ("vip", "TRUE"), ("since", "2026-02-28")];
        let valid = rules.validate(pairs(&list), Writer::BackOffice, "attributes", &mut p);
        assert!(p.is_empty());
        let values: Vec<&str> = valid.iter().map(|a| a.value.as_str()).collect();
        assert_eq!(values, ["7", "12.50", "true", "2026-02-28"]);
        let value = |i: &str| (path(&["attributes", i, "value"]), ErrorCode::Invalid);
        for (k, bad) in [
            ("internalScore", "7.5"),
            ("internalScore", "99999999999999999999"),
            ("price", "1e9"),
            ("price", "twelve"),
            ("vip", "yes"),
            ("since", "2026-02-30"),
            ("since", "26-2-1"),
        ] {
            assert_eq!(errors(&rules, &[(k, bad)], Writer::BackOffice), [value("0")], "{k} = {bad}");
        }
        assert_eq!(errors(&rules, &[("size", "M")], Writer::Customer), []);
        assert_eq!(errors(&rules, &[("size", "m")], Writer::Customer), [value("0")]);
    }

    #[test]
    fn the_storefront_replaces_its_own_entries_and_keeps_the_back_offices() {
        let rules = shop();
        let current = vec![attr("loyaltyTier", "gold"), attr("favouriteColour", "red"), attr("note", "x")];
        let merged = rules.merge(Writer::Customer, &current, vec![attr("favouriteColour", "blue")]);
        assert_eq!(merged, [attr("loyaltyTier", "gold"), attr("favouriteColour", "blue")]);
        let mut hidden = shop();
        hidden.definitions.push(AttributeDefinition {
            key: "quizAnswer".into(),
            kind: AttributeType::String,
            values: vec![],
            writable_by: Writer::Customer,
            visible_to_customer: false,
        });
        let answered = vec![attr("quizAnswer", "42"), attr("favouriteColour", "red")];
        let merged = hidden.merge(Writer::Customer, &answered, vec![attr("favouriteColour", "blue")]);
        assert_eq!(merged, [attr("quizAnswer", "42"), attr("favouriteColour", "blue")], "what it cannot see stays");
        assert_eq!(rules.merge(Writer::Customer, &current, vec![]), [attr("loyaltyTier", "gold")]);
        assert_eq!(rules.merge(Writer::BackOffice, &current, vec![attr("note", "y")]), [attr("note", "y")]);
    }

    #[test]
    fn a_list_is_bounded_by_entries_and_bytes_per_writer() {
        let rules = shop();
        let many: Vec<(String, String)> = (0..60).map(|i| (format!("k{i}"), "v".into())).collect();
        let over = |list: Vec<(String, String)>, writer| {
            let mut p = Problems::new();
            rules.validate(list, writer, "attributes", &mut p);
            p.into_errors().into_iter().map(|e| (e.field, e.code)).collect::<Vec<_>>()
        };
        let limit = [(path(&["attributes"]), ErrorCode::LimitExceeded)];
        assert_eq!(over(many.clone(), Writer::Customer), limit);
        assert_eq!(over(many, Writer::BackOffice), []);
        let large: Vec<(String, String)> = (0..20).map(|i| (format!("k{i}"), "é".repeat(500))).collect();
        assert_eq!(over(large.clone(), Writer::Customer), limit, "20 KB from the storefront");
        assert_eq!(over(large, Writer::BackOffice), []);
    }

    #[test]
    fn hidden_keys_are_not_shown_to_the_customer() {
        let rules = shop();
        let list = [attr("internalScore", "7"), attr("loyaltyTier", "gold"), attr("other", "x")];
        let shown: Vec<&str> = rules.visible(&list).map(|a| a.key.as_str()).collect();
        assert_eq!(shown, ["loyaltyTier", "other"]);
    }

    #[test]
    fn definitions_are_checked() {
        let mut rules = shop();
        assert_eq!(rules.check(), Ok(()));
        rules.definitions[3].values.clear();
        assert!(rules.check().unwrap_err().contains("needs values"));
        let mut twice = shop();
        twice.definitions.push(twice.definitions[0].clone());
        assert!(twice.check().unwrap_err().contains("twice"));
        let mut bad = shop();
        bad.definitions[0].key = "loyalty tier".into();
        assert!(bad.check().is_err());
    }
}
