//! Relay's `PageInfo`, shared by the connections, and how a page makes it.

use crate::services::paging::Page;
use async_graphql::SimpleObject;

/// Where a connection's page starts and ends, and whether edges lie before and after it (Relay's `PageInfo`).
#[derive(SimpleObject)]
pub struct PageInfo {
    /// Whether more edges follow this page: then pass `endCursor` as `after` for the next page.
    pub has_next_page: bool,
    /// Whether edges come before this page: true when it was asked for `after` a cursor (listings page forward only).
    pub has_previous_page: bool,
    /// The `cursor` of the page's first edge; `null` when the page is empty.
    pub start_cursor: Option<String>,
    /// The `cursor` of the page's last edge; `null` when the page is empty.
    pub end_cursor: Option<String>,
}

impl PageInfo {
    /// The page info of `page`, read `after` a cursor or from the start.
    pub fn of<T>(page: &Page<T>, after: Option<&str>) -> Self {
        Self {
            has_next_page: page.has_next,
            has_previous_page: after.is_some(),
            start_cursor: page.items.first().map(|(cursor, _)| cursor.clone()),
            end_cursor: page.end_cursor(),
        }
    }
}
