//! Input types shared by the schemas, and their conversion to domain inputs.

use super::types::{Date, GenderObject};
use crate::domain::{AddressInput, Patch, ProfilePatch};
use async_graphql::{InputObject, MaybeUndefined};

#[derive(InputObject, Clone, Default)]
#[graphql(name = "AddressInput")]
pub struct AddressInputObject {
    pub title: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub street: String,
    pub street_number: Option<String>,
    pub additional_info: Option<String>,
    pub postal_code: Option<String>,
    pub city: String,
    pub region: Option<String>,
    pub country_code: String,
    pub phone: Option<String>,
}

impl From<AddressInputObject> for AddressInput {
    fn from(a: AddressInputObject) -> Self {
        Self {
            title: a.title,
            first_name: a.first_name,
            last_name: a.last_name,
            company: a.company,
            street: Some(a.street),
            street_number: a.street_number,
            additional_info: a.additional_info,
            postal_code: a.postal_code,
            city: Some(a.city),
            region: a.region,
            country_code: Some(a.country_code),
            phone: a.phone,
        }
    }
}

#[derive(InputObject, Clone)]
#[graphql(name = "ConsentInput")]
pub struct ConsentInput {
    pub key: String,
    pub granted: bool,
}

#[derive(InputObject, Clone)]
#[graphql(name = "AttributeInput")]
pub struct AttributeInput {
    pub key: String,
    pub value: String,
}

#[derive(InputObject, Clone)]
pub struct RegisterCustomerInput {
    pub email: String,
    pub password: String,
    pub title: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// E.164, e.g. `+4930123456`.
    pub phone_number: Option<String>,
    pub birthdate: Option<Date>,
    pub gender: Option<GenderObject>,
    pub language_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country_code: Option<String>,
    pub billing_address: Option<AddressInputObject>,
    pub consents: Option<Vec<ConsentInput>>,
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
            billing_address: given(i.billing_address, Into::into),
            consents: given(i.consents, consent_pairs),
            attributes: given(i.attributes, attribute_pairs),
        }
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
    pub title: MaybeUndefined<String>,
    pub first_name: MaybeUndefined<String>,
    pub last_name: MaybeUndefined<String>,
    /// E.164.
    pub phone_number: MaybeUndefined<String>,
    /// E.164.
    pub cell_phone_number: MaybeUndefined<String>,
    pub birthdate: MaybeUndefined<Date>,
    pub gender: MaybeUndefined<GenderObject>,
    pub language_code: MaybeUndefined<String>,
    /// ISO 3166-1 alpha-2.
    pub country_code: MaybeUndefined<String>,
    /// IANA name, e.g. `Europe/Berlin`.
    pub timezone: MaybeUndefined<String>,
    /// The complete new list; a consent whose `granted` is unchanged keeps its `updatedAt`.
    pub consents: MaybeUndefined<Vec<ConsentInput>>,
    /// The complete new list.
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
            // Not part of an update: `setBillingAddress` changes it.
            billing_address: Patch::Keep,
            consents: patch(i.consents, consent_pairs),
            attributes: patch(i.attributes, attribute_pairs),
        }
    }
}
