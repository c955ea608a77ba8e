//! The profile pipeline and the address book. Every profile change is a
//! `ProfilePatch`: an update (absent fields stay, `null` clears) and a
//! creation alike, the latter being a patch of `Set`s applied to a blank
//! `Customer::new`. A profile field's rules live here once.

use super::attributes::{AttributeRules, Writer, OPEN_ATTRIBUTES};
use super::customer::{
    validate_consents, Address, AddressInput, AddressKind, Attribute, Consent, Customer, CustomerStatus, Gender,
    NAME_MAX, TITLE_MAX,
};
use super::errors::{DomainError, DomainResult, ErrorCode, Problems, UserError};
use super::values::{
    external_id, loyalty_id, reference, text, timezone, username, web_url, Birthdate, CountryCode, Email, LanguageCode,
    Phone, REF_MAX,
};
use chrono::{DateTime, NaiveDate, Utc};

/// At most this many delivery addresses per customer.
pub const MAX_DELIVERY_ADDRESSES: usize = 20;
/// At most this many tags per customer, each at most `TAG_MAX` characters.
pub const MAX_TAGS: usize = 50;
pub const TAG_MAX: usize = 100;
/// The back office's note, in characters.
pub const NOTE_MAX: usize = 5000;

/// Checks tags (each trimmed, 1 to `TAG_MAX` characters, kept once, in
/// order); `field` locates the list, each problem its index.
pub fn tags(list: Vec<String>, field: &[&str], p: &mut Problems) -> Vec<String> {
    // Counted first: a list of a hundred thousand tags (a 1 MiB body holds
    // that) is refused before any is compared with the others.
    if list.len() > MAX_TAGS {
        p.push(UserError::new(ErrorCode::LimitExceeded, field, format!("At most {MAX_TAGS} tags.")));
        return vec![];
    }
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for (i, raw) in list.into_iter().enumerate() {
        let idx = i.to_string();
        let at: Vec<&str> = field.iter().copied().chain([idx.as_str()]).collect();
        if let Some(tag) = p.check(super::values::required_text(&raw, TAG_MAX, &at)) {
            if !out.contains(&tag) {
                out.push(tag);
            }
        }
    }
    out
}

/// `current` with `added` (checked) appended where new, or `removed` taken
/// out: what `addCustomerTags` and `removeCustomerTags` make of a
/// customer's tags. More than `MAX_TAGS` is `LIMIT_EXCEEDED` at `["tags"]`.
pub fn change_tags(current: &[String], added: &[String], removed: &[String]) -> DomainResult<Vec<String>> {
    let mut next: Vec<String> = current.iter().filter(|t| !removed.contains(t)).cloned().collect();
    for tag in added {
        if !next.contains(tag) {
            next.push(tag.clone());
        }
    }
    if next.len() > MAX_TAGS {
        let message = format!("At most {MAX_TAGS} tags: this customer would have {}.", next.len());
        return Err(DomainError::user(ErrorCode::LimitExceeded, &["tags"], message));
    }
    Ok(next)
}

/// One field of a profile change: left alone, cleared, or set.
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

    /// The value being set, if any.
    fn set_value(&self) -> Option<&T> {
        match self {
            Patch::Set(v) => Some(v),
            Patch::Keep | Patch::Clear => None,
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

/// A profile change as the client sends it: an update, or the profile of a
/// new customer (only `Set` and `Keep`; on a new customer both `Keep` and
/// `Clear` leave a field empty).
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
    pub promotion_opt_in: Option<bool>,
    pub picture_url: Patch<String>,
    pub website_url: Patch<String>,
    pub secondary_email: Patch<String>,
    /// Set at creation only: afterwards the address book's own operations
    /// (`set_billing_address`) change it.
    pub billing_address: Patch<AddressInput>,
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
    promotion_opt_in: Option<bool>,
    picture_url: Patch<String>,
    website_url: Patch<String>,
    secondary_email: Patch<Email>,
    billing_address: Patch<Address>,
    consents: Patch<Vec<Consent>>,
    attributes: Option<AttributeWrite>,
}

/// A checked list of attributes and whose it is: the storefront's replaces
/// only the entries it writes (`AttributeRules::merge`).
#[derive(Debug, Clone)]
struct AttributeWrite {
    rules: AttributeRules,
    writer: Writer,
    entries: Vec<Attribute>,
}

/// What a profile is checked against besides its own values.
#[derive(Debug, Clone)]
pub struct ProfileRules<'a> {
    pub now: DateTime<Utc>,
    /// The tenant's `defaultCountryCode`, in which phone numbers without a
    /// `+` are read.
    pub phone_country: Option<CountryCode>,
    /// The tenant's attribute definitions.
    pub attributes: &'a AttributeRules,
    /// Who sends the profile: which attribute keys it may write.
    pub writer: Writer,
}

impl ProfileRules<'static> {
    /// The rules of a tenant that configures nothing, for the storefront.
    pub fn at(now: DateTime<Utc>) -> Self {
        Self { now, phone_country: None, attributes: &OPEN_ATTRIBUTES, writer: Writer::Customer }
    }
}

impl ProfilePatch {
    /// Checks every field set, with paths relative to the input.
    pub fn validate(self, rules: ProfileRules<'_>) -> DomainResult<ValidProfilePatch> {
        let mut p = Problems::new();
        let valid = self.validate_into(rules, &mut p);
        p.finish().map(|_| valid)
    }

    /// Like `validate`, for a caller checking more than the profile: records
    /// the problems in `p` (paths relative to the input) and leaves every
    /// field that has one unchanged (`Keep`), so the valid rest can still be
    /// looked at (e.g. the names a password must not be built from).
    pub fn validate_into(self, rules: ProfileRules<'_>, p: &mut Problems) -> ValidProfilePatch {
        let (now, phone_country) = (rules.now, rules.phone_country.as_ref());
        let today = now.date_naive();
        ValidProfilePatch {
            title: optional_text(self.title, TITLE_MAX, "title", p),
            first_name: optional_text(self.first_name, NAME_MAX, "firstName", p),
            last_name: optional_text(self.last_name, NAME_MAX, "lastName", p),
            phone_number: self.phone_number.check(p, |s| Phone::parse(&s, phone_country, &["phoneNumber"])),
            cell_phone_number: self
                .cell_phone_number
                .check(p, |s| Phone::parse(&s, phone_country, &["cellPhoneNumber"])),
            birthdate: self.birthdate.check(p, |d| Birthdate::parse(d, today, &["birthdate"]).map(|b| b.date())),
            gender: self.gender,
            language_code: self.language_code.check(p, |s| LanguageCode::parse(&s, &["languageCode"])),
            country_code: self.country_code.check(p, |s| CountryCode::parse(&s, &["countryCode"])),
            timezone: self.timezone.check(p, |s| timezone(&s, &["timezone"])),
            promotion_opt_in: self.promotion_opt_in,
            picture_url: self.picture_url.check(p, |s| web_url(&s, &["pictureUrl"])),
            website_url: self.website_url.check(p, |s| web_url(&s, &["websiteUrl"])),
            secondary_email: self.secondary_email.check(p, |s| Email::parse(&s, &["secondaryEmail"])),
            billing_address: match self.billing_address {
                Patch::Set(a) => match a.validate(ulid::Ulid::new().to_string(), AddressKind::Billing) {
                    Ok(a) => Patch::Set(a),
                    Err(errors) => {
                        p.extend(errors.into_iter().map(|e| e.under(&["billingAddress"])));
                        Patch::Keep
                    }
                },
                Patch::Clear => Patch::Clear,
                Patch::Keep => Patch::Keep,
            },
            consents: match self.consents {
                Patch::Set(list) => Patch::Set(validate_consents(list, now, "consents", p)),
                Patch::Clear => Patch::Clear,
                Patch::Keep => Patch::Keep,
            },
            attributes: {
                let list = match self.attributes {
                    Patch::Set(list) => Some(list),
                    Patch::Clear => Some(vec![]),
                    Patch::Keep => None,
                };
                list.map(|list| AttributeWrite {
                    entries: rules.attributes.validate(list, rules.writer, "attributes", p),
                    rules: rules.attributes.clone(),
                    writer: rules.writer,
                })
            },
        }
    }
}

impl ValidProfilePatch {
    /// The first and last name the patch sets (`None` where it keeps or
    /// clears one): on a new customer, its names.
    pub fn names_set(&self) -> [Option<&str>; 2] {
        [self.first_name.set_value().map(String::as_str), self.last_name.set_value().map(String::as_str)]
    }

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
        if let Some(v) = self.promotion_opt_in {
            c.promotion_opt_in = v;
        }
        self.picture_url.apply(&mut c.picture_url);
        self.website_url.apply(&mut c.website_url);
        self.secondary_email.apply(&mut c.secondary_email);
        // The billing address is one: replacing it keeps its id, so that the
        // same address given again changes nothing.
        let billing = match (self.billing_address, &c.billing_address) {
            (Patch::Set(new), Some(old)) => Patch::Set(Address { id: old.id.clone(), ..new }),
            (patch, _) => patch,
        };
        billing.apply(&mut c.billing_address);
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
        if let Some(w) = self.attributes {
            c.attributes = w.rules.merge(w.writer, &c.attributes, w.entries);
        }
    }
}

/// What only the back office sets on a customer: its identifiers in other
/// systems (each unique in the tenant) and where the record came from. At
/// creation only `Set` and `Keep` occur.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BackOfficePatch {
    pub reference: Patch<String>,
    pub external_id: Patch<String>,
    pub loyalty_id: Patch<String>,
    pub username: Patch<String>,
    pub department: Patch<String>,
    pub source: Patch<String>,
    pub source_id: Patch<String>,
    /// The whole new list of tags; `Clear` empties it.
    pub tags: Patch<Vec<String>>,
    pub note: Patch<String>,
}

impl BackOfficePatch {
    /// Checks every field set (paths relative to the input); a field with a
    /// problem is left alone.
    pub fn validate_into(self, p: &mut Problems) -> BackOfficePatch {
        BackOfficePatch {
            reference: self.reference.check(p, |r| reference(&r, &["ref"])),
            external_id: self.external_id.check(p, |x| external_id(&x, &["externalId"])),
            loyalty_id: self.loyalty_id.check(p, |x| loyalty_id(&x, &["loyaltyId"])),
            username: self.username.check(p, |x| username(&x, &["username"])),
            department: optional_text(self.department, NAME_MAX, "department", p),
            source: optional_text(self.source, REF_MAX, "source", p),
            source_id: optional_text(self.source_id, REF_MAX, "sourceId", p),
            tags: match self.tags {
                Patch::Set(list) => Patch::Set(tags(list, &["tags"], p)),
                other => other,
            },
            note: optional_text(self.note, NOTE_MAX, "note", p),
        }
    }

    /// Applies a checked patch.
    pub fn apply(self, c: &mut Customer) {
        self.reference.apply(&mut c.reference);
        self.external_id.apply(&mut c.external_id);
        self.loyalty_id.apply(&mut c.loyalty_id);
        self.username.apply(&mut c.username);
        self.department.apply(&mut c.department);
        self.source.apply(&mut c.source);
        self.source_id.apply(&mut c.source_id);
        match self.tags {
            Patch::Keep => {}
            Patch::Clear => c.tags.clear(),
            Patch::Set(tags) => c.tags = tags,
        }
        self.note.apply(&mut c.note);
    }
}

/// A back-office update: the profile plus what only the back office may change.
#[derive(Debug, Clone, Default)]
pub struct AdminPatch {
    pub profile: ProfilePatch,
    pub email: Patch<String>,
    pub back_office: BackOfficePatch,
    /// Absent: unchanged, except that a new email is unverified.
    pub email_verified: Option<bool>,
    pub status: Option<CustomerStatus>,
    /// Delivery addresses the customer gets unless it has the same already
    /// (an import's rows bring them).
    pub delivery_addresses: Vec<AddressInput>,
}

#[derive(Debug, Clone)]
pub struct ValidAdminPatch {
    profile: ValidProfilePatch,
    email: Patch<Email>,
    back_office: BackOfficePatch,
    email_verified: Option<bool>,
    status: Option<CustomerStatus>,
    delivery_addresses: Vec<Address>,
}

impl AdminPatch {
    /// Checks every field set, with paths relative to the input.
    pub fn validate(self, rules: ProfileRules<'_>) -> DomainResult<ValidAdminPatch> {
        let mut p = Problems::new();
        let profile = self.profile.validate_into(rules, &mut p);
        if self.email == Patch::Clear {
            p.push(UserError::new(ErrorCode::Required, &["email"], "The email cannot be removed."));
        }
        let email = self.email.check(&mut p, |e| Email::parse(&e, &["email"]));
        let back_office = self.back_office.validate_into(&mut p);
        let delivery_addresses = delivery_addresses(self.delivery_addresses, &mut p);
        p.finish()?;
        Ok(ValidAdminPatch {
            profile,
            email,
            back_office,
            email_verified: self.email_verified,
            status: self.status,
            delivery_addresses,
        })
    }
}

impl ValidAdminPatch {
    /// `LIMIT_EXCEEDED` when the addresses to add would pass the most a
    /// customer may have.
    pub fn apply(self, c: &mut Customer) -> DomainResult<()> {
        add_missing_delivery_addresses(c, self.delivery_addresses)?;
        self.profile.apply(c);
        if let Patch::Set(email) = self.email {
            if email.normalized() != c.email.normalized() {
                c.email_verified = false;
            }
            c.email = email;
        }
        self.back_office.apply(c);
        if let Some(v) = self.email_verified {
            c.email_verified = v;
        }
        if let Some(s) = self.status {
            c.status = s;
        }
        Ok(())
    }
}

/// Delivery addresses given with a customer, each checked (errors under
/// `deliveryAddresses.<i>`), at most `MAX_DELIVERY_ADDRESSES`.
pub fn delivery_addresses(list: Vec<AddressInput>, p: &mut Problems) -> Vec<Address> {
    if list.len() > MAX_DELIVERY_ADDRESSES {
        p.push(UserError::new(
            ErrorCode::LimitExceeded,
            &["deliveryAddresses"],
            format!("At most {MAX_DELIVERY_ADDRESSES} delivery addresses."),
        ));
        return vec![];
    }
    let mut valid = Vec::with_capacity(list.len());
    for (i, address) in list.into_iter().enumerate() {
        match address.validate(ulid::Ulid::new().to_string(), AddressKind::Delivery) {
            Ok(a) => valid.push(a),
            Err(errors) => p.extend(errors.into_iter().map(|e| e.under(&["deliveryAddresses", &i.to_string()]))),
        }
    }
    valid
}

/// Adds each address the customer has not got (the same but for the id);
/// the first becomes the default when there is none.
pub fn add_missing_delivery_addresses(c: &mut Customer, list: Vec<Address>) -> DomainResult<()> {
    for address in list {
        let same = |a: &Address| {
            Address { id: String::new(), ..a.clone() } == Address { id: String::new(), ..address.clone() }
        };
        if !c.delivery_addresses.iter().any(same) {
            add_valid_delivery_address(c, address, false)?;
        }
    }
    Ok(())
}

// The address book's errors are relative to the address given; an unknown
// address id is an error about the operation's `id` argument.

fn not_found() -> DomainError {
    DomainError::argument(ErrorCode::NotFound, "id", "No delivery address with this id.")
}

/// Sets (or replaces) the billing address.
pub fn set_billing_address(c: &mut Customer, input: AddressInput, id: String) -> DomainResult<()> {
    c.billing_address = Some(input.validate(id, AddressKind::Billing).map_err(DomainError::User)?);
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
    let address = input.validate(id, AddressKind::Delivery).map_err(DomainError::User)?;
    add_valid_delivery_address(c, address, make_default)
}

fn add_valid_delivery_address(c: &mut Customer, address: Address, make_default: bool) -> DomainResult<Address> {
    if c.delivery_addresses.len() >= MAX_DELIVERY_ADDRESSES {
        return Err(DomainError::user(
            ErrorCode::LimitExceeded,
            &[],
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
    *slot = input.validate(id.to_string(), AddressKind::Delivery).map_err(DomainError::User)?;
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
    use crate::domain::{Email, TenantId};

    fn customer() -> Customer {
        let email = Email::parse("a@example.com", &[]).unwrap();
        let mut c =
            Customer::new("c1".into(), TenantId::default_tenant(), "000001".into(), email, crate::clock::an_instant());
        c.first_name = Some("Ann".into());
        c.last_name = Some("Lee".into());
        c
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
        patch.validate(ProfileRules::at(crate::clock::an_instant())).unwrap().apply(&mut c);
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
        let Err(DomainError::User(errors)) = patch.validate(ProfileRules::at(crate::clock::an_instant())) else {
            panic!("invalid")
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.join(".")).collect();
        assert_eq!(fields, ["phoneNumber", "timezone"]);
    }

    #[test]
    fn unchanged_consents_keep_their_timestamp() {
        let mut c = customer();
        let earlier = crate::clock::an_instant() - chrono::Duration::days(3);
        c.consents = vec![Consent { key: "mail".into(), granted: true, updated_at: earlier }];
        let patch = ProfilePatch {
            consents: Patch::Set(vec![("mail".into(), true), ("sms".into(), false)]),
            ..Default::default()
        };
        patch.validate(ProfileRules::at(crate::clock::an_instant())).unwrap().apply(&mut c);
        assert_eq!(c.consents[0].updated_at, earlier);
        assert!(c.consents[1].updated_at > earlier);
    }

    #[test]
    fn a_new_customer_is_a_patch_of_sets_applied_to_a_blank_one() {
        let now = crate::clock::an_instant();
        let email = Email::parse("a@example.com", &[]).unwrap();
        let mut c = Customer::new("c1".into(), TenantId::default_tenant(), "000001".into(), email, now);
        let patch = ProfilePatch {
            title: Patch::Set("  ".into()),
            first_name: Patch::Set(" Ada ".into()),
            phone_number: Patch::Set("+44 20 7946 0958".into()),
            birthdate: Patch::Set(NaiveDate::from_ymd_opt(1985, 12, 10).unwrap()),
            gender: Patch::Set(Gender::Female),
            language_code: Patch::Set("en_gb".into()),
            billing_address: Patch::Set(address("London")),
            consents: Patch::Set(vec![("mail".into(), true)]),
            attributes: Patch::Set(vec![("source".into(), "shop".into())]),
            ..Default::default()
        };
        let valid = patch.validate(ProfileRules::at(now)).unwrap();
        assert_eq!(valid.names_set(), [Some("Ada"), None]);
        valid.apply(&mut c);
        assert_eq!((c.title, c.first_name.as_deref(), c.last_name), (None, Some("Ada"), None));
        assert_eq!(c.phone_number.as_ref().map(Phone::as_str), Some("+442079460958"));
        assert_eq!(c.language_code.as_ref().map(LanguageCode::as_str), Some("en-GB"));
        assert_eq!(c.gender, Some(Gender::Female));
        assert_eq!(c.billing_address.as_ref().and_then(|a| a.city.as_deref()), Some("London"));
        assert!(c.billing_address.is_some_and(|a| !a.id.is_empty()));
        assert_eq!(c.consents, [Consent { key: "mail".into(), granted: true, updated_at: now }]);
        assert_eq!(c.attributes.len(), 1);
        assert_eq!((c.version, c.status, c.timezone), (1, CustomerStatus::Active, None));
    }

    #[test]
    fn a_bad_billing_address_is_reported_under_its_field() {
        let patch = ProfilePatch {
            billing_address: Patch::Set(AddressInput { city: Some("x".repeat(201)), ..address("x") }),
            ..Default::default()
        };
        let Err(DomainError::User(errors)) = patch.validate(ProfileRules::at(crate::clock::an_instant())) else {
            panic!("invalid")
        };
        assert_eq!(errors[0].field, ["billingAddress", "city"]);
        assert_eq!(errors[0].code, ErrorCode::TooLong);
    }

    #[test]
    fn a_billing_address_needs_no_street_or_city_a_delivery_address_does() {
        let minimal = || AddressInput { country_code: Some("se".into()), ..Default::default() };
        let billing = minimal().validate("b".into(), AddressKind::Billing).unwrap();
        assert_eq!((billing.street, billing.city, billing.country_code.as_str()), (None, None, "SE"));
        let errors = minimal().validate("d".into(), AddressKind::Delivery).unwrap_err();
        let fields: Vec<String> = errors.iter().map(|e| e.field.join(".")).collect();
        assert_eq!(fields, ["street", "city"]);
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
