//! The `subscriptions` function. Its operations (API.md, `subscriptions`) are not served yet:
//! the schema holds only `apiVersion`, so the function deploys and answers.

use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};
use shared::graphql::http::with_limits;
use shared::graphql::{Access, App};
use shared::Services;
use std::sync::Arc;

pub type SubscriptionsSchema = Schema<Query, EmptyMutation, EmptySubscription>;

pub struct Query;

#[Object]
impl Query {
    /// The API version this function serves.
    async fn api_version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
}

pub fn app(services: Arc<Services>) -> App<SubscriptionsSchema> {
    let schema = with_limits(
        Schema::build(Query, EmptyMutation, EmptySubscription),
        &services,
    )
    .data(services.clone())
    .finish();
    App::new(schema, services, ACCESS)
}
const ACCESS: Access = Access::Public;
