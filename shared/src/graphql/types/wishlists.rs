//! A customer's wishlists: `Wishlist` and `WishlistItem`.

use async_graphql::{Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

pub struct WishlistObject(pub crate::services::wishlists::ListView);

/// A named list of the shop's items that the customer keeps.
#[Object(name = "Wishlist")]
impl WishlistObject {
    /// Opaque; names the list in the wishlist mutations.
    async fn id(&self) -> ID {
        ID(self.0.list.id.clone())
    }
    /// 1 to 100 characters.
    async fn name(&self) -> &str {
        &self.0.list.name
    }
    /// Whether changes without a `wishlistId` go to this list; the customer has exactly one default list while it has any.
    async fn is_default(&self) -> bool {
        self.0.is_default
    }
    /// The items, in the order they were added; at most 500.
    async fn items(&self) -> Vec<WishlistItemObject> {
        self.0.list.items.iter().map(|i| WishlistItemObject { item: i.item.clone(), added_at: i.added_at }).collect()
    }
    /// When the list was made (RFC 3339, UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.list.created_at
    }
    /// When its name or items last changed (RFC 3339, UTC).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.list.updated_at
    }
}

/// One item of a wishlist.
#[derive(SimpleObject)]
#[graphql(name = "WishlistItem")]
pub struct WishlistItemObject {
    /// The shop's item id (a SKU or variant id), as in `backInStockSubscribe`.
    pub item: String,
    /// When it was added (RFC 3339, UTC).
    pub added_at: DateTime<Utc>,
}
