//! Creating a customer: shared by registration (`auth`) and by back-office
//! creation and upsert (`admin`).

use super::modify::unique_field;
use super::Services;
use crate::domain::{
    external_id, reference, Credentials, Customer, CustomerRecord, CustomerStatus, DomainError, DomainResult, Email,
    ErrorCode, OneTimeToken, Problems, ProfileInput, Session, TenantId,
};
use crate::store::{NewCustomer, WriteError};
use anyhow::Context;
use chrono::{DateTime, Utc};

/// Everything a new customer is made of, as a client sends it.
#[derive(Debug, Clone, Default)]
pub struct NewCustomerInput {
    pub email: String,
    /// Absent: the customer cannot log in until a password is set (invite, reset).
    pub password: Option<String>,
    pub profile: ProfileInput,
    pub reference: Option<String>,
    pub external_id: Option<String>,
    pub status: CustomerStatus,
    pub email_verified: bool,
}

/// Words a password must not be built from: the customer's own data.
pub(crate) fn personal_words<'a>(email: &'a str, names: &[Option<&'a str>]) -> Vec<&'a str> {
    let mut words: Vec<&str> = email.split(['@', '.', '_', '-', '+']).filter(|w| w.len() > 2).collect();
    words.extend(names.iter().flatten().copied());
    words
}

/// Validates `input` (errors located under `path`), hashes the password and
/// takes the tenant's next customer number. `id` is the new customer's id
/// (a fresh ULID unless the caller has one).
pub(crate) async fn build(
    svc: &Services,
    tenant: &TenantId,
    input: NewCustomerInput,
    id: Option<String>,
    path: &[&str],
    now: DateTime<Utc>,
) -> DomainResult<CustomerRecord> {
    let mut p = Problems::new();
    let email = p.check(Email::parse(&input.email, &["email"]));
    let profile = input.profile.validate(now, || ulid::Ulid::new().to_string(), &mut p);
    let reference = p.check_opt(input.reference, |r| reference(&r, &["ref"]));
    let external_id = p.check_opt(input.external_id, |x| external_id(&x, &["externalId"]));
    if let Some(password) = &input.password {
        let words = personal_words(
            email.as_ref().map(Email::as_str).unwrap_or(""),
            &[profile.first_name.as_deref(), profile.last_name.as_deref()],
        );
        p.check(svc.policy.check(password, &words, &["password"]));
    }
    if !p.is_empty() {
        return Err(DomainError::User(p.into_errors().into_iter().map(|e| e.under(path)).collect()));
    }
    let email = email.context("validated email")?;
    let password_hash = match &input.password {
        Some(password) => Some(svc.hasher.hash(password).await?),
        None => None,
    };
    let number = svc.store.next_customer_number(tenant).await?;
    let customer = Customer {
        // The id begins with the creation time, which searches by creation date rely on.
        id: id.unwrap_or_else(|| ulid::Ulid::from_datetime(now.into()).to_string()),
        tenant_id: tenant.clone(),
        customer_number: format!("{number:06}"),
        reference,
        external_id,
        email,
        email_verified: input.email_verified,
        title: profile.title,
        first_name: profile.first_name,
        last_name: profile.last_name,
        phone_number: profile.phone_number,
        cell_phone_number: profile.cell_phone_number,
        birthdate: profile.birthdate.map(|b| b.date()),
        gender: profile.gender,
        language_code: profile.language_code,
        country_code: profile.country_code,
        timezone: profile.timezone,
        status: input.status,
        billing_address: profile.billing_address,
        delivery_addresses: vec![],
        default_delivery_address_id: None,
        consents: profile.consents,
        attributes: profile.attributes,
        created_at: now,
        updated_at: now,
        last_login_at: None,
        version: 1,
    };
    Ok(CustomerRecord { customer, credentials: Credentials { password_hash, ..Credentials::default() } })
}

/// Why an insert did not happen.
pub(crate) enum InsertError {
    /// A unique value (email, ref, external id) has an owner; the user error
    /// is located under the input path.
    Taken(crate::store::UniqueKey, DomainError),
    /// A customer with this id exists already.
    IdTaken,
    Other(DomainError),
}

/// Writes a built customer with its tokens and session in one transaction.
pub(crate) async fn insert(
    svc: &Services,
    record: &CustomerRecord,
    tokens: &[OneTimeToken],
    session: Option<&Session>,
    path: &[&str],
) -> Result<(), InsertError> {
    match svc.store.create_customer(NewCustomer { record, tokens, session }).await {
        Ok(()) => Ok(()),
        Err(WriteError::Taken(kind)) => {
            let message = match kind {
                crate::store::UniqueKey::Email => "An account with this email already exists.",
                _ => "Another customer already has this value.",
            };
            let field = [path, &[unique_field(kind)]].concat();
            Err(InsertError::Taken(kind, DomainError::user(ErrorCode::Taken, &field, message)))
        }
        Err(WriteError::Conflict) => Err(InsertError::IdTaken),
        Err(WriteError::Other(e)) => Err(InsertError::Other(e.into())),
    }
}

impl From<InsertError> for DomainError {
    fn from(e: InsertError) -> Self {
        match e {
            InsertError::Taken(_, e) | InsertError::Other(e) => e,
            InsertError::IdTaken => DomainError::user(ErrorCode::Taken, &[], "A customer with this id exists already."),
        }
    }
}
