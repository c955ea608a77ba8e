//! The `subscriptions` function. Its operations (API.md, `subscriptions`) are not served yet;
//! until they are, the schema answers only `apiVersion`.

use shared::graphql::placeholder::{self, PlaceholderSchema};
use shared::graphql::{Access, App};
use shared::Services;
use std::sync::Arc;

pub fn app(services: Arc<Services>) -> App<PlaceholderSchema> {
    placeholder::app(services, Access::Public)
}
