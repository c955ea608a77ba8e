//! One row of an import, read as the schema types it: the fields of
//! `CreateCustomerInput` (the very type `createCustomer` takes, so a row is
//! checked as that mutation checks its input), plus what only a file
//! brings: `deliveryAddresses`, `newsletter` and `passwordHash`.

use super::formats::Fields;
use crate::auth::imported_hash::{HashAlgorithm, ImportedHash};
use crate::domain::{ErrorCode, UserError};
use crate::graphql::create_input::CreateCustomerInput;
use crate::graphql::inputs::AddressInputObject;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{Map, Value};

/// What a row says of the newsletter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Newsletter {
    /// Subscribed already, with the consent the shop collected: no
    /// confirmation mail goes out.
    Subscribed,
    Unsubscribed,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordHashInput {
    algorithm: HashAlgorithm,
    value: String,
}

/// The fields a row has beyond `CreateCustomerInput`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Extras {
    delivery_addresses: Option<Vec<AddressInputObject>>,
    newsletter: Option<Newsletter>,
    password_hash: Option<PasswordHashInput>,
}

const EXTRAS: [&str; 3] = ["deliveryAddresses", "newsletter", "passwordHash"];

/// A row that reads: each field of the right type. The values themselves
/// are checked when the row is written, by the rules of any write.
pub struct ImportRow {
    pub customer: CreateCustomerInput,
    /// Whether the row says if the email is verified: a new customer's is
    /// not unless it says so; an existing customer's stays as it is.
    pub email_verified_given: bool,
    pub delivery_addresses: Vec<AddressInputObject>,
    pub newsletter: Option<Newsletter>,
    /// The row's password hash, in the form it is stored in.
    pub password_hash: Option<String>,
    /// Whether the row's `attributes` and `consents` are some keys of the
    /// customer's lists (a Shopify row's `taxExempt`, `smsMarketing`),
    /// merged key by key into those of a customer that exists, rather than
    /// the whole lists (as `upsertCustomer` takes them).
    pub merge_lists: bool,
}

impl ImportRow {
    /// Every problem of the row at once, each at its path.
    pub fn read(mut fields: Fields) -> Result<Self, Vec<UserError>> {
        let mut extras = Map::new();
        for name in EXTRAS {
            if let Some(v) = fields.remove(name) {
                extras.insert(name.into(), v);
            }
        }
        // An export's own fields: what the record is here, not what it says.
        for name in super::export_rows::RECORD_FIELDS {
            fields.remove(name);
        }
        let mut errors = vec![];
        if fields.remove("sendInvite").is_some() {
            errors.push(UserError::new(
                ErrorCode::Invalid,
                &["sendInvite"],
                "Invites are the import's choice (runCustomerImport's sendInvites), not a row's.",
            ));
        }
        let email_verified_given = fields.get("emailVerified").is_some_and(|v| !v.is_null());
        let has_password = fields.get("password").is_some_and(|v| !v.is_null());
        let customer = typed::<CreateCustomerInput>(fields).map_err(|e| errors.push(e)).ok();
        let extras = typed::<Extras>(extras).map_err(|e| errors.push(e)).ok();
        let mut password_hash = None;
        if let Some(Some(hash)) = extras.as_ref().map(|x| &x.password_hash) {
            if has_password {
                errors.push(UserError::new(
                    ErrorCode::Invalid,
                    &["passwordHash"],
                    "A row has a password or a password hash, not both.",
                ));
            }
            match ImportedHash::parse(hash.algorithm, &hash.value) {
                Ok(stored) => password_hash = Some(stored),
                Err(why) => errors.push(UserError::new(ErrorCode::Invalid, &["passwordHash", "value"], why)),
            }
        }
        match (customer, extras) {
            (Some(customer), Some(extras)) if errors.is_empty() => Ok(ImportRow {
                customer,
                email_verified_given,
                delivery_addresses: extras.delivery_addresses.unwrap_or_default(),
                newsletter: extras.newsletter,
                password_hash,
                merge_lists: false,
            }),
            _ => Err(errors),
        }
    }
}

/// `fields` as `T`, or the first problem at its path: a missing field is
/// `REQUIRED` at it, an unknown one `INVALID` at it, a value of the wrong
/// type `INVALID` where it is.
fn typed<T: DeserializeOwned>(fields: Fields) -> Result<T, UserError> {
    serde_path_to_error::deserialize::<_, T>(Value::Object(fields)).map_err(|e| {
        let mut path: Vec<String> = e
            .path()
            .iter()
            .filter_map(|s| match s {
                serde_path_to_error::Segment::Map { key } => Some(key.clone()),
                serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
                _ => None,
            })
            .collect();
        let message = e.inner().to_string();
        let named =
            |prefix: &str| message.strip_prefix(prefix).and_then(|rest| rest.split('`').next()).map(str::to_string);
        let mut at = |name: String| {
            if path.last() != Some(&name) {
                path.push(name);
            }
        };
        let (code, text) = if let Some(name) = named("missing field `") {
            at(name);
            (ErrorCode::Required, "Required.".to_string())
        } else if let Some(name) = named("unknown field `") {
            at(name);
            (ErrorCode::Invalid, "No such field.".to_string())
        } else {
            (ErrorCode::Invalid, capitalised(&message))
        };
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        UserError::new(code, &path, text)
    })
}

fn capitalised(message: &str) -> String {
    let mut chars = message.chars();
    let first = chars.next().map(|c| c.to_uppercase().to_string()).unwrap_or_default();
    format!("{first}{}.", chars.as_str())
}

#[cfg(test)]
mod tests;
