//! `CustomerCore`: the fields of `Customer` every audience reads alike.

use super::address::{AddressObject, ConsentObject};
use super::scalars::{CustomerStatusObject, Date, GenderObject};
use super::wishlists::WishlistObject;
use crate::domain;
use crate::graphql::weights;
use async_graphql::{Context, Object, ID};
use chrono::{DateTime, Utc};
use std::sync::Arc;

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
    #[graphql(complexity = "weights::WISHLISTS")]
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
    /// False while no mail goes to `email`: SES reported a permanent bounce or a complaint for it (read only when
    /// asked for). A new email is deliverable; the back office lifts it with `clearEmailSuppression`.
    #[graphql(complexity = "weights::STORE_READ")]
    async fn email_deliverable(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let svc = ctx.data::<Arc<crate::Services>>()?;
        let suppressed = svc
            .store
            .is_suppressed(&self.0.tenant_id, &self.0.email)
            .await
            .map_err(|e| crate::graphql::errors::to_graphql(ctx, e.into()))?;
        Ok(!suppressed)
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
