//! A customer as a row of an export: the fields an import's row reads,
//! under the schema's names (so that an export imports as it is), and what
//! identifies the record here (`id`, `customerNumber`, `createdAt`,
//! `updatedAt`), which an import reads past. Never a password hash, a token
//! or a session: the row is built from the profile alone, field by field.

use crate::domain::{Address, Attribute, Customer, CustomerStatus, Gender, NewsletterState};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;

/// The fields an export writes that an import does not write: it reads past them.
pub const RECORD_FIELDS: [&str; 4] = ["id", "customerNumber", "createdAt", "updatedAt"];

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AddressRow<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    company: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    street: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    street_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    additional_info: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    postal_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    city: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'a str>,
    country_code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mobile: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fax: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
}

/// The columns of an address, as the CSV header dots them.
const ADDRESS_FIELDS: [&str; 15] = [
    "title",
    "firstName",
    "lastName",
    "company",
    "street",
    "streetNumber",
    "additionalInfo",
    "postalCode",
    "city",
    "region",
    "countryCode",
    "phone",
    "mobile",
    "fax",
    "email",
];

impl<'a> From<&'a Address> for AddressRow<'a> {
    fn from(a: &'a Address) -> Self {
        Self {
            title: a.title.as_deref(),
            first_name: a.first_name.as_deref(),
            last_name: a.last_name.as_deref(),
            company: a.company.as_deref(),
            street: a.street.as_deref(),
            street_number: a.street_number.as_deref(),
            additional_info: a.additional_info.as_deref(),
            postal_code: a.postal_code.as_deref(),
            city: a.city.as_deref(),
            region: a.region.as_deref(),
            country_code: &a.country_code,
            phone: a.phone.as_deref(),
            mobile: a.mobile.as_deref(),
            fax: a.fax.as_deref(),
            email: a.email.as_ref().map(|e| e.as_str()),
        }
    }
}

#[derive(Serialize)]
struct ConsentRow<'a> {
    key: &'a str,
    granted: bool,
}

/// One customer, as a line of an export.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Row<'a> {
    id: &'a str,
    customer_number: &'a str,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    email: &'a str,
    email_verified: bool,
    status: CustomerStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cell_phone_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    birthdate: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gender: Option<Gender>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timezone: Option<&'a str>,
    promotion_opt_in: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    picture_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    website_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secondary_email: Option<&'a str>,
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    reference: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    loyalty_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    department: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_id: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    tags: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    /// Only a subscription in force: a pending one was never confirmed,
    /// and "unsubscribed" need not be said of an address with none.
    #[serde(skip_serializing_if = "Option::is_none")]
    newsletter: Option<NewsletterState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    billing_address: Option<AddressRow<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    delivery_addresses: Vec<AddressRow<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    consents: Vec<ConsentRow<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    attributes: &'a [Attribute],
}

/// `customer` as an export's row; `newsletter`, the state of its address's subscription.
pub fn row(customer: &Customer, newsletter: Option<NewsletterState>) -> Value {
    let c = customer;
    // The default delivery address first: an import makes the first one
    // of a new customer its default.
    let mut delivery: Vec<&Address> = c.delivery_addresses.iter().collect();
    if let Some(at) = delivery.iter().position(|a| Some(&a.id) == c.default_delivery_address_id.as_ref()) {
        let default = delivery.remove(at);
        delivery.insert(0, default);
    }
    let row = Row {
        id: &c.id,
        customer_number: &c.customer_number,
        created_at: c.created_at,
        updated_at: c.updated_at,
        email: c.email.as_str(),
        email_verified: c.email_verified,
        status: c.status,
        title: c.title.as_deref(),
        first_name: c.first_name.as_deref(),
        last_name: c.last_name.as_deref(),
        phone_number: c.phone_number.as_ref().map(|p| p.as_str()),
        cell_phone_number: c.cell_phone_number.as_ref().map(|p| p.as_str()),
        birthdate: c.birthdate,
        gender: c.gender,
        language_code: c.language_code.as_ref().map(|l| l.as_str()),
        country_code: c.country_code.as_ref().map(|l| l.as_str()),
        timezone: c.timezone.as_deref(),
        promotion_opt_in: c.promotion_opt_in,
        picture_url: c.picture_url.as_deref(),
        website_url: c.website_url.as_deref(),
        secondary_email: c.secondary_email.as_ref().map(|e| e.as_str()),
        reference: c.reference.as_deref(),
        external_id: c.external_id.as_deref(),
        loyalty_id: c.loyalty_id.as_deref(),
        username: c.username.as_deref(),
        department: c.department.as_deref(),
        source: c.source.as_deref(),
        source_id: c.source_id.as_deref(),
        tags: &c.tags,
        note: c.note.as_deref(),
        newsletter: newsletter.filter(|s| *s == NewsletterState::Subscribed),
        billing_address: c.billing_address.as_ref().map(AddressRow::from),
        delivery_addresses: delivery.into_iter().map(AddressRow::from).collect(),
        consents: c.consents.iter().map(|k| ConsentRow { key: &k.key, granted: k.granted }).collect(),
        attributes: &c.attributes,
    };
    // Text, flags and dates only: serialising cannot fail.
    serde_json::to_value(row).expect("a row serialises")
}

/// The columns of a CSV export, in order: every field of a row but the
/// lists a spreadsheet has no room for (further delivery addresses,
/// consents, attributes: those are in JSONL). The delivery address is the
/// default one.
pub fn csv_header() -> Vec<String> {
    let scalars = [
        "id",
        "customerNumber",
        "createdAt",
        "updatedAt",
        "email",
        "emailVerified",
        "status",
        "title",
        "firstName",
        "lastName",
        "phoneNumber",
        "cellPhoneNumber",
        "birthdate",
        "gender",
        "languageCode",
        "countryCode",
        "timezone",
        "promotionOptIn",
        "pictureUrl",
        "websiteUrl",
        "secondaryEmail",
        "ref",
        "externalId",
        "loyaltyId",
        "username",
        "department",
        "source",
        "sourceId",
        "tags",
        "note",
        "newsletter",
    ];
    let mut header: Vec<String> = scalars.iter().map(|s| s.to_string()).collect();
    for prefix in ["billingAddress", "deliveryAddresses.0"] {
        header.extend(ADDRESS_FIELDS.iter().map(|f| format!("{prefix}.{f}")));
    }
    header
}

/// The cells of `row` under `header`: lists of text joined with `, `
/// (tags), every value as text, an absent one empty.
pub fn csv_cells(header: &[String], row: &Value) -> Vec<String> {
    header
        .iter()
        .map(|column| {
            let found = column.split('.').try_fold(row, |v, step| match step.parse::<usize>() {
                Ok(i) => v.get(i),
                Err(_) => v.get(step),
            });
            match found {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => defused(s),
                Some(Value::Array(items)) => {
                    defused(&items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "))
                }
                Some(other) => other.to_string(),
            }
        })
        .collect()
}

/// The characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell a spreadsheet shows as text: one that would begin a formula
/// (`=HYPERLINK(...)` in a name, `+49...` in a phone) gets an apostrophe in
/// front, which an import's CSV reads past (see `undefused`); so does one
/// that begins with an apostrophe already, so that it comes back as it was.
fn defused(cell: &str) -> String {
    if cell.starts_with(FORMULA_STARTS) || cell.starts_with('\'') {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// A CSV cell as it was before `defused`: an apostrophe before a formula
/// character or another apostrophe is read past; any other stays.
pub fn undefused(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) || rest.starts_with('\'') => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests;
