//! The `auth` function, operation by operation.

mod e2e;
mod email_confirmation;
mod events;
mod limits;
mod login;
mod password_reset;
mod registration;
mod sessions;

use crate::support::{gql, services};
use serde_json::{json, Value};
use shared::graphql::App;

pub type AuthApp = App<auth::schema::AuthSchema>;

pub const PASSWORD: &str = "correct horse battery staple";

pub const REGISTER: &str = "mutation($input: RegisterCustomerInput!) { registerCustomer(input: $input) { customer { id customerNumber email emailVerified firstName lastName phoneNumber birthdate gender languageCode countryCode status billingAddress { id street city postalCode countryCode } deliveryAddresses { id } consents { key granted updatedAt } attributes { key value } newsletter { status } createdAt updatedAt lastLoginAt version } session { accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt } userErrors { code field message } } }";

pub const LOGIN: &str = "mutation($email: String!, $password: String!) { login(email: $email, password: $password) { customer { id email emailVerified lastLoginAt } session { accessToken refreshToken } userErrors { code field message } } }";

pub const REFRESH: &str = "mutation($t: String!) { refreshSession(refreshToken: $t) { customer { id } session { accessToken refreshToken } userErrors { code field message } } }";

pub const LOGOUT: &str =
    "mutation($t: String) { logout(refreshToken: $t) { loggedOut userErrors { code field message } } }";

pub async fn app(overrides: &[(&str, &str)]) -> AuthApp {
    auth::app(services(overrides).await)
}

/// Registers `email` with the standard password; returns the payload.
pub async fn register(app: &AuthApp, email: &str, headers: &[(&str, String)]) -> Value {
    let resp =
        gql(app, REGISTER, json!({ "input": { "email": email, "password": PASSWORD, "firstName": "Ada" } }), headers)
            .await;
    resp["data"]["registerCustomer"].clone()
}

pub async fn login(app: &AuthApp, email: &str, password: &str, headers: &[(&str, String)]) -> Value {
    let resp = gql(app, LOGIN, json!({ "email": email, "password": password }), headers).await;
    resp["data"]["login"].clone()
}
