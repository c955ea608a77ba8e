//! The `admin` function: back-office customer management for order
//! management, CRM sync jobs and support tools, authenticated by API keys
//! that carry a tenant and permissions.

mod exports;
mod imports;
pub mod schema;
pub mod types;

use shared::auth::TokenRole;
use shared::graphql::{Access, App};
use shared::Services;
use std::sync::Arc;

/// API keys, never customers' access tokens: `admin` holds no JWT key at all.
pub const TOKEN_ROLE: TokenRole = TokenRole::NoKeys;

pub fn app(services: Arc<Services>) -> App<schema::AdminSchema> {
    App::new(schema::build(services.clone()), services, Access::ApiKey)
}
