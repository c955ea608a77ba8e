//! Query and mutation roots of `subscriptions`; every rule lives in
//! `shared::services::{newsletter, back_in_stock, contact}`.

use async_graphql::{Context, EmptySubscription, InputObject, Object, Schema, SimpleObject};
use shared::domain::NewsletterState;
use shared::graphql::http::with_limits;
use shared::graphql::types::{GenderObject, NewsletterState as NewsletterStateObject};
use shared::graphql::{respond, RequestContext, UserErrorObject};
use shared::payloads;
use shared::services::back_in_stock::{self, BackInStockInput as DomainBackInStock};
use shared::services::contact::{self, ContactRequestInput as DomainContactRequest};
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

/// What a newsletter sign-up form sends besides the address; a field left out keeps what an earlier sign-up stored.
#[derive(InputObject, Clone, Default)]
pub struct NewsletterInfoInput {
    /// A honeypot: leave it out of forms people see. Filled in, nothing is stored or sent.
    pub email_field: Option<String>,
    /// The subscriber's country: ISO 3166-1 alpha-2, e.g. `DE` (else `INVALID`).
    pub country_code: Option<String>,
    /// The language of the mails: Two letters (not checked against ISO 639-1), optionally `-` or `_` and an ISO 3166-1 region (else `INVALID`); stored as `de-AT`.
    pub language_code: Option<String>,
    /// The subscriber's gender, where the form asks for it.
    pub gender: Option<GenderObject>,
}

/// Where the item would be shipped.
#[derive(InputObject, Clone)]
pub struct ShipToInput {
    /// ISO 3166-1 alpha-2, e.g. `DE`: the country the alert is for (else `INVALID`).
    pub country_code: String,
}

/// A back-in-stock alert: who gets the mail, for which item and shipping country.
#[derive(InputObject, Clone)]
pub struct BackInStockInput {
    /// Not needed with an access token: then the customer's own address (another one is `INVALID`); without a
    /// token, `REQUIRED`.
    pub email: Option<String>,
    /// The shop's item id (SKU, variant id): 1-200 characters, no `#`.
    pub item: String,
    /// Where the item would be shipped.
    pub ship_to: ShipToInput,
    /// The language of the alert mail: Two letters (not checked against ISO 639-1), optionally `-` or `_` and an ISO 3166-1 region (else `INVALID`); stored as `de-AT`.
    pub language_code: Option<String>,
}

impl From<BackInStockInput> for DomainBackInStock {
    fn from(i: BackInStockInput) -> Self {
        Self { email: i.email, item: i.item, country_code: i.ship_to.country_code, language_code: i.language_code }
    }
}

/// A message from the shop's contact form: who writes, about what, and the message. It is mailed to the shop;
/// nothing is stored.
#[derive(InputObject, Clone)]
pub struct ContactRequestInput {
    /// The sender's address, which answers go to (`Reply-To`); else `REQUIRED`, `INVALID` or `TOO_LONG`.
    pub email: String,
    /// How the sender wants to be addressed (`Ms`, `Dr.`): at most 50 characters (else `TOO_LONG`).
    pub salutation: Option<String>,
    /// The sender's first name: at most 100 characters (else `TOO_LONG`).
    pub first_name: Option<String>,
    /// The sender's last name: at most 100 characters (else `TOO_LONG`).
    pub last_name: Option<String>,
    /// 1-200 characters after trimming (else `REQUIRED` or `TOO_LONG`); line breaks become spaces.
    pub subject: String,
    /// 1-5,000 characters after trimming (else `REQUIRED` or `TOO_LONG`); line breaks are kept.
    pub message: String,
    /// A honeypot: leave it out of forms people see. Filled in, nothing is sent (the answer is still `sent: true`).
    pub email_field: Option<String>,
}

impl From<ContactRequestInput> for DomainContactRequest {
    fn from(i: ContactRequestInput) -> Self {
        Self {
            email: i.email,
            salutation: i.salutation,
            first_name: i.first_name,
            last_name: i.last_name,
            subject: i.subject,
            message: i.message,
            email_field: i.email_field,
        }
    }
}

/// What the newsletter mutations answer.
#[derive(SimpleObject, Default)]
pub struct NewsletterPayload {
    /// True when `status` is `PENDING` or `SUBSCRIBED`; false when it is `UNSUBSCRIBED`, and on error.
    pub subscribed: bool,
    /// The address's state as far as the caller may know it: `subscribeToNewsletter` answers `PENDING` to anyone
    /// but a customer subscribing its own, verified address. Null on error.
    pub status: Option<NewsletterStateObject>,
    /// What went wrong (empty on success): input errors at `email` or under `additionalInfo`; `TOKEN_INVALID` or
    /// `TOKEN_EXPIRED` at `token`.
    pub user_errors: Vec<UserErrorObject>,
}

impl NewsletterPayload {
    fn of(state: NewsletterState) -> Self {
        Self { subscribed: state != NewsletterState::Unsubscribed, status: Some(state.into()), user_errors: vec![] }
    }
}

/// What `backInStockSubscribe` and `backInStockUnsubscribe` answer.
#[derive(SimpleObject, Default)]
pub struct BackInStockPayload {
    /// True after `backInStockSubscribe`; false after `backInStockUnsubscribe`, and on error.
    pub subscribed: bool,
    /// What went wrong with the input (empty on success), under `input`.
    pub user_errors: Vec<UserErrorObject>,
}

/// What `sendContactRequest` answers.
#[derive(SimpleObject, Default)]
pub struct ContactRequestPayload {
    /// True when the request was taken, the same whether or not a mail goes out (none does for a filled honeypot
    /// or once the sender's hourly mail budget is spent); false on error.
    pub sent: bool,
    /// What went wrong (empty on success): input errors under `input`; `INVALID` without a `field` when the shop
    /// has no contact address.
    pub user_errors: Vec<UserErrorObject>,
}

payloads!(NewsletterPayload, BackInStockPayload, ContactRequestPayload);

pub struct Query;

/// What `subscriptions` serves to read; its work is done by the mutations.
#[Object]
impl Query {
    /// The API version this function serves.
    async fn api_version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
}

pub struct Mutation;

/// Newsletter double opt-in, back-in-stock alerts and the contact form. Anyone may call them; an access token, when
/// sent, makes them act for that customer. `subscribeToNewsletter`, `confirmNewsletterSubscription`,
/// `unsubscribeFromNewsletter` and `sendContactRequest` send mail or use a token: only one such field may run per
/// HTTP request (a batch counts as one), with more nothing runs (top-level `LIMIT_EXCEEDED`).
#[Object]
impl Mutation {
    /// Starts the double opt-in: `PENDING` until the mailed link is used. The
    /// answer never reveals whether an address is subscribed (only a customer
    /// subscribing its own address sees its real state).
    async fn subscribe_to_newsletter(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The address to subscribe.")] email: String,
        #[graphql(
            desc = "What the sign-up form asked besides the address; its errors are reported under `additionalInfo`."
        )]
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

    /// Completes the double opt-in: the address becomes `SUBSCRIBED`.
    async fn confirm_newsletter_subscription(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The `token` query parameter of the link in the confirmation mail; single use.")]
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
        #[graphql(
            desc = "The `token` query parameter of a newsletter mail's unsubscribe link; without it an access token is needed (neither: top-level `UNAUTHENTICATED`)."
        )]
        token: Option<String>,
        #[graphql(
            desc = "Without `token`: the logged-in customer's own address, which may be left out; another address, or an unverified one, is `INVALID`."
        )]
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
        #[graphql(desc = "Who is alerted, for which item and shipping country.")] input: BackInStockInput,
    ) -> async_graphql::Result<BackInStockPayload> {
        let (svc, req, caller) = parts(ctx)?;
        let result = back_in_stock::subscribe(svc, &req.tenant, caller, input.into()).await;
        respond(ctx, result.map_err(|e| e.under(&["input"])), |_| BackInStockPayload {
            subscribed: true,
            user_errors: vec![],
        })
    }

    /// Ends the alert that the same input started; ending one that does not exist is no error.
    async fn back_in_stock_unsubscribe(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The same input the alert was subscribed with.")] input: BackInStockInput,
    ) -> async_graphql::Result<BackInStockPayload> {
        let (svc, req, caller) = parts(ctx)?;
        let result = back_in_stock::unsubscribe(svc, &req.tenant, caller, input.into()).await;
        respond(ctx, result.map_err(|e| e.under(&["input"])), |_| BackInStockPayload {
            subscribed: false,
            user_errors: vec![],
        })
    }

    /// The contact form: mails the shop's contact address, `Reply-To` the sender; stores nothing. The mail counts
    /// towards the sender address's hourly mail budget (`MAILS_PER_ADDRESS_PER_HOUR`).
    async fn send_contact_request(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Who writes, about what, and the message.")] input: ContactRequestInput,
    ) -> async_graphql::Result<ContactRequestPayload> {
        let (svc, req, _) = parts(ctx)?;
        let result = contact::send(svc, &req.tenant, input.into()).await;
        respond(ctx, result.map_err(|e| e.under(&["input"])), |sent| ContactRequestPayload {
            sent,
            user_errors: vec![],
        })
    }
}
