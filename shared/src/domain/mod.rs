//! Domain types and rules. Nothing here knows GraphQL or DynamoDB.

pub mod api_key;
pub mod attributes;
pub mod contact;
pub mod contracts;
pub mod customer;
pub mod errors;
pub mod loyalty;
pub mod money;
pub mod orders;
pub mod outbox;
pub mod profile_update;
pub mod promotions;
pub mod search;
pub mod session;
pub mod subscriptions;
pub mod values;
pub mod wishlists;

pub use api_key::*;
pub use attributes::*;
pub use contact::*;
pub use contracts::*;
pub use customer::*;
pub use errors::*;
pub use loyalty::*;
pub use money::*;
pub use orders::*;
pub use outbox::*;
pub use profile_update::*;
pub use promotions::*;
pub use search::*;
pub use session::*;
pub use subscriptions::*;
pub use values::*;
