//! Page sizes of the connections: what `first` is when a client sends none,
//! and the most a page holds (`MAX_PAGE`; the use cases clamp to it).

pub use crate::services::paging::MAX_PAGE;

/// The back office's listings (`customers`, `promotions`,
/// `newsletterSubscriptions`).
pub const LISTING: i32 = 50;

/// A customer's histories (`orders`, `transactions`, `redemptions`).
pub const HISTORY: i32 = 20;

/// The page size a client asked for: `default` when it sent `null`, none
/// below 0 (the use cases clamp it to `MAX_PAGE`).
pub fn requested(first: Option<i32>, default: i32) -> usize {
    first.unwrap_or(default).max(0) as usize
}

/// The page size a client gets: `requested`, at most `MAX_PAGE`.
pub fn clamped(first: Option<i32>, default: i32) -> usize {
    requested(first, default).min(MAX_PAGE)
}
