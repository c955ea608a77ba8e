//! Creating a customer: shared by registration (`auth`) and by back-office
//! creation and upsert (`admin`).

use super::modify::{taken, unique_field};
use super::Services;
use crate::auth::PasswordPolicy;
use crate::domain::{
    add_missing_delivery_addresses, delivery_addresses, Address, AddressInput, BackOfficePatch, Credentials, Customer,
    CustomerRecord, CustomerStatus, DomainError, DomainResult, Email, ErrorCode, OneTimeToken, Problems, ProfilePatch,
    ProfileRules, Session, TenantId, UserError, ValidProfilePatch, Writer,
};
use crate::store::{NewCustomer, WriteError};
use chrono::{DateTime, Utc};

/// Everything a new customer is made of, as a client sends it.
#[derive(Debug, Clone, Default)]
pub struct NewCustomerInput {
    pub email: String,
    /// Absent: the customer cannot log in until a password is set (invite, reset).
    pub password: Option<String>,
    /// The profile: `Set` for each field given, `Keep` for the others.
    pub profile: ProfilePatch,
    /// What only the back office sets: `Set` for each field given.
    pub back_office: BackOfficePatch,
    pub status: CustomerStatus,
    pub email_verified: bool,
    /// Who creates the customer: which attribute keys the input may set.
    pub writer: Writer,
    /// The address book to start with (an import's rows bring one).
    pub delivery_addresses: Vec<AddressInput>,
    /// A password hash another system wrote (an import's), as stored: the
    /// customer logs in with its old password. Never given with `password`.
    pub password_hash: Option<String>,
}

/// A `NewCustomerInput` that passed every rule.
struct ValidNewCustomer {
    email: Email,
    password: Option<String>,
    profile: ValidProfilePatch,
    back_office: BackOfficePatch,
    status: CustomerStatus,
    email_verified: bool,
    delivery_addresses: Vec<Address>,
}

impl NewCustomerInput {
    /// Checks every field, with paths relative to the input. The profile
    /// goes through the same rules as any profile update.
    fn validate(self, policy: &PasswordPolicy, rules: ProfileRules<'_>) -> Result<ValidNewCustomer, Vec<UserError>> {
        let mut p = Problems::new();
        let email = p.check(Email::parse(&self.email, &["email"]));
        let profile = self.profile.validate_into(rules, &mut p);
        let back_office = self.back_office.validate_into(&mut p);
        let delivery_addresses = delivery_addresses(self.delivery_addresses, &mut p);
        if let Some(password) = &self.password {
            let words = personal_words(email.as_ref().map(Email::as_str).unwrap_or(""), &profile.names_set());
            p.check(policy.check(password, &words, &["password"]));
        }
        match email {
            Some(email) if p.is_empty() => Ok(ValidNewCustomer {
                email,
                password: self.password,
                profile,
                back_office,
                status: self.status,
                email_verified: self.email_verified,
                delivery_addresses,
            }),
            _ => Err(p.into_errors()),
        }
    }
}

impl ValidNewCustomer {
    /// The new customer: a blank one with the profile applied.
    fn into_customer(self, id: String, tenant: &TenantId, number: u64, now: DateTime<Utc>) -> Customer {
        let mut customer = Customer::new(id, tenant.clone(), format!("{number:06}"), self.email, now);
        self.back_office.apply(&mut customer);
        customer.email_verified = self.email_verified;
        customer.status = self.status;
        self.profile.apply(&mut customer);
        // At most as many as a customer may have: checked above.
        if let Err(e) = add_missing_delivery_addresses(&mut customer, self.delivery_addresses) {
            tracing::error!(error = %e, "a new customer's delivery addresses were not all added");
        }
        customer
    }
}

/// Words a password must not be built from: the customer's own data.
pub(crate) fn personal_words<'a>(email: &'a str, names: &[Option<&'a str>]) -> Vec<&'a str> {
    let mut words: Vec<&str> = email.split(['@', '.', '_', '-', '+']).filter(|w| w.len() > 2).collect();
    words.extend(names.iter().flatten().copied());
    words
}

/// Checks `input` as `build` does, and builds nothing (a dry run).
pub(crate) fn check_new_customer(svc: &Services, tenant: &TenantId, input: NewCustomerInput) -> DomainResult<()> {
    let rules = svc.config.profile_rules(tenant, input.writer, svc.clock.now());
    input.validate(&svc.policy, rules).map(|_| ()).map_err(DomainError::User)
}

/// Validates `input` (errors relative to it), hashes the password and
/// takes the tenant's next customer number. `id` is the new customer's id
/// (a fresh ULID unless the caller has one).
pub(crate) async fn build(
    svc: &Services,
    tenant: &TenantId,
    input: NewCustomerInput,
    id: Option<String>,
    now: DateTime<Utc>,
) -> DomainResult<CustomerRecord> {
    let rules = svc.config.profile_rules(tenant, input.writer, now);
    let input_hash = input.password_hash.clone();
    let valid = input.validate(&svc.policy, rules).map_err(DomainError::User)?;
    let password_hash = match &valid.password {
        Some(password) => Some(svc.hasher.hash(password).await?),
        None => input_hash,
    };
    let number = svc.store.next_customer_number(tenant).await?;
    // The id begins with the creation time, which searches by creation date rely on.
    let id = id.unwrap_or_else(|| ulid::Ulid::from_datetime(now.into()).to_string());
    let customer = valid.into_customer(id, tenant, number, now);
    Ok(CustomerRecord { customer, credentials: Credentials { password_hash, ..Credentials::default() } })
}

/// Why an insert did not happen.
pub(crate) enum InsertError {
    /// A unique value (email, ref, external id) has an owner; the user error
    /// is located at that field of the input.
    Taken(crate::store::UniqueKey, DomainError),
    /// A customer with this id exists already.
    IdTaken,
    Other(DomainError),
}

impl InsertError {
    /// The same failure, its user errors located under `prefix`.
    pub(crate) fn under(self, prefix: &[&str]) -> Self {
        match self {
            InsertError::Taken(kind, e) => InsertError::Taken(kind, e.under(prefix)),
            InsertError::Other(e) => InsertError::Other(e.under(prefix)),
            InsertError::IdTaken => InsertError::IdTaken,
        }
    }
}

/// The mails a new customer is written with, and the budget they come out of.
#[derive(Default)]
pub(crate) struct Mails<'a> {
    pub mails: &'a [crate::domain::OutboxMail],
    pub budget: Option<&'a crate::store::Quota>,
}

impl<'a> Mails<'a> {
    /// `mail`, if any, taken from `budget`.
    pub fn of(mail: &'a Option<crate::domain::OutboxMail>, budget: &'a crate::store::Quota) -> Self {
        Mails { mails: mail.as_slice(), budget: Some(budget) }
    }
}

/// Writes a built customer with its tokens, session and mails in one
/// transaction; true when the mails went out with it (false when their
/// budget had no room, and the customer was written without them).
pub(crate) async fn insert(
    svc: &Services,
    record: &CustomerRecord,
    tokens: &[OneTimeToken],
    session: Option<&Session>,
    mails: Mails<'_>,
    id_given: bool,
) -> Result<bool, InsertError> {
    let new = NewCustomer { record, tokens, session, mails: mails.mails, mail_budget: mails.budget, id_given };
    match svc.store.create_customer(new).await {
        Ok(mailed) => Ok(mailed),
        Err(WriteError::Taken(kind)) => {
            let error = match kind {
                crate::store::UniqueKey::Email => DomainError::email_taken(&[unique_field(kind)]),
                _ => taken(kind),
            };
            Err(InsertError::Taken(kind, error))
        }
        Err(WriteError::Conflict) => Err(InsertError::IdTaken),
        Err(WriteError::Other(e)) => Err(InsertError::Other(e.into())),
        // A new customer is no existing one's: its write never checks one.
        Err(e @ WriteError::Gone) => Err(InsertError::Other(anyhow::Error::new(e).into())),
    }
}

impl From<InsertError> for DomainError {
    fn from(e: InsertError) -> Self {
        match e {
            InsertError::Taken(_, e) | InsertError::Other(e) => e,
            InsertError::IdTaken => DomainError::general(ErrorCode::Taken, "A customer with this id exists already."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Patch;

    fn bad_phone() -> ProfilePatch {
        ProfilePatch { phone_number: Patch::Set("030123".into()), ..Default::default() }
    }

    #[test]
    fn creation_and_update_share_the_profile_rules() {
        let now = crate::clock::an_instant();
        let new = NewCustomerInput { email: "ada@example.com".into(), profile: bad_phone(), ..Default::default() };
        let Err(created) = new.validate(&PasswordPolicy::default(), ProfileRules::at(now)) else {
            panic!("invalid phone")
        };
        let Err(DomainError::User(updated)) = bad_phone().validate(ProfileRules::at(now)) else {
            panic!("invalid phone")
        };
        assert_eq!(created, updated);
        assert_eq!(created[0].field, ["phoneNumber"]);
        assert_eq!(created[0].code, ErrorCode::Invalid);
    }

    #[test]
    fn a_password_must_not_be_built_from_the_new_names() {
        let profile = ProfilePatch {
            first_name: Patch::Set(" Ada ".into()),
            last_name: Patch::Set("Lovelace".into()),
            phone_number: Patch::Set("030123".into()),
            ..Default::default()
        };
        let new = NewCustomerInput {
            email: "someone@example.com".into(),
            password: Some("LovelaceAda1".into()),
            profile,
            ..Default::default()
        };
        let Err(errors) = new.validate(&PasswordPolicy::default(), ProfileRules::at(crate::clock::an_instant())) else {
            panic!("weak password")
        };
        let found: Vec<(ErrorCode, String)> = errors.iter().map(|e| (e.code, e.field.join("."))).collect();
        let expected =
            [(ErrorCode::Invalid, "phoneNumber".to_string()), (ErrorCode::PasswordTooWeak, "password".to_string())];
        assert_eq!(found, expected);
    }
}
