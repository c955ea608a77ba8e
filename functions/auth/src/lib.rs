//! The `auth` function: registration, login and sessions, email
//! confirmation and password reset. Anyone may call it.

pub mod schema;

use shared::auth::TokenRole;
use shared::graphql::{Access, App};
use shared::Services;
use std::sync::Arc;

/// Logins, refreshes and resets open sessions: `auth` signs access tokens
/// (and checks them, for `logout`), so it holds the private keys.
pub const TOKEN_ROLE: TokenRole = TokenRole::Issuer;

pub fn app(services: Arc<Services>) -> App<schema::AuthSchema> {
    App::new(schema::build(services.clone()), services, Access::Public).one_mutation_field_per_request()
}
