//! The persistence ports, one file per aggregate, re-exported by `store`.

mod api_keys;
mod attempts;
mod contracts;
mod customers;
mod errors;
mod exports;
mod imports;
mod loyalty;
mod orders;
mod outbox;
mod promotions;
mod quotas;
mod search_index;
mod sessions;
mod subscriptions;
mod suppressions;
mod tokens;
mod wishlists;

pub use api_keys::*;
pub use attempts::*;
pub use contracts::*;
pub use customers::*;
pub use errors::*;
pub use exports::*;
pub use imports::*;
pub use loyalty::*;
pub use orders::*;
pub use outbox::*;
pub use promotions::*;
pub use quotas::*;
pub use search_index::*;
pub use sessions::*;
pub use subscriptions::*;
pub use suppressions::*;
pub use tokens::*;
pub use wishlists::*;
