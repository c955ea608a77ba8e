//! The `account` function: a logged-in customer and nobody else.

mod addresses;
mod authentication;
mod data_export;
mod e2e;
mod email_change;
mod erasure;
mod events;
mod password;
mod profile;
mod seed_fields;
mod wishlists;

use crate::auth::AuthApp;
use crate::support::accounts::{PASSWORD, REGISTER};
use crate::support::{bearer, gql, services};
use serde_json::{json, Value};
use shared::graphql::App;

pub type AccountApp = App<account::schema::AccountSchema>;

/// The `auth` and `account` functions over one fresh table.
pub struct Shop {
    pub auth: AuthApp,
    pub account: AccountApp,
}

pub async fn shop(overrides: &[(&str, &str)]) -> Shop {
    let svc = services(overrides).await;
    Shop { auth: auth::app(svc.clone()), account: account::app(svc) }
}

/// A registered, logged-in customer.
pub struct Customer {
    pub email: String,
    pub access: String,
    pub refresh: String,
    pub id: String,
}

impl Shop {
    pub async fn customer(&self, name: &str) -> Customer {
        let email = crate::support::email(name);
        let input = json!({ "email": email, "password": PASSWORD, "firstName": "Kim", "lastName": "Novak" });
        let r = gql(&self.auth, REGISTER, json!({ "input": input }), &[]).await;
        let p = &r["data"]["registerCustomer"];
        Customer {
            id: p["customer"]["id"].as_str().expect("registered").to_string(),
            access: p["session"]["accessToken"].as_str().unwrap().to_string(),
            refresh: p["session"]["refreshToken"].as_str().unwrap().to_string(),
            email,
        }
    }

    /// Runs an `account` operation as the customer holding `access`.
    pub async fn call(&self, access: &str, query: &str, variables: Value) -> Value {
        gql(&self.account, query, variables, &[bearer(access)]).await
    }
}

pub const CUSTOMER: &str = "{ customer { id tenantId customerNumber ref externalId email emailVerified title firstName lastName phoneNumber cellPhoneNumber birthdate gender languageCode countryCode timezone status billingAddress { id firstName street streetNumber postalCode city countryCode } deliveryAddresses { id street city countryCode } defaultDeliveryAddressId consents { key granted updatedAt } attributes { key value } newsletter { status updatedAt } createdAt updatedAt lastLoginAt version } }";
