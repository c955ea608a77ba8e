//! Query and mutation roots of `auth`; every rule lives in `shared::services`.

use async_graphql::{Context, EmptySubscription, Object, Schema, SimpleObject};
use shared::graphql::errors::to_graphql;
use shared::graphql::http::with_limits;
use shared::graphql::inputs::RegisterCustomerInput;
use shared::graphql::types::{CustomerObject, LogoutPayload, SessionObject};
use shared::graphql::{respond, RequestContext, UserErrorObject};
use shared::payloads;
use shared::services::{credentials, email_change, email_confirmation, login, password_reset, registration};
use shared::Services;
use std::sync::Arc;

pub type AuthSchema = Schema<Query, Mutation, EmptySubscription>;

pub fn build(services: Arc<Services>) -> AuthSchema {
    with_limits(Schema::build(Query, Mutation, EmptySubscription), &services).data(services).finish()
}

fn parts<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<(&'a Services, &'a RequestContext)> {
    Ok((ctx.data::<Arc<Services>>()?.as_ref(), ctx.data::<RequestContext>()?))
}

/// What a password must satisfy, for forms to check before submitting.
#[derive(SimpleObject)]
pub struct PasswordPolicy {
    pub min_length: usize,
    pub max_length: usize,
    /// The least accepted strength on zxcvbn's 0-4 scale.
    pub min_strength: u8,
    /// Whether passwords made of the customer's own name or email are refused.
    pub rejects_personal_data: bool,
}

#[derive(SimpleObject, Default)]
pub struct RegisterCustomerPayload {
    pub customer: Option<CustomerObject>,
    pub session: Option<SessionObject>,
    pub user_errors: Vec<UserErrorObject>,
}

#[derive(SimpleObject, Default)]
pub struct LoginPayload {
    pub customer: Option<CustomerObject>,
    pub session: Option<SessionObject>,
    pub user_errors: Vec<UserErrorObject>,
}

#[derive(SimpleObject, Default)]
pub struct ConfirmEmailPayload {
    pub confirmed: bool,
    pub user_errors: Vec<UserErrorObject>,
}

#[derive(SimpleObject, Default)]
pub struct ResendEmailConfirmationPayload {
    /// True whether or not the address belongs to an account.
    pub requested: bool,
    pub user_errors: Vec<UserErrorObject>,
}

#[derive(SimpleObject, Default)]
pub struct RequestPasswordResetPayload {
    /// True whether or not the address belongs to an account.
    pub requested: bool,
    pub user_errors: Vec<UserErrorObject>,
}

#[derive(SimpleObject, Default)]
pub struct VerifyTokenPayload {
    pub valid: bool,
    pub user_errors: Vec<UserErrorObject>,
}

#[derive(SimpleObject, Default)]
pub struct ResetPasswordPayload {
    pub changed: bool,
    pub session: Option<SessionObject>,
    pub user_errors: Vec<UserErrorObject>,
}

payloads!(
    RegisterCustomerPayload,
    LoginPayload,
    ConfirmEmailPayload,
    ResendEmailConfirmationPayload,
    RequestPasswordResetPayload,
    VerifyTokenPayload,
    ResetPasswordPayload,
);

pub struct Query;

#[Object]
impl Query {
    async fn password_policy(&self, ctx: &Context<'_>) -> async_graphql::Result<PasswordPolicy> {
        let (svc, _) = parts(ctx)?;
        Ok(PasswordPolicy {
            min_length: svc.policy.min_length,
            max_length: svc.policy.max_length,
            min_strength: svc.policy.min_strength,
            rejects_personal_data: true,
        })
    }
}

pub struct Mutation;

fn logged_in(l: login::LoggedIn) -> LoginPayload {
    LoginPayload { customer: Some(l.customer.into()), session: Some(l.session.into()), user_errors: vec![] }
}

#[Object]
impl Mutation {
    /// Creates a customer and mails an email-confirmation link.
    async fn register_customer(
        &self,
        ctx: &Context<'_>,
        input: RegisterCustomerInput,
    ) -> async_graphql::Result<RegisterCustomerPayload> {
        let (svc, req) = parts(ctx)?;
        let domain_input = registration::RegisterInput {
            profile: input.profile(),
            email: input.email,
            password: input.password,
            login_on_success: input.login_on_success,
            newsletter: input.newsletter.unwrap_or(false),
        };
        let result = registration::register(svc, &req.tenant, domain_input).await;
        respond(ctx, result.map_err(|e| e.under(&["input"])), |r| RegisterCustomerPayload {
            customer: Some(CustomerObject::new(r.customer)),
            session: r.session.map(Into::into),
            user_errors: vec![],
        })
    }

    async fn login(&self, ctx: &Context<'_>, email: String, password: String) -> async_graphql::Result<LoginPayload> {
        let (svc, req) = parts(ctx)?;
        respond(ctx, login::login(svc, &req.tenant, &email, &password).await, logged_in)
    }

    /// Rotates the refresh token; a replayed one revokes its session.
    async fn refresh_session(&self, ctx: &Context<'_>, refresh_token: String) -> async_graphql::Result<LoginPayload> {
        let (svc, req) = parts(ctx)?;
        respond(ctx, login::refresh(svc, &req.tenant, &refresh_token).await, logged_in)
    }

    /// Ends the session of the access token sent (and/or of `refreshToken`).
    async fn logout(&self, ctx: &Context<'_>, refresh_token: Option<String>) -> async_graphql::Result<LogoutPayload> {
        let (svc, req) = parts(ctx)?;
        let principal = match &req.bearer {
            Some(token) => {
                Some(credentials::authenticate(svc, req.header_tenant(), token).await.map_err(|e| to_graphql(ctx, e))?)
            }
            None => None,
        };
        let tenant = principal.as_ref().map(|p| &p.tenant).unwrap_or(&req.tenant);
        let result = login::logout(svc, tenant, principal.as_ref(), refresh_token.as_deref()).await;
        respond(ctx, result, |_| LogoutPayload { logged_out: true, user_errors: vec![] })
    }

    async fn confirm_email(&self, ctx: &Context<'_>, token: String) -> async_graphql::Result<ConfirmEmailPayload> {
        let (svc, req) = parts(ctx)?;
        let result = email_confirmation::confirm(svc, &req.tenant, &token).await;
        respond(ctx, result, |_| ConfirmEmailPayload { confirmed: true, user_errors: vec![] })
    }

    /// Switches the customer to the new email the token was mailed to
    /// (requested through `account`'s `requestEmailChange`). `TAKEN` if the
    /// address belongs to another customer by now; nothing changes then.
    async fn confirm_email_change(
        &self,
        ctx: &Context<'_>,
        token: String,
    ) -> async_graphql::Result<ConfirmEmailPayload> {
        let (svc, req) = parts(ctx)?;
        let result = email_change::confirm(svc, &req.tenant, &token).await;
        respond(ctx, result, |_| ConfirmEmailPayload { confirmed: true, user_errors: vec![] })
    }

    /// Cancels a pending email change with the token mailed to the old
    /// address (`confirmed: true`: cancelled); its confirmation link then
    /// answers `TOKEN_INVALID`.
    async fn cancel_email_change(
        &self,
        ctx: &Context<'_>,
        token: String,
    ) -> async_graphql::Result<ConfirmEmailPayload> {
        let (svc, req) = parts(ctx)?;
        let result = email_change::cancel(svc, &req.tenant, &token).await;
        respond(ctx, result, |_| ConfirmEmailPayload { confirmed: true, user_errors: vec![] })
    }

    /// Mails a new confirmation link if the address has an unconfirmed account.
    async fn resend_email_confirmation(
        &self,
        ctx: &Context<'_>,
        email: String,
    ) -> async_graphql::Result<ResendEmailConfirmationPayload> {
        let (svc, req) = parts(ctx)?;
        let result = email_confirmation::resend(svc, &req.tenant, &email).await;
        respond(ctx, result, |_| ResendEmailConfirmationPayload { requested: true, user_errors: vec![] })
    }

    /// Mails `resetUrl?token=...` if the address has an account. `resetUrl`
    /// must be on the shop's allow-list; the shop's default is used without it.
    async fn request_password_reset(
        &self,
        ctx: &Context<'_>,
        email: String,
        reset_url: Option<String>,
    ) -> async_graphql::Result<RequestPasswordResetPayload> {
        let (svc, req) = parts(ctx)?;
        let result = password_reset::request(svc, &req.tenant, &email, reset_url.as_deref()).await;
        respond(ctx, result, |_| RequestPasswordResetPayload { requested: true, user_errors: vec![] })
    }

    /// Tells whether a reset token can still be used, without using it.
    async fn verify_password_reset_token(
        &self,
        ctx: &Context<'_>,
        token: String,
    ) -> async_graphql::Result<VerifyTokenPayload> {
        let (svc, req) = parts(ctx)?;
        let result = password_reset::verify(svc, &req.tenant, &token).await;
        respond(ctx, result, |_| VerifyTokenPayload { valid: true, user_errors: vec![] })
    }

    /// Sets a new password; every earlier session and access token dies.
    async fn reset_password(
        &self,
        ctx: &Context<'_>,
        token: String,
        new_password: String,
        #[graphql(default = false)] login_on_success: bool,
    ) -> async_graphql::Result<ResetPasswordPayload> {
        let (svc, req) = parts(ctx)?;
        let result = password_reset::reset(svc, &req.tenant, &token, &new_password, login_on_success).await;
        respond(ctx, result, |session| ResetPasswordPayload {
            changed: true,
            session: session.map(Into::into),
            user_errors: vec![],
        })
    }
}
