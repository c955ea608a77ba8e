//! The `account` function: a logged-in customer reads and changes itself.
//! Every GraphQL request carries an access token, checked before any
//! resolver runs. Besides GraphQL it serves the link of the data-export
//! mail (`data_export`), which its token opens.

pub mod data_export;
pub mod schema;

use lambda_http::{Body, Request, Response};
use shared::auth::TokenRole;
use shared::graphql::{Access, App};
use shared::Services;
use std::convert::Infallible;
use std::sync::Arc;

/// Checks every caller's access token and opens a fresh session on a
/// password change, so `account` holds the private keys.
pub const TOKEN_ROLE: TokenRole = TokenRole::Issuer;

pub fn app(services: Arc<Services>) -> App<schema::AccountSchema> {
    App::new(schema::build(services.clone()), services, Access::Customer)
}

/// `…/data-export` is the data-export link; everything else is GraphQL.
pub async fn handle(app: &App<schema::AccountSchema>, req: Request) -> Result<Response<Body>, Infallible> {
    if req.uri().path().ends_with("/data-export") {
        Ok(data_export::handle(app.services(), req).await)
    } else {
        app.handle(req).await
    }
}
