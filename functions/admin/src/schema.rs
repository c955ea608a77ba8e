//! Query and mutation roots of `admin`. Each resolver first checks the API
//! key's permission (`FORBIDDEN` without it); every rule lives in
//! `shared::services::back_office`.

use crate::exports::{ExportsMutation, ExportsQuery};
use crate::imports::{ImportsMutation, ImportsQuery};
use crate::types::*;
use async_graphql::{Context, EmptySubscription, MergedObject, Object, Schema, ID};
use shared::domain::LoyaltyRequest;
use shared::domain::{DomainResult, Permission};
use shared::graphql::buyer::{OrderObject, PageInfo, PromotionObject, SubscriptionContractObject};
use shared::graphql::errors::to_graphql;
use shared::graphql::http::with_limits;
use shared::graphql::respond;
use shared::graphql::types::CustomerStatusObject;
use shared::graphql::{pages, weights};
use shared::services::api_keys::ApiClient;
use shared::services::back_office;
use shared::services::{back_in_stock, contracts, loyalty, newsletter, orders, promotions};
use shared::Services;
use std::sync::Arc;

pub type AdminSchema = Schema<Query, Mutation, EmptySubscription>;

pub fn build(services: Arc<Services>) -> AdminSchema {
    with_limits(Schema::build(Query::default(), Mutation::default(), EmptySubscription), &services)
        .data(services)
        .finish()
}

/// The services and the API client, once it is known to hold every one of `permissions`.
pub(crate) fn allowed<'a>(
    ctx: &'a Context<'_>,
    permissions: &[Permission],
) -> async_graphql::Result<(&'a Services, &'a ApiClient)> {
    let svc = ctx.data::<Arc<Services>>()?.as_ref();
    let client = ctx.data::<ApiClient>()?;
    for p in permissions {
        client.require(*p).map_err(|e| to_graphql(ctx, e))?;
    }
    Ok((svc, client))
}

/// A query's result: user errors become top-level errors (a query has no payload).
pub(crate) fn answer<T>(ctx: &Context<'_>, r: DomainResult<T>) -> async_graphql::Result<T> {
    r.map_err(|e| to_graphql(ctx, e))
}

/// The back office's reads, within the API key's tenant. Each needs the permission its description names
/// (else a top-level `FORBIDDEN` error); a bad argument is a top-level error whose `extensions.code` is its `ErrorCode`.
#[derive(MergedObject, Default)]
pub struct Query(CustomersQuery, ImportsQuery, ExportsQuery);

#[derive(Default)]
pub struct CustomersQuery;

#[Object]
impl CustomersQuery {
    /// One customer by exactly one of `id`, `ref`, `email`, `externalId`, `loyaltyId`, `username` (else
    /// `INVALID`); null when none matches. Needs `customer:read`.
    // One argument per identifier, as the contract names them.
    #[allow(clippy::too_many_arguments)]
    async fn customer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The customer's `id`.")] id: Option<ID>,
        #[graphql(name = "ref", desc = "The customer's `ref`, exact.")] reference: Option<String>,
        #[graphql(desc = "The customer's email, compared case-insensitively.")] email: Option<String>,
        #[graphql(desc = "The customer's `externalId`, exact.")] external_id: Option<String>,
        #[graphql(desc = "The customer's `loyaltyId`, exact.")] loyalty_id: Option<String>,
        #[graphql(desc = "The customer's `username`, exact.")] username: Option<String>,
    ) -> async_graphql::Result<Option<AdminCustomer>> {
        let (svc, client) = allowed(ctx, &[Permission::CustomerRead])?;
        let given = CustomerIdentifierInput { customer_id: id, email, reference, external_id, loyalty_id, username };
        let ident = answer(ctx, given.identifier(&[]))?;
        let found = answer(ctx, back_office::find(svc, client.tenant(), &ident).await)?;
        Ok(found.map(|r| r.customer.into()))
    }

    /// Customers matching `query` and `filter` (both, when both are given), oldest first (newest first with
    /// `reverse`); `first` is clamped to 100. Answered from the search index: a change is found within seconds, an
    /// erased customer never. A page reads at most 10,000 index entries and 500 customers: one that reaches that
    /// bound before it is full ends early, with `hasNextPage` and an `endCursor` that goes on from there. Needs
    /// `customer:read`.
    #[graphql(complexity = "weights::customers_page(first, child_complexity)")]
    async fn customers(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "A search string: terms all of which must match, `OR` between two terms, `-` before a term to exclude it, `\"quoted phrases\"`, `field:value` (`email`, `name`, `phone`, `ref`, `externalId`, `username`, `loyaltyId`, `customerNumber`, `tag`, `status`, `country`, `created` with `>`, `>=`, `<`, `<=` and a date), `value*` for a prefix; a bare value matches the start of any word, case and accents aside (`INVALID` at `[\"query\"]`, naming the position, when it cannot be read)."
        )]
        query: Option<String>,
        #[graphql(desc = "What the customers must match; absent: every customer of the tenant.")] filter: Option<
            CustomerFilter,
        >,
        #[graphql(default_with = "Some(false)", desc = "Newest first.")] reverse: Option<bool>,
        #[graphql(default_with = "Some(pages::LISTING)", desc = "How many to return, at most 100 (more is clamped).")]
        first: Option<i32>,
        #[graphql(
            desc = "The `endCursor` of the previous page, to continue after it (`INVALID` when it is not a cursor of this listing)."
        )]
        after: Option<String>,
    ) -> async_graphql::Result<CustomerConnection> {
        let (svc, client) = allowed(ctx, &[Permission::CustomerRead])?;
        let filter = answer(ctx, filter.unwrap_or_default().into_domain())?;
        let first = pages::requested(first, pages::LISTING);
        let request = back_office::SearchRequest { query: query.as_deref(), filter, reverse: reverse.unwrap_or(false) };
        let found = answer(ctx, back_office::search(svc, client.tenant(), request, first, after.as_deref()).await)?;
        let mut page_info = PageInfo::of(&found.page, after.as_deref());
        page_info.end_cursor = found.end_cursor();
        let edges = found.page.items.into_iter().map(|(cursor, c)| CustomerEdge { cursor, node: c.into() }).collect();
        Ok(CustomerConnection { edges, page_info })
    }

    /// How many customers match `query` and `filter` (as `customers` reads them): exact up to 10,000, else
    /// `AT_LEAST` 10,000. Needs `customer:read`.
    #[graphql(complexity = 5)]
    async fn customers_count(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A search string, as `customers` reads it.")] query: Option<String>,
        #[graphql(desc = "What the customers must match; absent: every customer of the tenant.")] filter: Option<
            CustomerFilter,
        >,
    ) -> async_graphql::Result<Count> {
        let (svc, client) = allowed(ctx, &[Permission::CustomerRead])?;
        let filter = answer(ctx, filter.unwrap_or_default().into_domain())?;
        let request = back_office::SearchRequest { query: query.as_deref(), filter, reverse: false };
        Ok(answer(ctx, back_office::count(svc, client.tenant(), request).await)?.into())
    }

    /// The tenant's promotions by `promotionId`, running or not; `first` is clamped to 100. Needs `customer:read`.
    async fn promotions(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "Some(pages::LISTING)", desc = "How many to return, at most 100 (more is clamped).")]
        first: Option<i32>,
        #[graphql(
            desc = "The `endCursor` of the previous page, to continue after it (`INVALID` when it is not a cursor of this listing)."
        )]
        after: Option<String>,
    ) -> async_graphql::Result<PromotionConnection> {
        let (svc, client) = allowed(ctx, &[Permission::CustomerRead])?;
        let first = pages::requested(first, pages::LISTING);
        let page = answer(ctx, promotions::list(svc, client.tenant(), first, after.as_deref()).await)?;
        let page_info = PageInfo::of(&page, after.as_deref());
        let edges =
            page.items.into_iter().map(|(cursor, p)| PromotionEdge { cursor, node: PromotionObject(p) }).collect();
        Ok(PromotionConnection { edges, page_info })
    }

    /// Newsletter subscriptions for export, by status and then address; `first` is clamped to 100. Needs
    /// `subscription:read`.
    async fn newsletter_subscriptions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only subscriptions in this state; absent: all of them.")] status: Option<
            shared::graphql::types::NewsletterState,
        >,
        #[graphql(default_with = "Some(pages::LISTING)", desc = "How many to return, at most 100 (more is clamped).")]
        first: Option<i32>,
        #[graphql(
            desc = "The `endCursor` of the previous page, to continue after it (`INVALID` when it is not a cursor of this listing)."
        )]
        after: Option<String>,
    ) -> async_graphql::Result<NewsletterSubscriptionConnection> {
        let (svc, client) = allowed(ctx, &[Permission::SubscriptionRead])?;
        let first = pages::requested(first, pages::LISTING);
        let status = status.map(Into::into);
        let page =
            answer(ctx, newsletter::list_newsletters(svc, client.tenant(), status, first, after.as_deref()).await)?;
        let page_info = PageInfo::of(&page, after.as_deref());
        let edges =
            page.items.into_iter().map(|(cursor, s)| NewsletterSubscriptionEdge { cursor, node: s.into() }).collect();
        Ok(NewsletterSubscriptionConnection { edges, page_info })
    }
}

/// A loyalty change of the back office, answered as a `LoyaltyPayload`.
async fn loyalty_change(
    ctx: &Context<'_>,
    customer: CustomerIdentifierInput,
    request: LoyaltyRequest,
    reason: Option<String>,
    idempotency_key: String,
    reason_required: bool,
) -> async_graphql::Result<LoyaltyPayload> {
    let (svc, client) = allowed(ctx, &[Permission::LoyaltyWrite])?;
    let result = match customer.identifier(&["customer"]) {
        Ok(ident) => {
            loyalty::change(svc, client.tenant(), &ident, request, reason, &idempotency_key, reason_required).await
        }
        Err(e) => Err(e),
    };
    respond(ctx, result, LoyaltyPayload::of)
}

/// The back office's and order systems' writes, within the API key's tenant. Each needs the permission its
/// description names (else a top-level `FORBIDDEN` error); expected failures come back as `userErrors`.
#[derive(MergedObject, Default)]
pub struct Mutation(CustomersMutation, ImportsMutation, ExportsMutation);

#[derive(Default)]
pub struct CustomersMutation;

#[Object]
impl CustomersMutation {
    /// Like registration, but the password is optional; `sendInvite` mails a set-password link. Needs
    /// `customer:create`.
    async fn create_customer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new customer; its errors are located under `input`.")] input: CreateCustomerInput,
    ) -> async_graphql::Result<CustomerPayload> {
        let (svc, client) = allowed(ctx, &[Permission::CustomerCreate])?;
        let result = back_office::create(svc, client.tenant(), input.into()).await;
        respond(ctx, result.map_err(|e| e.under(&["input"])), CustomerPayload::of)
    }

    /// Changes a customer; with `expectedVersion`, only that version is changed (else `VERSION_CONFLICT`).
    /// Needs `customer:edit`.
    async fn update_customer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The customer to change: exactly one field (else `INVALID`); `NOT_FOUND` when none matches.")]
        identifier: CustomerIdentifierInput,
        #[graphql(desc = "The changes: absent fields stay, `null` clears; errors are located under `input`.")]
        input: AdminUpdateCustomerInput,
        #[graphql(
            desc = "The customer's `version` the change is meant for: any other current version is `VERSION_CONFLICT` and nothing changes. Absent: whatever the version."
        )]
        expected_version: Option<i64>,
    ) -> async_graphql::Result<CustomerPayload> {
        let (svc, client) = allowed(ctx, &[Permission::CustomerEdit])?;
        let result = match identifier.identifier(&["identifier"]) {
            Ok(ident) => back_office::update(svc, client.tenant(), &ident, input.into(), expected_version)
                .await
                .map_err(|e| e.under(&["input"])),
            Err(e) => Err(e),
        };
        respond(ctx, result, CustomerPayload::of)
    }

    /// Creates the customer the identifier names, or updates it (`NOOP` when nothing would change). Safe to
    /// repeat, also concurrently: never two customers for one identifier. Needs `customer:create` and `customer:edit`.
    async fn upsert_customer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The identifier and what to create or change; errors are located under `input`.")]
        input: UpsertCustomerInput,
    ) -> async_graphql::Result<UpsertCustomerPayload> {
        let (svc, client) = allowed(ctx, &[Permission::CustomerCreate, Permission::CustomerEdit])?;
        let result = match input.identifier.identifier(&["identifier"]) {
            Ok(ident) => {
                back_office::upsert(svc, client.tenant(), &ident, input.on_create.into(), input.on_update.into()).await
            }
            Err(e) => Err(e),
        };
        respond(ctx, result.map_err(|e| e.under(&["input"])), |(r, c)| UpsertCustomerPayload::new(r, c))
    }

    /// Adds tags to a customer (those it has stay, once each); more than 50 in all is `LIMIT_EXCEEDED` at `tags`.
    /// Needs `customer:edit`.
    async fn add_customer_tags(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The customer: exactly one field (else `INVALID`); `NOT_FOUND` when none matches.")]
        identifier: CustomerIdentifierInput,
        #[graphql(desc = "The tags to add: each 1 to 100 characters (trimmed); errors at `[\"tags\", <index>]`.")]
        tags: Vec<String>,
    ) -> async_graphql::Result<CustomerPayload> {
        let (svc, client) = allowed(ctx, &[Permission::CustomerEdit])?;
        let result = match identifier.identifier(&["identifier"]) {
            Ok(ident) => back_office::change_tags(svc, client.tenant(), &ident, tags, vec![]).await,
            Err(e) => Err(e),
        };
        respond(ctx, result, CustomerPayload::of)
    }

    /// Takes tags off a customer (a tag it does not have is no error). Needs `customer:edit`.
    async fn remove_customer_tags(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The customer: exactly one field (else `INVALID`); `NOT_FOUND` when none matches.")]
        identifier: CustomerIdentifierInput,
        #[graphql(desc = "The tags to take off, compared exactly after trimming.")] tags: Vec<String>,
    ) -> async_graphql::Result<CustomerPayload> {
        let (svc, client) = allowed(ctx, &[Permission::CustomerEdit])?;
        let result = match identifier.identifier(&["identifier"]) {
            Ok(ident) => back_office::change_tags(svc, client.tenant(), &ident, vec![], tags).await,
            Err(e) => Err(e),
        };
        respond(ctx, result, CustomerPayload::of)
    }

    /// Lets mail go to the customer's email again after SES reported a permanent bounce or a complaint
    /// (`Customer.emailDeliverable` false); a customer whose email is deliverable stays as it is. Needs
    /// `customer:edit`.
    async fn clear_email_suppression(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The customer: exactly one field (else `INVALID`); `NOT_FOUND` when none matches.")]
        identifier: CustomerIdentifierInput,
    ) -> async_graphql::Result<CustomerPayload> {
        let (svc, client) = allowed(ctx, &[Permission::CustomerEdit])?;
        let result = match identifier.identifier(&["identifier"]) {
            Ok(ident) => back_office::clear_email_suppression(svc, client.tenant(), &ident).await,
            Err(e) => Err(e),
        };
        respond(ctx, result, CustomerPayload::of)
    }

    /// Sets a customer's status: `INACTIVE` blocks login and ends every session. Needs `customer:edit`.
    async fn set_customer_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The customer's `id`; `NOT_FOUND` when there is none.")] id: ID,
        #[graphql(desc = "The new status.")] status: CustomerStatusObject,
    ) -> async_graphql::Result<CustomerPayload> {
        let (svc, client) = allowed(ctx, &[Permission::CustomerEdit])?;
        respond(ctx, back_office::set_status(svc, client.tenant(), &id, status.into()).await, CustomerPayload::of)
    }

    /// Mails every subscriber waiting for `item` (shipping to `countryCode`,
    /// or anywhere) exactly once, and ends those subscriptions. Needs `subscription:notify`. Mails: at most one
    /// such field per HTTP request (a batch counts as one), else a top-level `LIMIT_EXCEEDED`.
    async fn notify_back_in_stock(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The shop's item id the subscribers wait for, as in `backInStockSubscribe`: 1 to 200 characters, no `#`."
        )]
        item: String,
        #[graphql(
            desc = "Only subscribers shipping to this country (ISO 3166-1 alpha-2, e.g. `DE`); absent: every country."
        )]
        country_code: Option<String>,
    ) -> async_graphql::Result<NotifyBackInStockPayload> {
        let (svc, client) = allowed(ctx, &[Permission::SubscriptionNotify])?;
        let result = back_in_stock::notify(svc, client.tenant(), &item, country_code.as_deref()).await;
        respond(ctx, result, |n| NotifyBackInStockPayload { notified: n as i32, user_errors: vec![] })
    }

    /// Records an order of the order system for a customer (again whenever
    /// it changes): idempotent by `orderId`; totals and loyalty points move
    /// with it in one transaction. Needs `order:write`.
    #[graphql(complexity = "weights::RECORD_WRITE + child_complexity")]
    async fn record_order(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The order; errors are located under `input` (`NOT_FOUND` at `customer` for an unknown customer, `INVALID` for an order recorded for another customer)."
        )]
        input: RecordOrderInput,
    ) -> async_graphql::Result<RecordOrderPayload> {
        let (svc, client) = allowed(ctx, &[Permission::OrderWrite])?;
        let result = match input.customer.clone().identifier(&["customer"]) {
            Ok(ident) => orders::record_order(svc, client.tenant(), &ident, input.order()).await,
            Err(e) => Err(e),
        };
        respond(ctx, result.map_err(|e| e.under(&["input"])), |(result, order, customer)| RecordOrderPayload {
            result: Some(result.into()),
            recorded: Some(OrderObject(order)),
            recorded_for: Some(customer),
            user_errors: vec![],
        })
    }

    /// Records a recurring order of the order system for a customer (again
    /// whenever it changes): idempotent by `contractId`. Needs `order:write`.
    #[graphql(complexity = "weights::RECORD_WRITE + child_complexity")]
    async fn record_subscription_contract(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The contract; errors are located under `input` (`NOT_FOUND` at `customer` for an unknown customer, `INVALID` for a contract recorded for another customer)."
        )]
        input: RecordSubscriptionContractInput,
    ) -> async_graphql::Result<RecordSubscriptionContractPayload> {
        let (svc, client) = allowed(ctx, &[Permission::OrderWrite])?;
        let result = match input.customer.clone().identifier(&["customer"]) {
            Ok(ident) => contracts::record(svc, client.tenant(), &ident, input.contract()).await,
            Err(e) => Err(e),
        };
        respond(ctx, result.map_err(|e| e.under(&["input"])), |(result, contract, customer)| {
            RecordSubscriptionContractPayload {
                result: Some(result.into()),
                contract: Some(SubscriptionContractObject(contract)),
                recorded_for: Some(customer),
                user_errors: vec![],
            }
        })
    }

    /// Creates or changes a promotion by `promotionId` (`NOOP` when nothing
    /// would change). Needs `promotion:write`.
    #[graphql(complexity = "weights::RECORD_WRITE + child_complexity")]
    async fn upsert_promotion(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The promotion as it should be; errors are located under `input`.")] input: PromotionInput,
    ) -> async_graphql::Result<PromotionPayload> {
        let (svc, client) = allowed(ctx, &[Permission::PromotionWrite])?;
        let result = promotions::upsert(svc, client.tenant(), input.into()).await;
        respond(ctx, result.map_err(|e| e.under(&["input"])), |(result, promotion)| PromotionPayload {
            result: Some(result.into()),
            promotion: Some(PromotionObject(promotion)),
            user_errors: vec![],
        })
    }

    /// Removes a promotion; `NOT_FOUND` when there is none. Needs `promotion:write`.
    async fn delete_promotion(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The tenant's `promotionId` of the promotion to remove.")] promotion_id: String,
    ) -> async_graphql::Result<DeletePromotionPayload> {
        let (svc, client) = allowed(ctx, &[Permission::PromotionWrite])?;
        let result = promotions::delete(svc, client.tenant(), &promotion_id).await;
        respond(ctx, result, |_| DeletePromotionPayload { deleted: true, user_errors: vec![] })
    }

    /// Adds points (or takes them, with a negative number: never below zero,
    /// else `INSUFFICIENT_POINTS`). The same `idempotencyKey` again returns
    /// the first result and changes nothing. Needs `loyalty:write`.
    #[graphql(complexity = "weights::RECORD_WRITE + child_complexity")]
    async fn adjust_points(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Whose loyalty changes: exactly one field (else `INVALID`); `NOT_FOUND` when none matches.")]
        customer: CustomerIdentifierInput,
        #[graphql(desc = "Points to add, or with a negative number to take: not 0, at most 1,000,000,000 either way.")]
        points: i64,
        #[graphql(
            desc = "Why the points change, kept on the ledger entry: 1 to 500 characters (`REQUIRED` when blank)."
        )]
        reason: String,
        #[graphql(
            desc = "The caller's key for this change: 1 to 200 printable ASCII characters without spaces. The same key with the same request again returns the first result; with another request it is `INVALID`."
        )]
        idempotency_key: String,
    ) -> async_graphql::Result<LoyaltyPayload> {
        let request = LoyaltyRequest::AdjustPoints { points };
        loyalty_change(ctx, customer, request, Some(reason), idempotency_key, true).await
    }

    /// Spends `points`, or the `pointsCost` of the running promotion
    /// `promotionId` when `points` is absent (`INSUFFICIENT_POINTS` beyond
    /// the balance; concurrent redemptions never overdraw it). Idempotent by
    /// `idempotencyKey`. Needs `loyalty:write`.
    #[graphql(complexity = "weights::RECORD_WRITE + child_complexity")]
    async fn redeem_points(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Whose loyalty changes: exactly one field (else `INVALID`); `NOT_FOUND` when none matches.")]
        customer: CustomerIdentifierInput,
        #[graphql(
            desc = "Points to spend, 1 to 1,000,000,000; with `promotionId` it must equal the promotion's `pointsCost` (else `INVALID`). Absent: that cost (`REQUIRED` without `promotionId`)."
        )]
        points: Option<i64>,
        #[graphql(
            desc = "The `promotionId` of the running promotion redeemed, kept on the ledger entry (`NOT_FOUND` when there is none, `INVALID` when it is not running)."
        )]
        promotion_id: Option<String>,
        #[graphql(desc = "Why, kept on the ledger entry; at most 500 characters.")] reason: Option<String>,
        #[graphql(
            desc = "The caller's key for this change: 1 to 200 printable ASCII characters without spaces. The same key with the same request again returns the first result; with another request it is `INVALID`."
        )]
        idempotency_key: String,
    ) -> async_graphql::Result<LoyaltyPayload> {
        let request = LoyaltyRequest::RedeemPoints { points, promotion_id };
        loyalty_change(ctx, customer, request, reason, idempotency_key, false).await
    }

    /// Spends stamps, like `redeemPoints`. Needs `loyalty:write`.
    #[graphql(complexity = "weights::RECORD_WRITE + child_complexity")]
    async fn redeem_stamps(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Whose loyalty changes: exactly one field (else `INVALID`); `NOT_FOUND` when none matches.")]
        customer: CustomerIdentifierInput,
        #[graphql(desc = "Stamps to spend, 1 to 1,000,000,000 (`INSUFFICIENT_POINTS` beyond the customer's stamps).")]
        stamps: i64,
        #[graphql(desc = "Why, kept on the ledger entry; at most 500 characters.")] reason: Option<String>,
        #[graphql(
            desc = "The caller's key for this change: 1 to 200 printable ASCII characters without spaces. The same key with the same request again returns the first result; with another request it is `INVALID`."
        )]
        idempotency_key: String,
    ) -> async_graphql::Result<LoyaltyPayload> {
        let request = LoyaltyRequest::RedeemStamps { stamps };
        loyalty_change(ctx, customer, request, reason, idempotency_key, false).await
    }

    /// Erases the customer as `deleteAccount` does. Needs `customer:delete`.
    async fn delete_customer(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The customer's `id`; `NOT_FOUND` when there is none. A customer still being erased answers `deleted: true` again (and its erasure's job starts another round)."
        )]
        id: ID,
    ) -> async_graphql::Result<DeleteCustomerPayload> {
        let (svc, client) = allowed(ctx, &[Permission::CustomerDelete])?;
        let result = back_office::delete(svc, client.tenant(), &id).await;
        respond(ctx, result, |_| DeleteCustomerPayload { deleted: true, user_errors: vec![] })
    }
}
