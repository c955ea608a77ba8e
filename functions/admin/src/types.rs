//! Input and output types of the `admin` schema.

use async_graphql::{Context, Enum, InputObject, MaybeUndefined, MergedObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use shared::domain::{
    AdminPatch, BackOfficePatch, Customer, CustomerFilter as DomainFilter, DomainResult, Email, OrderRange, Patch,
    Permission, ProfilePatch,
};
use shared::graphql::buyer::{
    Buyer, ContractStatusObject, LoyaltyObject, LoyaltyTransactionObject, MoneyObject, OrderConnection, OrderObject,
    OrderStatusObject, PageInfo, PromotionObject, SubscriptionContractObject,
};
use shared::graphql::errors::to_graphql;
use shared::graphql::inputs::{
    attribute_pairs, consent_pairs, given, AddressInputObject, AttributeInput, ConsentInput, UpdateCustomerInput,
};
use shared::graphql::types::{
    newsletter_of, newsletter_subscriptions_of, CustomerCore, CustomerStatusObject, Date, GenderObject,
    NewsletterStatus, NewsletterSubscription,
};
use shared::graphql::UserErrorObject;
use shared::payloads;
use shared::services::api_keys::ApiClient;
use shared::services::back_office::{CreateInput, Identifier, UpsertResult};
use shared::services::creation::NewCustomerInput;
use std::future::Future;
use std::sync::Arc;

/// The fields of `Customer` that a permission besides `customer:read`
/// guards. Each is nullable and wrapped in `guarded`: without its permission
/// it is null with a `FORBIDDEN` error at its path (and reads nothing), while
/// the rest of the customer comes back.
pub struct GuardedCustomerFields(pub Arc<Customer>, pub Buyer);

#[Object(name = "GuardedCustomerFields")]
impl GuardedCustomerFields {
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
    // Each reads the store (a query): weighted so that aliases cannot
    // multiply it past what one request should cost.
    #[graphql(complexity = "20 + child_complexity")]
    async fn orders(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, desc = "How many orders to return, at most 100 (more is clamped).")] first: Option<i32>,
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
    // Each reads the store (a query): weighted so that aliases cannot
    // multiply it past what one request should cost.
    #[graphql(complexity = "20 + child_complexity")]
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
async fn guarded<T>(
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
pub struct CustomerPayload {
    /// The customer as it is now; null when the operation failed.
    pub customer: Option<AdminCustomer>,
    /// What went wrong with the input (empty on success).
    pub user_errors: Vec<UserErrorObject>,
}

impl CustomerPayload {
    pub fn of(customer: Customer) -> Self {
        Self { customer: Some(customer.into()), user_errors: vec![] }
    }
}

/// Names one customer: exactly one field (none or several is `INVALID`).
#[derive(InputObject, Clone, Default)]
pub struct CustomerIdentifierInput {
    /// The customer's `id`. In `upsertCustomer` a customer created under it gets this id, which must be a ULID.
    pub customer_id: Option<ID>,
    /// The customer's email, compared case-insensitively (and in Unicode NFKC form).
    pub email: Option<String>,
    /// The customer's `externalId`, exact.
    pub external_id: Option<String>,
    /// The customer's `ref`, exact (no wildcards here).
    #[graphql(name = "ref")]
    pub reference: Option<String>,
    /// The customer's `loyaltyId`, exact.
    pub loyalty_id: Option<String>,
    /// The customer's `username`, exact.
    pub username: Option<String>,
}

impl CustomerIdentifierInput {
    pub fn identifier(self, path: &[&str]) -> DomainResult<Identifier> {
        let candidates = [
            self.customer_id.map(|id| Identifier::Id(id.0)),
            self.email.map(Identifier::Email),
            self.reference.map(Identifier::Ref),
            self.external_id.map(Identifier::ExternalId),
            self.loyalty_id.map(Identifier::LoyaltyId),
            self.username.map(Identifier::Username),
        ];
        Identifier::exactly_one(candidates, path)
    }
}

/// A new customer, as the back office creates it. Absent optional fields stay empty.
#[derive(InputObject, Clone)]
pub struct CreateCustomerInput {
    /// Unique in the tenant, compared case-insensitively (`TAKEN` otherwise); at most 254 bytes (UTF-8, after NFKC
    /// normalisation).
    pub email: String,
    /// Optional: without one the customer sets it through an invite or a reset.
    /// When given it must satisfy `passwordPolicy` (`TOO_SHORT`, `TOO_LONG`, `PASSWORD_TOO_WEAK`).
    pub password: Option<String>,
    /// A salutation or title, e.g. `Dr.`; at most 50 characters.
    pub title: Option<String>,
    /// At most 100 characters.
    pub first_name: Option<String>,
    /// At most 100 characters.
    pub last_name: Option<String>,
    /// A phone number in any common notation, stored in E.164 (`+4930901820`): with `+` (or `00`), or national in the shop's `defaultCountryCode`; checked with libphonenumber's rules (else `INVALID`).
    pub phone_number: Option<String>,
    /// A phone number in any common notation, stored in E.164 (`+4930901820`): with `+` (or `00`), or national in the shop's `defaultCountryCode`; checked with libphonenumber's rules (else `INVALID`).
    pub cell_phone_number: Option<String>,
    /// `YYYY-MM-DD`, in the past and at most 130 years ago.
    pub birthdate: Option<Date>,
    /// The customer's gender.
    pub gender: Option<GenderObject>,
    /// Two letters (not checked against ISO 639-1), optionally `-` or `_` and an ISO 3166-1 region (else `INVALID`); stored as `de-AT`. Picks the language of mails.
    pub language_code: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. `DE`.
    pub country_code: Option<String>,
    /// An IANA name, e.g. `Europe/Berlin`, or an offset from UTC (`GMT+10`, `UTC+05:30`, `+05:30`: stored as `+10:00`); else `INVALID`.
    pub timezone: Option<String>,
    /// Whether the customer wants promotions (not the newsletter, which has its own double opt-in). Absent: `false`.
    pub promotion_opt_in: Option<bool>,
    /// A picture of the customer: an absolute `http` or `https` URL without a user name (else `INVALID`), at most 2,048 characters (`TOO_LONG`).
    pub picture_url: Option<String>,
    /// The customer's website: an absolute `http` or `https` URL without a user name (else `INVALID`), at most 2,048 characters (`TOO_LONG`).
    pub website_url: Option<String>,
    /// Another address of the customer's (not a login, not unique), checked like `email` (else `INVALID`).
    pub secondary_email: Option<String>,
    /// The billing address.
    pub billing_address: Option<AddressInputObject>,
    /// At most 50, each `key` once.
    pub consents: Option<Vec<ConsentInput>>,
    /// At most 50, each `key` once.
    pub attributes: Option<Vec<AttributeInput>>,
    /// The back office's reference of the customer, unique in the tenant (`TAKEN` otherwise); at most 100
    /// characters, no `%`.
    #[graphql(name = "ref")]
    pub reference: Option<String>,
    /// The customer's id in an external system (CRM, OMS), unique in the tenant (`TAKEN` otherwise); at most 100
    /// characters.
    pub external_id: Option<String>,
    /// The customer's loyalty id (card or member number), unique in the tenant (`TAKEN` otherwise); at most 100
    /// characters.
    pub loyalty_id: Option<String>,
    /// A username, unique in the tenant (`TAKEN` otherwise) and compared exactly; at most 100 characters: letters, digits and `. _ - @ +` (else `INVALID`).
    pub username: Option<String>,
    /// The department the customer works in (business customers); at most 100 characters.
    pub department: Option<String>,
    /// Where the record came from, e.g. `POS` or an import's name; at most 100 characters.
    pub source: Option<String>,
    /// The record's id in `source`; at most 100 characters.
    pub source_id: Option<String>,
    /// Absent: `ACTIVE`. An `INACTIVE` customer cannot log in.
    pub status: Option<CustomerStatusObject>,
    /// Whether the email counts as verified (confirmed by its owner).
    #[graphql(default = false)]
    pub email_verified: bool,
    /// Mail a link to choose a password (valid `INVITE_TOKEN_TTL_SECONDS`).
    #[graphql(default = false)]
    pub send_invite: bool,
}

impl From<CreateCustomerInput> for CreateInput {
    fn from(i: CreateCustomerInput) -> Self {
        CreateInput {
            send_invite: i.send_invite,
            customer: NewCustomerInput {
                email: i.email,
                password: i.password,
                profile: ProfilePatch {
                    title: given(i.title, |v| v),
                    first_name: given(i.first_name, |v| v),
                    last_name: given(i.last_name, |v| v),
                    phone_number: given(i.phone_number, |v| v),
                    cell_phone_number: given(i.cell_phone_number, |v| v),
                    birthdate: given(i.birthdate, |d| d.0),
                    gender: given(i.gender, Into::into),
                    language_code: given(i.language_code, |v| v),
                    country_code: given(i.country_code, |v| v),
                    timezone: given(i.timezone, |v| v),
                    promotion_opt_in: i.promotion_opt_in,
                    picture_url: given(i.picture_url, |v| v),
                    website_url: given(i.website_url, |v| v),
                    secondary_email: given(i.secondary_email, |v| v),
                    billing_address: given(i.billing_address, Into::into),
                    consents: given(i.consents, consent_pairs),
                    attributes: given(i.attributes, attribute_pairs),
                },
                back_office: BackOfficePatch {
                    reference: given(i.reference, |v| v),
                    external_id: given(i.external_id, |v| v),
                    loyalty_id: given(i.loyalty_id, |v| v),
                    username: given(i.username, |v| v),
                    department: given(i.department, |v| v),
                    source: given(i.source, |v| v),
                    source_id: given(i.source_id, |v| v),
                },
                status: i.status.map(Into::into).unwrap_or_default(),
                email_verified: i.email_verified,
            },
        }
    }
}

/// A back-office update: absent fields stay, `null` clears.
#[derive(InputObject, Clone, Default)]
pub struct AdminUpdateCustomerInput {
    #[graphql(flatten)]
    pub profile: UpdateCustomerInput,
    /// A new email is unverified unless `emailVerified` says otherwise.
    pub email: MaybeUndefined<String>,
    /// Unique in the tenant (`TAKEN` otherwise); at most 100 characters, no `%`.
    #[graphql(name = "ref")]
    pub reference: MaybeUndefined<String>,
    /// Unique in the tenant (`TAKEN` otherwise); at most 100 characters.
    pub external_id: MaybeUndefined<String>,
    /// The loyalty id (card or member number), unique in the tenant (`TAKEN` otherwise); at most 100 characters.
    pub loyalty_id: MaybeUndefined<String>,
    /// A username, unique in the tenant (`TAKEN` otherwise) and compared exactly; at most 100 characters: letters, digits and `. _ - @ +` (else `INVALID`).
    pub username: MaybeUndefined<String>,
    /// The department the customer works in (business customers); at most 100 characters.
    pub department: MaybeUndefined<String>,
    /// Where the record came from, e.g. `POS` or an import's name; at most 100 characters.
    pub source: MaybeUndefined<String>,
    /// The record's id in `source`; at most 100 characters.
    pub source_id: MaybeUndefined<String>,
    /// Whether the email counts as verified; absent: unchanged (but `false` when `email` changes).
    pub email_verified: Option<bool>,
    /// `INACTIVE` blocks login and ends every session.
    pub status: Option<CustomerStatusObject>,
}

fn patch(v: MaybeUndefined<String>) -> Patch<String> {
    match v {
        MaybeUndefined::Undefined => Patch::Keep,
        MaybeUndefined::Null => Patch::Clear,
        MaybeUndefined::Value(v) => Patch::Set(v),
    }
}

impl From<AdminUpdateCustomerInput> for AdminPatch {
    fn from(i: AdminUpdateCustomerInput) -> Self {
        AdminPatch {
            profile: i.profile.into(),
            email: patch(i.email),
            back_office: BackOfficePatch {
                reference: patch(i.reference),
                external_id: patch(i.external_id),
                loyalty_id: patch(i.loyalty_id),
                username: patch(i.username),
                department: patch(i.department),
                source: patch(i.source),
                source_id: patch(i.source_id),
            },
            email_verified: i.email_verified,
            status: i.status.map(Into::into),
        }
    }
}

/// Which customer to create or update, and how. Errors are located under `identifier`, `onCreate` or `onUpdate`.
#[derive(InputObject, Clone)]
pub struct UpsertCustomerInput {
    /// The customer: exactly one field. A customer created gets its value (a different one in `onCreate` is
    /// `INVALID`).
    pub identifier: CustomerIdentifierInput,
    /// The new customer, used only when none matches `identifier`.
    pub on_create: CreateCustomerInput,
    /// The changes, applied only when a customer matches `identifier`.
    pub on_update: AdminUpdateCustomerInput,
}

/// What the customers listed must match: every field given must hold.
#[derive(InputObject, Clone, Default)]
pub struct CustomerFilter {
    /// Exact, case-insensitive.
    pub email: Option<String>,
    /// Part of the email, case-insensitive.
    pub email_contains: Option<String>,
    /// In "first last", case-insensitive.
    pub name_contains: Option<String>,
    /// Digits, in either phone number; formatting ignored.
    pub phone_contains: Option<String>,
    /// Exact and case-sensitive; with `%` (any run of characters) a case-insensitive pattern.
    #[graphql(name = "ref")]
    pub reference: Option<String>,
    /// Exact, case-sensitive.
    pub external_id: Option<String>,
    /// Exact.
    pub loyalty_id: Option<String>,
    /// Exact.
    pub username: Option<String>,
    /// Only customers with this status.
    pub status: Option<CustomerStatusObject>,
    /// Only customers created at or after this instant (RFC 3339).
    pub created_from: Option<DateTime<Utc>>,
    /// Only customers created at or before this instant (RFC 3339).
    pub created_to: Option<DateTime<Utc>>,
}

impl CustomerFilter {
    pub fn into_domain(self) -> DomainResult<DomainFilter> {
        Ok(DomainFilter {
            email: self.email.map(|e| Email::parse(&e, &["filter", "email"])).transpose()?,
            email_contains: self.email_contains,
            name_contains: self.name_contains,
            phone_contains: self.phone_contains,
            reference: self.reference,
            external_id: self.external_id,
            loyalty_id: self.loyalty_id,
            username: self.username,
            status: self.status.map(Into::into),
            created_from: self.created_from,
            created_to: self.created_to,
        })
    }
}

/// One customer of a `CustomerConnection`.
#[derive(SimpleObject)]
pub struct CustomerEdge {
    /// Where this edge is in the listing: pass as `after` to continue after it.
    pub cursor: String,
    /// The customer.
    pub node: AdminCustomer,
}

/// A page of customers, oldest first.
#[derive(SimpleObject)]
pub struct CustomerConnection {
    /// The customers of this page.
    pub edges: Vec<CustomerEdge>,
    /// Whether another page follows, and the cursor to ask for it with.
    pub page_info: PageInfo,
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
pub struct UpsertCustomerPayload {
    /// `CREATED`, `UPDATED`, or `NOOP` when the update would change nothing; null when the operation failed.
    pub result: Option<UpsertResultObject>,
    /// The customer as it is now; null when the operation failed.
    pub customer: Option<AdminCustomer>,
    /// What went wrong with the input (empty on success).
    pub user_errors: Vec<UserErrorObject>,
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
        Self { result: Some(result.into()), customer: Some(customer.into()), user_errors: vec![] }
    }
}

/// One subscription of a `NewsletterSubscriptionConnection`.
#[derive(SimpleObject)]
pub struct NewsletterSubscriptionEdge {
    /// Where this edge is in the listing: pass as `after` to continue after it.
    pub cursor: String,
    /// The subscription.
    pub node: NewsletterSubscription,
}

/// A page of newsletter subscriptions, by status and then address.
#[derive(SimpleObject)]
pub struct NewsletterSubscriptionConnection {
    /// The subscriptions of this page.
    pub edges: Vec<NewsletterSubscriptionEdge>,
    /// Whether another page follows, and the cursor to ask for it with.
    pub page_info: PageInfo,
}

/// How many back-in-stock subscribers `notifyBackInStock` mailed.
#[derive(SimpleObject, Default)]
pub struct NotifyBackInStockPayload {
    /// How many subscribers were mailed (each exactly once).
    pub notified: i32,
    /// What went wrong with the input (empty on success).
    pub user_errors: Vec<UserErrorObject>,
}

payloads!(NotifyBackInStockPayload);

/// An amount of money as the order system sends it.
#[derive(InputObject, Clone)]
pub struct MoneyInput {
    /// A decimal string, e.g. `"120.50"` (no exponent, not negative, at most 4 digits after the point).
    pub amount: String,
    /// ISO 4217, e.g. `EUR`.
    pub currency_code: String,
}

/// A line of an order or subscription contract.
#[derive(InputObject, Clone)]
pub struct OrderItemInput {
    /// The item's SKU: 1 to 100 characters.
    pub sku: String,
    /// The item's name as the order shows it; at most 200 characters.
    pub name: Option<String>,
    /// 1 to 1,000,000.
    pub quantity: i64,
    /// The price of one unit.
    pub unit_price: Option<MoneyInput>,
}

/// An order as the order system records it (again whenever it changes).
#[derive(InputObject, Clone)]
pub struct RecordOrderInput {
    /// The order system's id, unique in the tenant: the same id again is the same order.
    pub order_id: String,
    /// Whose order it is.
    pub customer: CustomerIdentifierInput,
    /// The order's status now: `CANCELLED` and `RETURNED` orders leave the totals and give back their points.
    pub status: OrderStatusObject,
    /// When the order was placed (RFC 3339; kept to the millisecond); the history is sorted by it.
    pub placed_at: DateTime<Utc>,
    /// When the order system changed the order to this state: a record older than the one stored is stale and changes nothing (`NOOP`), so late retries never undo a cancellation.
    pub changed_at: Option<DateTime<Utc>>,
    /// What the order totals (counted in `totalSpent`); only a total in the tenant's loyalty currency earns points.
    pub total: MoneyInput,
    /// The number the customer sees on the order; at most 100 characters.
    pub order_number: Option<String>,
    /// The store it was placed in; at most 100 characters.
    pub store_id: Option<String>,
    /// The sales channel, as the order system names it; at most 100 characters.
    pub channel: Option<String>,
    /// How it was paid, as the order system names it; at most 100 characters.
    pub payment_type: Option<String>,
    /// The kind of order, as the order system names it; at most 100 characters.
    pub order_type: Option<String>,
    /// At most 250.
    pub items: Option<Vec<OrderItemInput>>,
}

impl RecordOrderInput {
    pub fn order(self) -> shared::domain::OrderInput {
        shared::domain::OrderInput {
            order_id: self.order_id,
            status: Some(self.status.into()),
            placed_at: Some(self.placed_at),
            changed_at: self.changed_at,
            total_amount: self.total.amount,
            total_currency: self.total.currency_code,
            order_number: self.order_number,
            store_id: self.store_id,
            channel: self.channel,
            payment_type: self.payment_type,
            order_type: self.order_type,
            items: order_items(self.items),
        }
    }
}

fn order_items(items: Option<Vec<OrderItemInput>>) -> Vec<shared::domain::OrderItemInput> {
    let item = |i: OrderItemInput| shared::domain::OrderItemInput {
        sku: i.sku,
        name: i.name,
        quantity: i.quantity,
        unit_price: i.unit_price.map(|p| (p.amount, p.currency_code)),
    };
    items.unwrap_or_default().into_iter().map(item).collect()
}

/// A recurring order as the order system records it (again whenever it changes).
#[derive(InputObject, Clone)]
pub struct RecordSubscriptionContractInput {
    /// The order system's id, unique in the tenant: the same id again is the same contract.
    pub contract_id: String,
    /// Whose contract it is.
    pub customer: CustomerIdentifierInput,
    /// The contract's status now.
    pub status: ContractStatusObject,
    /// As the order system words it, e.g. `P1M` (at most 100 characters).
    pub interval: Option<String>,
    /// When the next order is due (RFC 3339).
    pub next_order_at: Option<DateTime<Utc>>,
    /// At most 250.
    pub items: Option<Vec<OrderItemInput>>,
    /// The contract's price, as the order system states it.
    pub price: Option<MoneyInput>,
}

impl RecordSubscriptionContractInput {
    pub fn contract(self) -> shared::domain::ContractInput {
        shared::domain::ContractInput {
            contract_id: self.contract_id,
            status: Some(self.status.into()),
            interval: self.interval,
            next_order_at: self.next_order_at,
            items: order_items(self.items),
            price: self.price.map(|p| (p.amount, p.currency_code)),
        }
    }
}

/// The contract as recorded and its customer (`null` when nothing was recorded).
#[derive(SimpleObject, Default)]
#[graphql(complex)]
pub struct RecordSubscriptionContractPayload {
    /// `CREATED`, `UPDATED`, or `NOOP` when the same contract was recorded already.
    pub result: Option<UpsertResultObject>,
    /// The contract as recorded; null when the operation failed.
    pub subscription_contract: Option<SubscriptionContractObject>,
    #[graphql(skip)]
    pub recorded_for: Option<Customer>,
    /// What went wrong with the input (empty on success).
    pub user_errors: Vec<UserErrorObject>,
}

#[async_graphql::ComplexObject]
impl RecordSubscriptionContractPayload {
    /// The customer it was recorded for. Needs `customer:read` (an order system may hold `order:write` alone).
    async fn customer(&self, ctx: &Context<'_>) -> Option<async_graphql::Result<AdminCustomer>> {
        recorded_for(ctx, &self.recorded_for).await
    }
}

/// The customer an order system's record was for, shown only to a key that
/// may read customers.
async fn recorded_for(ctx: &Context<'_>, customer: &Option<Customer>) -> Option<async_graphql::Result<AdminCustomer>> {
    let customer = customer.clone()?;
    guarded(ctx, Permission::CustomerRead, async { Ok(AdminCustomer::from(customer)) }).await
}

/// A promotion of the tenant's catalogue, by the tenant's `promotionId`.
#[derive(InputObject, Clone)]
pub struct PromotionInput {
    /// The tenant's id of the promotion: the same id again is the same promotion.
    pub promotion_id: String,
    /// At most 200 characters.
    pub name: String,
    /// At most 2,000 characters.
    pub description: Option<String>,
    /// Offered from then on; absent: at once.
    pub starts_at: Option<DateTime<Utc>>,
    /// Offered until then (exclusive), after `startsAt`; absent: with no end.
    pub ends_at: Option<DateTime<Utc>>,
    /// Stores it is offered in (at most 100); empty or absent: every store.
    pub store_ids: Option<Vec<String>>,
    /// Countries (ISO 3166-1 alpha-2, at most 100); empty or absent: every country.
    pub country_codes: Option<Vec<String>>,
    /// The points redeeming it spends (0 to 1,000,000,000).
    #[graphql(default = 0)]
    pub points_cost: i64,
    /// Offered only to customers holding at least this many points (0 to 1,000,000,000).
    #[graphql(default = 0)]
    pub min_points_balance: i64,
    /// Offered only to customers with at least this many orders that are not `CANCELLED` or `RETURNED`.
    #[graphql(default = 0)]
    pub min_total_orders: i64,
}

impl From<PromotionInput> for shared::domain::PromotionInput {
    fn from(i: PromotionInput) -> Self {
        Self {
            promotion_id: i.promotion_id,
            name: i.name,
            description: i.description,
            starts_at: i.starts_at,
            ends_at: i.ends_at,
            store_ids: i.store_ids.unwrap_or_default(),
            country_codes: i.country_codes.unwrap_or_default(),
            points_cost: i.points_cost,
            min_points_balance: i.min_points_balance,
            min_total_orders: i.min_total_orders,
        }
    }
}

/// What `upsertPromotion` did, and the promotion.
#[derive(SimpleObject, Default)]
pub struct PromotionPayload {
    /// `CREATED`, `UPDATED`, or `NOOP` when nothing would change.
    pub result: Option<UpsertResultObject>,
    /// The promotion as it is now; null when the operation failed.
    pub promotion: Option<PromotionObject>,
    /// What went wrong with the input (empty on success).
    pub user_errors: Vec<UserErrorObject>,
}

/// Whether `deletePromotion` removed the promotion.
#[derive(SimpleObject, Default)]
pub struct DeletePromotionPayload {
    /// True when the promotion was removed; false when `userErrors` says why not.
    pub deleted: bool,
    /// What went wrong with the input (empty on success).
    pub user_errors: Vec<UserErrorObject>,
}

/// One promotion of a `PromotionConnection`.
#[derive(SimpleObject)]
pub struct PromotionEdge {
    /// Where this edge is in the listing: pass as `after` to continue after it.
    pub cursor: String,
    /// The promotion.
    pub node: PromotionObject,
}

/// A page of the tenant's promotions, by `promotionId`.
#[derive(SimpleObject)]
pub struct PromotionConnection {
    /// The promotions of this page.
    pub edges: Vec<PromotionEdge>,
    /// Whether another page follows, and the cursor to ask for it with.
    pub page_info: PageInfo,
}

payloads!(RecordSubscriptionContractPayload, PromotionPayload, DeletePromotionPayload);

/// The order as recorded and its customer (`null` when nothing was recorded).
#[derive(SimpleObject, Default)]
#[graphql(complex)]
pub struct RecordOrderPayload {
    /// `CREATED`, `UPDATED`, or `NOOP` when the same order was recorded already.
    pub result: Option<UpsertResultObject>,
    /// The order as recorded; null when the operation failed.
    pub order: Option<OrderObject>,
    #[graphql(skip)]
    pub recorded_for: Option<Customer>,
    /// What went wrong with the input (empty on success).
    pub user_errors: Vec<UserErrorObject>,
}

#[async_graphql::ComplexObject]
impl RecordOrderPayload {
    /// The customer it was recorded for. Needs `customer:read` (an order system may hold `order:write` alone).
    async fn customer(&self, ctx: &Context<'_>) -> Option<async_graphql::Result<AdminCustomer>> {
        recorded_for(ctx, &self.recorded_for).await
    }
}

/// The ledger entry a loyalty change made (or made the first time its
/// idempotency key was used) and the customer's loyalty after it.
#[derive(SimpleObject, Default)]
pub struct LoyaltyPayload {
    /// The ledger entry (for a repeated `idempotencyKey`, the first call's); null when the operation failed.
    pub transaction: Option<LoyaltyTransactionObject>,
    /// The customer's points and stamps as they are now; null when the operation failed.
    pub loyalty: Option<LoyaltyObject>,
    /// What went wrong with the input (empty on success).
    pub user_errors: Vec<UserErrorObject>,
}

payloads!(RecordOrderPayload, LoyaltyPayload);

impl LoyaltyPayload {
    pub fn of(outcome: shared::services::loyalty::LoyaltyOutcome) -> Self {
        Self {
            transaction: Some(LoyaltyTransactionObject(outcome.transaction)),
            loyalty: Some(LoyaltyObject { customer: Arc::new(outcome.customer), standing: outcome.standing }),
            user_errors: vec![],
        }
    }
}
