//! Output types shared by the schemas.

use super::buyer::{Buyer, LoyaltyObject, MoneyObject, OrderConnection, PromotionObject, SubscriptionContractObject};
use crate::domain::{self, OrderRange};
use crate::services::newsletter;
use async_graphql::{
    Context, Enum, InputValueError, InputValueResult, MergedObject, Object, Scalar, ScalarType, SimpleObject, Value, ID,
};
use chrono::{DateTime, NaiveDate, Utc};
use std::sync::Arc;

/// `Date`: a calendar date, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

/// A calendar date without time or zone, `YYYY-MM-DD`, e.g. `1985-12-10`.
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| InputValueError::custom("a Date is YYYY-MM-DD")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// A customer's gender, as the customer states it.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::Gender", name = "Gender")]
pub enum GenderObject {
    /// Male.
    Male,
    /// Female.
    Female,
    /// Neither male nor female.
    Other,
    /// The customer chose not to say.
    Unspecified,
}

/// Whether a customer account may be used; the back office sets it (`setCustomerStatus`).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::CustomerStatus", name = "CustomerStatus")]
pub enum CustomerStatusObject {
    /// In use: the customer can log in. The default for a new account.
    Active,
    /// Disabled: `login` with the right password gives `ACCOUNT_DISABLED`; every session ended, so its refresh tokens
    /// answer `TOKEN_INVALID` and its access tokens stop working.
    Inactive,
}

/// Where an email address stands with the newsletter (double opt-in).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::NewsletterState", name = "NewsletterState")]
pub enum NewsletterState {
    /// Subscribed and confirmed: newsletters go to the address.
    Subscribed,
    /// Not subscribed: never, or unsubscribed since.
    Unsubscribed,
    /// Subscribed, waiting for the confirmation link mailed to the address (`confirmNewsletterSubscription`).
    Pending,
}

/// The newsletter subscription state of a customer's email address.
#[derive(SimpleObject, Clone)]
#[graphql(name = "NewsletterStatus")]
pub struct NewsletterStatus {
    /// Where the address stands; `UNSUBSCRIBED` when it never subscribed.
    pub status: NewsletterState,
    /// When the state last changed; `null` when the address never subscribed.
    pub updated_at: Option<DateTime<Utc>>,
}

/// The tokens of a logged-in session.
#[derive(SimpleObject, Clone)]
#[graphql(name = "Session")]
pub struct SessionObject {
    /// A short-lived JWT: send it as `Authorization: Bearer <accessToken>` to `account` (and, to act as the
    /// customer, to `subscriptions`).
    pub access_token: String,
    /// When the access token stops working; get a new one with `refreshSession` before then.
    pub access_token_expires_at: DateTime<Utc>,
    /// Pass to `refreshSession` for new tokens (each refresh token works once: reusing a rotated one ends the
    /// session), or to `logout`. Keep it secret.
    pub refresh_token: String,
    /// When the refresh token expires; refreshing never extends the session past its maximum age (90 days from the
    /// login by default).
    pub refresh_token_expires_at: DateTime<Utc>,
}

impl From<domain::SessionTokens> for SessionObject {
    fn from(t: domain::SessionTokens) -> Self {
        Self {
            access_token: t.access_token,
            access_token_expires_at: t.access_token_expires_at,
            refresh_token: t.refresh_token,
            refresh_token_expires_at: t.refresh_token_expires_at,
        }
    }
}

/// `Address`, resolved from the domain address.
pub struct AddressObject(pub domain::Address);

/// A postal address of the customer: the billing address or one of the delivery addresses.
#[Object(name = "Address")]
impl AddressObject {
    /// The address's id; a delivery address keeps it when updated (pass it to `updateDeliveryAddress`,
    /// `removeDeliveryAddress`, `setDefaultDeliveryAddress`).
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// Salutation or title, e.g. `Dr.`.
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }
    /// The recipient's first name.
    async fn first_name(&self) -> Option<&str> {
        self.0.first_name.as_deref()
    }
    /// The recipient's last name.
    async fn last_name(&self) -> Option<&str> {
        self.0.last_name.as_deref()
    }
    /// The company, if the address is a business's.
    async fn company(&self) -> Option<&str> {
        self.0.company.as_deref()
    }
    /// The street line; every delivery address has one, a billing address may not.
    async fn street(&self) -> Option<&str> {
        self.0.street.as_deref()
    }
    /// The house number, when kept apart from `street`.
    async fn street_number(&self) -> Option<&str> {
        self.0.street_number.as_deref()
    }
    /// A further address line.
    async fn additional_info(&self) -> Option<&str> {
        self.0.additional_info.as_deref()
    }
    /// The postal code.
    async fn postal_code(&self) -> Option<&str> {
        self.0.postal_code.as_deref()
    }
    /// The city; every delivery address has one, a billing address may not.
    async fn city(&self) -> Option<&str> {
        self.0.city.as_deref()
    }
    /// State, province or county.
    async fn region(&self) -> Option<&str> {
        self.0.region.as_deref()
    }
    /// ISO 3166-1 alpha-2, upper case, e.g. `DE`.
    async fn country_code(&self) -> &str {
        &self.0.country_code
    }
    /// A phone number for the address, as printed on a label (kept as given).
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    /// A mobile number for the address, as printed on a label.
    async fn mobile(&self) -> Option<&str> {
        self.0.mobile.as_deref()
    }
    /// A fax number for the address, as printed on a label.
    async fn fax(&self) -> Option<&str> {
        self.0.fax.as_deref()
    }
    /// A contact email for the address (not the customer's login).
    async fn email(&self) -> Option<&str> {
        self.0.email.as_ref().map(|e| e.as_str())
    }
}

/// A consent decision of the customer, e.g. to receive marketing mail.
#[derive(SimpleObject, Clone)]
#[graphql(name = "Consent")]
pub struct ConsentObject {
    /// What is consented to, in the shop's naming (unique in the list).
    pub key: String,
    /// Whether the customer agreed.
    pub granted: bool,
    /// When the customer last decided: an update that leaves `granted` as it was keeps this time.
    pub updated_at: DateTime<Utc>,
}

/// A free-form key-value pair the shop keeps on the customer.
#[derive(SimpleObject, Clone)]
#[graphql(name = "Attribute")]
pub struct AttributeObject {
    /// Unique in the list.
    pub key: String,
    /// The value, as last set.
    pub value: String,
}

// `Customer` is merged (`MergedObject`) from two parts: `CustomerCore`, the
// fields every audience reads alike, and a part per audience for the fields
// that a back-office permission other than `customer:read` guards
// (`newsletter`; later orders, loyalty). The storefront functions (`auth`,
// `account`) show a customer only itself and merge `OwnCustomerFields`, where
// those fields are non-null; `admin` merges its `GuardedCustomerFields`,
// where each is nullable and checks the API key. The parts' own type names
// never reach a schema: only the merged `Customer` does.

/// The fields of `Customer` that need no permission beyond reading the customer.
pub struct CustomerCore(pub Arc<domain::Customer>);

#[Object(name = "CustomerCore")]
impl CustomerCore {
    /// Opaque and sortable by creation time.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// The tenant (shop) the customer belongs to, e.g. `default`.
    async fn tenant_id(&self) -> &str {
        self.0.tenant_id.as_str()
    }
    /// The tenant's human-readable sequence number.
    async fn customer_number(&self) -> &str {
        &self.0.customer_number
    }
    /// A back-office system's reference for the customer, unique in the tenant; set by the back office.
    #[graphql(name = "ref")]
    async fn reference(&self) -> Option<&str> {
        self.0.reference.as_deref()
    }
    /// The customer's id in an external system (CRM, OMS), unique in the tenant; set by the back office.
    async fn external_id(&self) -> Option<&str> {
        self.0.external_id.as_deref()
    }
    /// The customer's loyalty id (card or member number), unique in the tenant; set by the back office.
    async fn loyalty_id(&self) -> Option<&str> {
        self.0.loyalty_id.as_deref()
    }
    /// A username, unique in the tenant (compared exactly); set by the back office.
    async fn username(&self) -> Option<&str> {
        self.0.username.as_deref()
    }
    /// The department the customer works in (business customers); set by the back office.
    async fn department(&self) -> Option<&str> {
        self.0.department.as_deref()
    }
    /// Where the record came from, e.g. `POS` or an import's name; set by the back office.
    async fn source(&self) -> Option<&str> {
        self.0.source.as_deref()
    }
    /// The record's id in `source`; set by the back office.
    async fn source_id(&self) -> Option<&str> {
        self.0.source_id.as_deref()
    }
    /// The login and contact address (Unicode NFKC form), unique in the tenant, compared case-insensitively.
    async fn email(&self) -> &str {
        self.0.email.as_str()
    }
    /// Whether the customer proved owning `email` (its confirmation link, a password reset or a confirmed email
    /// change) or the back office marked it verified.
    async fn email_verified(&self) -> bool {
        self.0.email_verified
    }
    /// Salutation or title, e.g. `Dr.`.
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }
    /// The customer's first name.
    async fn first_name(&self) -> Option<&str> {
        self.0.first_name.as_deref()
    }
    /// The customer's last name.
    async fn last_name(&self) -> Option<&str> {
        self.0.last_name.as_deref()
    }
    /// The customer's phone number, E.164, e.g. `+4930901820`.
    async fn phone_number(&self) -> Option<&str> {
        self.0.phone_number.as_ref().map(|p| p.as_str())
    }
    /// The customer's mobile number, E.164.
    async fn cell_phone_number(&self) -> Option<&str> {
        self.0.cell_phone_number.as_ref().map(|p| p.as_str())
    }
    /// The customer's date of birth.
    async fn birthdate(&self) -> Option<Date> {
        self.0.birthdate.map(Date)
    }
    /// As the customer states it.
    async fn gender(&self) -> Option<GenderObject> {
        self.0.gender.map(Into::into)
    }
    /// The customer's language: lower-case language, optionally with an upper-case region, e.g. `de` or `de-AT`.
    async fn language_code(&self) -> Option<&str> {
        self.0.language_code.as_ref().map(|l| l.as_str())
    }
    /// ISO 3166-1 alpha-2.
    async fn country_code(&self) -> Option<&str> {
        self.0.country_code.as_ref().map(|c| c.as_str())
    }
    /// An IANA time zone name, e.g. `Europe/Berlin`, or a fixed offset from UTC written `+10:00`.
    async fn timezone(&self) -> Option<&str> {
        self.0.timezone.as_deref()
    }
    /// Whether the customer wants promotions (the newsletter is separate: `newsletter`); `false` until set.
    async fn promotion_opt_in(&self) -> bool {
        self.0.promotion_opt_in
    }
    /// A picture of the customer: an `http(s)` URL.
    async fn picture_url(&self) -> Option<&str> {
        self.0.picture_url.as_deref()
    }
    /// The customer's website: an `http(s)` URL.
    async fn website_url(&self) -> Option<&str> {
        self.0.website_url.as_deref()
    }
    /// Another address of the customer's (Unicode NFKC form); never a login, not unique.
    async fn secondary_email(&self) -> Option<&str> {
        self.0.secondary_email.as_ref().map(|e| e.as_str())
    }
    /// The customer's wishlists, oldest first (read only when asked for). Counts 100 towards a query's complexity
    /// budget of 500: each time it is asked for, every list is read.
    #[graphql(complexity = 100)]
    async fn wishlists(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<WishlistObject>> {
        let svc = ctx.data::<Arc<crate::Services>>()?;
        let lists = crate::services::wishlists::wishlists_of(svc, &self.0.tenant_id, &self.0.id)
            .await
            .map_err(|e| crate::graphql::errors::to_graphql(ctx, e))?;
        Ok(lists.into_iter().map(WishlistObject).collect())
    }
    /// `INACTIVE` accounts cannot log in.
    async fn status(&self) -> CustomerStatusObject {
        self.0.status.into()
    }
    /// The billing address; `null` until one is set.
    async fn billing_address(&self) -> Option<AddressObject> {
        self.0.billing_address.clone().map(AddressObject)
    }
    /// The address book, in the order the addresses were added (at most 20).
    async fn delivery_addresses(&self) -> Vec<AddressObject> {
        self.0.delivery_addresses.iter().cloned().map(AddressObject).collect()
    }
    /// The `id` of the default delivery address; `null` when there is none.
    async fn default_delivery_address_id(&self) -> Option<ID> {
        self.0.default_delivery_address_id.clone().map(ID)
    }
    /// The customer's consent decisions, one per key (at most 50).
    async fn consents(&self) -> Vec<ConsentObject> {
        self.0
            .consents
            .iter()
            .map(|c| ConsentObject { key: c.key.clone(), granted: c.granted, updated_at: c.updated_at })
            .collect()
    }
    /// Free-form key-value pairs the shop keeps on the customer, one per key (at most 50).
    async fn attributes(&self) -> Vec<AttributeObject> {
        self.0.attributes.iter().map(|a| AttributeObject { key: a.key.clone(), value: a.value.clone() }).collect()
    }
    /// When the customer was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the customer last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// When the customer last logged in (`login`, or `registerCustomer` with `loginOnSuccess`); `null` if never.
    async fn last_login_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_login_at
    }
    /// Bumped by every change to the profile; pass it as `expectedVersion`.
    async fn version(&self) -> i64 {
        self.0.version
    }
}

/// The newsletter state of the customer's email, read from the subscription
/// of the address (one read, made only when the field is asked for).
pub async fn newsletter_of(ctx: &Context<'_>, customer: &domain::Customer) -> async_graphql::Result<NewsletterStatus> {
    let svc = ctx.data::<Arc<crate::Services>>()?;
    let (state, updated_at) = newsletter::status_of(svc, &customer.tenant_id, &customer.email)
        .await
        .map_err(|e| crate::graphql::errors::to_graphql(ctx, e))?;
    Ok(NewsletterStatus { status: state.into(), updated_at })
}

pub struct WishlistObject(pub crate::services::wishlists::ListView);

/// A named list of the shop's items that the customer keeps.
#[Object(name = "Wishlist")]
impl WishlistObject {
    /// Opaque; names the list in the wishlist mutations.
    async fn id(&self) -> ID {
        ID(self.0.list.id.clone())
    }
    /// 1 to 100 characters.
    async fn name(&self) -> &str {
        &self.0.list.name
    }
    /// Whether changes without a `wishlistId` go to this list; the customer has exactly one default list while it has any.
    async fn is_default(&self) -> bool {
        self.0.is_default
    }
    /// The items, in the order they were added; at most 500.
    async fn items(&self) -> Vec<WishlistItemObject> {
        self.0.list.items.iter().map(|i| WishlistItemObject { item: i.item.clone(), added_at: i.added_at }).collect()
    }
    /// When the list was made (RFC 3339, UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.list.created_at
    }
    /// When its name or items last changed (RFC 3339, UTC).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.list.updated_at
    }
}

/// One item of a wishlist.
#[derive(SimpleObject)]
#[graphql(name = "WishlistItem")]
pub struct WishlistItemObject {
    /// The shop's item id (a SKU or variant id), as in `backInStockSubscribe`.
    pub item: String,
    /// When it was added (RFC 3339, UTC).
    pub added_at: DateTime<Utc>,
}

/// The newsletter subscription of an address.
#[derive(SimpleObject)]
pub struct NewsletterSubscription {
    /// The subscribed address, whether or not a customer has it.
    pub email: String,
    /// Whether newsletters go to the address now: `status` is `SUBSCRIBED`.
    pub is_active: bool,
    /// `PENDING` until the double opt-in is confirmed, then `SUBSCRIBED`; `UNSUBSCRIBED` once it ended.
    pub status: NewsletterState,
    /// ISO 3166-1 alpha-2, as given when subscribing.
    pub country_code: Option<String>,
    /// A language tag, e.g. `de` or `de-AT`, as given when subscribing.
    pub language_code: Option<String>,
    /// As given when subscribing.
    pub gender: Option<GenderObject>,
    /// When the address first subscribed (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// When the subscription last changed (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
    /// When the double opt-in was confirmed; null unless `SUBSCRIBED`.
    pub confirmed_at: Option<DateTime<Utc>>,
}

impl From<domain::NewsletterSubscription> for NewsletterSubscription {
    fn from(s: domain::NewsletterSubscription) -> Self {
        Self {
            email: s.email.as_str().to_string(),
            is_active: s.status == domain::NewsletterState::Subscribed,
            status: s.status.into(),
            country_code: s.country_code.map(|c| c.as_str().to_string()),
            language_code: s.language_code.map(|l| l.as_str().to_string()),
            gender: s.gender.map(Into::into),
            created_at: s.created_at,
            updated_at: s.updated_at,
            confirmed_at: s.confirmed_at,
        }
    }
}

/// The subscription of the customer's email as a list of 0 or 1 (one
/// read, made only when the field is asked for).
pub async fn newsletter_subscriptions_of(
    ctx: &Context<'_>,
    customer: &domain::Customer,
) -> async_graphql::Result<Vec<NewsletterSubscription>> {
    let svc = ctx.data::<Arc<crate::Services>>()?;
    let found = newsletter::subscription_of(svc, &customer.tenant_id, &customer.email)
        .await
        .map_err(|e| crate::graphql::errors::to_graphql(ctx, e))?;
    Ok(found.into_iter().map(Into::into).collect())
}

/// The guarded fields of `Customer` as the customer itself reads them
/// (storefront functions): no permission applies, each is always there.
pub struct OwnCustomerFields(pub Arc<domain::Customer>, pub Buyer);

#[Object(name = "OwnCustomerFields")]
impl OwnCustomerFields {
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
    // Each reads the store (a query): weighted so that aliases cannot
    // multiply it past what one request should cost.
    #[graphql(complexity = "20 + child_complexity")]
    async fn orders(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, desc = "How many orders to return: at most 100 (more is clamped).")] first: Option<i32>,
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
    // Each reads the store (a query): weighted so that aliases cannot
    // multiply it past what one request should cost.
    #[graphql(complexity = "20 + child_complexity")]
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

crate::payloads!(LogoutPayload, CustomerPayload);
