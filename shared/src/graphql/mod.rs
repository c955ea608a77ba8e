//! GraphQL over HTTP, shared by every function: request parsing and limits,
//! credentials, error mapping, and the types more than one schema uses.

pub mod budget;
pub mod buyer;
pub mod create_input;
pub mod credential_checks;
pub mod errors;
pub mod http;
pub mod inputs;
pub mod link_pages;
pub mod pages;
pub mod refusal;
pub mod types;
pub mod weights;

pub use errors::{respond, Payload, UserErrorObject};
pub use http::{Access, App, RequestContext};
