//! Output types shared by the schemas.

mod address;
mod customer;
mod newsletter;
mod own;
mod scalars;
mod wishlists;

pub use address::*;
pub use customer::*;
pub use newsletter::*;
pub use own::*;
pub use scalars::*;
pub use wishlists::*;
