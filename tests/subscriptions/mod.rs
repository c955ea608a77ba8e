//! The `subscriptions` function (newsletter, back-in-stock alerts, the contact form), and the sending side of
//! back-in-stock in `admin`.

mod back_in_stock;
mod contact;
mod e2e;
mod events;
mod newsletter;

use crate::support::{bearer, gql, with_role};
use serde_json::{json, Value};
use shared::domain::Permission;
use shared::Services;
use std::sync::Arc;

pub const API: &str = "http://api.test/lambda-url";

pub struct Stack {
    pub svc: Arc<Services>,
    pub subs: subscriptions::Subscriptions,
    pub auth: crate::auth::AuthApp,
    pub account: crate::account::AccountApp,
    pub admin: crate::admin::AdminApp,
    pub key: String,
    /// Every DynamoDB call of the functions' services, for tests that count them.
    pub recorder: crate::support::recorder::Recorder,
}

pub async fn stack(overrides: &[(&str, &str)]) -> Stack {
    let mut all = vec![("PUBLIC_API_URL", API)];
    all.extend_from_slice(overrides);
    let (svc, recorder) = crate::support::services_recorded(&all).await;
    let key = crate::admin::mint(&svc, "default", &Permission::ALL).await;
    // Each function with the keys it holds when deployed: subscriptions
    // verifies the tokens auth issues with the public key alone.
    Stack {
        subs: subscriptions::app(with_role(&svc, subscriptions::TOKEN_ROLE)),
        auth: auth::app(svc.clone()),
        account: account::app(svc.clone()),
        admin: admin::app(with_role(&svc, admin::TOKEN_ROLE)),
        key,
        svc,
        recorder,
    }
}

pub const SUBSCRIBE: &str = "mutation($e: String!, $i: NewsletterInfoInput) { subscribeToNewsletter(email: $e, additionalInfo: $i) { subscribed status userErrors { code field message } } }";
pub const CONFIRM: &str = "mutation($t: String!) { confirmNewsletterSubscription(token: $t) { subscribed status userErrors { code field } } }";
pub const UNSUBSCRIBE: &str = "mutation($t: String, $e: String) { unsubscribeFromNewsletter(token: $t, email: $e) { subscribed status userErrors { code field } } }";
pub const EXPORT: &str = "query($s: NewsletterState, $first: Int, $after: String) { newsletterSubscriptions(status: $s, first: $first, after: $after) { edges { cursor node { email status countryCode languageCode gender confirmedAt } } pageInfo { hasNextPage endCursor } } }";

impl Stack {
    pub async fn call(&self, query: &str, variables: Value, headers: &[(&str, String)]) -> Value {
        gql(self.subs.graphql(), query, variables, headers).await
    }

    pub async fn subscribe(&self, email: &str, info: Value, headers: &[(&str, String)]) -> Value {
        self.call(SUBSCRIBE, json!({ "e": email, "i": info }), headers).await["data"]["subscribeToNewsletter"].clone()
    }

    pub async fn admin(&self, query: &str, variables: Value) -> Value {
        gql(&self.admin, query, variables, &[bearer(&self.key)]).await
    }

    /// Every exported subscription (all statuses).
    pub async fn export(&self) -> Vec<Value> {
        let resp = self.admin(EXPORT, json!({ "first": 100 })).await;
        resp["data"]["newsletterSubscriptions"]["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("{resp}"))
            .iter()
            .map(|e| e["node"].clone())
            .collect()
    }
}
