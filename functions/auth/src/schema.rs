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
    /// The fewest characters a password may have; a shorter one is `TOO_SHORT`.
    pub min_length: usize,
    /// The most characters a password may have; a longer one is `TOO_LONG`.
    pub max_length: usize,
    /// The least accepted strength on zxcvbn's 0-4 scale.
    pub min_strength: u8,
    /// Whether passwords made of the customer's own name or email are refused.
    pub rejects_personal_data: bool,
}

/// What `registerCustomer` answers: the new customer, its session, or what was wrong.
#[derive(SimpleObject, Default)]
pub struct RegisterCustomerPayload {
    /// The new customer (null on error); its email is not verified until `confirmEmail`.
    pub customer: Option<CustomerObject>,
    /// The customer's first session when `input.loginOnSuccess` (default true); else null.
    pub session: Option<SessionObject>,
    /// What went wrong with the input (empty on success), under `input`: e.g. `TAKEN` at `["input", "email"]`
    /// for an address that has an account, `TOO_SHORT` or `PASSWORD_TOO_WEAK` at `["input", "password"]`.
    pub user_errors: Vec<UserErrorObject>,
}

/// What `login` and `refreshSession` answer: the customer and its session, or what was wrong.
#[derive(SimpleObject, Default)]
pub struct LoginPayload {
    /// The customer the session belongs to (null on error).
    pub customer: Option<CustomerObject>,
    /// The session's tokens (null on error); after `refreshSession`, a new access token and the rotated refresh token.
    pub session: Option<SessionObject>,
    /// What went wrong (empty on success): `INVALID_CREDENTIALS`, `ACCOUNT_LOCKED`, `ACCOUNT_DISABLED`; from
    /// `refreshSession` also `TOKEN_INVALID` or `TOKEN_EXPIRED` at `refreshToken`.
    pub user_errors: Vec<UserErrorObject>,
}

/// What `confirmEmail`, `confirmEmailChange` and `cancelEmailChange` answer.
#[derive(SimpleObject, Default)]
pub struct ConfirmEmailPayload {
    /// True when the token did its work: the email is verified, the email changed, or (`cancelEmailChange`) the
    /// change is cancelled. False on error.
    pub confirmed: bool,
    /// What went wrong (empty on success): `TOKEN_INVALID` (unknown, used or superseded) or `TOKEN_EXPIRED` at
    /// `token`; from `confirmEmailChange` also `TAKEN` when the new address has an account by now.
    pub user_errors: Vec<UserErrorObject>,
}

/// What `resendEmailConfirmation` answers; it never tells whether the address has an account.
#[derive(SimpleObject, Default)]
pub struct ResendEmailConfirmationPayload {
    /// True whether or not the address belongs to an account.
    pub requested: bool,
    /// What went wrong with the input (empty on success): only a malformed `email` (`REQUIRED`, `TOO_LONG`,
    /// `INVALID`).
    pub user_errors: Vec<UserErrorObject>,
}

/// What `requestPasswordReset` answers; it never tells whether the address has an account.
#[derive(SimpleObject, Default)]
pub struct RequestPasswordResetPayload {
    /// True whether or not the address belongs to an account.
    pub requested: bool,
    /// What went wrong with the input (empty on success): a malformed `email`, or `INVALID` at `resetUrl` when it
    /// is not on the shop's allow-list.
    pub user_errors: Vec<UserErrorObject>,
}

/// What `verifyPasswordResetToken` answers.
#[derive(SimpleObject, Default)]
pub struct VerifyTokenPayload {
    /// True when `resetPassword` would accept the token now.
    pub valid: bool,
    /// Why the token cannot be used (empty when `valid`): `TOKEN_INVALID` or `TOKEN_EXPIRED` at `token`.
    pub user_errors: Vec<UserErrorObject>,
}

/// What `resetPassword` answers.
#[derive(SimpleObject, Default)]
pub struct ResetPasswordPayload {
    /// True once the new password is set (and the email verified); false on error.
    pub changed: bool,
    /// A new session when `loginOnSuccess` was true and the customer is `ACTIVE`; else null.
    pub session: Option<SessionObject>,
    /// What went wrong (empty on success): `TOKEN_INVALID` or `TOKEN_EXPIRED` at `token`; `TOO_SHORT`, `TOO_LONG`
    /// or `PASSWORD_TOO_WEAK` at `newPassword`, which leaves the token usable.
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

/// What `auth` serves to read; no credentials needed.
#[Object]
impl Query {
    /// The rules a new password must meet (`registerCustomer`, `resetPassword`, `account`'s `changePassword`).
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

/// Registration, login and sessions, email confirmation and password reset; no credentials needed
/// (`x-tenant-id` picks the shop). Each of these fields checks a password, uses a token or sends mail, so only one
/// may run per HTTP request (a batch counts as one): with more, nothing runs (top-level `LIMIT_EXCEEDED`).
#[Object]
impl Mutation {
    /// Creates a customer and mails an email-confirmation link.
    async fn register_customer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new customer's email, password and profile; errors are reported under `input`.")]
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

    /// Opens a session. An unknown email and a wrong password are the same `INVALID_CREDENTIALS`; at most 10 failures
    /// in a row lock the address for a while (`ACCOUNT_LOCKED`, even for the right password); the right password of
    /// an `INACTIVE` customer: `ACCOUNT_DISABLED`.
    async fn login(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account's email, compared case-insensitively (after Unicode NFKC normalisation).")]
        email: String,
        #[graphql(desc = "The account's password.")] password: String,
    ) -> async_graphql::Result<LoginPayload> {
        let (svc, req) = parts(ctx)?;
        respond(ctx, login::login(svc, &req.tenant, &email, &password).await, logged_in)
    }

    /// Rotates the refresh token; a replayed one revokes its session.
    async fn refresh_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The session's newest refresh token (from `login`, `registerCustomer`, `resetPassword`, `changePassword` or the last `refreshSession`); single use."
        )]
        refresh_token: String,
    ) -> async_graphql::Result<LoginPayload> {
        let (svc, req) = parts(ctx)?;
        respond(ctx, login::refresh(svc, &req.tenant, &refresh_token).await, logged_in)
    }

    /// Ends the session of the access token sent (and/or of `refreshToken`).
    async fn logout(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The refresh token of a session to end; may be left out when an access token is sent (`Authorization: Bearer`). Neither: top-level `UNAUTHENTICATED`."
        )]
        refresh_token: Option<String>,
    ) -> async_graphql::Result<LogoutPayload> {
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

    /// Marks the customer's email verified, with the token of the link in the confirmation mail.
    async fn confirm_email(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The `token` query parameter of the link in the confirmation mail; single use.")]
        token: String,
    ) -> async_graphql::Result<ConfirmEmailPayload> {
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
        #[graphql(desc = "The `token` query parameter of the link mailed to the new address; single use.")]
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
        #[graphql(desc = "The `token` query parameter of the cancel link in the notice mailed to the old address.")]
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
        #[graphql(desc = "The address the account registered with; the answer is the same whether or not it has one.")]
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
        #[graphql(desc = "The account's address; the answer is the same whether or not it has an account.")]
        email: String,
        #[graphql(
            desc = "The absolute URL of the shop's page the mailed link opens, with `?token=...` appended; must be on the shop's allow-list (else `INVALID`). Left out: the shop's default reset page."
        )]
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
        #[graphql(desc = "The `token` query parameter of the reset link; not used up.")] token: String,
    ) -> async_graphql::Result<VerifyTokenPayload> {
        let (svc, req) = parts(ctx)?;
        let result = password_reset::verify(svc, &req.tenant, &token).await;
        respond(ctx, result, |_| VerifyTokenPayload { valid: true, user_errors: vec![] })
    }

    /// Sets a new password; every earlier session and access token dies.
    async fn reset_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The `token` query parameter of the reset link; used up only when the password is set.")]
        token: String,
        #[graphql(
            desc = "The new password; it must meet `passwordPolicy` (`TOO_SHORT`, `TOO_LONG`, `PASSWORD_TOO_WEAK`)."
        )]
        new_password: String,
        #[graphql(default = false, desc = "Also open a session and return it in `session`.")] login_on_success: bool,
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
