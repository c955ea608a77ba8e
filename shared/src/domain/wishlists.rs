//! A customer's wishlists (Centra's): named lists of the shop's item ids,
//! one of them the default. Every rule of the lists is here; reading and
//! writing them is the store's.

use super::errors::{DomainError, DomainResult, ErrorCode, UserError};
use super::subscriptions::item;
use super::values::required_text;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// At most this many lists per customer.
pub const MAX_LISTS: usize = 20;
/// At most this many items per list.
pub const MAX_ITEMS: usize = 500;
/// A list's name: 1 to this many characters.
pub const NAME_MAX: usize = 100;
/// An item id in a wishlist: at most this many bytes (UTF-8), so that a full
/// list (one DynamoDB item) stays well under its 400 KB and all 20 full
/// lists under Lambda's 6 MB answer.
pub const ITEM_BYTES: usize = 200;
/// The name of the list made when an item is added with no list to hold it.
pub const DEFAULT_NAME: &str = "Wishlist";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WishlistItem {
    /// The shop's item id, as in back-in-stock subscriptions.
    pub item: String,
    pub added_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Wishlist {
    pub id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// In the order they were added.
    #[serde(default)]
    pub items: Vec<WishlistItem>,
}

/// All of a customer's lists as read together, and the version they were
/// read at: a change is written only over that version (0: never written).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wishlists {
    pub version: i64,
    pub default_id: Option<String>,
    /// Oldest first.
    pub lists: Vec<Wishlist>,
}

/// What the customer asks for.
#[derive(Debug, Clone)]
pub enum WishlistChange {
    Create {
        name: String,
        make_default: bool,
    },
    Rename {
        id: String,
        name: String,
    },
    SetDefault {
        id: String,
    },
    Delete {
        id: String,
    },
    /// To the list `wishlist_id`, or the default (made when there is none).
    Add {
        item: String,
        wishlist_id: Option<String>,
    },
    /// From the list `wishlist_id`, or the default.
    Remove {
        item: String,
        wishlist_id: Option<String>,
    },
}

/// What a change did: the list it acted on (as it is now; a deleted list as
/// it was), and what to write. Nothing to write when it changed nothing.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    pub wishlist: Option<Wishlist>,
    /// Lists to write whole (new or changed).
    pub put: Vec<Wishlist>,
    /// Lists to delete, by id.
    pub deleted: Vec<String>,
    /// Whether the default moved (the head is then written too).
    pub default_moved: bool,
}

impl Applied {
    pub fn changes_nothing(&self) -> bool {
        self.put.is_empty() && self.deleted.is_empty() && !self.default_moved
    }
}

/// An error about one of the operation's arguments (not inside an input).
fn at_argument(e: UserError) -> DomainError {
    DomainError::User(vec![e.anchored()])
}

fn list_name(raw: &str) -> DomainResult<String> {
    required_text(raw, NAME_MAX, &["name"]).map_err(at_argument)
}

fn not_found(argument: &str) -> DomainError {
    DomainError::argument(ErrorCode::NotFound, argument, "No wishlist of the customer has this id.")
}

impl Wishlists {
    pub fn is_default(&self, list: &Wishlist) -> bool {
        self.default_id.as_deref() == Some(list.id.as_str())
    }

    fn index_of(&self, id: &str, argument: &str) -> DomainResult<usize> {
        self.lists.iter().position(|l| l.id == id).ok_or_else(|| not_found(argument))
    }

    /// The list a change without a `wishlistId` means: the default, if any.
    fn target(&self, wishlist_id: Option<&str>) -> DomainResult<Option<usize>> {
        match wishlist_id {
            Some(id) => self.index_of(id, "wishlistId").map(Some),
            None => Ok(self.default_id.as_deref().and_then(|d| self.lists.iter().position(|l| l.id == d))),
        }
    }

    fn create(&mut self, name: String, make_default: bool, id: String, now: DateTime<Utc>) -> DomainResult<usize> {
        if self.lists.len() >= MAX_LISTS {
            return Err(DomainError::general(ErrorCode::LimitExceeded, format!("At most {MAX_LISTS} wishlists.")));
        }
        self.lists.push(Wishlist { id: id.clone(), name, created_at: now, updated_at: now, items: vec![] });
        // The first list is the default; so is a new one made the default.
        if make_default || self.default_id.is_none() {
            self.default_id = Some(id);
        }
        Ok(self.lists.len() - 1)
    }

    /// Applies `change` at `now`; `new_id` names a list it creates.
    pub fn apply(&mut self, change: WishlistChange, now: DateTime<Utc>, new_id: String) -> DomainResult<Applied> {
        let default_before = self.default_id.clone();
        let mut applied = Applied::default();
        let touched = match change {
            WishlistChange::Create { name, make_default } => {
                let name = list_name(&name)?;
                let at = self.create(name, make_default, new_id, now)?;
                applied.put.push(self.lists[at].clone());
                Some(at)
            }
            WishlistChange::Rename { id, name } => {
                let name = list_name(&name)?;
                let at = self.index_of(&id, "id")?;
                let list = &mut self.lists[at];
                if list.name != name {
                    list.name = name;
                    list.updated_at = now;
                    applied.put.push(list.clone());
                }
                Some(at)
            }
            WishlistChange::SetDefault { id } => {
                let at = self.index_of(&id, "id")?;
                self.default_id = Some(id);
                Some(at)
            }
            WishlistChange::Delete { id } => {
                let at = self.index_of(&id, "id")?;
                let gone = self.lists.remove(at);
                // The oldest remaining list takes over as the default.
                if self.is_default(&gone) {
                    self.default_id = self.lists.first().map(|l| l.id.clone());
                }
                applied.deleted.push(gone.id.clone());
                applied.wishlist = Some(gone);
                None
            }
            WishlistChange::Add { item: raw, wishlist_id } => {
                let item = item(&raw, &["item"]).map_err(at_argument)?;
                if item.len() > ITEM_BYTES {
                    let e =
                        UserError::new(ErrorCode::TooLong, &["item"], format!("At most {ITEM_BYTES} bytes (UTF-8)."));
                    return Err(at_argument(e));
                }
                let at = match self.target(wishlist_id.as_deref())? {
                    Some(at) => at,
                    None => self.create(DEFAULT_NAME.to_string(), true, new_id, now)?,
                };
                // A list made just now is new, so the item is new to it too.
                let list = &mut self.lists[at];
                if !list.items.iter().any(|i| i.item == item) {
                    if list.items.len() >= MAX_ITEMS {
                        return Err(DomainError::argument(
                            ErrorCode::LimitExceeded,
                            "item",
                            format!("At most {MAX_ITEMS} items a wishlist."),
                        ));
                    }
                    list.items.push(WishlistItem { item, added_at: now });
                    list.updated_at = now;
                    applied.put.push(list.clone());
                }
                Some(at)
            }
            WishlistChange::Remove { item, wishlist_id } => match self.target(wishlist_id.as_deref())? {
                Some(at) => {
                    let list = &mut self.lists[at];
                    let before = list.items.len();
                    list.items.retain(|i| i.item != item.trim());
                    if list.items.len() != before {
                        list.updated_at = now;
                        applied.put.push(list.clone());
                    }
                    Some(at)
                }
                // No list to remove from: nothing to do.
                None => None,
            },
        };
        if let Some(at) = touched {
            applied.wishlist = Some(self.lists[at].clone());
        }
        applied.default_moved = self.default_id != default_before;
        Ok(applied)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: u32) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + i64::from(s), 0).unwrap()
    }

    fn code(r: DomainResult<Applied>) -> ErrorCode {
        match r {
            Err(DomainError::User(errors)) => errors[0].code,
            other => panic!("expected a user error: {other:?}"),
        }
    }

    fn create(w: &mut Wishlists, name: &str, make_default: bool, s: u32) -> Applied {
        let change = WishlistChange::Create { name: name.into(), make_default };
        w.apply(change, at(s), format!("L{s}")).unwrap()
    }

    #[test]
    fn the_first_list_is_the_default_and_deleting_the_default_promotes_the_oldest() {
        let mut w = Wishlists::default();
        create(&mut w, "a", false, 1);
        create(&mut w, "b", false, 2);
        create(&mut w, "c", true, 3);
        assert_eq!(w.default_id.as_deref(), Some("L3"));
        let applied = w.apply(WishlistChange::Delete { id: "L3".into() }, at(4), "x".into()).unwrap();
        assert_eq!(applied.deleted, ["L3"]);
        assert!(applied.default_moved);
        assert_eq!(w.default_id.as_deref(), Some("L1"), "the oldest remaining");
        w.apply(WishlistChange::Delete { id: "L1".into() }, at(5), "x".into()).unwrap();
        w.apply(WishlistChange::Delete { id: "L2".into() }, at(6), "x".into()).unwrap();
        assert_eq!(w.default_id, None);
    }

    #[test]
    fn adding_without_a_list_makes_the_default_and_adding_twice_keeps_one() {
        let mut w = Wishlists::default();
        let add = || WishlistChange::Add { item: " SKU-1 ".into(), wishlist_id: None };
        let first = w.apply(add(), at(1), "L1".into()).unwrap();
        assert_eq!(first.wishlist.as_ref().map(|l| l.name.as_str()), Some(DEFAULT_NAME));
        assert!(first.default_moved);
        let again = w.apply(add(), at(2), "L2".into()).unwrap();
        assert!(again.changes_nothing());
        assert_eq!(w.lists.len(), 1);
        assert_eq!(w.lists[0].items.len(), 1);
        assert_eq!(w.lists[0].items[0].item, "SKU-1");
    }

    #[test]
    fn limits_and_names_are_enforced() {
        let mut w = Wishlists::default();
        for s in 0..MAX_LISTS as u32 {
            create(&mut w, "x", false, s);
        }
        let over = w.apply(WishlistChange::Create { name: "y".into(), make_default: false }, at(99), "L99".into());
        assert_eq!(code(over), ErrorCode::LimitExceeded);
        let blank = w.apply(WishlistChange::Rename { id: "L0".into(), name: "  ".into() }, at(99), "z".into());
        assert_eq!(code(blank), ErrorCode::Required);
        let long = w.apply(WishlistChange::Rename { id: "L0".into(), name: "n".repeat(101) }, at(99), "z".into());
        assert_eq!(code(long), ErrorCode::TooLong);
        for i in 0..MAX_ITEMS {
            let add = WishlistChange::Add { item: format!("sku-{i}"), wishlist_id: Some("L1".into()) };
            w.apply(add, at(100), "z".into()).unwrap();
        }
        let full = w.apply(
            WishlistChange::Add { item: "one-more".into(), wishlist_id: Some("L1".into()) },
            at(101),
            "z".into(),
        );
        assert_eq!(code(full), ErrorCode::LimitExceeded);
        let unknown = w.apply(WishlistChange::SetDefault { id: "nope".into() }, at(102), "z".into());
        assert_eq!(code(unknown), ErrorCode::NotFound);
    }
}
