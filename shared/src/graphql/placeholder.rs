//! The schema of a function whose operations are not served yet: it deploys,
//! enforces its access rule and limits, and answers `apiVersion`.

use super::http::with_limits;
use super::{Access, App};
use crate::Services;
use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};
use std::sync::Arc;

pub type PlaceholderSchema = Schema<ApiVersionQuery, EmptyMutation, EmptySubscription>;

pub struct ApiVersionQuery;

#[Object(name = "Query")]
impl ApiVersionQuery {
    /// The API version this function serves.
    async fn api_version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
}

pub fn app(services: Arc<Services>, access: Access) -> App<PlaceholderSchema> {
    let schema = with_limits(Schema::build(ApiVersionQuery, EmptyMutation, EmptySubscription), &services)
        .data(services.clone())
        .finish();
    App::new(schema, services, access)
}
