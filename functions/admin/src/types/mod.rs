//! Input and output types of the `admin` schema.

mod customer;
mod imports;
mod inputs;
mod loyalty;
mod newsletter;
mod orders;
mod promotions;

pub use customer::*;
pub use imports::*;
pub use inputs::*;
pub use loyalty::*;
pub use newsletter::*;
pub use orders::*;
pub use promotions::*;
