//! `CreateCustomerInput`: a new customer as the back office creates it, in
//! `createCustomer`, `upsertCustomer` and each row of an import. Rows of a
//! file are read with serde under the very names the schema gives (a test
//! holds the two namings together), so one type states the fields for both.

use super::inputs::{attribute_pairs, consent_pairs, flag, given, AddressInputObject, AttributeInput, ConsentInput};
use super::types::{CustomerStatusObject, Date, GenderObject};
use crate::domain::{BackOfficePatch, ProfilePatch};
use crate::services::back_office::CreateInput;
use crate::services::creation::NewCustomerInput;
use async_graphql::InputObject;
use serde::Deserialize;

/// A new customer, as the back office creates it. Absent optional fields stay empty.
#[derive(InputObject, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateCustomerInput {
    /// Unique in the tenant, compared case-insensitively (`TAKEN` otherwise); at most 254 bytes (UTF-8, after NFKC
    /// normalisation).
    pub email: String,
    /// Optional: without one the customer sets it through an invite or a reset.
    /// When given it must satisfy `passwordPolicy` (`TOO_SHORT`, `TOO_LONG`, `PASSWORD_TOO_WEAK`).
    pub password: Option<String>,
    /// A salutation or title, e.g. `Dr.`; at most 50 characters.
    pub title: Option<String>,
    /// At most 100 characters.
    pub first_name: Option<String>,
    /// At most 100 characters.
    pub last_name: Option<String>,
    /// A phone number in any common notation, stored in E.164 (`+4930901820`): with `+` (or `00`), or national in the shop's `defaultCountryCode`; checked with libphonenumber's rules (else `INVALID`).
    pub phone_number: Option<String>,
    /// A phone number in any common notation, stored in E.164 (`+4930901820`): with `+` (or `00`), or national in the shop's `defaultCountryCode`; checked with libphonenumber's rules (else `INVALID`).
    pub cell_phone_number: Option<String>,
    /// `YYYY-MM-DD`, in the past and at most 130 years ago.
    pub birthdate: Option<Date>,
    /// The customer's gender.
    pub gender: Option<GenderObject>,
    /// Two letters (not checked against ISO 639-1), optionally `-` or `_` and an ISO 3166-1 region (else `INVALID`); stored as `de-AT`. Picks the language of mails.
    pub language_code: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. `DE`.
    pub country_code: Option<String>,
    /// An IANA name, e.g. `Europe/Berlin`, or an offset from UTC (`GMT+10`, `UTC+05:30`, `+05:30`: stored as `+10:00`); else `INVALID`.
    pub timezone: Option<String>,
    /// Whether the customer wants promotions (not the newsletter, which has its own double opt-in). Absent: `false`.
    #[serde(default, deserialize_with = "flag::optional")]
    pub promotion_opt_in: Option<bool>,
    /// A picture of the customer: an absolute `http` or `https` URL without a user name (else `INVALID`), at most 2,048 characters (`TOO_LONG`).
    pub picture_url: Option<String>,
    /// The customer's website: an absolute `http` or `https` URL without a user name (else `INVALID`), at most 2,048 characters (`TOO_LONG`).
    pub website_url: Option<String>,
    /// Another address of the customer's (not a login, not unique), checked like `email` (else `INVALID`).
    pub secondary_email: Option<String>,
    /// The billing address.
    pub billing_address: Option<AddressInputObject>,
    /// At most 50, each `key` once.
    pub consents: Option<Vec<ConsentInput>>,
    /// The whole list: at most 100 and 64 KiB, each `key` once.
    pub attributes: Option<Vec<AttributeInput>>,
    /// The back office's reference of the customer, unique in the tenant (`TAKEN` otherwise); at most 100
    /// characters, no `%`.
    #[graphql(name = "ref")]
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    /// The customer's id in an external system (CRM, OMS), unique in the tenant (`TAKEN` otherwise); at most 100
    /// characters.
    pub external_id: Option<String>,
    /// The customer's loyalty id (card or member number), unique in the tenant (`TAKEN` otherwise); at most 100
    /// characters.
    pub loyalty_id: Option<String>,
    /// A username, unique in the tenant (`TAKEN` otherwise) and compared exactly; at most 100 characters: letters, digits and `. _ - @ +` (else `INVALID`).
    pub username: Option<String>,
    /// The department the customer works in (business customers); at most 100 characters.
    pub department: Option<String>,
    /// Where the record came from, e.g. `POS` or an import's name; at most 100 characters.
    pub source: Option<String>,
    /// The record's id in `source`; at most 100 characters.
    pub source_id: Option<String>,
    /// The back office's labels: at most 50, each 1 to 100 characters (trimmed), each once. Never shown to the
    /// storefront.
    pub tags: Option<Vec<String>>,
    /// The back office's note; at most 5,000 characters. Never shown to the storefront.
    pub note: Option<String>,
    /// Absent: `ACTIVE`. An `INACTIVE` customer cannot log in.
    pub status: Option<CustomerStatusObject>,
    /// Whether the email counts as verified (confirmed by its owner).
    #[graphql(default = false)]
    #[serde(default, deserialize_with = "flag::required")]
    pub email_verified: bool,
    /// Mail a link to choose a password (valid `INVITE_TOKEN_TTL_SECONDS`).
    #[graphql(default = false)]
    #[serde(default)]
    pub send_invite: bool,
}

impl From<CreateCustomerInput> for CreateInput {
    fn from(i: CreateCustomerInput) -> Self {
        CreateInput {
            send_invite: i.send_invite,
            customer: NewCustomerInput {
                email: i.email,
                password: i.password,
                profile: ProfilePatch {
                    title: given(i.title, |v| v),
                    first_name: given(i.first_name, |v| v),
                    last_name: given(i.last_name, |v| v),
                    phone_number: given(i.phone_number, |v| v),
                    cell_phone_number: given(i.cell_phone_number, |v| v),
                    birthdate: given(i.birthdate, |d| d.0),
                    gender: given(i.gender, Into::into),
                    language_code: given(i.language_code, |v| v),
                    country_code: given(i.country_code, |v| v),
                    timezone: given(i.timezone, |v| v),
                    promotion_opt_in: i.promotion_opt_in,
                    picture_url: given(i.picture_url, |v| v),
                    website_url: given(i.website_url, |v| v),
                    secondary_email: given(i.secondary_email, |v| v),
                    billing_address: given(i.billing_address, Into::into),
                    consents: given(i.consents, consent_pairs),
                    attributes: given(i.attributes, attribute_pairs),
                },
                back_office: BackOfficePatch {
                    reference: given(i.reference, |v| v),
                    external_id: given(i.external_id, |v| v),
                    loyalty_id: given(i.loyalty_id, |v| v),
                    username: given(i.username, |v| v),
                    department: given(i.department, |v| v),
                    source: given(i.source, |v| v),
                    source_id: given(i.source_id, |v| v),
                    tags: given(i.tags, |v| v),
                    note: given(i.note, |v| v),
                },
                status: i.status.map(Into::into).unwrap_or_default(),
                email_verified: i.email_verified,
                // `writer`: the back-office service sets it.
                ..Default::default()
            },
        }
    }
}
