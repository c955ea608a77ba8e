//! The `auth` function: registration, login and sessions, email
//! confirmation and password reset. Anyone may call it.

pub mod schema;

use shared::graphql::{Access, App};
use shared::Services;
use std::sync::Arc;

pub fn app(services: Arc<Services>) -> App<schema::AuthSchema> {
    App::new(schema::build(services.clone()), services, Access::Public)
}
