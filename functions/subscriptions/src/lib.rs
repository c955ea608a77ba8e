//! The `subscriptions` function: newsletter double opt-in and back-in-stock
//! alerts. Anyone may call it; an access token, when sent, makes the
//! operations act for that customer. Besides GraphQL it serves the one-click
//! unsubscribe endpoint of RFC 8058 that newsletter mails link to.

pub mod one_click;
pub mod schema;

use lambda_http::{Body, Request, Response};
use shared::auth::TokenRole;
use shared::graphql::{Access, App};
use shared::Services;
use std::convert::Infallible;
use std::sync::Arc;

/// Checks the access tokens callers may send, never issues one: the public keys only.
pub const TOKEN_ROLE: TokenRole = TokenRole::Verifier;

pub struct Subscriptions {
    graphql: App<schema::SubscriptionsSchema>,
}

impl Subscriptions {
    pub fn graphql(&self) -> &App<schema::SubscriptionsSchema> {
        &self.graphql
    }

    /// `…/unsubscribe` is the one-click endpoint; everything else is GraphQL.
    pub async fn handle(&self, req: Request) -> Result<Response<Body>, Infallible> {
        if req.uri().path().ends_with("/unsubscribe") {
            Ok(one_click::handle(self.graphql.services(), req).await)
        } else {
            self.graphql.handle(req).await
        }
    }
}

pub fn app(services: Arc<Services>) -> Subscriptions {
    Subscriptions {
        graphql: App::new(schema::build(services.clone()), services, Access::OptionalCustomer)
            .one_mutation_field_per_request(),
    }
}
