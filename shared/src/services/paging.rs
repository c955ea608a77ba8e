//! Paging of the back-office listings: opaque cursors, the page size limit,
//! and cutting what was read into a page.

use crate::domain::{DomainError, DomainResult, ErrorCode};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// The most items one page holds.
pub const MAX_PAGE: usize = 100;

/// The most bytes of items one page holds, each measured as JSON of all its
/// fields (more than any selection of them shows): a page of large
/// customers or orders stays well under Lambda's 6 MB response limit, with
/// room for nested fields, and ends early (`hasNextPage`) instead.
pub const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;

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
    /// more follow is known), each turned into its cursor and item by `edge`;
    /// fewer when they would pass `MAX_PAGE_BYTES` (never none: one item is
    /// at most a DynamoDB item, 400 KB).
    pub fn cut<F>(found: Vec<F>, first: usize, mut edge: impl FnMut(F) -> (String, T)) -> Self
    where
        T: serde::Serialize,
    {
        let mut has_next = found.len() > first;
        let mut items = Vec::with_capacity(first.min(found.len()));
        let mut bytes = 0;
        for f in found.into_iter().take(first) {
            let (cursor, item) = edge(f);
            bytes += serde_json::to_vec(&item).map_or(0, |json| json.len());
            if !items.is_empty() && bytes > MAX_PAGE_BYTES {
                has_next = true;
                break;
            }
            items.push((cursor, item));
        }
        Self { items, has_next }
    }

    /// The cursor of the last item: where the next page starts.
    pub fn end_cursor(&self) -> Option<String> {
        self.items.last().map(|(cursor, _)| cursor.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_of_large_items_ends_early_under_the_byte_limit() {
        let large = "x".repeat(300 * 1024);
        let found: Vec<String> = (0..30).map(|_| large.clone()).collect();
        let page = Page::cut(found, 20, |s| (String::from("c"), s));
        assert_eq!(page.items.len(), MAX_PAGE_BYTES / (300 * 1024 + 2), "as many as fit");
        assert!(page.has_next, "the rest on the next page");
        let small: Vec<u32> = (0..5).collect();
        let page = Page::cut(small, 20, |n| (n.to_string(), n));
        assert_eq!((page.items.len(), page.has_next), (5, false));
    }
}
