//! Input types shared by the schemas, and their conversion to domain inputs.

use super::types::{Date, GenderObject};
use crate::domain::{AddressInput, Patch, ProfileInput, ProfilePatch};
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
    pub fn profile(&self) -> ProfileInput {
        let i = self.clone();
        ProfileInput {
            title: i.title,
            first_name: i.first_name,
            last_name: i.last_name,
            phone_number: i.phone_number,
            cell_phone_number: None,
            birthdate: i.birthdate.map(|d| d.0),
            gender: i.gender.map(Into::into),
            language_code: i.language_code,
            country_code: i.country_code,
            timezone: None,
            billing_address: i.billing_address.map(Into::into),
            consents: i.consents.map(|v| v.into_iter().map(|c| (c.key, c.granted)).collect()),
            attributes: i.attributes.map(|v| v.into_iter().map(|a| (a.key, a.value)).collect()),
        }
    }
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
            consents: patch(i.consents, |v| v.into_iter().map(|c| (c.key, c.granted)).collect()),
            attributes: patch(i.attributes, |v| v.into_iter().map(|a| (a.key, a.value)).collect()),
        }
    }
}
