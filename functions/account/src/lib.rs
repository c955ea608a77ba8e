//! The `account` function: a logged-in customer reads and changes itself.
//! Every request carries an access token, checked before any resolver runs.

pub mod schema;

use shared::auth::TokenRole;
use shared::graphql::{Access, App};
use shared::Services;
use std::sync::Arc;

/// Checks every caller's access token and opens a fresh session on a
/// password change, so `account` holds the private keys.
pub const TOKEN_ROLE: TokenRole = TokenRole::Issuer;

pub fn app(services: Arc<Services>) -> App<schema::AccountSchema> {
    App::new(schema::build(services.clone()), services, Access::Customer)
}
