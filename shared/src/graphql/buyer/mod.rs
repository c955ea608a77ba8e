//! The buyer's side of `Customer` (orders, totals, loyalty) and its types,
//! shared by the storefront's own customer and the back office's guarded
//! fields.

mod contracts;
mod fields;
mod loyalty;
mod money;
mod orders;
mod paging;
mod promotions;

pub use contracts::*;
pub use fields::*;
pub use loyalty::*;
pub use money::*;
pub use orders::*;
pub use paging::*;
pub use promotions::*;
