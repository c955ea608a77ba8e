//! Everything the functions share: domain rules, the DynamoDB store, mail,
//! credentials and the GraphQL-over-HTTP glue. Each function binary is a thin
//! `main` over this crate.

pub mod auth;
pub mod aws;
pub mod clock;
pub mod config;
pub mod domain;
pub mod graphql;
pub mod imports;
pub mod logging;
pub mod mail;
pub mod retry;
pub mod services;
pub mod store;

pub use config::Config;
pub use services::Services;
