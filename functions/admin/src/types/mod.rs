//! Input and output types of the `admin` schema.

mod customer;
mod exports;
mod imports;
mod inputs;
mod loyalty;
mod newsletter;
mod orders;
mod promotions;

pub use customer::*;
pub use exports::*;
pub use imports::*;
pub use inputs::*;
pub use loyalty::*;
pub use newsletter::*;
pub use orders::*;
pub use promotions::*;
