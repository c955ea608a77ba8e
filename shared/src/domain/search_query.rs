//! The back office's search string, read as Shopify's customer search reads
//! it: terms separated by spaces, all of which must match; `OR` between two
//! terms; a leading `-` excludes a term; a term is a bare value, a `"quoted
//! phrase"` or `field:value`; a value ending in `*` matches by prefix;
//! `created` takes a comparison (`created:>=2026-01-01`). A query that cannot
//! be read is `INVALID` at `["query"]`, its message naming the position (1
//! for the first character).
//!
//! What a term matches (words, digits, accents and case) is the index's
//! business; this module only reads the string, and bounds it: a query
//! holds at most `MAX_TERMS` terms, so that no query costs more than a
//! bounded number of index reads.

use super::customer::CustomerStatus;
use super::errors::{ErrorCode, UserError};
use super::values::CountryCode;
use chrono::NaiveDate;

/// The most terms a query holds (an `OR` group's terms count each).
pub const MAX_TERMS: usize = 12;
/// The shortest prefix (`ab*`): shorter ones would match too much to read.
pub const MIN_PREFIX: usize = 2;
/// The longest query, in characters.
pub const MAX_QUERY: usize = 1000;

/// A field a term can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Email,
    Name,
    Phone,
    Ref,
    ExternalId,
    Username,
    LoyaltyId,
    CustomerNumber,
    Tag,
    Status,
    Country,
    Created,
}

impl Field {
    fn parse(name: &str) -> Option<Field> {
        Some(match name {
            "email" => Field::Email,
            "name" => Field::Name,
            "phone" => Field::Phone,
            "ref" => Field::Ref,
            "externalId" => Field::ExternalId,
            "username" => Field::Username,
            "loyaltyId" => Field::LoyaltyId,
            "customerNumber" => Field::CustomerNumber,
            "tag" => Field::Tag,
            "status" => Field::Status,
            "country" => Field::Country,
            "created" => Field::Created,
            _ => return None,
        })
    }
}

/// How `created` compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Before,
    AtMost,
    On,
    AtLeast,
    After,
}

/// What a term looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A whole word (or value) as typed.
    Word(String),
    /// The start of a word (`mül*`), at least `MIN_PREFIX` characters.
    Prefix(String),
    /// Words in this order, side by side (`"anna maria"`).
    Phrase(String),
    Status(CustomerStatus),
    Country(CountryCode),
    Created(Comparison, NaiveDate),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// `None`: a bare value, which matches any field a bare value searches.
    pub field: Option<Field>,
    pub value: Value,
}

/// Terms of which at least one must match (one term, or an `OR` group),
/// or, `excluded`, none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub any_of: Vec<Term>,
    pub excluded: bool,
}

/// A read query: every clause must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    pub clauses: Vec<Clause>,
}

/// A piece of the string: its text and where it starts (0-based, in
/// characters), whether it was quoted.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    text: String,
    at: usize,
    quoted_from: Option<usize>,
}

fn invalid(at: usize, why: &str) -> UserError {
    UserError::new(ErrorCode::Invalid, &["query"], format!("{why} (at position {}).", at + 1))
}

/// Splits at spaces outside quotes; a quote may start after `field:`.
fn tokens(query: &str) -> Result<Vec<Token>, UserError> {
    let chars: Vec<char> = query.chars().collect();
    let mut out = vec![];
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let mut text = String::new();
        let mut quoted_from = None;
        while i < chars.len() && !chars[i].is_whitespace() {
            if chars[i] == '"' {
                let open = i;
                i += 1;
                let mut phrase = String::new();
                while i < chars.len() && chars[i] != '"' {
                    phrase.push(chars[i]);
                    i += 1;
                }
                if i == chars.len() {
                    return Err(invalid(open, "A quote is not closed"));
                }
                quoted_from = Some(text.chars().count());
                text.push_str(&phrase);
                i += 1;
                if i < chars.len() && !chars[i].is_whitespace() {
                    return Err(invalid(i, "A space must follow a closing quote"));
                }
                break;
            }
            text.push(chars[i]);
            i += 1;
        }
        out.push(Token { text, at: start, quoted_from });
    }
    Ok(out)
}

/// One term from a token (its `-` already taken off).
fn term(token: &Token) -> Result<Term, UserError> {
    let at = token.at;
    // A quote at the start makes the whole token a phrase: no field.
    let (field, raw, value_at) = match (token.quoted_from, token.text.split_once(':')) {
        (Some(0), _) | (_, None) => (None, token.text.as_str(), at),
        (_, Some((name, value))) => {
            let field = Field::parse(name).ok_or_else(|| invalid(at, &format!("There is no field {name:?}")))?;
            (Some(field), value, at + name.chars().count() + 1)
        }
    };
    let quoted = token.quoted_from.is_some();
    if raw.trim().is_empty() {
        return Err(invalid(value_at, "A value is missing"));
    }
    let value = match field {
        Some(Field::Status) => match raw.to_ascii_uppercase().as_str() {
            "ACTIVE" => Value::Status(CustomerStatus::Active),
            "INACTIVE" => Value::Status(CustomerStatus::Inactive),
            _ => return Err(invalid(value_at, "A status is ACTIVE or INACTIVE")),
        },
        Some(Field::Country) => Value::Country(
            CountryCode::parse(raw, &[]).map_err(|_| invalid(value_at, "A country is two letters (ISO 3166-1)"))?,
        ),
        Some(Field::Created) => {
            let (comparison, date) = [
                (">=", Comparison::AtLeast),
                ("<=", Comparison::AtMost),
                (">", Comparison::After),
                ("<", Comparison::Before),
                ("", Comparison::On),
            ]
            .into_iter()
            .find_map(|(op, c)| raw.strip_prefix(op).map(|d| (c, d)))
            .unwrap_or((Comparison::On, raw));
            let date = NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .ok()
                .filter(|_| date.len() == 10)
                .ok_or_else(|| invalid(value_at, "A date is YYYY-MM-DD, after >, >=, < or <= if any"))?;
            Value::Created(comparison, date)
        }
        _ if quoted => Value::Phrase(raw.to_string()),
        _ => match raw.strip_suffix('*') {
            Some(prefix) if prefix.contains('*') => return Err(invalid(value_at, "`*` ends a prefix, only once")),
            Some(prefix) if prefix.chars().count() < MIN_PREFIX => {
                return Err(invalid(value_at, &format!("A prefix has at least {MIN_PREFIX} characters before `*`")))
            }
            Some(prefix) => Value::Prefix(prefix.to_string()),
            None if raw.contains('*') => return Err(invalid(value_at, "`*` ends a prefix, only once")),
            None => Value::Word(raw.to_string()),
        },
    };
    Ok(Term { field, value })
}

/// Reads `query`; `INVALID` at `["query"]` naming the position of the
/// first problem, `LIMIT_EXCEEDED` past `MAX_TERMS` or `MAX_QUERY`.
pub fn parse(query: &str) -> Result<SearchQuery, UserError> {
    if query.chars().count() > MAX_QUERY {
        let message = format!("A query has at most {MAX_QUERY} characters.");
        return Err(UserError::new(ErrorCode::LimitExceeded, &["query"], message));
    }
    let tokens = tokens(query)?;
    let mut clauses: Vec<Clause> = vec![];
    let mut terms = 0;
    let mut i = 0;
    while i < tokens.len() {
        let token = &tokens[i];
        if token.text == "OR" && token.quoted_from.is_none() {
            return Err(invalid(token.at, "OR stands between two terms"));
        }
        let (excluded, token) = match token.text.strip_prefix('-') {
            Some(rest) if token.quoted_from != Some(0) => (
                true,
                Token { text: rest.to_string(), at: token.at + 1, quoted_from: token.quoted_from.map(|q| q - 1) },
            ),
            _ => (false, token.clone()),
        };
        let mut any_of = vec![term(&token)?];
        i += 1;
        while tokens.get(i).is_some_and(|t| t.text == "OR" && t.quoted_from.is_none()) {
            let or = &tokens[i];
            let Some(next) = tokens.get(i + 1) else {
                return Err(invalid(or.at, "OR stands between two terms"));
            };
            if excluded || next.text.starts_with('-') {
                return Err(invalid(or.at, "An excluded term takes no OR"));
            }
            any_of.push(term(next)?);
            i += 2;
        }
        terms += any_of.len();
        if terms > MAX_TERMS {
            let message = format!("A query has at most {MAX_TERMS} terms.");
            return Err(UserError::new(ErrorCode::LimitExceeded, &["query"], message));
        }
        clauses.push(Clause { any_of, excluded });
    }
    if clauses.is_empty() {
        return Err(invalid(0, "The query is empty"));
    }
    if clauses.iter().all(|c| c.excluded) {
        return Err(invalid(0, "An excluded term needs a term that includes beside it"));
    }
    Ok(SearchQuery { clauses })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(field: Option<Field>, w: &str) -> Term {
        Term { field, value: Value::Word(w.into()) }
    }

    fn one(terms: Vec<Term>, excluded: bool) -> Clause {
        Clause { any_of: terms, excluded }
    }

    #[test]
    fn every_form_reads() {
        let cases: Vec<(&str, Vec<Clause>)> = vec![
            ("anna", vec![one(vec![word(None, "anna")], false)]),
            ("anna müller", vec![one(vec![word(None, "anna")], false), one(vec![word(None, "müller")], false)]),
            ("mül*", vec![one(vec![Term { field: None, value: Value::Prefix("mül".into()) }], false)]),
            ("\"anna maria\"", vec![one(vec![Term { field: None, value: Value::Phrase("anna maria".into()) }], false)]),
            ("email:ann@example.com", vec![one(vec![word(Some(Field::Email), "ann@example.com")], false)]),
            (
                "name:\"van der berg\"",
                vec![one(vec![Term { field: Some(Field::Name), value: Value::Phrase("van der berg".into()) }], false)],
            ),
            (
                "tag:vip OR tag:gold",
                vec![one(vec![word(Some(Field::Tag), "vip"), word(Some(Field::Tag), "gold")], false)],
            ),
            (
                "anna -tag:test",
                vec![one(vec![word(None, "anna")], false), one(vec![word(Some(Field::Tag), "test")], true)],
            ),
            (
                "status:active country:de",
                vec![
                    one(vec![Term { field: Some(Field::Status), value: Value::Status(CustomerStatus::Active) }], false),
                    one(
                        vec![Term {
                            field: Some(Field::Country),
                            value: Value::Country(CountryCode::parse("DE", &[]).unwrap()),
                        }],
                        false,
                    ),
                ],
            ),
            (
                "phone:030123*",
                vec![one(vec![Term { field: Some(Field::Phone), value: Value::Prefix("030123".into()) }], false)],
            ),
        ];
        for (query, clauses) in cases {
            assert_eq!(parse(query), Ok(SearchQuery { clauses }), "{query}");
        }
        let date = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
        for (query, comparison) in [
            ("created:>=2026-01-01", Comparison::AtLeast),
            ("created:>2026-01-01", Comparison::After),
            ("created:<2026-01-01", Comparison::Before),
            ("created:<=2026-01-01", Comparison::AtMost),
            ("created:2026-01-01", Comparison::On),
        ] {
            let read = parse(query).unwrap();
            assert_eq!(read.clauses[0].any_of[0].value, Value::Created(comparison, date("2026-01-01")), "{query}");
        }
    }

    #[test]
    fn a_query_that_cannot_be_read_names_the_position() {
        for (query, position) in [
            ("", 1),
            ("   ", 1),
            ("*", 1),
            ("a*", 1),
            ("anna foo:bar", 6),
            ("email:", 7),
            ("\"anna", 1),
            ("\"anna\"x", 7),
            ("OR anna", 1),
            ("anna OR", 6),
            ("-anna", 1),
            ("anna -x OR y", 9),
            ("status:gone", 8),
            ("country:Germany", 9),
            ("created:>=2026-13-01", 9),
            ("created:yesterday", 9),
            ("mü*ller", 1),
        ] {
            let e = parse(query).expect_err(query);
            assert_eq!((e.code, e.field.clone()), (ErrorCode::Invalid, vec!["query".to_string()]), "{query}");
            assert!(e.message.contains(&format!("at position {position})")), "{query}: {}", e.message);
        }
    }

    #[test]
    fn a_query_is_bounded() {
        let many: Vec<String> = (0..1000).map(|i| format!("w{i}")).collect();
        let e = parse(&many.join(" ")).unwrap_err();
        assert_eq!(e.code, ErrorCode::LimitExceeded);
        let ors = (0..13).map(|i| format!("tag:t{i}")).collect::<Vec<_>>().join(" OR ");
        assert_eq!(parse(&ors).unwrap_err().code, ErrorCode::LimitExceeded, "an OR group's terms count each");
        assert!(parse(&(0..12).map(|i| format!("w{i}")).collect::<Vec<_>>().join(" ")).is_ok());
    }
}
