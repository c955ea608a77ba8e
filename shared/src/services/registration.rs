//! `registerCustomer`.

use super::{login, token_mail, Services};
use crate::auth::opaque;
use crate::domain::{
    Credentials, Customer, CustomerRecord, CustomerStatus, DomainError, DomainResult, Email, ErrorCode, OneTimeToken,
    Problems, ProfileInput, SessionTokens, TenantId, TokenKind,
};
use crate::mail::Template;
use crate::store::{NewCustomer, UniqueKey, WriteError};
use anyhow::Context;
use chrono::{DateTime, Utc};

pub struct RegisterInput {
    pub email: String,
    pub password: String,
    pub profile: ProfileInput,
    pub login_on_success: bool,
}

pub struct Registered {
    pub customer: Customer,
    pub session: Option<SessionTokens>,
}

/// Words a password must not be built from: the customer's own data.
pub(crate) fn personal_words<'a>(email: &'a str, names: &[Option<&'a str>]) -> Vec<&'a str> {
    let mut words: Vec<&str> = email.split(['@', '.', '_', '-', '+']).filter(|w| w.len() > 2).collect();
    words.extend(names.iter().flatten().copied());
    words
}

/// A new email-confirmation token for `customer`'s current address.
pub(crate) fn confirmation_token(
    svc: &Services,
    customer: &Customer,
    token_version: i64,
    now: DateTime<Utc>,
) -> (String, OneTimeToken) {
    let issued = opaque::issue();
    let token = OneTimeToken {
        hash: issued.hash,
        kind: TokenKind::ConfirmEmail,
        customer_id: customer.id.clone(),
        email_key: customer.email.normalized(),
        token_version,
        new_email: None,
        expires_at: now + svc.config.confirmation_token_ttl,
    };
    (issued.secret, token)
}

/// Mails the confirmation link for `token`.
pub(crate) async fn send_confirmation(
    svc: &Services,
    tenant: &TenantId,
    customer: &Customer,
    secret: &str,
    token: &OneTimeToken,
) {
    token_mail::send(svc, tenant, Template::ConfirmEmail, customer, None, None, secret, token.expires_at).await;
}

pub async fn register(svc: &Services, tenant: &TenantId, input: RegisterInput) -> DomainResult<Registered> {
    let now = Utc::now();
    let mut p = Problems::new();
    let email = p.check(Email::parse(&input.email, &["email"]));
    let profile = input.profile.validate(now, || ulid::Ulid::new().to_string(), &mut p);
    let words = personal_words(
        email.as_ref().map(Email::as_str).unwrap_or(""),
        &[profile.first_name.as_deref(), profile.last_name.as_deref()],
    );
    p.check(svc.policy.check(&input.password, &words, &["password"]));
    p.finish()?;
    let email = email.context("validated email")?;

    let password_hash = svc.hasher.hash(&input.password).await?;
    let number = svc.store.next_customer_number(tenant).await?;
    let customer = Customer {
        id: ulid::Ulid::new().to_string(),
        tenant_id: tenant.clone(),
        customer_number: format!("{number:06}"),
        reference: None,
        external_id: None,
        email,
        email_verified: false,
        title: profile.title,
        first_name: profile.first_name,
        last_name: profile.last_name,
        phone_number: profile.phone_number,
        cell_phone_number: None,
        birthdate: profile.birthdate.map(|b| b.date()),
        gender: profile.gender,
        language_code: profile.language_code,
        country_code: profile.country_code,
        timezone: None,
        status: CustomerStatus::Active,
        billing_address: profile.billing_address,
        delivery_addresses: vec![],
        default_delivery_address_id: None,
        consents: profile.consents,
        attributes: profile.attributes,
        created_at: now,
        updated_at: now,
        last_login_at: input.login_on_success.then_some(now),
        version: 1,
    };
    let record = CustomerRecord {
        customer,
        credentials: Credentials { password_hash: Some(password_hash), ..Credentials::default() },
    };
    let (secret, token) = confirmation_token(svc, &record.customer, 0, now);
    let session = match input.login_on_success {
        true => Some(login::new_session(svc, tenant, &record.customer.id, 0, now)?),
        false => None,
    };
    let new = NewCustomer {
        record: &record,
        tokens: std::slice::from_ref(&token),
        session: session.as_ref().map(|(s, _)| s),
    };
    match svc.store.create_customer(new).await {
        Ok(()) => {}
        Err(WriteError::Taken(UniqueKey::Email)) => {
            return Err(DomainError::user(ErrorCode::Taken, &["email"], "An account with this email already exists."))
        }
        Err(WriteError::Taken(other)) => {
            return Err(anyhow::anyhow!("unexpected guard {other:?} on registration").into())
        }
        Err(WriteError::Conflict) => return Err(anyhow::anyhow!("customer id collision").into()),
        Err(WriteError::Other(e)) => return Err(e.into()),
    }
    tracing::info!(customer = %record.customer.id, email = %record.customer.email.masked(), "customer registered");
    send_confirmation(svc, tenant, &record.customer, &secret, &token).await;
    Ok(Registered { customer: record.customer, session: session.map(|(_, tokens)| tokens) })
}
