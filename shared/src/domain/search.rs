//! Which customers a back-office search matches. Every filter is here, in
//! one place, whether the store narrows the candidates by key or not.

use super::customer::{Customer, CustomerStatus};
use super::search_index::{contains_folded, fold, Searchable};
use super::values::Email;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Kept with an export job, for its slices to search by.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CustomerFilter {
    pub email: Option<Email>,
    pub email_contains: Option<String>,
    pub name_contains: Option<String>,
    pub phone_contains: Option<String>,
    /// A reference or a pattern where `%` stands for any run of characters.
    pub reference: Option<String>,
    pub external_id: Option<String>,
    pub loyalty_id: Option<String>,
    pub username: Option<String>,
    pub status: Option<CustomerStatus>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
}

/// Match of `text` against `pattern`, case and accents aside,, where `%` matches
/// any run of characters (possibly empty) and everything else itself.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let pattern = fold(pattern.trim());
    let text = fold(text);
    let parts: Vec<&str> = pattern.split('%').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &text[first.len()..];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(i) => rest = &rest[i + middle.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

impl CustomerFilter {
    /// The exact reference, when the pattern has no wildcard: then a key lookup serves it.
    pub fn exact_reference(&self) -> Option<&str> {
        self.reference.as_deref().filter(|r| !r.contains('%'))
    }

    pub fn matches(&self, c: &Customer) -> bool {
        self.matches_searchable(c, &Searchable::of(c))
    }

    /// `matches`, with the customer already read for search: the contains
    /// filters ignore case and accents, and a phone's digits are compared
    /// in its international and its national form.
    pub(super) fn matches_searchable(&self, c: &Customer, s: &Searchable) -> bool {
        self.email.as_ref().is_none_or(|e| e.normalized() == c.email.normalized())
            && self.email_contains.as_deref().is_none_or(|n| contains_folded(std::iter::once(s.email_text()), n))
            && self.name_contains.as_deref().is_none_or(|n| contains_folded(std::iter::once(s.name_text()), n))
            && self.phone_contains.as_deref().is_none_or(|n| {
                let n: String = n.chars().filter(char::is_ascii_digit).collect();
                !n.is_empty() && s.phone_digits().iter().any(|p| p.contains(&n))
            })
            && self.reference.as_deref().is_none_or(|r| c.reference.as_deref().is_some_and(|cr| wildcard_match(r, cr)))
            && self.external_id.as_deref().is_none_or(|x| c.external_id.as_deref() == Some(x.trim()))
            && self.loyalty_id.as_deref().is_none_or(|x| c.loyalty_id.as_deref() == Some(x.trim()))
            && self.username.as_deref().is_none_or(|x| c.username.as_deref() == Some(x.trim()))
            && self.status.is_none_or(|s| c.status == s)
            && s.created_between(self.created_from, self.created_to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard_match("%arietta_Will5@gmail.com%", "ORD-marietta_will5@gmail.com-7"));
        assert!(wildcard_match("ORD-%", "ord-123"));
        assert!(wildcard_match("%-7", "ORD-7"));
        assert!(wildcard_match("A%B%C", "AxxBxxC"));
        assert!(!wildcard_match("A%B%C", "AxxCxxB"));
        assert!(wildcard_match("exact", "EXACT"));
        assert!(!wildcard_match("exact", "exactly"));
        assert!(!wildcard_match("ab%ba", "aba"), "parts may not overlap");
        assert!(wildcard_match("%", ""));
    }
}
