//! `customers` and `customersCount`: the tenant's customers matching a
//! search string and a filter, from the search index (docs/search.md).
//!
//! The index (`domain::search_index`) names candidates in id (creation)
//! order; each candidate's customer is read and checked against the whole
//! query and filter, which is the final word (an index entry can be a few
//! seconds behind, a gram can match by chance, an erased customer is not
//! there to read). A query the index cannot narrow (a one-letter word, a
//! two-letter contains) reads the tenant's customers in order instead.
//!
//! Every request reads at most `PAGE_ENTRIES` index entries and
//! `PAGE_CUSTOMERS` customers (a count `COUNT_ENTRIES` and
//! `COUNT_CUSTOMERS`), enforced here and in `Candidates`: a page that
//! reaches the bound before it is full ends early, with `hasNextPage` and an
//! `endCursor` that goes on from where it stopped.

use super::candidates::{Candidates, End, Position, Span};
use super::lookup::{find, Identifier};
use crate::domain::search_index::{matches, plan, Plan};
use crate::domain::search_query::{parse, SearchQuery};
use crate::domain::{Customer, CustomerFilter, DomainError, DomainResult, ErrorCode, TenantId};
use crate::services::paging::{bad_cursor, decode_cursor, encode_cursor, Page, MAX_PAGE};
use crate::services::Services;
use chrono::{DateTime, Utc};

/// The most index entries one page reads.
pub const PAGE_ENTRIES: usize = 10_000;
/// The most customers one page reads.
pub const PAGE_CUSTOMERS: usize = 500;
/// Counts stop here: past it a count is `AT_LEAST` this.
pub const COUNT_CAP: usize = 10_000;
/// The most index entries one count reads.
pub const COUNT_ENTRIES: usize = 100_000;
/// The most customers one count reads (those a count must check).
pub const COUNT_CUSTOMERS: usize = 12_000;
/// Customers one batch read asks for (BatchGetItem's most).
const BATCH: usize = 100;
/// Customers read per round trip when nothing narrows the search.
const SCAN_PAGE: usize = 200;

/// What a cursor holds: `c1:<id>` (after that customer) or `c1:@<id>`
/// (from that id on: where a page stopped at the read bound).
const CURSOR: &str = "c1";

/// What a search read: the measure of its cost.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Reads {
    pub index_entries: usize,
    pub customers: usize,
    pub round_trips: usize,
}

/// A page of customers, and the cursor to go on from when the read bound
/// ended it before it was full.
pub struct Found {
    pub page: Page<Customer>,
    pub resume: Option<String>,
    pub reads: Reads,
}

impl Found {
    /// The page's `endCursor`.
    pub fn end_cursor(&self) -> Option<String> {
        self.resume.clone().or_else(|| self.page.end_cursor())
    }
}

/// A count: exact, or at least this many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub count: usize,
    pub exact: bool,
    pub reads: Reads,
}

/// What a search asks for.
#[derive(Debug, Default)]
pub struct SearchRequest<'a> {
    pub query: Option<&'a str>,
    pub filter: CustomerFilter,
    pub reverse: bool,
}

fn edge(c: Customer) -> (String, Customer) {
    (encode_cursor(CURSOR, &c.id), c)
}

fn resume_cursor(at: &Position) -> String {
    let marker = if at.inclusive { "@" } else { "" };
    encode_cursor(CURSOR, &format!("{marker}{}", at.id))
}

fn position_of(after: &str) -> DomainResult<Position> {
    let raw = decode_cursor(CURSOR, after, "after")?;
    let (id, inclusive) = match raw.strip_prefix('@') {
        Some(id) => (id.to_string(), true),
        None => (raw, false),
    };
    ulid::Ulid::from_string(&id).map_err(|_| bad_cursor("after"))?;
    Ok(Position { id, inclusive })
}

/// The id range `[from, to]` of customers created in `[from, to]`: ids are
/// ULIDs, which begin with their creation time.
fn id_bounds(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> (String, String) {
    let ms = |t: DateTime<Utc>| t.timestamp_millis().clamp(0, (1 << 48) - 1) as u64;
    let lo = from.map(|t| ulid::Ulid::from_parts(ms(t), 0).to_string()).unwrap_or_else(|| "0".repeat(26));
    let hi = to.map(|t| ulid::Ulid::from_parts(ms(t), u128::MAX).to_string()).unwrap_or_else(|| "Z".repeat(26));
    (lo, hi)
}

/// The query read, the plan, and the span it covers.
struct Prepared {
    query: Option<SearchQuery>,
    filter: CustomerFilter,
    plan: Plan,
    span: Span,
}

fn prepare(request: SearchRequest<'_>) -> DomainResult<Prepared> {
    let filter = request.filter;
    if let (Some(from), Some(to)) = (filter.created_from, filter.created_to) {
        if from > to {
            let message = "`createdFrom` is after `createdTo`.";
            return Err(DomainError::user(ErrorCode::Invalid, &["filter", "createdFrom"], message));
        }
    }
    let query = request.query.filter(|q| !q.trim().is_empty()).map(parse).transpose()?;
    let plan = plan(query.as_ref(), &filter);
    let (lo, hi) = id_bounds(plan.created_from, plan.created_to);
    Ok(Prepared { query, filter, plan, span: Span { lo, hi, reverse: request.reverse } })
}

/// Checks a search as `search` would read it (an export's, before its
/// job is made): the errors at their paths, nothing read.
pub fn check(request: SearchRequest<'_>) -> DomainResult<()> {
    prepare(request).map(|_| ())
}

impl Prepared {
    fn matches(&self, c: &Customer) -> bool {
        matches(self.query.as_ref(), &self.filter, c)
    }

    fn in_span(&self, id: &str) -> bool {
        self.span.lo.as_str() <= id && id <= self.span.hi.as_str()
    }

    /// A unique value in the filter names at most one customer: its guard
    /// finds it, with no list read.
    async fn by_key(&self, svc: &Services, tenant: &TenantId) -> DomainResult<Option<Option<Customer>>> {
        let f = &self.filter;
        let ident = [
            f.email.as_ref().map(|e| Identifier::Email(e.as_str().to_string())),
            f.external_id.clone().map(Identifier::ExternalId),
            f.loyalty_id.clone().map(Identifier::LoyaltyId),
            f.username.clone().map(Identifier::Username),
            f.exact_reference().map(|r| Identifier::Ref(r.to_string())),
        ]
        .into_iter()
        .flatten()
        .next();
        let Some(ident) = ident else { return Ok(None) };
        let found = find(svc, tenant, &ident).await?.map(|r| r.customer);
        Ok(Some(found.filter(|c| self.in_span(&c.id) && self.matches(c))))
    }

    /// The customers of `ids` that match, in order.
    async fn check(
        &self,
        svc: &Services,
        tenant: &TenantId,
        ids: &[String],
        reads: &mut Reads,
    ) -> DomainResult<Vec<Customer>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let chunks: Vec<&[String]> = ids.chunks(BATCH).collect();
        let found = futures::future::try_join_all(chunks.iter().map(|c| svc.store.customers_by_ids(tenant, c))).await?;
        reads.customers += ids.len();
        reads.round_trips += 1;
        Ok(found.into_iter().flatten().flatten().filter(|c| self.matches(c)).collect())
    }
}

/// Customers matching `query` and `filter`, in creation order (newest first
/// when `reverse`), `first` (at most 100) per page after the cursor `after`.
/// Cursors are customer ids, so walking never skips or repeats a customer,
/// whatever is created or deleted meanwhile.
pub async fn search(
    svc: &Services,
    tenant: &TenantId,
    request: SearchRequest<'_>,
    first: usize,
    after: Option<&str>,
) -> DomainResult<Found> {
    let first = first.clamp(0, MAX_PAGE);
    let start = after.map(position_of).transpose()?;
    let p = prepare(request)?;
    let mut reads = Reads::default();
    if let Some(found) = p.by_key(svc, tenant).await? {
        reads.round_trips = 2;
        let customers: Vec<Customer> = found
            .filter(|c| first > 0 && start.as_ref().is_none_or(|s| p.span.reached(&c.id, s)))
            .into_iter()
            .collect();
        // At most one customer, and none when `first` is 0: never a next page.
        return Ok(Found { page: Page::cut(customers, first, edge), resume: None, reads });
    }
    let (matched, resume) = if p.plan.sources.is_empty() {
        scan(svc, tenant, &p, start, first + 1, PAGE_CUSTOMERS, &mut reads).await?
    } else {
        let mut candidates = Candidates::new(tenant, p.span.clone(), &p.plan.sources, start, PAGE_ENTRIES);
        let mut matched: Vec<Customer> = Vec::with_capacity(first + 1);
        let mut resume = None;
        while matched.len() <= first {
            let room = PAGE_CUSTOMERS - reads.customers;
            let wanted = (first + 1 - matched.len()).clamp(25, BATCH).min(room);
            if wanted == 0 {
                resume = candidates.position().cloned();
                break;
            }
            let (batch, end) = candidates.batch(svc, wanted).await?;
            matched.extend(p.check(svc, tenant, &batch, &mut reads).await?);
            match end {
                None => {}
                Some(End::Exhausted) => break,
                Some(End::Bound(at)) => {
                    resume = Some(at);
                    break;
                }
            }
        }
        reads.index_entries = candidates.entries_read;
        reads.round_trips += candidates.round_trips;
        (matched, resume)
    };
    let full = matched.len() > first;
    let mut page = Page::cut(matched, first, edge);
    let resume = match resume {
        Some(at) if !full && !page.has_next => {
            page.has_next = true;
            Some(resume_cursor(&at))
        }
        _ => None,
    };
    tracing::info!(
        index_entries = reads.index_entries,
        customers = reads.customers,
        round_trips = reads.round_trips,
        found = page.items.len(),
        "search read"
    );
    Ok(Found { page, resume, reads })
}

/// Reads the tenant's customers in order from `start`, keeping those that
/// match, until `wanted` match or `bound` customers are read (then the
/// position to go on from).
async fn scan(
    svc: &Services,
    tenant: &TenantId,
    p: &Prepared,
    start: Option<Position>,
    wanted: usize,
    bound: usize,
    reads: &mut Reads,
) -> DomainResult<(Vec<Customer>, Option<Position>)> {
    let mut at = start;
    let mut matched = vec![];
    loop {
        let room = bound - reads.customers;
        if room == 0 {
            return Ok((matched, Some(at.unwrap_or_else(|| p.span.start()))));
        }
        let Some((lo, hi)) = p.span.from(at.as_ref()) else { return Ok((matched, None)) };
        let limit = SCAN_PAGE.min(room) as i32;
        let (page, more) = svc.store.list_customers(tenant, &lo, &hi, p.span.reverse, limit).await?;
        reads.customers += page.len();
        reads.round_trips += 1;
        let Some(last) = page.last().map(|c| c.id.clone()) else { return Ok((matched, None)) };
        let from = at.clone();
        matched.extend(
            page.into_iter().filter(|c| from.as_ref().is_none_or(|f| p.span.reached(&c.id, f)) && p.matches(c)),
        );
        at = Some(Position { id: last, inclusive: false });
        if matched.len() >= wanted || !more {
            return Ok((matched, None));
        }
    }
}

/// How many customers match `query` and `filter`: exact up to `COUNT_CAP`,
/// else at least that (or at least what was counted when the read bound
/// came first: a query nothing in the index narrows).
pub async fn count(svc: &Services, tenant: &TenantId, request: SearchRequest<'_>) -> DomainResult<Count> {
    let p = prepare(request)?;
    let mut reads = Reads::default();
    let done = |n: usize, reads: Reads| Count { count: n.min(COUNT_CAP), exact: n <= COUNT_CAP, reads };
    if let Some(found) = p.by_key(svc, tenant).await? {
        return Ok(done(usize::from(found.is_some()), reads));
    }
    if p.plan.sources.is_empty() {
        if p.plan.exact {
            // Nothing but a time range: the listing counts itself.
            let n = svc.store.count_customers(tenant, &p.span.lo, &p.span.hi, COUNT_CAP).await?;
            reads.round_trips = 1;
            return Ok(done(n, reads));
        }
        let (matched, stopped) = scan(svc, tenant, &p, None, COUNT_CAP + 1, COUNT_CUSTOMERS, &mut reads).await?;
        return Ok(match stopped {
            Some(_) => Count { count: matched.len().min(COUNT_CAP), exact: false, reads },
            None => done(matched.len(), reads),
        });
    }
    let mut candidates = Candidates::new(tenant, p.span.clone(), &p.plan.sources, None, COUNT_ENTRIES);
    let mut counted = 0usize;
    let mut bounded = false;
    while counted <= COUNT_CAP {
        // Customers to check are read four batches side by side.
        let room = if p.plan.exact { 4 * BATCH } else { (COUNT_CUSTOMERS - reads.customers).min(4 * BATCH) };
        if room == 0 {
            bounded = true;
            break;
        }
        let (batch, end) = candidates.batch(svc, room).await?;
        counted += if p.plan.exact { batch.len() } else { p.check(svc, tenant, &batch, &mut reads).await?.len() };
        if let Some(end) = end {
            bounded = matches!(end, End::Bound(_));
            break;
        }
    }
    reads.index_entries = candidates.entries_read;
    reads.round_trips += candidates.round_trips;
    Ok(if bounded && counted <= COUNT_CAP {
        Count { count: counted, exact: false, reads }
    } else {
        done(counted, reads)
    })
}
