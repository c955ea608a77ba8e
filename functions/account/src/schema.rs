//! Query and mutation roots of `account`; every rule lives in `shared::services`.

use async_graphql::{Context, EmptySubscription, Object, Schema, SimpleObject, ID};
use shared::graphql::http::with_limits;
use shared::graphql::inputs::{AddressInputObject, UpdateCustomerInput};
use shared::graphql::types::{CustomerObject, CustomerPayload, LogoutPayload, SessionObject};
use shared::graphql::{respond, UserErrorObject};
use shared::payloads;
use shared::services::account;
use shared::services::credentials::Principal;
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

#[derive(SimpleObject, Default)]
pub struct UpdateCustomerPayload {
    pub customer: Option<CustomerObject>,
    pub user_errors: Vec<UserErrorObject>,
}

#[derive(SimpleObject, Default)]
pub struct ChangePasswordPayload {
    /// A fresh session; every other session has ended.
    pub session: Option<SessionObject>,
    pub user_errors: Vec<UserErrorObject>,
}

#[derive(SimpleObject, Default)]
pub struct RequestEmailChangePayload {
    pub requested: bool,
    pub user_errors: Vec<UserErrorObject>,
}

#[derive(SimpleObject, Default)]
pub struct DeleteAccountPayload {
    pub deleted: bool,
    pub user_errors: Vec<UserErrorObject>,
}

payloads!(UpdateCustomerPayload, ChangePasswordPayload, RequestEmailChangePayload, DeleteAccountPayload,);

pub struct Query;

#[Object]
impl Query {
    /// The logged-in customer, as loaded with its session (no further read).
    async fn customer(&self, ctx: &Context<'_>) -> async_graphql::Result<CustomerObject> {
        let (_, p) = parts(ctx)?;
        Ok(CustomerObject::new(p.record.customer.clone()))
    }
}

pub struct Mutation;

#[Object]
impl Mutation {
    /// Changes profile fields: absent fields stay, `null` clears. With
    /// `expectedVersion`, only that version is changed (else `VERSION_CONFLICT`).
    async fn update_customer(
        &self,
        ctx: &Context<'_>,
        input: UpdateCustomerInput,
        expected_version: Option<i64>,
    ) -> async_graphql::Result<UpdateCustomerPayload> {
        let (svc, p) = parts(ctx)?;
        let result =
            account::update_profile(svc, p, input.into(), expected_version).await.map_err(|e| e.under(&["input"]));
        respond(ctx, result, |c| UpdateCustomerPayload { customer: Some(CustomerObject::new(c)), user_errors: vec![] })
    }

    async fn set_billing_address(
        &self,
        ctx: &Context<'_>,
        address: AddressInputObject,
    ) -> async_graphql::Result<CustomerPayload> {
        let (svc, p) = parts(ctx)?;
        let result = account::set_billing_address(svc, p, address.into()).await;
        respond(ctx, result.map_err(|e| e.under(&["address"])), CustomerPayload::of)
    }

    /// The first delivery address, or one added with `makeDefault`, becomes the default.
    async fn add_delivery_address(
        &self,
        ctx: &Context<'_>,
        address: AddressInputObject,
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
        id: ID,
        address: AddressInputObject,
    ) -> async_graphql::Result<CustomerPayload> {
        let (svc, p) = parts(ctx)?;
        let result = account::update_delivery_address(svc, p, &id, address.into()).await;
        respond(ctx, result.map_err(|e| e.under(&["address"])), CustomerPayload::of)
    }

    /// Removing the default makes the first remaining address the default.
    async fn remove_delivery_address(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<CustomerPayload> {
        let (svc, p) = parts(ctx)?;
        respond(ctx, account::remove_delivery_address(svc, p, &id).await, CustomerPayload::of)
    }

    async fn set_default_delivery_address(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<CustomerPayload> {
        let (svc, p) = parts(ctx)?;
        respond(ctx, account::set_default_delivery_address(svc, p, &id).await, CustomerPayload::of)
    }

    /// Every other session and older access token stops working.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        current_password: String,
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
        new_email: String,
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

    /// Erases the customer, its addresses, sessions and tokens; the email can register again.
    async fn delete_account(&self, ctx: &Context<'_>, password: String) -> async_graphql::Result<DeleteAccountPayload> {
        let (svc, p) = parts(ctx)?;
        let result = account::delete_account(svc, p, &password).await;
        respond(ctx, result, |_| DeleteAccountPayload { deleted: true, user_errors: vec![] })
    }
}
