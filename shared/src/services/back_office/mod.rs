//! Back-office customer management (`admin`): lookup, search, create,
//! update, upsert, import rows, status, erasure. Every operation acts within the API
//! key's tenant.

mod candidates;
mod import_row;
mod lookup;
mod search;
mod upsert;
mod writes;

pub use import_row::import_row;
pub(crate) use lookup::buyer_at;
pub use lookup::{existing_at, find, Identifier};
pub use search::{check as check_search, count, search, Count, Found, Reads, SearchRequest};
pub use search::{COUNT_CAP, COUNT_CUSTOMERS, COUNT_ENTRIES, PAGE_CUSTOMERS, PAGE_ENTRIES};
pub use upsert::{upsert, UpsertResult};
pub use writes::{change_tags, clear_email_suppression, create, delete, set_status, update, CreateInput};
