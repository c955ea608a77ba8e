//! The `auth` function, operation by operation.

mod credential_checks;
mod e2e;
mod email_confirmation;
mod email_identity;
mod events;
mod limits;
mod lockout;
mod login;
mod mail_quota;
mod password_reset;
mod registration;
mod sessions;

// The account fixtures live in the support crate, shared with the other
// functions' tests and the benchmarks.
use crate::support::accounts::{login, register, LOGOUT, PASSWORD, REFRESH, REGISTER};
use crate::support::{gql, services};
use serde_json::{json, Value};
use shared::graphql::App;

pub type AuthApp = App<auth::schema::AuthSchema>;

pub async fn app(overrides: &[(&str, &str)]) -> AuthApp {
    auth::app(services(overrides).await)
}
