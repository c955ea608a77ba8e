//! Query and mutation roots of `account`; every rule lives in `shared::services`.

use async_graphql::{Context, EmptySubscription, Object, Schema, SimpleObject, ID};
use shared::domain::wishlists::WishlistChange;
use shared::graphql::http::with_limits;
use shared::graphql::inputs::{AddressInputObject, UpdateCustomerInput};
use shared::graphql::types::{
    CustomerObject, CustomerPayload, DataExportPayload, LogoutPayload, SessionObject, WishlistObject,
};
use shared::graphql::weights;
use shared::graphql::{respond, UserErrorObject};
use shared::payloads;
use shared::services::credentials::Principal;
use shared::services::{account, wishlists};
use shared::Services;
use std::sync::Arc;

pub type AccountSchema = Schema<Query, Mutation, EmptySubscription>;

pub fn build(services: Arc<Services>) -> AccountSchema {
    with_limits(Schema::build(Query, Mutation, EmptySubscription), &services).data(services).finish()
}

/// The services and the customer the access token authenticated.
fn parts<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<(&'a Services, &'a Principal)> {
    Ok((ctx.data::<Arc<Services>>()?.as_ref(), ctx.data::<Principal>()?))
}

/// What `updateCustomer` answers.
#[derive(SimpleObject, Default)]
pub struct UpdateCustomerPayload {
    /// The customer after the change (null on error); a change that changes nothing keeps its `version`.
    pub customer: Option<CustomerObject>,
    /// What went wrong (empty on success): input errors under `input`, `VERSION_CONFLICT` at `expectedVersion`.
    pub user_errors: Vec<UserErrorObject>,
}

/// What `changePassword` answers.
#[derive(SimpleObject, Default)]
pub struct ChangePasswordPayload {
    /// A fresh session; every other session has ended.
    pub session: Option<SessionObject>,
    /// What went wrong (empty on success): `INVALID_CREDENTIALS` at `currentPassword` (or `ACCOUNT_LOCKED`);
    /// `TOO_SHORT`, `TOO_LONG` or `PASSWORD_TOO_WEAK` at `newPassword`.
    pub user_errors: Vec<UserErrorObject>,
}

/// What `requestEmailChange` answers.
#[derive(SimpleObject, Default)]
pub struct RequestEmailChangePayload {
    /// True when the change was accepted; the email stays as it is until `confirmEmailChange`. Past the new
    /// address's hourly mail budget the answer is the same, and nothing is sent or started.
    pub requested: bool,
    /// What went wrong (empty on success): `INVALID_CREDENTIALS` at `password` (or `ACCOUNT_LOCKED`); at
    /// `newEmail`, a malformed address, `TAKEN` when it has an account, `INVALID` when it is the current one.
    pub user_errors: Vec<UserErrorObject>,
}

/// What `deleteAccount` answers.
#[derive(SimpleObject, Default)]
pub struct DeleteAccountPayload {
    /// True once the customer is erased; false on error.
    pub deleted: bool,
    /// What went wrong (empty on success): `INVALID_CREDENTIALS` at `password`, or `ACCOUNT_LOCKED`.
    pub user_errors: Vec<UserErrorObject>,
}

/// What a wishlist mutation answers.
#[derive(SimpleObject, Default)]
pub struct WishlistPayload {
    /// The list the mutation acted on, as it is now (a deleted list as it was; `null` on error, or when
    /// `removeFromWishlist` found no list).
    pub wishlist: Option<WishlistObject>,
    /// The customer (its `wishlists` are read after the change).
    pub customer: Option<CustomerObject>,
    /// What went wrong (empty on success): `NOT_FOUND` at `id` or `wishlistId`; `REQUIRED` or `TOO_LONG` at `name`;
    /// `INVALID` or `TOO_LONG` at `item`; `LIMIT_EXCEEDED` past 20 lists or 500 items a list.
    pub user_errors: Vec<UserErrorObject>,
}

payloads!(
    UpdateCustomerPayload,
    ChangePasswordPayload,
    RequestEmailChangePayload,
    DeleteAccountPayload,
    WishlistPayload,
);

/// The answer to a wishlist change of the customer `p`.
async fn wishlist_change(ctx: &Context<'_>, change: WishlistChange) -> async_graphql::Result<WishlistPayload> {
    let (svc, p) = parts(ctx)?;
    let result = wishlists::change(svc, &p.tenant, &p.record.customer.id, change).await;
    respond(ctx, result, |list| WishlistPayload {
        wishlist: list.map(WishlistObject),
        customer: Some(CustomerObject::new(p.record.customer.clone())),
        user_errors: vec![],
    })
}

pub struct Query;

/// What the logged-in customer reads; every request needs `Authorization: Bearer <accessToken>`.
#[Object]
impl Query {
    /// The logged-in customer, as loaded with its session (no further read).
    async fn customer(&self, ctx: &Context<'_>) -> async_graphql::Result<CustomerObject> {
        let (_, p) = parts(ctx)?;
        Ok(CustomerObject::new(p.record.customer.clone()))
    }
}

pub struct Mutation;

/// What the logged-in customer changes about itself: always the customer the access token names. `changePassword`,
/// `requestEmailChange` and `deleteAccount` check a password: only one such field may run per HTTP request (a batch
/// counts as one), with more nothing runs (top-level `LIMIT_EXCEEDED`).
#[Object]
impl Mutation {
    /// Changes profile fields: absent fields stay, `null` clears. With
    /// `expectedVersion`, only that version is changed (else `VERSION_CONFLICT`).
    async fn update_customer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The profile fields to change: an absent field stays as it is, `null` clears it.")]
        input: UpdateCustomerInput,
        #[graphql(
            desc = "The customer's `version` the change is based on; if it is no longer current: `VERSION_CONFLICT` and nothing changes. Left out: the change is applied to the newest version."
        )]
        expected_version: Option<i64>,
    ) -> async_graphql::Result<UpdateCustomerPayload> {
        let (svc, p) = parts(ctx)?;
        let result =
            account::update_profile(svc, p, input.into(), expected_version).await.map_err(|e| e.under(&["input"]));
        respond(ctx, result, |c| UpdateCustomerPayload { customer: Some(CustomerObject::new(c)), user_errors: vec![] })
    }

    /// Sets the billing address, replacing any earlier one as a whole (under a new `id`).
    async fn set_billing_address(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The billing address; its errors are reported under `address`.")] address: AddressInputObject,
    ) -> async_graphql::Result<CustomerPayload> {
        let (svc, p) = parts(ctx)?;
        let result = account::set_billing_address(svc, p, address.into()).await;
        respond(ctx, result.map_err(|e| e.under(&["address"])), CustomerPayload::of)
    }

    /// The first delivery address, or one added with `makeDefault`, becomes the default.
    async fn add_delivery_address(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The address to add; errors under `address`. At most 20 per customer (`LIMIT_EXCEEDED`).")]
        address: AddressInputObject,
        #[graphql(desc = "Make it the default delivery address (else only the first address becomes the default).")]
        make_default: Option<bool>,
    ) -> async_graphql::Result<CustomerPayload> {
        let (svc, p) = parts(ctx)?;
        let result = account::add_delivery_address(svc, p, address.into(), make_default.unwrap_or(false)).await;
        respond(ctx, result.map_err(|e| e.under(&["address"])), CustomerPayload::of)
    }

    /// Replaces the whole address; its id stays.
    async fn update_delivery_address(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The `id` of one of the customer's delivery addresses (else `NOT_FOUND`).")] id: ID,
        #[graphql(desc = "The new address, replacing every field of the old one; errors under `address`.")]
        address: AddressInputObject,
    ) -> async_graphql::Result<CustomerPayload> {
        let (svc, p) = parts(ctx)?;
        let result = account::update_delivery_address(svc, p, &id, address.into()).await;
        respond(ctx, result.map_err(|e| e.under(&["address"])), CustomerPayload::of)
    }

    /// Removing the default makes the first remaining address the default.
    async fn remove_delivery_address(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The `id` of one of the customer's delivery addresses (else `NOT_FOUND`).")] id: ID,
    ) -> async_graphql::Result<CustomerPayload> {
        let (svc, p) = parts(ctx)?;
        respond(ctx, account::remove_delivery_address(svc, p, &id).await, CustomerPayload::of)
    }

    /// Makes one of the customer's delivery addresses the default.
    async fn set_default_delivery_address(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The `id` of one of the customer's delivery addresses (else `NOT_FOUND`).")] id: ID,
    ) -> async_graphql::Result<CustomerPayload> {
        let (svc, p) = parts(ctx)?;
        respond(ctx, account::set_default_delivery_address(svc, p, &id).await, CustomerPayload::of)
    }

    /// Makes a wishlist; the customer's first list, or one made with `makeDefault`, becomes the default.
    #[graphql(complexity = "weights::WISHLIST_CHANGE + child_complexity")]
    async fn create_wishlist(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "1 to 100 characters (`REQUIRED`, `TOO_LONG`); names need not be unique.")] name: String,
        #[graphql(desc = "Make it the default list (else only the first list becomes the default).")]
        make_default: Option<bool>,
    ) -> async_graphql::Result<WishlistPayload> {
        wishlist_change(ctx, WishlistChange::Create { name, make_default: make_default.unwrap_or(false) }).await
    }

    /// Renames one of the customer's wishlists.
    #[graphql(complexity = "weights::WISHLIST_CHANGE + child_complexity")]
    async fn rename_wishlist(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The `id` of one of the customer's wishlists (else `NOT_FOUND`).")] id: ID,
        #[graphql(desc = "1 to 100 characters (`REQUIRED`, `TOO_LONG`).")] name: String,
    ) -> async_graphql::Result<WishlistPayload> {
        wishlist_change(ctx, WishlistChange::Rename { id: id.0, name }).await
    }

    /// Makes one of the customer's wishlists the default.
    #[graphql(complexity = "weights::WISHLIST_CHANGE + child_complexity")]
    async fn set_default_wishlist(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The `id` of one of the customer's wishlists (else `NOT_FOUND`).")] id: ID,
    ) -> async_graphql::Result<WishlistPayload> {
        wishlist_change(ctx, WishlistChange::SetDefault { id: id.0 }).await
    }

    /// Deletes a wishlist with its items; deleting the default makes the oldest remaining list the default.
    #[graphql(complexity = "weights::WISHLIST_CHANGE + child_complexity")]
    async fn delete_wishlist(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The `id` of one of the customer's wishlists (else `NOT_FOUND`).")] id: ID,
    ) -> async_graphql::Result<WishlistPayload> {
        wishlist_change(ctx, WishlistChange::Delete { id: id.0 }).await
    }

    /// Adds an item to a wishlist; an item already there keeps its one entry (and its `addedAt`).
    #[graphql(complexity = "weights::WISHLIST_CHANGE + child_complexity")]
    async fn add_to_wishlist(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The shop's item id (a SKU or variant id): at most 200 bytes of UTF-8 (`TOO_LONG`), no `#` (`INVALID`)."
        )]
        item: String,
        #[graphql(
            desc = "One of the customer's wishlists (else `NOT_FOUND`); absent: the default list, made (named \"Wishlist\") when the customer has none."
        )]
        wishlist_id: Option<ID>,
    ) -> async_graphql::Result<WishlistPayload> {
        wishlist_change(ctx, WishlistChange::Add { item, wishlist_id: wishlist_id.map(|i| i.0) }).await
    }

    /// Removes an item from a wishlist; an item that is not there changes nothing.
    #[graphql(complexity = "weights::WISHLIST_CHANGE + child_complexity")]
    async fn remove_from_wishlist(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The shop's item id, as added.")] item: String,
        #[graphql(desc = "One of the customer's wishlists (else `NOT_FOUND`); absent: the default list.")]
        wishlist_id: Option<ID>,
    ) -> async_graphql::Result<WishlistPayload> {
        wishlist_change(ctx, WishlistChange::Remove { item, wishlist_id: wishlist_id.map(|i| i.0) }).await
    }

    /// Every other session and older access token stops working.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The customer's password now; a wrong one is `INVALID_CREDENTIALS` and counts towards the login lock."
        )]
        current_password: String,
        #[graphql(
            desc = "The new password; it must meet `auth`'s `passwordPolicy` (`TOO_SHORT`, `TOO_LONG`, `PASSWORD_TOO_WEAK`)."
        )]
        new_password: String,
    ) -> async_graphql::Result<ChangePasswordPayload> {
        let (svc, p) = parts(ctx)?;
        let result = account::change_password(svc, p, &current_password, &new_password).await;
        respond(ctx, result, |s| ChangePasswordPayload { session: Some(s.into()), user_errors: vec![] })
    }

    /// Mails a confirmation link to `newEmail` (confirmed through `auth`'s
    /// `confirmEmailChange`) and a notice to the current address.
    async fn request_email_change(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The address to switch to; the confirmation link is mailed there.")] new_email: String,
        #[graphql(
            desc = "The customer's password; a wrong one is `INVALID_CREDENTIALS` and counts towards the login lock."
        )]
        password: String,
    ) -> async_graphql::Result<RequestEmailChangePayload> {
        let (svc, p) = parts(ctx)?;
        let result = account::request_email_change(svc, p, &new_email, &password).await;
        respond(ctx, result, |_| RequestEmailChangePayload { requested: true, user_errors: vec![] })
    }

    /// Ends every session of the customer, this one included.
    async fn logout_all(&self, ctx: &Context<'_>) -> async_graphql::Result<LogoutPayload> {
        let (svc, p) = parts(ctx)?;
        respond(ctx, account::logout_all(svc, p).await, |_| LogoutPayload { logged_out: true, user_errors: vec![] })
    }

    /// Mails the customer a link (valid 7 days) to one JSON document of everything stored about it: profile,
    /// addresses, consents, attributes, orders, loyalty, wishlists, subscription contracts, the newsletter and
    /// back-in-stock subscriptions of every address it held, sessions. Once a day (`LIMIT_EXCEEDED`), to a verified
    /// address (`INVALID` otherwise).
    async fn request_data_export(&self, ctx: &Context<'_>) -> async_graphql::Result<DataExportPayload> {
        let (svc, p) = parts(ctx)?;
        let result = shared::services::portability::request(svc, p).await;
        respond(ctx, result, |_| DataExportPayload { requested: true, ..Default::default() })
    }

    /// Erases the customer, its addresses, sessions and tokens; the email can register again.
    async fn delete_account(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The customer's password; a wrong one is `INVALID_CREDENTIALS` and counts towards the login lock."
        )]
        password: String,
    ) -> async_graphql::Result<DeleteAccountPayload> {
        let (svc, p) = parts(ctx)?;
        let result = account::delete_account(svc, p, &password).await;
        respond(ctx, result, |_| DeleteAccountPayload { deleted: true, user_errors: vec![] })
    }
}
