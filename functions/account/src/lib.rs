//! The `account` function: a logged-in customer reads and changes itself.
//! Every request carries an access token, checked before any resolver runs.

pub mod schema;

use shared::graphql::{Access, App};
use shared::Services;
use std::sync::Arc;

pub fn app(services: Arc<Services>) -> App<schema::AccountSchema> {
    App::new(schema::build(services.clone()), services, Access::Customer)
}
