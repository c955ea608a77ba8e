//! `registerCustomer`.

use super::creation::{build, insert, Mails, NewCustomerInput};
use super::quota::{mail_budget, Budget};
use super::tokens::new_token;
use super::{login, mailing, newsletter, Services};
use crate::domain::{
    Customer, CustomerStatus, DomainResult, OneTimeToken, ProfilePatch, SessionTokens, TenantId, TokenKind,
};
use crate::domain::{OutboxMail, Template};
use chrono::{DateTime, Utc};

pub struct RegisterInput {
    pub email: String,
    pub password: String,
    /// `Set` for each profile field given.
    pub profile: ProfilePatch,
    pub login_on_success: bool,
    /// Also start the newsletter double opt-in for the address.
    pub newsletter: bool,
}

pub struct Registered {
    pub customer: Customer,
    pub session: Option<SessionTokens>,
}

/// A new email-confirmation token for `customer`'s current address.
pub(crate) fn confirmation_token(
    svc: &Services,
    customer: &Customer,
    token_version: i64,
    now: DateTime<Utc>,
) -> (String, OneTimeToken) {
    let expires_at = now + svc.config.confirmation_token_ttl;
    new_token(TokenKind::ConfirmEmail, Some(&customer.id), &customer.email.normalized(), token_version, expires_at)
}

/// The mail carrying the confirmation link for `token`.
fn confirmation_mail(
    svc: &Services,
    tenant: &TenantId,
    customer: &Customer,
    secret: &str,
    token: &OneTimeToken,
) -> Option<OutboxMail> {
    mailing::link_mail(svc, tenant, Template::ConfirmEmail, customer, None, None, secret, token.expires_at)
}

pub async fn register(svc: &Services, tenant: &TenantId, input: RegisterInput) -> DomainResult<Registered> {
    let now = svc.clock.now();
    let new = NewCustomerInput {
        email: input.email,
        password: Some(input.password),
        profile: input.profile,
        status: CustomerStatus::Active,
        ..Default::default()
    };
    let mut record = build(svc, tenant, new, None, now).await?;
    record.customer.last_login_at = input.login_on_success.then_some(now);
    let (secret, token) = confirmation_token(svc, &record.customer, 0, now);
    let session = match input.login_on_success {
        true => Some(login::new_session(svc, tenant, &record.customer.id, 0, now)?),
        false => None,
    };
    // A confirmation is mail nobody logged in asked for: it comes out of
    // the address's hourly budget, so register-and-delete loops cannot mail
    // a victim without limit. Past the budget the registration still
    // happens, without the mail: the customer can ask for it again later.
    let mail = confirmation_mail(svc, tenant, &record.customer, &secret, &token);
    let budget = mail_budget(svc, &record.customer.email.key(), Budget::Others);
    let session_item = session.as_ref().map(|(s, _)| s);
    let mailed =
        insert(svc, &record, std::slice::from_ref(&token), session_item, Mails::of(&mail, &budget), false).await?;
    if mail.is_some() && !mailed {
        tracing::info!(customer = %record.customer.id, "confirmation not sent: hourly mail budget spent");
    }
    tracing::info!(customer = %record.customer.id, email = %record.customer.email.masked(), "customer registered");
    if input.newsletter {
        let c = &record.customer;
        let info = newsletter::NewsletterInfo {
            country_code: c.country_code.as_ref().map(|x| x.as_str().to_string()),
            language_code: c.language_code.as_ref().map(|x| x.as_str().to_string()),
            gender: c.gender,
            email_field: None,
        };
        // The customer exists by now: a failed sign-up must not turn the
        // registration into an error the client would retry (and get TAKEN).
        if let Err(e) = newsletter::subscribe(svc, tenant, None, c.email.as_str(), info).await {
            tracing::error!(customer = %c.id, error = %e, "newsletter sign-up at registration failed");
        }
    }
    Ok(Registered { customer: record.customer, session: session.map(|(_, tokens)| tokens) })
}
