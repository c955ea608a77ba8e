//! Query and mutation roots of `subscriptions`; every rule lives in
//! `shared::services::{newsletter, back_in_stock}`.

use async_graphql::{Context, EmptySubscription, InputObject, Object, Schema, SimpleObject};
use shared::domain::NewsletterState;
use shared::graphql::http::with_limits;
use shared::graphql::types::{GenderObject, NewsletterState as NewsletterStateObject};
use shared::graphql::{respond, RequestContext, UserErrorObject};
use shared::payloads;
use shared::services::back_in_stock::{self, BackInStockInput as DomainBackInStock};
use shared::services::credentials::Principal;
use shared::services::newsletter::{self, NewsletterInfo};
use shared::Services;
use std::sync::Arc;

pub type SubscriptionsSchema = Schema<Query, Mutation, EmptySubscription>;

pub fn build(services: Arc<Services>) -> SubscriptionsSchema {
    with_limits(Schema::build(Query, Mutation, EmptySubscription), &services).data(services).finish()
}

/// The services, the request (its tenant is the customer's when logged in),
/// and the customer if an access token was sent: the handler authenticated it
/// once for the whole request (`Access::OptionalCustomer`).
fn parts<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<(&'a Services, &'a RequestContext, Option<&'a Principal>)> {
    Ok((ctx.data::<Arc<Services>>()?.as_ref(), ctx.data::<RequestContext>()?, ctx.data_opt::<Principal>()))
}

#[derive(InputObject, Clone, Default)]
pub struct NewsletterInfoInput {
    /// A honeypot: leave it out of forms people see. Filled in, nothing is stored or sent.
    pub email_field: Option<String>,
    pub country_code: Option<String>,
    pub language_code: Option<String>,
    pub gender: Option<GenderObject>,
}

#[derive(InputObject, Clone)]
pub struct ShipToInput {
    pub country_code: String,
}

#[derive(InputObject, Clone)]
pub struct BackInStockInput {
    /// Not needed with an access token: then the customer's own address.
    pub email: Option<String>,
    pub item: String,
    pub ship_to: ShipToInput,
    pub language_code: Option<String>,
}

impl From<BackInStockInput> for DomainBackInStock {
    fn from(i: BackInStockInput) -> Self {
        Self { email: i.email, item: i.item, country_code: i.ship_to.country_code, language_code: i.language_code }
    }
}

#[derive(SimpleObject, Default)]
pub struct NewsletterPayload {
    pub subscribed: bool,
    pub status: Option<NewsletterStateObject>,
    pub user_errors: Vec<UserErrorObject>,
}

impl NewsletterPayload {
    fn of(state: NewsletterState) -> Self {
        Self { subscribed: state != NewsletterState::Unsubscribed, status: Some(state.into()), user_errors: vec![] }
    }
}

#[derive(SimpleObject, Default)]
pub struct BackInStockPayload {
    pub subscribed: bool,
    pub user_errors: Vec<UserErrorObject>,
}

payloads!(NewsletterPayload, BackInStockPayload);

pub struct Query;

#[Object]
impl Query {
    /// The API version this function serves.
    async fn api_version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
}

pub struct Mutation;

#[Object]
impl Mutation {
    /// Starts the double opt-in: `PENDING` until the mailed link is used. The
    /// answer never reveals whether an address is subscribed (only a customer
    /// subscribing its own address sees its real state).
    async fn subscribe_to_newsletter(
        &self,
        ctx: &Context<'_>,
        email: String,
        additional_info: Option<NewsletterInfoInput>,
    ) -> async_graphql::Result<NewsletterPayload> {
        let (svc, req, caller) = parts(ctx)?;
        let i = additional_info.unwrap_or_default();
        let info = NewsletterInfo {
            email_field: i.email_field,
            country_code: i.country_code,
            language_code: i.language_code,
            gender: i.gender.map(Into::into),
        };
        let result = newsletter::subscribe(svc, &req.tenant, caller, &email, info).await;
        respond(ctx, result.map_err(|e| e.under(&["additionalInfo"])), NewsletterPayload::of)
    }

    async fn confirm_newsletter_subscription(
        &self,
        ctx: &Context<'_>,
        token: String,
    ) -> async_graphql::Result<NewsletterPayload> {
        let (svc, req, _) = parts(ctx)?;
        respond(ctx, newsletter::confirm(svc, &req.tenant, &token).await, NewsletterPayload::of)
    }

    /// By the token of a newsletter mail's unsubscribe link, or for the
    /// logged-in customer (`email`, if given, must be its own).
    async fn unsubscribe_from_newsletter(
        &self,
        ctx: &Context<'_>,
        token: Option<String>,
        email: Option<String>,
    ) -> async_graphql::Result<NewsletterPayload> {
        let (svc, req, caller) = parts(ctx)?;
        let result = newsletter::unsubscribe(svc, &req.tenant, caller, token.as_deref(), email.as_deref()).await;
        respond(ctx, result, NewsletterPayload::of)
    }

    /// Subscribing twice is one subscription.
    async fn back_in_stock_subscribe(
        &self,
        ctx: &Context<'_>,
        input: BackInStockInput,
    ) -> async_graphql::Result<BackInStockPayload> {
        let (svc, req, caller) = parts(ctx)?;
        let result = back_in_stock::subscribe(svc, &req.tenant, caller, input.into()).await;
        respond(ctx, result.map_err(|e| e.under(&["input"])), |_| BackInStockPayload {
            subscribed: true,
            user_errors: vec![],
        })
    }

    async fn back_in_stock_unsubscribe(
        &self,
        ctx: &Context<'_>,
        input: BackInStockInput,
    ) -> async_graphql::Result<BackInStockPayload> {
        let (svc, req, caller) = parts(ctx)?;
        let result = back_in_stock::unsubscribe(svc, &req.tenant, caller, input.into()).await;
        respond(ctx, result.map_err(|e| e.under(&["input"])), |_| BackInStockPayload {
            subscribed: false,
            user_errors: vec![],
        })
    }
}
