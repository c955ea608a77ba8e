//! Output types shared by the schemas.

use super::buyer::{
    order_range, Buyer, LoyaltyObject, MoneyObject, OrderConnection, PromotionObject, SubscriptionContractObject,
};
use crate::domain;
use crate::services::newsletter;
use async_graphql::{
    Context, Enum, InputValueError, InputValueResult, MergedObject, Object, Scalar, ScalarType, SimpleObject, Value, ID,
};
use chrono::{DateTime, NaiveDate, Utc};
use std::sync::Arc;

/// `Date`: a calendar date, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

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

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::Gender", name = "Gender")]
pub enum GenderObject {
    Male,
    Female,
    Other,
    Unspecified,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::CustomerStatus", name = "CustomerStatus")]
pub enum CustomerStatusObject {
    Active,
    Inactive,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::NewsletterState", name = "NewsletterState")]
pub enum NewsletterState {
    Subscribed,
    Unsubscribed,
    Pending,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "NewsletterStatus")]
pub struct NewsletterStatus {
    pub status: NewsletterState,
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "Session")]
pub struct SessionObject {
    pub access_token: String,
    pub access_token_expires_at: DateTime<Utc>,
    pub refresh_token: String,
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

#[Object(name = "Address")]
impl AddressObject {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }
    async fn first_name(&self) -> Option<&str> {
        self.0.first_name.as_deref()
    }
    async fn last_name(&self) -> Option<&str> {
        self.0.last_name.as_deref()
    }
    async fn company(&self) -> Option<&str> {
        self.0.company.as_deref()
    }
    async fn street(&self) -> &str {
        &self.0.street
    }
    async fn street_number(&self) -> Option<&str> {
        self.0.street_number.as_deref()
    }
    async fn additional_info(&self) -> Option<&str> {
        self.0.additional_info.as_deref()
    }
    async fn postal_code(&self) -> Option<&str> {
        self.0.postal_code.as_deref()
    }
    async fn city(&self) -> &str {
        &self.0.city
    }
    async fn region(&self) -> Option<&str> {
        self.0.region.as_deref()
    }
    async fn country_code(&self) -> &str {
        &self.0.country_code
    }
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "Consent")]
pub struct ConsentObject {
    pub key: String,
    pub granted: bool,
    pub updated_at: DateTime<Utc>,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "Attribute")]
pub struct AttributeObject {
    pub key: String,
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
    async fn tenant_id(&self) -> &str {
        self.0.tenant_id.as_str()
    }
    /// The tenant's human-readable sequence number.
    async fn customer_number(&self) -> &str {
        &self.0.customer_number
    }
    #[graphql(name = "ref")]
    async fn reference(&self) -> Option<&str> {
        self.0.reference.as_deref()
    }
    async fn external_id(&self) -> Option<&str> {
        self.0.external_id.as_deref()
    }
    /// The customer's loyalty id (card or member number), unique in the tenant; set by the back office.
    async fn loyalty_id(&self) -> Option<&str> {
        self.0.loyalty_id.as_deref()
    }
    async fn email(&self) -> &str {
        self.0.email.as_str()
    }
    async fn email_verified(&self) -> bool {
        self.0.email_verified
    }
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }
    async fn first_name(&self) -> Option<&str> {
        self.0.first_name.as_deref()
    }
    async fn last_name(&self) -> Option<&str> {
        self.0.last_name.as_deref()
    }
    /// E.164.
    async fn phone_number(&self) -> Option<&str> {
        self.0.phone_number.as_ref().map(|p| p.as_str())
    }
    /// E.164.
    async fn cell_phone_number(&self) -> Option<&str> {
        self.0.cell_phone_number.as_ref().map(|p| p.as_str())
    }
    async fn birthdate(&self) -> Option<Date> {
        self.0.birthdate.map(Date)
    }
    async fn gender(&self) -> Option<GenderObject> {
        self.0.gender.map(Into::into)
    }
    async fn language_code(&self) -> Option<&str> {
        self.0.language_code.as_ref().map(|l| l.as_str())
    }
    /// ISO 3166-1 alpha-2.
    async fn country_code(&self) -> Option<&str> {
        self.0.country_code.as_ref().map(|c| c.as_str())
    }
    async fn timezone(&self) -> Option<&str> {
        self.0.timezone.as_deref()
    }
    async fn status(&self) -> CustomerStatusObject {
        self.0.status.into()
    }
    async fn billing_address(&self) -> Option<AddressObject> {
        self.0.billing_address.clone().map(AddressObject)
    }
    async fn delivery_addresses(&self) -> Vec<AddressObject> {
        self.0.delivery_addresses.iter().cloned().map(AddressObject).collect()
    }
    async fn default_delivery_address_id(&self) -> Option<ID> {
        self.0.default_delivery_address_id.clone().map(ID)
    }
    async fn consents(&self) -> Vec<ConsentObject> {
        self.0
            .consents
            .iter()
            .map(|c| ConsentObject { key: c.key.clone(), granted: c.granted, updated_at: c.updated_at })
            .collect()
    }
    async fn attributes(&self) -> Vec<AttributeObject> {
        self.0.attributes.iter().map(|a| AttributeObject { key: a.key.clone(), value: a.value.clone() }).collect()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
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

/// The guarded fields of `Customer` as the customer itself reads them
/// (storefront functions): no permission applies, each is always there.
pub struct OwnCustomerFields(pub Arc<domain::Customer>, pub Buyer);

#[Object(name = "OwnCustomerFields")]
impl OwnCustomerFields {
    /// The newsletter state of the customer's email (read only when asked for).
    async fn newsletter(&self, ctx: &Context<'_>) -> async_graphql::Result<NewsletterStatus> {
        // An unverified email may be someone else's address: registering it
        // proves nothing about the mailbox. The subscription belongs to the
        // address, so its state is not read for such an account, which sees
        // what a new customer sees.
        if !self.0.email_verified {
            return Ok(NewsletterStatus { status: NewsletterState::Unsubscribed, updated_at: None });
        }
        newsletter_of(ctx, &self.0).await
    }

    /// The customer's orders, newest first, placed within `from`..`to` (inclusive) and in `storeId` when given; `first` is clamped to 100.
    async fn orders(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: Option<i32>,
        after: Option<String>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        store_id: Option<String>,
    ) -> async_graphql::Result<OrderConnection> {
        self.1.orders(ctx, first, after, order_range(from, to, store_id)).await
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
        store_id: Option<String>,
    ) -> async_graphql::Result<Vec<PromotionObject>> {
        self.1.available_promotions(ctx, store_id).await
    }
}

// `Customer` in the storefront functions (`auth`, `account`): the customer
// itself, so every field is there.
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
    pub logged_out: bool,
    pub user_errors: Vec<crate::graphql::UserErrorObject>,
}

/// The customer after the change (`null` when it did not happen).
#[derive(SimpleObject, Default)]
pub struct CustomerPayload {
    pub customer: Option<CustomerObject>,
    pub user_errors: Vec<crate::graphql::UserErrorObject>,
}

impl CustomerPayload {
    pub fn of(customer: crate::domain::Customer) -> Self {
        Self { customer: Some(CustomerObject::new(customer)), user_errors: vec![] }
    }
}

crate::payloads!(LogoutPayload, CustomerPayload);
