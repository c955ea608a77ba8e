//! Customers through `auth`: the standard password, registration and login,
//! for the tests of every function (and the benchmarks).

use crate::gql;
use serde_json::{json, Value};
use shared::graphql::App;

pub const PASSWORD: &str = "correct horse battery staple";

pub const REGISTER: &str = "mutation($input: RegisterCustomerInput!) { registerCustomer(input: $input) { customer { id customerNumber email emailVerified firstName lastName phoneNumber birthdate gender languageCode countryCode status billingAddress { id street city postalCode countryCode } deliveryAddresses { id } consents { key granted updatedAt } attributes { key value } newsletter { status } createdAt updatedAt lastLoginAt version } session { accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt } userErrors { code field message } } }";

pub const LOGIN: &str = "mutation($email: String!, $password: String!) { login(email: $email, password: $password) { customer { id email emailVerified lastLoginAt } session { accessToken refreshToken } userErrors { code field message } } }";

pub const REFRESH: &str = "mutation($t: String!) { refreshSession(refreshToken: $t) { customer { id } session { accessToken refreshToken } userErrors { code field message } } }";

pub const LOGOUT: &str =
    "mutation($t: String) { logout(refreshToken: $t) { loggedOut userErrors { code field message } } }";

/// Registers `email` with the standard password through `auth`; returns the payload.
pub async fn register<E: async_graphql::Executor>(app: &App<E>, email: &str, headers: &[(&str, String)]) -> Value {
    let resp =
        gql(app, REGISTER, json!({ "input": { "email": email, "password": PASSWORD, "firstName": "Ada" } }), headers)
            .await;
    resp["data"]["registerCustomer"].clone()
}

/// Proves `email`'s mailbox through `auth`: the link of the first mail sent
/// to it (the registration's confirmation).
pub async fn confirm_email<E: async_graphql::Executor>(app: &App<E>, email: &str) {
    let token = super::mail::nth_to(email, 1).await.token();
    let q = "mutation($t: String!) { confirmEmail(token: $t) { confirmed } }";
    let r = gql(app, q, json!({ "t": token }), &[]).await;
    assert_eq!(r["data"]["confirmEmail"]["confirmed"], true, "{r}");
}

/// Logs in through `auth`; returns the payload.
pub async fn login<E: async_graphql::Executor>(
    app: &App<E>,
    email: &str,
    password: &str,
    headers: &[(&str, String)],
) -> Value {
    let resp = gql(app, LOGIN, json!({ "email": email, "password": password }), headers).await;
    resp["data"]["login"].clone()
}

/// Stores `value` (of `algorithm`) as customer `id`'s password hash, in the
/// form the service keeps an imported hash; returns that form.
pub async fn plant_password_hash(
    svc: &shared::Services,
    tenant: &shared::domain::TenantId,
    id: &str,
    algorithm: shared::auth::HashAlgorithm,
    value: &str,
) -> String {
    use aws_sdk_dynamodb::types::AttributeValue as A;
    let stored = shared::auth::ImportedHash::parse(algorithm, value).expect("a readable hash");
    aws_sdk_dynamodb::Client::new(&crate::aws().await)
        .update_item()
        .table_name(&svc.config.table_name)
        .key("pk", A::S(shared::store::keys::customer(tenant, id)))
        .key("sk", A::S(shared::store::keys::PROFILE.into()))
        .update_expression("SET passwordHash = :h")
        .condition_expression("attribute_exists(pk)")
        .expression_attribute_values(":h", A::S(stored.clone()))
        .send()
        .await
        .expect("plant the hash");
    stored
}
