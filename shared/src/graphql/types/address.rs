//! The customer's profile records: `Address`, `Consent` and `Attribute`.

use crate::domain;
use async_graphql::{Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

/// `Address`, resolved from the domain address.
pub struct AddressObject(pub domain::Address);

/// A postal address of the customer: the billing address or one of the delivery addresses.
#[Object(name = "Address")]
impl AddressObject {
    /// The address's id; a delivery address keeps it when updated (pass it to `updateDeliveryAddress`,
    /// `removeDeliveryAddress`, `setDefaultDeliveryAddress`).
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// Salutation or title, e.g. `Dr.`.
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }
    /// The recipient's first name.
    async fn first_name(&self) -> Option<&str> {
        self.0.first_name.as_deref()
    }
    /// The recipient's last name.
    async fn last_name(&self) -> Option<&str> {
        self.0.last_name.as_deref()
    }
    /// The company, if the address is a business's.
    async fn company(&self) -> Option<&str> {
        self.0.company.as_deref()
    }
    /// The street line; every delivery address has one, a billing address may not.
    async fn street(&self) -> Option<&str> {
        self.0.street.as_deref()
    }
    /// The house number, when kept apart from `street`.
    async fn street_number(&self) -> Option<&str> {
        self.0.street_number.as_deref()
    }
    /// A further address line.
    async fn additional_info(&self) -> Option<&str> {
        self.0.additional_info.as_deref()
    }
    /// The postal code.
    async fn postal_code(&self) -> Option<&str> {
        self.0.postal_code.as_deref()
    }
    /// The city; every delivery address has one, a billing address may not.
    async fn city(&self) -> Option<&str> {
        self.0.city.as_deref()
    }
    /// State, province or county.
    async fn region(&self) -> Option<&str> {
        self.0.region.as_deref()
    }
    /// ISO 3166-1 alpha-2, upper case, e.g. `DE`.
    async fn country_code(&self) -> &str {
        &self.0.country_code
    }
    /// A phone number for the address, as printed on a label (kept as given).
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    /// A mobile number for the address, as printed on a label.
    async fn mobile(&self) -> Option<&str> {
        self.0.mobile.as_deref()
    }
    /// A fax number for the address, as printed on a label.
    async fn fax(&self) -> Option<&str> {
        self.0.fax.as_deref()
    }
    /// A contact email for the address (not the customer's login).
    async fn email(&self) -> Option<&str> {
        self.0.email.as_ref().map(|e| e.as_str())
    }
}

/// A consent decision of the customer, e.g. to receive marketing mail.
#[derive(SimpleObject, Clone)]
#[graphql(name = "Consent")]
pub struct ConsentObject {
    /// What is consented to, in the shop's naming (unique in the list).
    pub key: String,
    /// Whether the customer agreed.
    pub granted: bool,
    /// When the customer last decided: an update that leaves `granted` as it was keeps this time.
    pub updated_at: DateTime<Utc>,
}

/// A key-value pair the shop keeps on the customer.
#[derive(SimpleObject, Clone)]
#[graphql(name = "Attribute")]
pub struct AttributeObject {
    /// Unique in the list.
    pub key: String,
    /// The value, as last set, in its type's canonical form (`7`, `12.50`, `true`, `2026-03-01`).
    pub value: String,
}

impl AttributeObject {
    pub fn list<'a>(attributes: impl Iterator<Item = &'a domain::Attribute>) -> Vec<Self> {
        attributes.map(|a| AttributeObject { key: a.key.clone(), value: a.value.clone() }).collect()
    }
}
