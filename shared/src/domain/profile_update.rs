//! Changes a customer makes to itself: the profile (absent fields stay,
//! `null` clears) and the address book.

use super::customer::{
    validate_attributes, validate_consents, Address, AddressInput, Consent, Customer, CustomerStatus, Gender, NAME_MAX,
    TITLE_MAX,
};
use super::errors::{DomainError, DomainResult, ErrorCode, Problems, UserError};
use super::values::{external_id, reference, text, timezone, Birthdate, CountryCode, Email, LanguageCode, Phone};
use chrono::{DateTime, NaiveDate, Utc};

/// At most this many delivery addresses per customer.
pub const MAX_DELIVERY_ADDRESSES: usize = 20;

/// One field of an update: left alone, cleared, or set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Patch<T> {
    #[default]
    Keep,
    Clear,
    Set(T),
}

impl<T> Patch<T> {
    /// Validates a value being set; `Keep` and `Clear` need no check.
    fn check<U>(self, p: &mut Problems, parse: impl FnOnce(T) -> Result<U, UserError>) -> Patch<U> {
        match self {
            Patch::Keep => Patch::Keep,
            Patch::Clear => Patch::Clear,
            Patch::Set(v) => p.check(parse(v)).map_or(Patch::Keep, Patch::Set),
        }
    }

    fn apply(self, target: &mut Option<T>) {
        match self {
            Patch::Keep => {}
            Patch::Clear => *target = None,
            Patch::Set(v) => *target = Some(v),
        }
    }
}

/// Text that may be set empty, which clears it.
fn optional_text(patch: Patch<String>, max: usize, field: &str, p: &mut Problems) -> Patch<String> {
    match patch.check(p, |s| text(&s, max, &[field])) {
        Patch::Set(None) => Patch::Clear,
        Patch::Set(Some(s)) => Patch::Set(s),
        Patch::Keep => Patch::Keep,
        Patch::Clear => Patch::Clear,
    }
}

/// A profile update as the client sends it.
#[derive(Debug, Clone, Default)]
pub struct ProfilePatch {
    pub title: Patch<String>,
    pub first_name: Patch<String>,
    pub last_name: Patch<String>,
    pub phone_number: Patch<String>,
    pub cell_phone_number: Patch<String>,
    pub birthdate: Patch<NaiveDate>,
    pub gender: Patch<Gender>,
    pub language_code: Patch<String>,
    pub country_code: Patch<String>,
    pub timezone: Patch<String>,
    /// The full new list of consents; `Clear` empties it.
    pub consents: Patch<Vec<(String, bool)>>,
    /// The full new list of attributes; `Clear` empties it.
    pub attributes: Patch<Vec<(String, String)>>,
}

/// A checked profile update, ready to apply to any version of the customer.
#[derive(Debug, Clone)]
pub struct ValidProfilePatch {
    title: Patch<String>,
    first_name: Patch<String>,
    last_name: Patch<String>,
    phone_number: Patch<Phone>,
    cell_phone_number: Patch<Phone>,
    birthdate: Patch<NaiveDate>,
    gender: Patch<Gender>,
    language_code: Patch<LanguageCode>,
    country_code: Patch<CountryCode>,
    timezone: Patch<String>,
    consents: Patch<Vec<Consent>>,
    attributes: Patch<Vec<super::customer::Attribute>>,
}

impl ProfilePatch {
    /// Checks every field set, with paths relative to the input.
    pub fn validate(self, now: DateTime<Utc>) -> DomainResult<ValidProfilePatch> {
        let mut p = Problems::new();
        let today = now.date_naive();
        let valid = ValidProfilePatch {
            title: optional_text(self.title, TITLE_MAX, "title", &mut p),
            first_name: optional_text(self.first_name, NAME_MAX, "firstName", &mut p),
            last_name: optional_text(self.last_name, NAME_MAX, "lastName", &mut p),
            phone_number: self.phone_number.check(&mut p, |s| Phone::parse(&s, &["phoneNumber"])),
            cell_phone_number: self.cell_phone_number.check(&mut p, |s| Phone::parse(&s, &["cellPhoneNumber"])),
            birthdate: self.birthdate.check(&mut p, |d| Birthdate::parse(d, today, &["birthdate"]).map(|b| b.date())),
            gender: self.gender,
            language_code: self.language_code.check(&mut p, |s| LanguageCode::parse(&s, &["languageCode"])),
            country_code: self.country_code.check(&mut p, |s| CountryCode::parse(&s, &["countryCode"])),
            timezone: self.timezone.check(&mut p, |s| timezone(&s, &["timezone"])),
            consents: match self.consents {
                Patch::Set(list) => Patch::Set(validate_consents(list, now, "consents", &mut p)),
                Patch::Clear => Patch::Clear,
                Patch::Keep => Patch::Keep,
            },
            attributes: match self.attributes {
                Patch::Set(list) => Patch::Set(validate_attributes(list, "attributes", &mut p)),
                Patch::Clear => Patch::Clear,
                Patch::Keep => Patch::Keep,
            },
        };
        p.finish().map(|_| valid)
    }
}

impl ValidProfilePatch {
    /// Applies the update. A consent whose `granted` did not change keeps its
    /// `updatedAt`: it records when the customer last decided.
    pub fn apply(self, c: &mut Customer) {
        self.title.apply(&mut c.title);
        self.first_name.apply(&mut c.first_name);
        self.last_name.apply(&mut c.last_name);
        self.phone_number.apply(&mut c.phone_number);
        self.cell_phone_number.apply(&mut c.cell_phone_number);
        self.birthdate.apply(&mut c.birthdate);
        self.gender.apply(&mut c.gender);
        self.language_code.apply(&mut c.language_code);
        self.country_code.apply(&mut c.country_code);
        self.timezone.apply(&mut c.timezone);
        match self.consents {
            Patch::Keep => {}
            Patch::Clear => c.consents.clear(),
            Patch::Set(new) => {
                let old = std::mem::take(&mut c.consents);
                c.consents = new
                    .into_iter()
                    .map(|n| match old.iter().find(|o| o.key == n.key && o.granted == n.granted) {
                        Some(o) => o.clone(),
                        None => n,
                    })
                    .collect();
            }
        }
        match self.attributes {
            Patch::Keep => {}
            Patch::Clear => c.attributes.clear(),
            Patch::Set(new) => c.attributes = new,
        }
    }
}

/// A back-office update: the profile plus what only the back office may change.
#[derive(Debug, Clone, Default)]
pub struct AdminPatch {
    pub profile: ProfilePatch,
    pub email: Patch<String>,
    pub reference: Patch<String>,
    pub external_id: Patch<String>,
    /// Absent: unchanged, except that a new email is unverified.
    pub email_verified: Option<bool>,
    pub status: Option<CustomerStatus>,
}

#[derive(Debug, Clone)]
pub struct ValidAdminPatch {
    profile: ValidProfilePatch,
    email: Patch<Email>,
    reference: Patch<String>,
    external_id: Patch<String>,
    email_verified: Option<bool>,
    status: Option<CustomerStatus>,
}

impl AdminPatch {
    /// Checks every field set, with paths relative to the input.
    pub fn validate(self, now: DateTime<Utc>) -> DomainResult<ValidAdminPatch> {
        let mut p = Problems::new();
        let profile = match self.profile.validate(now) {
            Ok(v) => Some(v),
            Err(DomainError::User(errors)) => {
                p.extend(errors);
                None
            }
            Err(e) => return Err(e),
        };
        if self.email == Patch::Clear {
            p.push(UserError::new(ErrorCode::Required, &["email"], "The email cannot be removed."));
        }
        let email = self.email.check(&mut p, |e| Email::parse(&e, &["email"]));
        let reference = self.reference.check(&mut p, |r| reference(&r, &["ref"]));
        let external_id = self.external_id.check(&mut p, |x| external_id(&x, &["externalId"]));
        p.finish()?;
        Ok(ValidAdminPatch {
            profile: profile.ok_or_else(|| anyhow::anyhow!("profile validated"))?,
            email,
            reference,
            external_id,
            email_verified: self.email_verified,
            status: self.status,
        })
    }
}

impl ValidAdminPatch {
    pub fn apply(self, c: &mut Customer) {
        self.profile.apply(c);
        if let Patch::Set(email) = self.email {
            if email.normalized() != c.email.normalized() {
                c.email_verified = false;
            }
            c.email = email;
        }
        self.reference.apply(&mut c.reference);
        self.external_id.apply(&mut c.external_id);
        if let Some(v) = self.email_verified {
            c.email_verified = v;
        }
        if let Some(s) = self.status {
            c.status = s;
        }
    }
}

fn address_errors(errors: Vec<UserError>) -> DomainError {
    DomainError::User(errors.into_iter().map(|e| e.under(&["address"])).collect())
}

fn not_found() -> DomainError {
    DomainError::user(ErrorCode::NotFound, &["id"], "No delivery address with this id.")
}

/// Sets (or replaces) the billing address.
pub fn set_billing_address(c: &mut Customer, input: AddressInput, id: String) -> DomainResult<()> {
    c.billing_address = Some(input.validate(id).map_err(address_errors)?);
    Ok(())
}

/// Adds a delivery address; the first one, or one added with `make_default`,
/// becomes the default.
pub fn add_delivery_address(
    c: &mut Customer,
    input: AddressInput,
    id: String,
    make_default: bool,
) -> DomainResult<Address> {
    let address = input.validate(id).map_err(address_errors)?;
    if c.delivery_addresses.len() >= MAX_DELIVERY_ADDRESSES {
        return Err(DomainError::user(
            ErrorCode::LimitExceeded,
            &["address"],
            format!("At most {MAX_DELIVERY_ADDRESSES} delivery addresses; remove one first."),
        ));
    }
    if make_default || c.default_delivery_address_id.is_none() {
        c.default_delivery_address_id = Some(address.id.clone());
    }
    c.delivery_addresses.push(address.clone());
    Ok(address)
}

/// Replaces a delivery address as a whole, keeping its id.
pub fn update_delivery_address(c: &mut Customer, id: &str, input: AddressInput) -> DomainResult<()> {
    let slot = c.delivery_addresses.iter_mut().find(|a| a.id == id).ok_or_else(not_found)?;
    *slot = input.validate(id.to_string()).map_err(address_errors)?;
    Ok(())
}

/// Removes a delivery address; removing the default makes the first
/// remaining address the default, or clears it when none remains.
pub fn remove_delivery_address(c: &mut Customer, id: &str) -> DomainResult<()> {
    let before = c.delivery_addresses.len();
    c.delivery_addresses.retain(|a| a.id != id);
    if c.delivery_addresses.len() == before {
        return Err(not_found());
    }
    if c.default_delivery_address_id.as_deref() == Some(id) {
        c.default_delivery_address_id = c.delivery_addresses.first().map(|a| a.id.clone());
    }
    Ok(())
}

pub fn set_default_delivery_address(c: &mut Customer, id: &str) -> DomainResult<()> {
    if !c.delivery_addresses.iter().any(|a| a.id == id) {
        return Err(not_found());
    }
    c.default_delivery_address_id = Some(id.to_string());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CustomerStatus, Email, TenantId};

    fn customer() -> Customer {
        let now = Utc::now();
        Customer {
            id: "c1".into(),
            tenant_id: TenantId::default_tenant(),
            customer_number: "000001".into(),
            reference: None,
            external_id: None,
            email: Email::parse("a@example.com", &[]).unwrap(),
            email_verified: false,
            title: None,
            first_name: Some("Ann".into()),
            last_name: Some("Lee".into()),
            phone_number: None,
            cell_phone_number: None,
            birthdate: None,
            gender: None,
            language_code: None,
            country_code: None,
            timezone: None,
            status: CustomerStatus::Active,
            billing_address: None,
            delivery_addresses: vec![],
            default_delivery_address_id: None,
            consents: vec![],
            attributes: vec![],
            created_at: now,
            updated_at: now,
            last_login_at: None,
            version: 1,
        }
    }

    fn address(city: &str) -> AddressInput {
        AddressInput {
            street: Some("Main St".into()),
            city: Some(city.into()),
            country_code: Some("DE".into()),
            ..Default::default()
        }
    }

    #[test]
    fn absent_fields_stay_null_clears_values_set() {
        let mut c = customer();
        let patch = ProfilePatch {
            first_name: Patch::Clear,
            timezone: Patch::Set("Europe/Berlin".into()),
            ..Default::default()
        };
        patch.validate(Utc::now()).unwrap().apply(&mut c);
        assert_eq!(c.first_name, None);
        assert_eq!(c.last_name.as_deref(), Some("Lee"));
        assert_eq!(c.timezone.as_deref(), Some("Europe/Berlin"));
    }

    #[test]
    fn bad_values_are_reported_with_paths() {
        let patch = ProfilePatch {
            timezone: Patch::Set("Mars/Olympus".into()),
            phone_number: Patch::Set("123".into()),
            ..Default::default()
        };
        let Err(DomainError::User(errors)) = patch.validate(Utc::now()) else { panic!("invalid") };
        let fields: Vec<_> = errors.iter().map(|e| e.field.join(".")).collect();
        assert_eq!(fields, ["phoneNumber", "timezone"]);
    }

    #[test]
    fn unchanged_consents_keep_their_timestamp() {
        let mut c = customer();
        let earlier = Utc::now() - chrono::Duration::days(3);
        c.consents = vec![Consent { key: "mail".into(), granted: true, updated_at: earlier }];
        let patch = ProfilePatch {
            consents: Patch::Set(vec![("mail".into(), true), ("sms".into(), false)]),
            ..Default::default()
        };
        patch.validate(Utc::now()).unwrap().apply(&mut c);
        assert_eq!(c.consents[0].updated_at, earlier);
        assert!(c.consents[1].updated_at > earlier);
    }

    #[test]
    fn the_first_delivery_address_is_the_default_and_removal_moves_it() {
        let mut c = customer();
        let a = add_delivery_address(&mut c, address("Berlin"), "a".into(), false).unwrap();
        let b = add_delivery_address(&mut c, address("Hamburg"), "b".into(), false).unwrap();
        assert_eq!(c.default_delivery_address_id.as_deref(), Some(a.id.as_str()));
        remove_delivery_address(&mut c, "a").unwrap();
        assert_eq!(c.default_delivery_address_id.as_deref(), Some(b.id.as_str()));
        remove_delivery_address(&mut c, "b").unwrap();
        assert_eq!(c.default_delivery_address_id, None);
        assert!(remove_delivery_address(&mut c, "b").is_err());
    }

    #[test]
    fn the_address_book_is_bounded() {
        let mut c = customer();
        for i in 0..MAX_DELIVERY_ADDRESSES {
            add_delivery_address(&mut c, address("Berlin"), i.to_string(), false).unwrap();
        }
        let Err(DomainError::User(e)) = add_delivery_address(&mut c, address("Köln"), "x".into(), false) else {
            panic!("limit")
        };
        assert_eq!(e[0].code, ErrorCode::LimitExceeded);
    }
}
