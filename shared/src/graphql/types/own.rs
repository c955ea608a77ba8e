//! `Customer` as the customer itself sees it (storefront functions), and the payloads that carry it.

use super::address::AttributeObject;
use super::customer::CustomerCore;
use super::newsletter::{
    newsletter_of, newsletter_subscriptions_of, NewsletterState, NewsletterStatus, NewsletterSubscription,
};
use crate::domain::{self, OrderRange};
use crate::graphql::buyer::{
    Buyer, LoyaltyObject, MoneyObject, OrderConnection, PromotionObject, SubscriptionContractObject,
};
use crate::graphql::{pages, weights};
use async_graphql::{Context, MergedObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// The guarded fields of `Customer` as the customer itself reads them
/// (storefront functions): no permission applies, each is always there.
pub struct OwnCustomerFields(pub Arc<domain::Customer>, pub Buyer);

#[Object(name = "OwnCustomerFields")]
impl OwnCustomerFields {
    /// Key-value pairs the shop keeps on the customer, one per key: the customer's own and those the shop shows it.
    async fn attributes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AttributeObject>> {
        let svc = ctx.data::<Arc<crate::Services>>()?;
        Ok(AttributeObject::list(svc.config.attribute_rules(&self.0.tenant_id).visible(&self.0.attributes)))
    }

    /// The newsletter state of the customer's email (read only when asked for); `UNSUBSCRIBED` while the email is
    /// not verified.
    async fn newsletter(&self, ctx: &Context<'_>) -> async_graphql::Result<NewsletterStatus> {
        // An unverified email may be someone else's address: registering it
        // proves nothing about the mailbox. The subscription belongs to the
        // address, so its state is not read for such an account, which sees
        // what a new customer sees.
        if !self.0.owns_mailbox() {
            return Ok(NewsletterStatus { status: NewsletterState::Unsubscribed, updated_at: None });
        }
        newsletter_of(ctx, &self.0).await
    }

    /// The newsletter subscription of the customer's email: 0 or 1 entries (read only when asked for); none while
    /// the email is not verified.
    async fn newsletter_subscriptions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<NewsletterSubscription>> {
        // As with `newsletter`: an unverified email may be someone else's.
        if !self.0.owns_mailbox() {
            return Ok(vec![]);
        }
        newsletter_subscriptions_of(ctx, &self.0).await
    }

    /// The customer's orders, newest first, placed within `from`..`to` (inclusive) and in `storeId` when given; `first` is clamped to 100.
    #[graphql(complexity = "weights::STORE_QUERY + child_complexity")]
    async fn orders(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default_with = "Some(pages::HISTORY)",
            desc = "How many orders to return: at most 100 (more is clamped)."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "Continue after this cursor (an edge's `cursor` or `pageInfo.endCursor` of the same listing); a cursor of another listing or outside `from`..`to` is `INVALID`."
        )]
        after: Option<String>,
        #[graphql(desc = "Only orders placed at or after this time; a `from` after `to` is `INVALID`.")] from: Option<
            DateTime<Utc>,
        >,
        #[graphql(desc = "Only orders placed at or before this time.")] to: Option<DateTime<Utc>>,
        #[graphql(desc = "Only orders of this store (the orders' `storeId`); absent or blank: every store.")]
        store_id: Option<String>,
    ) -> async_graphql::Result<OrderConnection> {
        self.1.orders(ctx, first, after, OrderRange::new(from, to, store_id)).await
    }

    /// Orders that are not `CANCELLED` or `RETURNED`.
    async fn total_orders(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        self.1.total_orders(ctx).await
    }

    /// What those orders total, one entry per currency.
    async fn total_spent(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<MoneyObject>> {
        self.1.total_spent(ctx).await
    }

    /// Points, stamps and the ledger.
    async fn loyalty(&self, ctx: &Context<'_>) -> async_graphql::Result<LoyaltyObject> {
        self.1.loyalty(ctx).await
    }

    /// The customer's recurring orders, by contract id.
    #[graphql(complexity = "weights::STORE_QUERY + child_complexity")]
    async fn subscription_contracts(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<SubscriptionContractObject>> {
        self.1.subscription_contracts(ctx).await
    }

    /// The promotions offered to the customer now (in `storeId`, or in any store): running, for its country, with its thresholds met and its points covering the cost.
    async fn available_promotions(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Only promotions offered in this store (one without `storeIds` is offered in every store); absent or blank: any store."
        )]
        store_id: Option<String>,
    ) -> async_graphql::Result<Vec<PromotionObject>> {
        self.1.available_promotions(ctx, store_id).await
    }
}

// `Customer` in the storefront functions (`auth`, `account`): the customer
// itself, so every field is there.
/// A customer account as the customer itself sees it: profile, addresses, consents and attributes, and (read when
/// asked for) its newsletter state, orders, loyalty, subscription contracts and promotions.
#[derive(MergedObject)]
#[graphql(name = "Customer")]
pub struct CustomerObject(pub CustomerCore, pub OwnCustomerFields);

impl CustomerObject {
    pub fn new(customer: domain::Customer) -> Self {
        let customer = Arc::new(customer);
        Self(CustomerCore(customer.clone()), OwnCustomerFields(customer.clone(), Buyer::new(customer)))
    }
}

impl From<domain::Customer> for CustomerObject {
    fn from(customer: domain::Customer) -> Self {
        Self::new(customer)
    }
}

/// Whether the session(s) ended.
#[derive(SimpleObject, Default)]
pub struct LogoutPayload {
    /// `true` when the session(s) ended.
    pub logged_out: bool,
    /// What went wrong (empty on success).
    pub user_errors: Vec<crate::graphql::UserErrorObject>,
}

/// The customer after the change (`null` when it did not happen).
#[derive(SimpleObject, Default)]
pub struct CustomerPayload {
    /// The customer after the change; `null` when it did not happen.
    pub customer: Option<CustomerObject>,
    /// What went wrong with the input (empty on success); an address's errors are under `address`, an unknown
    /// address id is `NOT_FOUND` at `id`.
    pub user_errors: Vec<crate::graphql::UserErrorObject>,
}

impl CustomerPayload {
    pub fn of(customer: crate::domain::Customer) -> Self {
        Self { customer: Some(CustomerObject::new(customer)), user_errors: vec![] }
    }
}

/// A data-portability export: asked for (`requestDataExport`, mailed) or
/// answered (`exportCustomerData`, a link).
#[derive(SimpleObject, Default)]
pub struct DataExportPayload {
    /// True once the link is on its way (or, for the back office, made).
    pub requested: bool,
    /// The back office's link to the document (one JSON file: a page with a download button); `null` for a
    /// customer's request, whose link is mailed.
    pub download_url: Option<String>,
    /// Until when `downloadUrl` works.
    pub download_expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// What went wrong (empty on success).
    pub user_errors: Vec<crate::graphql::UserErrorObject>,
}

crate::payloads!(LogoutPayload, CustomerPayload, DataExportPayload);
