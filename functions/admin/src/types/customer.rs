//! The admin `Customer` object, its permission-guarded fields, and the customer payloads and connection.

use async_graphql::{Context, Enum, MergedObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use shared::domain::{Customer, OrderRange, Permission};
use shared::graphql::buyer::{
    Buyer, LoyaltyObject, MoneyObject, OrderConnection, PageInfo, PromotionObject, SubscriptionContractObject,
};
use shared::graphql::errors::to_graphql;
use shared::graphql::types::{
    newsletter_of, newsletter_subscriptions_of, AttributeObject, CustomerCore, NewsletterStatus, NewsletterSubscription,
};
use shared::graphql::UserErrorObject;
use shared::graphql::{pages, weights};
use shared::payloads;
use shared::services::api_keys::ApiClient;
use shared::services::back_office::UpsertResult;
use std::future::Future;
use std::sync::Arc;

/// The fields of `Customer` that a permission besides `customer:read`
/// guards. Each is nullable and wrapped in `guarded`: without its permission
/// it is null with a `FORBIDDEN` error at its path (and reads nothing), while
/// the rest of the customer comes back.
pub struct GuardedCustomerFields(pub Arc<Customer>, pub Buyer);

#[Object(name = "GuardedCustomerFields")]
impl GuardedCustomerFields {
    /// The back office's labels, in the order they were added; the storefront never sees them.
    async fn tags(&self) -> &[String] {
        &self.0.tags
    }

    /// The back office's note on the customer; the storefront never sees it.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// Key-value pairs the shop keeps on the customer, one per key: every entry, the back office's and the customer's.
    async fn attributes(&self) -> Vec<AttributeObject> {
        AttributeObject::list(self.0.attributes.iter())
    }

    /// The newsletter state of the customer's email (read only when asked for). Needs `subscription:read`.
    async fn newsletter(&self, ctx: &Context<'_>) -> Option<async_graphql::Result<NewsletterStatus>> {
        guarded(ctx, Permission::SubscriptionRead, newsletter_of(ctx, &self.0)).await
    }

    /// The newsletter subscription of the customer's email: 0 or 1 entries (read only when asked for). Needs
    /// `subscription:read`.
    async fn newsletter_subscriptions(
        &self,
        ctx: &Context<'_>,
    ) -> Option<async_graphql::Result<Vec<NewsletterSubscription>>> {
        guarded(ctx, Permission::SubscriptionRead, newsletter_subscriptions_of(ctx, &self.0)).await
    }

    /// The customer's orders, newest first, placed within `from`..`to` (inclusive) and in `storeId` when given; `first` is clamped to 100. Needs `order:read`.
    #[graphql(complexity = "weights::STORE_QUERY + child_complexity")]
    async fn orders(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default_with = "Some(pages::HISTORY)",
            desc = "How many orders to return, at most 100 (more is clamped)."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "The `endCursor` of the previous page, to continue after it (`INVALID` for a cursor of another listing or range)."
        )]
        after: Option<String>,
        #[graphql(desc = "Only orders placed at or after this instant (RFC 3339); later than `to` is `INVALID`.")]
        from: Option<DateTime<Utc>>,
        #[graphql(desc = "Only orders placed at or before this instant (RFC 3339).")] to: Option<DateTime<Utc>>,
        #[graphql(desc = "Only orders recorded with exactly this `storeId`; absent or blank: every store.")]
        store_id: Option<String>,
    ) -> Option<async_graphql::Result<OrderConnection>> {
        let range = OrderRange::new(from, to, store_id);
        guarded(ctx, Permission::OrderRead, self.1.orders(ctx, first, after, range)).await
    }

    /// Orders that are not `CANCELLED` or `RETURNED`. Needs `order:read`.
    async fn total_orders(&self, ctx: &Context<'_>) -> Option<async_graphql::Result<i64>> {
        guarded(ctx, Permission::OrderRead, self.1.total_orders(ctx)).await
    }

    /// What those orders total, one entry per currency. Needs `order:read`.
    async fn total_spent(&self, ctx: &Context<'_>) -> Option<async_graphql::Result<Vec<MoneyObject>>> {
        guarded(ctx, Permission::OrderRead, self.1.total_spent(ctx)).await
    }

    /// Points, stamps and the ledger. Needs `loyalty:read`.
    async fn loyalty(&self, ctx: &Context<'_>) -> Option<async_graphql::Result<LoyaltyObject>> {
        guarded(ctx, Permission::LoyaltyRead, self.1.loyalty(ctx)).await
    }

    /// The customer's recurring orders, by contract id. Needs `order:read`.
    #[graphql(complexity = "weights::STORE_QUERY + child_complexity")]
    async fn subscription_contracts(
        &self,
        ctx: &Context<'_>,
    ) -> Option<async_graphql::Result<Vec<SubscriptionContractObject>>> {
        guarded(ctx, Permission::OrderRead, self.1.subscription_contracts(ctx)).await
    }

    /// The promotions offered to the customer now (in `storeId`, or in any store): running, for its country, with its thresholds met and its points covering the cost. Needs `loyalty:read`.
    async fn available_promotions(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The store the customer shops in: promotions limited to other stores are left out; absent: any store."
        )]
        store_id: Option<String>,
    ) -> Option<async_graphql::Result<Vec<PromotionObject>>> {
        guarded(ctx, Permission::LoyaltyRead, self.1.available_promotions(ctx, store_id)).await
    }
}

/// A guarded field's value: `read` runs only when the API key holds
/// `permission`, else `FORBIDDEN`. The error comes inside `Some`, which makes
/// async-graphql answer the field null with the error at the field's path;
/// an error returned by the resolver itself would leave the field out of the
/// customer instead.
pub(super) async fn guarded<T>(
    ctx: &Context<'_>,
    permission: Permission,
    read: impl Future<Output = async_graphql::Result<T>>,
) -> Option<async_graphql::Result<T>> {
    let allowed = ctx.data::<ApiClient>().and_then(|client| client.require(permission).map_err(|e| to_graphql(ctx, e)));
    Some(match allowed {
        Ok(()) => read.await,
        Err(e) => Err(e),
    })
}

/// A customer. Fields that need a permission besides `customer:read`
/// (`newsletter`: `subscription:read`; `orders`, `totalOrders`, `totalSpent`,
/// `subscriptionContracts`: `order:read`; `loyalty`, `availablePromotions`:
/// `loyalty:read`) are null without it, with a
/// `FORBIDDEN` error at their path; the rest of the customer comes back.
#[derive(MergedObject)]
#[graphql(name = "Customer")]
pub struct AdminCustomer(pub CustomerCore, pub GuardedCustomerFields);

impl From<Customer> for AdminCustomer {
    fn from(customer: Customer) -> Self {
        let customer = Arc::new(customer);
        Self(CustomerCore(customer.clone()), GuardedCustomerFields(customer.clone(), Buyer::new(customer)))
    }
}

/// The customer after the change (`null` when it did not happen).
#[derive(SimpleObject, Default)]
#[graphql(complex)]
pub struct CustomerPayload {
    #[graphql(skip)]
    pub changed: Option<Customer>,
    /// What went wrong with the input (empty on success).
    pub user_errors: Vec<UserErrorObject>,
}

#[async_graphql::ComplexObject]
impl CustomerPayload {
    /// The customer as it is now; null when the operation failed. Needs `customer:read` (a write permission
    /// never reads).
    async fn customer(&self, ctx: &Context<'_>) -> Option<async_graphql::Result<AdminCustomer>> {
        readable(ctx, &self.changed).await
    }
}

impl CustomerPayload {
    pub fn of(customer: Customer) -> Self {
        Self { changed: Some(customer), user_errors: vec![] }
    }
}

/// A customer a write answers with, shown only to a key that may read
/// customers: a write permission never reads (`FORBIDDEN` at the field).
pub(super) async fn readable(
    ctx: &Context<'_>,
    customer: &Option<Customer>,
) -> Option<async_graphql::Result<AdminCustomer>> {
    let customer = customer.clone()?;
    guarded(ctx, Permission::CustomerRead, async { Ok(AdminCustomer::from(customer)) }).await
}

/// One customer of a `CustomerConnection`.
#[derive(SimpleObject)]
pub struct CustomerEdge {
    /// Where this edge is in the listing: pass as `after` to continue after it.
    pub cursor: String,
    /// The customer.
    pub node: AdminCustomer,
}

/// A page of customers, oldest first (newest first with `reverse`).
#[derive(SimpleObject)]
pub struct CustomerConnection {
    /// The customers of this page.
    pub edges: Vec<CustomerEdge>,
    /// Whether another page follows, and the cursor to ask for it with.
    pub page_info: PageInfo,
}

/// How many customers match: exact, or past 10,000 at least that many.
#[derive(SimpleObject)]
pub struct Count {
    /// The number counted: exact, or (with `AT_LEAST`) a floor.
    pub count: i32,
    /// Whether `count` is exact.
    pub precision: CountPrecision,
}

/// Whether a count is exact.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum CountPrecision {
    /// Every match was counted.
    Exact,
    /// At least `count` match: past 10,000, or where a query the index cannot narrow (a one-letter word, a
    /// contains of fewer than three characters) reached the count's read bound first.
    AtLeast,
}

impl From<shared::services::back_office::Count> for Count {
    fn from(c: shared::services::back_office::Count) -> Self {
        let precision = if c.exact { CountPrecision::Exact } else { CountPrecision::AtLeast };
        Self { count: i32::try_from(c.count).unwrap_or(i32::MAX), precision }
    }
}

/// What an upsert or recording did.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "shared::services::back_office::UpsertResult", name = "UpsertResult")]
pub enum UpsertResultObject {
    /// It did not exist and was created.
    Created,
    /// It existed and was changed.
    Updated,
    /// It existed and nothing changed (the same input again, or an outdated one).
    Noop,
}

/// What `upsertCustomer` did, and the customer.
#[derive(SimpleObject, Default)]
#[graphql(complex)]
pub struct UpsertCustomerPayload {
    /// `CREATED`, `UPDATED`, or `NOOP` when the update would change nothing; null when the operation failed.
    pub result: Option<UpsertResultObject>,
    #[graphql(skip)]
    pub changed: Option<Customer>,
    /// What went wrong with the input (empty on success).
    pub user_errors: Vec<UserErrorObject>,
}

#[async_graphql::ComplexObject]
impl UpsertCustomerPayload {
    /// The customer as it is now; null when the operation failed. Needs `customer:read` (a write permission
    /// never reads).
    async fn customer(&self, ctx: &Context<'_>) -> Option<async_graphql::Result<AdminCustomer>> {
        readable(ctx, &self.changed).await
    }
}

/// Whether `deleteCustomer` erased the customer.
#[derive(SimpleObject, Default)]
pub struct DeleteCustomerPayload {
    /// True when the customer was erased; false when `userErrors` says why not.
    pub deleted: bool,
    /// What went wrong with the input (empty on success).
    pub user_errors: Vec<UserErrorObject>,
}

payloads!(CustomerPayload, UpsertCustomerPayload, DeleteCustomerPayload);

impl UpsertCustomerPayload {
    pub fn new(result: UpsertResult, customer: Customer) -> Self {
        Self { result: Some(result.into()), changed: Some(customer), user_errors: vec![] }
    }
}
