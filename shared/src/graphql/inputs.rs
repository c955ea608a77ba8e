//! Input types shared by the schemas, and their conversion to domain inputs.

use super::types::{Date, GenderObject};
use crate::domain::{AddressInput, Patch, ProfilePatch};
use async_graphql::{InputObject, MaybeUndefined};
use serde::Deserialize;

/// A postal address as the client sends it. Texts are trimmed and an empty one counts as absent; a text over its
/// limit is `TOO_LONG`, one with control characters `INVALID`.
#[derive(InputObject, Clone, Default, Deserialize)]
#[graphql(name = "AddressInput")]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddressInputObject {
    /// Salutation or title, e.g. `Dr.`; at most 50 characters.
    pub title: Option<String>,
    /// At most 100 characters.
    pub first_name: Option<String>,
    /// At most 100 characters.
    pub last_name: Option<String>,
    /// At most 200 characters.
    pub company: Option<String>,
    /// The street line; at most 200 characters. A delivery address needs one (`REQUIRED`); a billing address may go
    /// without.
    pub street: Option<String>,
    /// At most 20 characters.
    pub street_number: Option<String>,
    /// A further address line; at most 200 characters.
    pub additional_info: Option<String>,
    /// At most 20 characters.
    pub postal_code: Option<String>,
    /// At most 200 characters. A delivery address needs one (`REQUIRED`); a billing address may go without.
    pub city: Option<String>,
    /// State, province or county; at most 200 characters.
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. `DE` (any case, stored upper case); anything else is `INVALID`.
    pub country_code: String,
    /// As printed on a label, kept as given (trimmed): 3 to 20 digits with spaces, `+`, `-`, `/`, `.` and
    /// parentheses; anything else is `INVALID`.
    pub phone: Option<String>,
    /// A mobile number, as `phone`.
    pub mobile: Option<String>,
    /// A fax number, as `phone`.
    pub fax: Option<String>,
    /// A contact email for this address (validated like the customer's; not unique, not a login).
    pub email: Option<String>,
}

impl From<AddressInputObject> for AddressInput {
    fn from(a: AddressInputObject) -> Self {
        Self {
            title: a.title,
            first_name: a.first_name,
            last_name: a.last_name,
            company: a.company,
            street: a.street,
            street_number: a.street_number,
            additional_info: a.additional_info,
            postal_code: a.postal_code,
            city: a.city,
            region: a.region,
            country_code: Some(a.country_code),
            phone: a.phone,
            mobile: a.mobile,
            fax: a.fax,
            email: a.email,
        }
    }
}

/// One consent decision of the customer; a list holds at most 50 (`LIMIT_EXCEEDED`), each key once.
#[derive(InputObject, Clone, Deserialize)]
#[graphql(name = "ConsentInput")]
#[serde(deny_unknown_fields)]
pub struct ConsentInput {
    /// What is consented to, in the shop's naming: ASCII letters, digits and `_ - . :`, at most 64 characters; a key given
    /// twice is `INVALID`.
    pub key: String,
    /// Whether the customer agrees.
    #[serde(deserialize_with = "flag::required")]
    pub granted: bool,
}

/// One key-value pair; each key once in a list. The shop may define keys, their types and who writes them; a key
/// the writer may not set is `INVALID` at its `key`, a value that does not fit the key's type `INVALID` at its
/// `value`.
#[derive(InputObject, Clone, Deserialize)]
#[graphql(name = "AttributeInput")]
#[serde(deny_unknown_fields)]
pub struct AttributeInput {
    /// ASCII letters, digits and `_ - . :`, at most 64 characters; a key given twice is `INVALID`.
    pub key: String,
    /// At most 1000 characters; of a typed key: a whole number (`7`), a decimal (`12.50`), `true`/`false`, a date
    /// (`YYYY-MM-DD`) or one of an enumeration's values.
    pub value: String,
}

/// A new customer account: email and password, and any profile fields to start with. Every validation problem is
/// reported at once, at its path under `input`; `TAKEN` only once the rest is valid.
#[derive(InputObject, Clone)]
pub struct RegisterCustomerInput {
    /// The login and contact address, at most 254 bytes (UTF-8, after NFKC normalisation); unique in the tenant,
    /// compared case-insensitively (`TAKEN`).
    pub email: String,
    /// Must meet `passwordPolicy`: 10 to 128 characters (`TOO_SHORT`, `TOO_LONG`), hard to guess and not built from
    /// the email or names (`PASSWORD_TOO_WEAK`).
    pub password: String,
    /// Salutation or title, e.g. `Dr.`; at most 50 characters.
    pub title: Option<String>,
    /// At most 100 characters.
    pub first_name: Option<String>,
    /// At most 100 characters.
    pub last_name: Option<String>,
    /// A phone number in any common notation, stored in E.164 (`+4930901820`): with `+` (or `00`), or national in the shop's `defaultCountryCode`; checked with libphonenumber's rules (else `INVALID`).
    pub phone_number: Option<String>,
    /// In the past and at most 130 years back, else `INVALID`.
    pub birthdate: Option<Date>,
    /// As the customer states it.
    pub gender: Option<GenderObject>,
    /// A two-letter language, optionally with an ISO 3166-1 region: `de`, `de-AT` (`de_at` is accepted).
    pub language_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country_code: Option<String>,
    /// A picture of the customer: an absolute `http` or `https` URL without a user name (else `INVALID`), at most 2,048 characters (`TOO_LONG`).
    pub picture_url: Option<String>,
    /// The customer's website: an absolute `http` or `https` URL without a user name (else `INVALID`), at most 2,048 characters (`TOO_LONG`).
    pub website_url: Option<String>,
    /// Another address of the customer's (not a login, not unique), checked like `email` (else `INVALID`).
    pub secondary_email: Option<String>,
    /// Whether the customer wants promotions (not the newsletter, which has its own double opt-in). Absent: `false`.
    pub promotion_opt_in: Option<bool>,
    /// Errors are reported under `billingAddress`.
    pub billing_address: Option<AddressInputObject>,
    /// At most 50, each key once.
    pub consents: Option<Vec<ConsentInput>>,
    /// The customer's own attributes: at most 50 and 16 KiB, each key once.
    pub attributes: Option<Vec<AttributeInput>>,
    /// Also subscribe the email to the newsletter (double opt-in: a
    /// confirmation mail goes out).
    pub newsletter: Option<bool>,
    /// Open a session at once and return it.
    #[graphql(default = true)]
    pub login_on_success: bool,
}

impl RegisterCustomerInput {
    /// The new customer's profile: a patch setting each field given.
    pub fn profile(&self) -> ProfilePatch {
        let i = self.clone();
        ProfilePatch {
            title: given(i.title, |v| v),
            first_name: given(i.first_name, |v| v),
            last_name: given(i.last_name, |v| v),
            phone_number: given(i.phone_number, |v| v),
            cell_phone_number: Patch::Keep,
            birthdate: given(i.birthdate, |d| d.0),
            gender: given(i.gender, Into::into),
            language_code: given(i.language_code, |v| v),
            country_code: given(i.country_code, |v| v),
            timezone: Patch::Keep,
            promotion_opt_in: i.promotion_opt_in,
            picture_url: given(i.picture_url, |v| v),
            website_url: given(i.website_url, |v| v),
            secondary_email: given(i.secondary_email, |v| v),
            billing_address: given(i.billing_address, Into::into),
            consents: given(i.consents, consent_pairs),
            attributes: given(i.attributes, attribute_pairs),
        }
    }
}

/// A yes-or-no field of a row of an imported file: JSON's `true` and
/// `false`, or, from a CSV cell, the text `true` or `false` (any case).
pub mod flag {
    use serde::{de, Deserialize, Deserializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        Text(String),
    }

    pub fn required<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        match Flag::deserialize(d)? {
            Flag::Bool(b) => Ok(b),
            Flag::Text(t) if t.eq_ignore_ascii_case("true") => Ok(true),
            Flag::Text(t) if t.eq_ignore_ascii_case("false") => Ok(false),
            Flag::Text(t) => Err(de::Error::custom(format!("expected true or false, not {t:?}"))),
        }
    }

    pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        required(d).map(Some)
    }
}

/// A field of a creation input: `Set` when given; absent (or `null`) is
/// `Keep`, which leaves the new customer's field empty.
pub fn given<T, U>(v: Option<T>, f: impl FnOnce(T) -> U) -> Patch<U> {
    match v {
        None => Patch::Keep,
        Some(v) => Patch::Set(f(v)),
    }
}

pub fn consent_pairs(list: Vec<ConsentInput>) -> Vec<(String, bool)> {
    list.into_iter().map(|c| (c.key, c.granted)).collect()
}

pub fn attribute_pairs(list: Vec<AttributeInput>) -> Vec<(String, String)> {
    list.into_iter().map(|a| (a.key, a.value)).collect()
}

/// A profile update: an absent field stays as it is, `null` clears it.
#[derive(InputObject, Clone, Default)]
pub struct UpdateCustomerInput {
    /// Salutation or title, e.g. `Dr.`; at most 50 characters.
    pub title: MaybeUndefined<String>,
    /// At most 100 characters.
    pub first_name: MaybeUndefined<String>,
    /// At most 100 characters.
    pub last_name: MaybeUndefined<String>,
    /// A phone number in any common notation, stored in E.164 (`+4930901820`): with `+` (or `00`), or national in the shop's `defaultCountryCode`; checked with libphonenumber's rules (else `INVALID`).
    pub phone_number: MaybeUndefined<String>,
    /// A phone number in any common notation, stored in E.164 (`+4930901820`): with `+` (or `00`), or national in the shop's `defaultCountryCode`; checked with libphonenumber's rules (else `INVALID`).
    pub cell_phone_number: MaybeUndefined<String>,
    /// In the past and at most 130 years back, else `INVALID`.
    pub birthdate: MaybeUndefined<Date>,
    /// As the customer states it.
    pub gender: MaybeUndefined<GenderObject>,
    /// A two-letter language, optionally with an ISO 3166-1 region: `de`, `de-AT` (`de_at` is accepted).
    pub language_code: MaybeUndefined<String>,
    /// ISO 3166-1 alpha-2.
    pub country_code: MaybeUndefined<String>,
    /// An IANA name, e.g. `Europe/Berlin`, or an offset from UTC (`GMT+10`, `UTC+05:30`, `+05:30`: stored as `+10:00`); else `INVALID`.
    pub timezone: MaybeUndefined<String>,
    /// Whether the customer wants promotions (not the newsletter); `null` is `false`, absent: unchanged.
    pub promotion_opt_in: MaybeUndefined<bool>,
    /// A picture of the customer: an absolute `http` or `https` URL without a user name (else `INVALID`), at most 2,048 characters (`TOO_LONG`); `null` removes it.
    pub picture_url: MaybeUndefined<String>,
    /// The customer's website: an absolute `http` or `https` URL without a user name (else `INVALID`), at most 2,048 characters (`TOO_LONG`); `null` removes it.
    pub website_url: MaybeUndefined<String>,
    /// Another address of the customer's (not a login, not unique), checked like `email` (else `INVALID`); `null` removes it.
    pub secondary_email: MaybeUndefined<String>,
    /// The complete new list; a consent whose `granted` is unchanged keeps its `updatedAt`.
    pub consents: MaybeUndefined<Vec<ConsentInput>>,
    /// The new list. From the storefront: the customer's own entries (at most 50 and 16 KiB), which replace its own
    /// and leave the shop's; `null` removes its own. From the back office: the whole list (at most 100 and 64 KiB).
    pub attributes: MaybeUndefined<Vec<AttributeInput>>,
}

fn patch<T, U>(v: MaybeUndefined<T>, f: impl FnOnce(T) -> U) -> Patch<U> {
    match v {
        MaybeUndefined::Undefined => Patch::Keep,
        MaybeUndefined::Null => Patch::Clear,
        MaybeUndefined::Value(v) => Patch::Set(f(v)),
    }
}

impl From<UpdateCustomerInput> for ProfilePatch {
    fn from(i: UpdateCustomerInput) -> Self {
        Self {
            title: patch(i.title, |v| v),
            first_name: patch(i.first_name, |v| v),
            last_name: patch(i.last_name, |v| v),
            phone_number: patch(i.phone_number, |v| v),
            cell_phone_number: patch(i.cell_phone_number, |v| v),
            birthdate: patch(i.birthdate, |d| d.0),
            gender: patch(i.gender, Into::into),
            language_code: patch(i.language_code, |v| v),
            country_code: patch(i.country_code, |v| v),
            timezone: patch(i.timezone, |v| v),
            // A flag has no empty state: clearing it is `false`.
            promotion_opt_in: match i.promotion_opt_in {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(false),
                MaybeUndefined::Value(v) => Some(v),
            },
            picture_url: patch(i.picture_url, |v| v),
            website_url: patch(i.website_url, |v| v),
            secondary_email: patch(i.secondary_email, |v| v),
            // Not part of an update: `setBillingAddress` changes it.
            billing_address: Patch::Keep,
            consents: patch(i.consents, consent_pairs),
            attributes: patch(i.attributes, attribute_pairs),
        }
    }
}
