//! Paging of the back-office listings: opaque cursors, the page size limit,
//! and cutting what was read into a page.

use crate::domain::{DomainError, DomainResult, ErrorCode};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// The most items one page holds.
pub const MAX_PAGE: usize = 100;

/// An opaque cursor: `<prefix>:<value>`, base64 (URL-safe, unpadded).
pub fn encode_cursor(prefix: &str, value: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{prefix}:{value}"))
}

/// The value of a cursor `encode_cursor` made with `prefix`; anything else
/// is `INVALID`, located at `field`.
pub fn decode_cursor(prefix: &str, raw: &str, field: &str) -> DomainResult<String> {
    let bad = || bad_cursor(field);
    let raw = URL_SAFE_NO_PAD.decode(raw).map_err(|_| bad())?;
    let raw = String::from_utf8(raw).map_err(|_| bad())?;
    let value = raw.strip_prefix(prefix).and_then(|r| r.strip_prefix(':')).ok_or_else(bad)?;
    Ok(value.to_string())
}

/// The error for a cursor this connection did not make.
pub fn bad_cursor(field: &str) -> DomainError {
    DomainError::user(ErrorCode::Invalid, &[field], "Not a cursor of this connection.")
}

/// A page of a listing: each item with its cursor, and whether more follow.
pub struct Page<T> {
    pub items: Vec<(String, T)>,
    pub has_next: bool,
}

impl<T> Page<T> {
    /// The first `first` of `found` (read one past the page, so that whether
    /// more follow is known), each turned into its cursor and item by `edge`.
    pub fn cut<F>(mut found: Vec<F>, first: usize, edge: impl FnMut(F) -> (String, T)) -> Self {
        let has_next = found.len() > first;
        found.truncate(first);
        Self { items: found.into_iter().map(edge).collect(), has_next }
    }

    /// The cursor of the last item: where the next page starts.
    pub fn end_cursor(&self) -> Option<String> {
        self.items.last().map(|(cursor, _)| cursor.clone())
    }
}
