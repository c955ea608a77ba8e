//! What the back office's search finds a customer by, in one place for the
//! index and for the check of each customer it names:
//!
//! - [`Searchable`]: a customer as search reads it, its values folded (case
//!   and accents aside) and cut into words;
//! - [`tokens`]: the index entries a customer is listed under: every prefix
//!   of every word (2 to `PREFIX_CAP` characters, `p:`), every 3-character
//!   run of the texts the contains filters read (`g:`), each tag whole
//!   (`t:`), the status (`s:`) and the country (`c:`);
//! - [`plan`]: which index lists a query and filter read (a customer must
//!   be in one list of every source), and whether those lists alone decide
//!   the match, so that a count needs no customer read;
//! - [`matches`]: whether a customer matches a query and a filter, which is
//!   the final word for every customer the index names (an index entry may
//!   be a few seconds behind its customer, or a gram may match by chance).
//!
//! Both the tokens and the check read a customer through `Searchable`, so
//! they cannot disagree on what a word is.

use super::customer::{Customer, CustomerStatus};
use super::search::CustomerFilter;
use super::search_query::{Clause, Comparison, Field, SearchQuery, Term, Value};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::collections::BTreeSet;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// The longest prefix indexed, in characters: a longer search word reads
/// the list of its first `PREFIX_CAP` characters (a dozen characters name
/// few customers) and each customer found is checked against all of it.
pub const PREFIX_CAP: usize = 12;
/// The shortest prefix indexed: one character would list most customers.
pub const PREFIX_MIN: usize = 2;
/// The length of the runs (grams) that serve the contains filters.
pub const GRAM: usize = 3;
/// The most gram lists one contains filter reads: enough to narrow any
/// needle to few candidates, few enough to bound the reads.
pub const MAX_GRAMS: usize = 4;

/// Case and accents aside: compatibility-decomposed (NFKD), lower case,
/// decomposed again (lower case can compose), combining marks dropped, and
/// the Greek final sigma as any sigma (`Müller` → `muller`, `ﬁ` → `fi`,
/// `™` → `tm`, `ΚΏΣΤΑΣ` → `κωστασ`).
pub fn fold(s: &str) -> String {
    let lower: String = s.nfkd().collect::<String>().to_lowercase();
    lower.nfkd().filter(|c| !is_combining_mark(*c)).map(|c| if c == 'ς' { 'σ' } else { c }).collect()
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Whether a search value reads as a phone number (`+49 30 901820`,
/// `(030) 901820`): then its digits are searched too.
fn phone_like(s: &str) -> bool {
    s.chars().any(|c| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '(' | ')' | '.' | '/'))
}

/// The words of `text`, folded: each whitespace-separated part whole
/// (`o'brien`, `ord-123`, `anna.muller@example.com`) and the runs of
/// letters and digits in it (`o`, `brien`).
fn words_of(text: &str) -> Vec<String> {
    let folded = fold(text);
    let mut out = vec![];
    for part in folded.split_whitespace() {
        out.push(part.to_string());
        let runs: Vec<&str> = part.split(|c: char| !c.is_alphanumeric()).filter(|r| !r.is_empty()).collect();
        if runs.len() > 1 || runs.first().is_some_and(|r| *r != part) {
            out.extend(runs.into_iter().map(String::from));
        }
    }
    out
}

/// The runs of letters and digits of `text`, folded, in order: what a
/// phrase is compared with.
fn sequence_of(text: &str) -> Vec<String> {
    fold(text).split(|c: char| !c.is_alphanumeric()).filter(|r| !r.is_empty()).map(String::from).collect()
}

/// One searchable field of a customer: its words, and each value's letters
/// and digits in order (a phrase lies within one value).
#[derive(Debug, Default)]
struct FieldText {
    words: Vec<String>,
    sequences: Vec<Vec<String>>,
}

/// A customer as search reads it.
#[derive(Debug)]
pub struct Searchable {
    fields: Vec<(Field, FieldText)>,
    /// Tags whole, folded.
    tags: Vec<String>,
    /// The texts the contains filters read: email, name, ref, and each
    /// phone's digits (international and national).
    email: String,
    name: String,
    reference: Option<String>,
    phones: Vec<String>,
    status: CustomerStatus,
    country: Option<String>,
    /// When the customer was created, to the millisecond, as its id says
    /// (ids are ULIDs: the lists are in this order, and `created` ranges
    /// are ranges of ids; a customer upserted with an id of its own is
    /// placed by that id's time).
    created_ms: i64,
}

impl Searchable {
    pub fn of(c: &Customer) -> Self {
        let mut fields: Vec<(Field, FieldText)> = vec![];
        let mut add = |field: Field, text: &str| {
            let entry = match fields.iter_mut().find(|(f, _)| *f == field) {
                Some((_, entry)) => entry,
                None => {
                    fields.push((field, FieldText::default()));
                    &mut fields.last_mut().expect("just pushed").1
                }
            };
            entry.words.extend(words_of(text));
            entry.sequences.push(sequence_of(text));
        };
        let name =
            [c.first_name.as_deref(), c.last_name.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
        add(Field::Name, &name);
        let email = c.email.as_str();
        add(Field::Email, email);
        if let Some((_, domain)) = email.rsplit_once('@') {
            add(Field::Email, domain);
        }
        let phones: Vec<String> = [c.phone_number.as_ref(), c.cell_phone_number.as_ref()]
            .into_iter()
            .flatten()
            .flat_map(|p| [digits(p.as_str()), p.national_digits()])
            .filter(|d| !d.is_empty())
            .collect();
        for p in &phones {
            add(Field::Phone, p);
        }
        for (field, value) in [
            (Field::Ref, c.reference.as_deref()),
            (Field::ExternalId, c.external_id.as_deref()),
            (Field::Username, c.username.as_deref()),
            (Field::LoyaltyId, c.loyalty_id.as_deref()),
            (Field::CustomerNumber, Some(c.customer_number.as_str())),
        ] {
            if let Some(v) = value {
                add(field, v);
            }
        }
        for tag in &c.tags {
            add(Field::Tag, tag);
        }
        Self {
            fields,
            tags: c.tags.iter().map(|t| fold(t)).collect(),
            email: fold(email),
            name: fold(&name),
            reference: c.reference.as_deref().map(fold),
            phones,
            status: c.status,
            country: c.country_code.as_ref().map(|c| fold(c.as_str())),
            created_ms: ulid::Ulid::from_string(&c.id)
                .map_or(c.created_at.timestamp_millis(), |u| u.timestamp_ms() as i64),
        }
    }

    fn field(&self, field: Field) -> Option<&FieldText> {
        self.fields.iter().find(|(f, _)| *f == field).map(|(_, t)| t)
    }

    /// Every word a bare value is compared with.
    fn all_words(&self) -> impl Iterator<Item = &String> {
        self.fields.iter().flat_map(|(_, t)| t.words.iter())
    }

    /// The texts the grams are taken from.
    fn texts(&self) -> impl Iterator<Item = &String> {
        [&self.email, &self.name].into_iter().chain(self.reference.iter()).chain(self.phones.iter())
    }
}

fn truncate(s: &str, chars: usize) -> String {
    s.chars().take(chars).collect()
}

fn prefix_token(word: &str) -> String {
    format!("p:{}", truncate(word, PREFIX_CAP))
}

fn grams(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(GRAM).map(|w| w.iter().collect()).collect()
}

fn status_token(s: CustomerStatus) -> String {
    match s {
        CustomerStatus::Active => "s:active".into(),
        CustomerStatus::Inactive => "s:inactive".into(),
    }
}

/// The index entries a customer is listed under (each names a list; the
/// customer's id is its place in it).
pub fn tokens(s: &Searchable) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    // Runs of letters and digits only: a word with other characters in it
    // (`o'brien`, `ord-1001`, a whole address) is found through its runs,
    // and each customer named is checked against the whole word.
    for word in s.all_words().filter(|w| w.chars().all(char::is_alphanumeric)) {
        let chars: Vec<char> = word.chars().collect();
        for n in PREFIX_MIN..=chars.len().min(PREFIX_CAP) {
            out.insert(format!("p:{}", chars[..n].iter().collect::<String>()));
        }
    }
    for text in s.texts() {
        out.extend(grams(text).into_iter().map(|g| format!("g:{g}")));
    }
    out.extend(s.tags.iter().map(|t| format!("t:{t}")));
    out.insert(status_token(s.status));
    if let Some(country) = &s.country {
        out.insert(format!("c:{country}"));
    }
    out
}

/// What the index reads for a query and a filter.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// Every source is a set of lists; a customer matches only if it is in
    /// at least one list of every source. None: nothing narrows the
    /// search, and the tenant's customers are read in order.
    pub sources: Vec<Vec<String>>,
    /// Whether being in the lists (and in the time range) is matching:
    /// then a count needs no customer read.
    pub exact: bool,
    /// Created at or after, at or before (from `created` terms and the
    /// filter's bounds).
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
}

/// The lists a term reads, and whether they decide it; `None` when no list
/// narrows it (a one-letter word).
fn term_lists(term: &Term) -> Option<(Vec<String>, bool)> {
    let word_lists = |v: &str| -> Option<(Vec<String>, bool)> {
        let folded = fold(v);
        let mut lists = BTreeSet::new();
        let mut exact = true;
        for candidate in [Some(folded.clone()), phone_like(v).then(|| digits(v))].into_iter().flatten() {
            // A value of one run reads its own list; one with other
            // characters the list of its longest run (every word that
            // starts with the value has that run whole, or the last one as
            // a prefix), checked on each customer.
            let runs = sequence_of(&candidate);
            let single = runs.len() == 1 && runs[0] == candidate;
            let longest = runs.into_iter().max_by_key(|r| r.chars().count())?;
            let n = longest.chars().count();
            if n < PREFIX_MIN {
                return None;
            }
            lists.insert(prefix_token(&longest));
            exact &= single && n <= PREFIX_CAP;
        }
        Some((lists.into_iter().collect(), exact))
    };
    match (&term.field, &term.value) {
        (_, Value::Status(s)) => Some((vec![status_token(*s)], true)),
        (_, Value::Country(c)) => Some((vec![format!("c:{}", fold(c.as_str()))], true)),
        (_, Value::Created(..)) => None,
        (Some(Field::Tag), Value::Word(v)) => Some((vec![format!("t:{}", fold(v.trim()))], true)),
        (None, Value::Word(v) | Value::Prefix(v)) => word_lists(v),
        // A field's own words: the list of every field's, each customer
        // then checked for the field.
        (Some(_), Value::Word(v) | Value::Prefix(v)) => word_lists(v).map(|(lists, _)| (lists, false)),
        // A phrase: the list of its longest word.
        (_, Value::Phrase(p)) => {
            let longest = sequence_of(p).into_iter().max_by_key(|w| w.chars().count())?;
            (longest.chars().count() >= PREFIX_MIN).then(|| (vec![prefix_token(&longest)], false))
        }
    }
}

/// The day's bounds of a `created` comparison, in UTC.
fn created_bounds(c: Comparison, date: NaiveDate) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let start = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    let next = date.succ_opt().and_then(start);
    let before = |t: Option<DateTime<Utc>>| t.map(|t| t - Duration::milliseconds(1));
    match c {
        Comparison::AtLeast => (start(date), None),
        Comparison::After => (next, None),
        Comparison::Before => (None, before(start(date))),
        Comparison::AtMost => (None, before(next)),
        Comparison::On => (start(date), before(next)),
    }
}

/// Up to `MAX_GRAMS` grams of `needle`, spread over it (its first and last
/// among them), once each.
fn needle_grams(needle: &str) -> Vec<String> {
    let all = grams(needle);
    if all.is_empty() {
        return vec![];
    }
    let mut picked: Vec<String> = vec![];
    let last = all.len() - 1;
    for i in 0..MAX_GRAMS.min(all.len()) {
        let at = if MAX_GRAMS == 1 { 0 } else { i * last / (MAX_GRAMS.min(all.len()) - 1).max(1) };
        if !picked.contains(&all[at]) {
            picked.push(all[at].clone());
        }
    }
    picked
}

fn gram_sources(needle: &str) -> Vec<Vec<String>> {
    needle_grams(needle).into_iter().map(|g| vec![format!("g:{g}")]).collect()
}

fn later(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    a.max(b)
}

fn earlier(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The lists `query` and `filter` read, and whether they decide the match.
pub fn plan(query: Option<&SearchQuery>, filter: &CustomerFilter) -> Plan {
    let mut plan =
        Plan { sources: vec![], exact: true, created_from: filter.created_from, created_to: filter.created_to };
    for clause in query.map(|q| q.clauses.as_slice()).unwrap_or_default() {
        if clause.excluded {
            plan.exact = false;
            continue;
        }
        if let [Term { value: Value::Created(c, date), .. }] = clause.any_of.as_slice() {
            let (from, to) = created_bounds(*c, *date);
            plan.created_from = later(plan.created_from, from);
            plan.created_to = earlier(plan.created_to, to);
            continue;
        }
        let lists: Option<Vec<(Vec<String>, bool)>> = clause.any_of.iter().map(term_lists).collect();
        match lists {
            Some(lists) => {
                plan.exact &= lists.iter().all(|(_, exact)| *exact);
                let mut source: Vec<String> = lists.into_iter().flat_map(|(l, _)| l).collect();
                source.sort();
                source.dedup();
                plan.sources.push(source);
            }
            None => plan.exact = false,
        }
    }
    let contains = [
        filter.email_contains.as_deref().map(fold),
        filter.name_contains.as_deref().map(fold),
        filter.phone_contains.as_deref().map(digits),
    ];
    for needle in contains.into_iter().flatten() {
        plan.exact = false;
        plan.sources.extend(gram_sources(&needle));
    }
    if let Some(pattern) = filter.reference.as_deref() {
        plan.exact = false;
        let pattern = fold(pattern);
        let pieces: Vec<&str> = pattern.split('%').collect();
        // A ref starting with the first piece has each of its runs (the
        // last as a prefix): the longest one's list.
        let longest = sequence_of(pieces[0]).into_iter().max_by_key(|r| r.chars().count());
        if let Some(run) = longest.filter(|r| !pattern.starts_with('%') && r.chars().count() >= PREFIX_MIN) {
            plan.sources.push(vec![prefix_token(&run)]);
        }
        let mut picked = 0;
        for piece in pieces {
            for source in gram_sources(piece) {
                if picked < MAX_GRAMS {
                    plan.sources.push(source);
                    picked += 1;
                }
            }
        }
    }
    if let Some(status) = filter.status {
        plan.sources.push(vec![status_token(status)]);
    }
    // Exact values name one customer through their guard; the lists serve
    // the rest.
    if filter.email.is_some()
        || filter.external_id.is_some()
        || filter.loyalty_id.is_some()
        || filter.username.is_some()
    {
        plan.exact = false;
    }
    plan.sources.sort();
    plan.sources.dedup();
    plan
}

fn contains_phrase(sequence: &[String], phrase: &[String]) -> bool {
    !phrase.is_empty() && sequence.windows(phrase.len()).any(|w| w == phrase)
}

fn term_matches(term: &Term, s: &Searchable) -> bool {
    let fields: Vec<&FieldText> = match term.field {
        None => s.fields.iter().map(|(_, t)| t).collect(),
        Some(f) => s.field(f).into_iter().collect(),
    };
    let words = || fields.iter().flat_map(|t| t.words.iter());
    match &term.value {
        Value::Status(status) => s.status == *status,
        Value::Country(c) => s.country.as_deref() == Some(fold(c.as_str()).as_str()),
        Value::Created(c, date) => {
            let (from, to) = created_bounds(*c, *date);
            s.created_between(from, to)
        }
        Value::Phrase(p) => {
            let phrase = sequence_of(p);
            fields.iter().flat_map(|t| t.sequences.iter()).any(|seq| contains_phrase(seq, &phrase))
        }
        Value::Word(v) if term.field == Some(Field::Tag) => s.tags.contains(&fold(v.trim())),
        Value::Word(v) | Value::Prefix(v) => {
            let whole = term.field.is_some() && matches!(term.value, Value::Word(_));
            let compare = |needle: &str| {
                !needle.is_empty() && words().any(|w| if whole { w == needle } else { w.starts_with(needle) })
            };
            compare(&fold(v)) || (phone_like(v) && compare(&digits(v)))
        }
    }
}

fn clause_matches(clause: &Clause, s: &Searchable) -> bool {
    clause.any_of.iter().any(|t| term_matches(t, s)) != clause.excluded
}

/// Whether `c` matches `query` (every clause) and `filter`.
pub fn matches(query: Option<&SearchQuery>, filter: &CustomerFilter, c: &Customer) -> bool {
    let s = Searchable::of(c);
    query.is_none_or(|q| q.clauses.iter().all(|clause| clause_matches(clause, &s))) && filter.matches_searchable(c, &s)
}

/// Whether `needle` occurs in one of `texts`, case and accents aside.
pub(super) fn contains_folded<'a>(mut texts: impl Iterator<Item = &'a String>, needle: &str) -> bool {
    let needle = fold(needle);
    texts.any(|t| t.contains(&needle))
}

impl Searchable {
    pub(super) fn email_text(&self) -> &String {
        &self.email
    }

    pub(super) fn name_text(&self) -> &String {
        &self.name
    }

    pub(super) fn phone_digits(&self) -> &[String] {
        &self.phones
    }

    /// Whether the customer was created in `[from, to]`, to the millisecond.
    pub(super) fn created_between(&self, from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> bool {
        from.is_none_or(|f| self.created_ms >= f.timestamp_millis())
            && to.is_none_or(|t| self.created_ms <= t.timestamp_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::search_query::parse;

    #[test]
    fn folding_drops_case_and_accents() {
        assert_eq!(fold("Müller"), "muller");
        assert_eq!(fold("ÉLODIE"), "elodie");
        assert_eq!(fold("Ǆemal"), "dzemal");
        assert_eq!(fold("İstanbul"), "istanbul");
        assert_eq!(fold("Łukasz"), "łukasz", "a letter of its own, not a mark");
        assert_eq!(fold("™"), "tm", "decomposed before lower case");
        assert_eq!(fold("ΚΏΣΤΑΣ"), fold("κώστας"), "a final sigma is a sigma");
    }

    #[test]
    fn words_are_parts_and_their_runs() {
        assert_eq!(words_of("Jean-Luc O'Brien"), vec!["jean-luc", "jean", "luc", "o'brien", "o", "brien"]);
        assert_eq!(words_of("Anna"), vec!["anna"]);
        assert_eq!(sequence_of("Van der Berg"), vec!["van", "der", "berg"]);
    }

    #[test]
    fn needles_read_a_few_grams_spread_over_them() {
        assert_eq!(needle_grams("abcdefgh"), vec!["abc", "bcd", "def", "fgh"]);
        assert_eq!(needle_grams("abc"), vec!["abc"]);
        assert_eq!(needle_grams("ab"), Vec::<String>::new());
    }

    #[test]
    fn a_plan_reads_lists_and_knows_when_they_decide() {
        let q = parse("anna tag:vip status:active created:>=2026-01-01").unwrap();
        let p = plan(Some(&q), &CustomerFilter::default());
        assert_eq!(
            p.sources,
            vec![vec!["p:anna".to_string()], vec!["s:active".to_string()], vec!["t:vip".to_string()]]
        );
        assert!(p.exact);
        assert_eq!(p.created_from.map(|t| t.to_rfc3339()), Some("2026-01-01T00:00:00+00:00".into()));
        let q = parse("name:anna").unwrap();
        assert!(!plan(Some(&q), &CustomerFilter::default()).exact, "a field's words are checked on the customer");
        let q = parse("a").unwrap();
        let p = plan(Some(&q), &CustomerFilter::default());
        assert!(p.sources.is_empty() && !p.exact, "one letter narrows nothing");
        let q = parse("vip OR gold").unwrap();
        assert_eq!(
            plan(Some(&q), &CustomerFilter::default()).sources,
            vec![vec!["p:gold".to_string(), "p:vip".into()]]
        );
        let f = CustomerFilter { reference: Some("%arietta_Will5@gmail.com%".into()), ..Default::default() };
        let p = plan(None, &f);
        assert_eq!(p.sources.len(), MAX_GRAMS);
        let f = CustomerFilter { reference: Some("ORD-%".into()), ..Default::default() };
        assert_eq!(plan(None, &f).sources, vec![vec!["g:ord".to_string()], vec!["g:rd-".into()], vec!["p:ord".into()]]);
    }
}
