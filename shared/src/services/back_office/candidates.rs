//! The ids a search plan names, in id order (or reverse), read from the
//! index lists: a customer is a candidate when it is in at least one list of
//! every source. The sources are intersected by leapfrogging: the source
//! whose next id is furthest sets the target, every other source skips to
//! it (a read of its lists from the target on, never the ids in between),
//! and an id all sources reach together is a candidate. Its cost follows
//! the shortest source, not the tenant.

use crate::domain::TenantId;
use crate::services::Services;
use std::collections::VecDeque;

/// Ids read by a list's first query; each further query of the same list
/// reads twice as many, up to `MAX_READ`.
const FIRST_READ: i32 = 100;
const MAX_READ: i32 = 1000;

/// Where reading is, in the direction of the search: at `id`, which is
/// itself still to read (`inclusive`) or done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub id: String,
    pub inclusive: bool,
}

/// The direction and the id range of a search.
#[derive(Debug, Clone)]
pub struct Span {
    pub lo: String,
    pub hi: String,
    pub reverse: bool,
}

impl Span {
    /// Whether `a` comes before `b` in the search's direction.
    pub fn before(&self, a: &str, b: &str) -> bool {
        if self.reverse {
            a > b
        } else {
            a < b
        }
    }

    /// Whether `id` is still to read from `at` on.
    pub fn reached(&self, id: &str, at: &Position) -> bool {
        if at.inclusive {
            !self.before(id, &at.id)
        } else {
            self.before(&at.id, id)
        }
    }

    /// Whether position `a` lies beyond position `b`.
    pub fn further(&self, a: &Position, b: &Position) -> bool {
        self.before(&b.id, &a.id) || (a.id == b.id && !a.inclusive && b.inclusive)
    }

    /// Where the span starts.
    pub fn start(&self) -> Position {
        Position { id: if self.reverse { self.hi.clone() } else { self.lo.clone() }, inclusive: true }
    }

    /// The id range to read from `at` on, if any is left.
    pub fn from(&self, at: Option<&Position>) -> Option<(String, String)> {
        let (mut lo, mut hi) = (self.lo.clone(), self.hi.clone());
        if let Some(at) = at {
            if self.reverse {
                hi = hi.min(at.id.clone());
            } else {
                lo = lo.max(at.id.clone());
            }
        }
        (lo <= hi).then_some((lo, hi))
    }
}

/// One list of the index, read a page at a time.
struct List {
    token: String,
    buffered: VecDeque<String>,
    /// Where the next read starts; `None`: at the start of the span.
    next: Option<Position>,
    done: bool,
    read: i32,
}

impl List {
    fn head(&self) -> Option<&String> {
        self.buffered.front()
    }

    /// Drops what comes before `target`; an emptied buffer reads on from it.
    fn skip_to(&mut self, span: &Span, target: &Position) {
        while self.head().is_some_and(|h| !span.reached(h, target)) {
            self.buffered.pop_front();
        }
        if self.buffered.is_empty() && self.next.as_ref().is_none_or(|n| span.further(target, n)) {
            self.next = Some(target.clone());
        }
    }
}

/// What reading found next.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// An id in every source.
    Candidate(String),
    /// No id is left in some source.
    Exhausted,
    /// The read bound is reached: the search can go on from here.
    Bound(Position),
}

/// Why a batch of candidates ended early.
#[derive(Debug, PartialEq, Eq)]
pub enum End {
    Exhausted,
    /// The read bound, at this position.
    Bound(Position),
}

/// The candidates of a plan's sources, and what reading them cost.
pub struct Candidates {
    tenant: TenantId,
    span: Span,
    sources: Vec<Vec<List>>,
    /// Where every source stands: ids before it are done.
    target: Option<Position>,
    /// Index entries read so far, and the most that may be read.
    pub entries_read: usize,
    pub round_trips: usize,
    bound: usize,
}

impl Candidates {
    pub fn new(tenant: &TenantId, span: Span, sources: &[Vec<String>], start: Option<Position>, bound: usize) -> Self {
        let lists = |tokens: &Vec<String>| {
            tokens
                .iter()
                .map(|t| List {
                    token: t.clone(),
                    buffered: VecDeque::new(),
                    next: start.clone(),
                    done: false,
                    read: FIRST_READ,
                })
                .collect()
        };
        Self {
            tenant: tenant.clone(),
            span,
            sources: sources.iter().map(lists).collect(),
            target: start,
            entries_read: 0,
            round_trips: 0,
            bound,
        }
    }

    /// Where the search stands: every id before it is decided.
    pub fn position(&self) -> Option<&Position> {
        self.target.as_ref()
    }

    /// Reads every list whose buffer is empty (side by side, one round
    /// trip); false when the bound leaves no room for it.
    async fn fill(&mut self, svc: &Services) -> anyhow::Result<bool> {
        let wanted: Vec<(usize, usize)> = self
            .sources
            .iter()
            .enumerate()
            .flat_map(|(s, lists)| lists.iter().enumerate().map(move |(l, list)| (s, l, list)))
            .filter(|(_, _, list)| list.buffered.is_empty() && !list.done)
            .map(|(s, l, _)| (s, l))
            .collect();
        if wanted.is_empty() {
            return Ok(true);
        }
        // Every list read takes at least one entry: with less room than
        // lists to read, the bound is reached.
        if self.bound.saturating_sub(self.entries_read) < wanted.len() {
            return Ok(false);
        }
        // The room left is shared among the lists read, so a round never
        // passes the bound.
        let share = ((self.bound - self.entries_read) / wanted.len()).max(1) as i32;
        let reads = wanted.iter().map(|&(s, l)| {
            let list = &self.sources[s][l];
            let range = self.span.from(list.next.as_ref());
            // A position already done is read past, not read again.
            let past = list.next.as_ref().filter(|n| !n.inclusive).map(|n| n.id.clone());
            let limit = list.read.min(share);
            let (store, tenant, token, reverse) = (&svc.store, &self.tenant, list.token.clone(), self.span.reverse);
            async move {
                match range {
                    Some((lo, hi)) => store.listed(tenant, &token, &lo, &hi, reverse, past.as_deref(), limit).await,
                    None => Ok((vec![], false)),
                }
            }
        });
        let results = futures::future::try_join_all(reads).await?;
        self.round_trips += 1;
        for ((s, l), (ids, more)) in wanted.into_iter().zip(results) {
            self.entries_read += ids.len();
            let span = self.span.clone();
            let list = &mut self.sources[s][l];
            // The read started at the list's position: drop its id if done.
            let from = list.next.clone();
            list.done = !more || ids.is_empty();
            if let Some(last) = ids.last() {
                list.next = Some(Position { id: last.clone(), inclusive: false });
            }
            list.buffered.extend(ids.into_iter().filter(|id| from.as_ref().is_none_or(|n| span.reached(id, n))));
            list.read = (list.read * 2).min(MAX_READ);
        }
        Ok(true)
    }

    /// The next candidate.
    pub async fn next(&mut self, svc: &Services) -> anyhow::Result<Step> {
        loop {
            if !self.fill(svc).await? {
                return Ok(Step::Bound(self.target.clone().unwrap_or_else(|| self.span.start())));
            }
            // Each source's next id: the earliest of its lists' heads.
            let mut heads: Vec<String> = Vec::with_capacity(self.sources.len());
            let mut pending = false;
            for lists in &self.sources {
                let head =
                    lists.iter().filter_map(List::head).reduce(|a, b| if self.span.before(b, a) { b } else { a });
                // A list of the source with nothing buffered but more to read
                // may hold the source's next id: read it first.
                if lists.iter().any(|l| l.buffered.is_empty() && !l.done) {
                    pending = true;
                    continue;
                }
                match head {
                    Some(h) => heads.push(h.clone()),
                    None => return Ok(Step::Exhausted),
                }
            }
            if pending {
                continue;
            }
            let furthest =
                heads.iter().fold(heads[0].clone(), |f, h| if self.span.before(&f, h) { h.clone() } else { f });
            if heads.iter().all(|h| *h == furthest) {
                let done = Position { id: furthest.clone(), inclusive: false };
                self.skip_all(&done);
                self.target = Some(done);
                return Ok(Step::Candidate(furthest));
            }
            let target = Position { id: furthest, inclusive: true };
            self.skip_all(&target);
            self.target = Some(target);
        }
    }

    /// Up to `n` candidates, and why there were fewer, if there were.
    pub async fn batch(&mut self, svc: &Services, n: usize) -> anyhow::Result<(Vec<String>, Option<End>)> {
        let mut batch = Vec::with_capacity(n);
        while batch.len() < n {
            match self.next(svc).await? {
                Step::Candidate(id) => batch.push(id),
                Step::Exhausted => return Ok((batch, Some(End::Exhausted))),
                Step::Bound(at) => return Ok((batch, Some(End::Bound(at)))),
            }
        }
        Ok((batch, None))
    }

    fn skip_all(&mut self, target: &Position) {
        let span = self.span.clone();
        for list in self.sources.iter_mut().flatten() {
            list.skip_to(&span, target);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_reads_on_from_a_position_either_way() {
        let span = Span { lo: "a".into(), hi: "z".into(), reverse: false };
        let at = Position { id: "m".into(), inclusive: false };
        assert!(span.reached("n", &at) && !span.reached("m", &at) && !span.reached("l", &at));
        assert_eq!(span.from(Some(&at)), Some(("m".into(), "z".into())));
        let back = Span { reverse: true, ..span };
        assert!(back.reached("l", &at) && !back.reached("m", &at));
        assert_eq!(back.from(Some(&at)), Some(("a".into(), "m".into())));
        let inclusive = Position { id: "m".into(), inclusive: true };
        assert!(back.reached("m", &inclusive));
    }
}
