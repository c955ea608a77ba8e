//! The `admin` function: back-office systems with API keys.

mod access;
mod attributes;
pub mod e2e;
mod events;
mod exports;
mod hardening;
mod imports;
mod lookup;
mod no_keys;
mod query;
mod scale;
mod search;
mod seed_fields;
mod suppression;
mod tags;
mod upsert;
mod writes;

use crate::auth::AuthApp;
use crate::support::{bearer, gql, services};
use serde_json::{json, Value};
use shared::domain::{Permission, TenantId};
use shared::graphql::App;
use shared::services::api_keys;
use shared::Services;
use std::sync::Arc;

pub type AdminApp = App<admin::schema::AdminSchema>;

pub struct Backoffice {
    pub svc: Arc<Services>,
    pub admin: AdminApp,
    pub auth: AuthApp,
    /// A key of tenant `default` with every permission.
    pub key: String,
}

pub async fn backoffice() -> Backoffice {
    let svc = services(&[]).await;
    let key = mint(&svc, "default", &Permission::ALL).await;
    Backoffice { admin: admin::app(svc.clone()), auth: auth::app(svc.clone()), svc, key }
}

pub async fn mint(svc: &Services, t: &str, permissions: &[Permission]) -> String {
    let tenant = TenantId::parse(t).unwrap();
    api_keys::mint(svc.store.as_ref(), &tenant, "test", permissions.to_vec(), svc.clock.now()).await.unwrap().1
}

impl Backoffice {
    /// Runs an operation with `key`.
    pub async fn call_with(&self, key: &str, query: &str, variables: Value) -> Value {
        gql(&self.admin, query, variables, &[bearer(key)]).await
    }

    pub async fn call(&self, query: &str, variables: Value) -> Value {
        self.call_with(&self.key, query, variables).await
    }

    /// Creates a customer from `input`; returns the payload.
    pub async fn create(&self, input: Value) -> Value {
        self.call(CREATE, json!({ "input": input })).await["data"]["createCustomer"].clone()
    }
}

pub const FIELDS: &str =
    "id customerNumber ref externalId email emailVerified firstName lastName phoneNumber status version createdAt";

pub const CREATE: &str = "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id customerNumber ref externalId email emailVerified firstName lastName phoneNumber status version createdAt } userErrors { code field message } } }";
