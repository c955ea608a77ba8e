//! Customer events (docs/events.md): what a change of a customer
//! profile or of a newsletter subscription, as the table's stream shows it,
//! means to the systems that follow the customers (order systems, CRMs, mail
//! tools). Pure: stream records in, events out; lib.rs publishes them.
//!
//! - A profile item (`T#<tenant>#C#<id>` / `PROFILE`) inserted is
//!   `customer.created`, removed `customer.deleted`; modified, it is exactly
//!   one event, the most specific that applies: `customer.passwordChanged`
//!   (the password hash changed), else `customer.emailChanged`, else
//!   `customer.statusChanged`, else `customer.updated` (another public field
//!   changed), else none: a login (`lastLoginAt`), a logout everywhere
//!   (`tokenVersion`) or a pending email change make no event.
//! - A newsletter item (`T#<tenant>#NEWSLETTER#<emailKey>` / `NEWSLETTER`)
//!   turning `SUBSCRIBED` is `newsletter.subscribed`; turning from
//!   `SUBSCRIBED` to anything else, or removed while `SUBSCRIBED`, is
//!   `newsletter.unsubscribed`; nothing else is an event.
//! - An order item (`T#<tenant>#C#<id>` / `ORDER#<placedAt>#<orderId>`)
//!   inserted or changed is `order.recorded` (its removal is a move in the
//!   history or an erasure: no event); a ledger entry (`LEDGER#<revision>`)
//!   inserted is `loyalty.transactionRecorded`. Their `version` is the
//!   order's revision, or the balance's revision the entry was written with.
//!
//! The detail never holds a credential: `data` is the image read into
//! `shared::domain::Customer` (or `NewsletterSubscription`) and written out
//! again, and those types have no field for a password hash, a token version
//! or a pending email change; `changedFields` names only their fields.

use anyhow::{bail, Context};
use aws_lambda_events::event::dynamodb::EventRecord;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::Value;
use shared::domain::{
    Customer, Erasure, LoyaltyKind, LoyaltyTransaction, Money, NewsletterState, NewsletterSubscription, Order,
    OrderStatus, Suppression, TenantId,
};
use shared::store::keys::{CustomerKey, ItemKey};
use shared::store::stream;

/// The `source` of the events unless `EVENT_SOURCE` names another.
pub const DEFAULT_SOURCE: &str = "customer-api";

/// Public fields that change with every write, or on every login: they never
/// make an event by themselves, and `changedFields` never names them (every
/// event carries `version` and `occurredAt` anyway).
const BOOKKEEPING: [&str; 3] = ["updatedAt", "version", "lastLoginAt"];

/// The detail-types of docs/events.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventName {
    CustomerCreated,
    CustomerUpdated,
    CustomerEmailChanged,
    CustomerStatusChanged,
    CustomerPasswordChanged,
    CustomerDeleted,
    NewsletterSubscribed,
    NewsletterUnsubscribed,
    OrderRecorded,
    LoyaltyTransactionRecorded,
    CustomerEmailSuppressed,
}

impl EventName {
    pub const ALL: [EventName; 11] = [
        EventName::CustomerCreated,
        EventName::CustomerUpdated,
        EventName::CustomerEmailChanged,
        EventName::CustomerStatusChanged,
        EventName::CustomerPasswordChanged,
        EventName::CustomerDeleted,
        EventName::NewsletterSubscribed,
        EventName::NewsletterUnsubscribed,
        EventName::OrderRecorded,
        EventName::LoyaltyTransactionRecorded,
        EventName::CustomerEmailSuppressed,
    ];

    /// The event's `detail-type`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventName::CustomerCreated => "customer.created",
            EventName::CustomerUpdated => "customer.updated",
            EventName::CustomerEmailChanged => "customer.emailChanged",
            EventName::CustomerStatusChanged => "customer.statusChanged",
            EventName::CustomerPasswordChanged => "customer.passwordChanged",
            EventName::CustomerDeleted => "customer.deleted",
            EventName::NewsletterSubscribed => "newsletter.subscribed",
            EventName::NewsletterUnsubscribed => "newsletter.unsubscribed",
            EventName::OrderRecorded => "order.recorded",
            EventName::LoyaltyTransactionRecorded => "loyalty.transactionRecorded",
            EventName::CustomerEmailSuppressed => "customer.emailSuppressed",
        }
    }
}

/// An event's `detail`. Every key is always there (`null` when unknown).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Detail {
    /// The stream record's `eventID`: the same on every delivery of the
    /// record, so consumers can drop duplicates by it.
    pub event_id: String,
    pub tenant_id: String,
    /// Null for a newsletter event whose address is no customer's.
    pub customer_id: Option<String>,
    /// The customer's version after the change (before it, for
    /// `customer.deleted`); null for newsletter events, which do not change
    /// the customer.
    pub version: Option<i64>,
    /// RFC 3339, UTC: the item's `updatedAt`, or for a removal the time
    /// the stream recorded it.
    pub occurred_at: String,
    /// The public fields (GraphQL names) that differ, sorted.
    pub changed_fields: Vec<String>,
    /// The public fields after the change; null for `customer.deleted`.
    pub data: Value,
}

/// An event to publish: its `detail-type` and `detail`.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerEvent {
    pub name: EventName,
    pub detail: Detail,
}

impl CustomerEvent {
    /// The time of the change, for the bus entry's `Time`.
    pub fn time(&self) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(&self.detail.occurred_at).ok().map(|t| t.with_timezone(&Utc))
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// When the stream recorded the change.
fn recorded_at(record: &EventRecord) -> DateTime<Utc> {
    record.change.approximate_creation_date_time
}

/// The public fields of `value` as a JSON object.
fn public<T: Serialize>(value: &T) -> anyhow::Result<serde_json::Map<String, Value>> {
    match serde_json::to_value(value).context("the public fields as JSON")? {
        Value::Object(fields) => Ok(fields),
        _ => bail!("the public fields are not an object"),
    }
}

/// The fields of `fields` that hold something (not null, not an empty
/// list), bookkeeping left out, sorted.
fn present(fields: &serde_json::Map<String, Value>) -> Vec<String> {
    let mut names: Vec<String> = fields
        .iter()
        .filter(|(name, value)| {
            !BOOKKEEPING.contains(&name.as_str()) && !value.is_null() && value.as_array().is_none_or(|a| !a.is_empty())
        })
        .map(|(name, _)| name.clone())
        .collect();
    names.sort();
    names
}

/// The fields that differ between `before` and `after` (missing counts as
/// null), bookkeeping left out, sorted.
fn changed(before: &serde_json::Map<String, Value>, after: &serde_json::Map<String, Value>) -> Vec<String> {
    let mut names: Vec<String> = before
        .keys()
        .chain(after.keys().filter(|k| !before.contains_key(*k)))
        .filter(|name| !BOOKKEEPING.contains(&name.as_str()))
        .filter(|name| before.get(*name).unwrap_or(&Value::Null) != after.get(*name).unwrap_or(&Value::Null))
        .cloned()
        .collect();
    names.sort();
    names
}

/// The event of a record of a customer profile, if the change makes one. An
/// error means the record cannot be read as a customer's (no retry helps).
pub fn customer_event(record: &EventRecord) -> anyhow::Result<Option<CustomerEvent>> {
    let change = &record.change;
    let event = |name: EventName, customer: &Customer, changed_fields: Vec<String>, data: Value, at: DateTime<Utc>| {
        CustomerEvent {
            name,
            detail: Detail {
                event_id: record.event_id.clone(),
                tenant_id: customer.tenant_id.as_str().to_string(),
                customer_id: Some(customer.id.clone()),
                version: Some(customer.version),
                occurred_at: rfc3339(at),
                changed_fields,
                data,
            },
        }
    };
    match record.event_name.as_str() {
        "INSERT" => {
            let new: Customer = stream::decode(&change.new_image, "new")?;
            let fields = public(&new)?;
            let names = present(&fields);
            Ok(Some(event(EventName::CustomerCreated, &new, names, Value::Object(fields), new.updated_at)))
        }
        // Only an erasure removes a profile: `customer.deleted` follows the
        // removal of its erasure record, once everything else is gone.
        "REMOVE" => Ok(None),
        "MODIFY" => {
            let old: Customer = stream::decode(&change.old_image, "old")?;
            let new: Customer = stream::decode(&change.new_image, "new")?;
            let (before, after) = (public(&old)?, public(&new)?);
            let names = changed(&before, &after);
            let has = |field: &str| names.iter().any(|n| n == field);
            let name = if stream::password_changed(&change.old_image, &change.new_image)? {
                EventName::CustomerPasswordChanged
            } else if has("email") {
                EventName::CustomerEmailChanged
            } else if has("status") {
                EventName::CustomerStatusChanged
            } else if !names.is_empty() {
                EventName::CustomerUpdated
            } else {
                return Ok(None);
            };
            Ok(Some(event(name, &new, names, Value::Object(after), new.updated_at)))
        }
        other => bail!("a stream record of an unknown kind: {other}"),
    }
}

/// An order's fields in an event: what `Order` shows clients.
#[derive(Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
struct OrderData {
    id: String,
    order_id: String,
    order_number: Option<String>,
    store_id: Option<String>,
    channel: Option<String>,
    status: OrderStatus,
    placed_at: DateTime<Utc>,
    total: MoneyData,
    payment_type: Option<String>,
    order_type: Option<String>,
    items: Vec<ItemData>,
    points_earned: i64,
}

#[derive(Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
struct MoneyData {
    amount: String,
    currency_code: String,
}

#[derive(Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
struct ItemData {
    sku: String,
    name: Option<String>,
    quantity: i64,
    unit_price: Option<MoneyData>,
}

fn money(m: &Money) -> MoneyData {
    MoneyData { amount: m.display_amount(), currency_code: m.currency_code.as_str().to_string() }
}

fn order_data(o: Order) -> OrderData {
    OrderData {
        id: o.id,
        order_id: o.order_id,
        order_number: o.order_number,
        store_id: o.store_id,
        channel: o.channel,
        status: o.status,
        placed_at: o.placed_at,
        total: money(&o.total),
        payment_type: o.payment_type,
        order_type: o.order_type,
        items: o
            .items
            .into_iter()
            .map(|i| ItemData {
                sku: i.sku,
                name: i.name,
                quantity: i.quantity,
                unit_price: i.unit_price.as_ref().map(money),
            })
            .collect(),
        points_earned: o.contribution.points,
    }
}

/// A ledger entry's fields in an event: what `LoyaltyTransaction` shows clients.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TransactionData<'a> {
    id: &'a str,
    kind: LoyaltyKind,
    points: i64,
    stamps: i64,
    balance_after: i64,
    reason: Option<&'a str>,
    order_id: Option<&'a str>,
    promotion_id: Option<&'a str>,
    created_at: DateTime<Utc>,
}

/// The event of a record of an order or a ledger entry, if it makes one:
/// `order.recorded` for an order inserted or changed in what clients see,
/// `loyalty.transactionRecorded` for a ledger entry inserted.
pub fn buyer_event(record: &EventRecord) -> anyhow::Result<Option<CustomerEvent>> {
    let change = &record.change;
    let (customer, ledger_revision) = match stream::item_key(&change.keys) {
        ItemKey::Order { customer, .. } => (customer, None),
        ItemKey::Ledger { customer, revision } => (customer, Some(revision)),
        _ => bail!("not a customer's order or ledger entry"),
    };
    let detail = |version: i64, at: DateTime<Utc>, changed_fields: Vec<String>, data: Value| Detail {
        event_id: record.event_id.clone(),
        tenant_id: customer.tenant.as_str().to_string(),
        customer_id: Some(customer.id.clone()),
        version: Some(version),
        occurred_at: rfc3339(at),
        changed_fields,
        data,
    };
    if let Some(revision) = ledger_revision {
        if record.event_name != "INSERT" {
            return Ok(None);
        }
        let t: LoyaltyTransaction = stream::decode(&change.new_image, "new")?;
        let data = TransactionData {
            id: &t.id,
            kind: t.kind,
            points: t.points,
            stamps: t.stamps,
            balance_after: t.balance_after,
            reason: t.reason.as_deref(),
            order_id: t.order_id.as_deref(),
            promotion_id: t.promotion_id.as_deref(),
            created_at: t.created_at,
        };
        let fields = public(&data)?;
        let names = present(&fields);
        let d = detail(revision, t.created_at, names, Value::Object(fields));
        return Ok(Some(CustomerEvent { name: EventName::LoyaltyTransactionRecorded, detail: d }));
    }
    let (old, new): (Option<Order>, Order) = match record.event_name.as_str() {
        "INSERT" => (None, stream::decode(&change.new_image, "new")?),
        "MODIFY" => (Some(stream::decode(&change.old_image, "old")?), stream::decode(&change.new_image, "new")?),
        _ => return Ok(None),
    };
    let (revision, at) = (new.revision, new.updated_at);
    let after = public(&order_data(new))?;
    let names = match old {
        None => present(&after),
        Some(old) => changed(&public(&order_data(old))?, &after),
    };
    if names.is_empty() {
        return Ok(None);
    }
    let d = detail(revision, at, names, Value::Object(after));
    Ok(Some(CustomerEvent { name: EventName::OrderRecorded, detail: d }))
}

/// A change of a newsletter subscription that is an event; the customer is
/// looked up separately ([`newsletter_event`]).
#[derive(Debug, Clone, PartialEq)]
pub struct NewsletterChange {
    pub name: EventName,
    changed_fields: Vec<String>,
    data: Value,
    occurred_at: DateTime<Utc>,
}

/// The subscription's fields in an event: the address, its state after the
/// change (`UNSUBSCRIBED` once removed), where and in which language.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NewsletterData<'a> {
    email: &'a str,
    status: &'static str,
    country_code: Option<&'a str>,
    language_code: Option<&'a str>,
}

fn newsletter_data(sub: &NewsletterSubscription, status: NewsletterState) -> anyhow::Result<Value> {
    let data = NewsletterData {
        email: sub.email.as_str(),
        status: status.as_str(),
        country_code: sub.country_code.as_ref().map(|c| c.as_str()),
        language_code: sub.language_code.as_ref().map(|l| l.as_str()),
    };
    serde_json::to_value(data).context("the subscription as JSON")
}

/// Whether a record of a newsletter subscription is an event, and which.
pub fn newsletter_change(record: &EventRecord) -> anyhow::Result<Option<NewsletterChange>> {
    let change = &record.change;
    let subscribed = |s: &NewsletterSubscription| s.status == NewsletterState::Subscribed;
    let (old, new): (Option<NewsletterSubscription>, Option<NewsletterSubscription>) = match record.event_name.as_str()
    {
        "INSERT" => (None, Some(stream::decode(&change.new_image, "new")?)),
        "MODIFY" => (Some(stream::decode(&change.old_image, "old")?), Some(stream::decode(&change.new_image, "new")?)),
        "REMOVE" => (Some(stream::decode(&change.old_image, "old")?), None),
        other => bail!("a stream record of an unknown kind: {other}"),
    };
    let was = old.as_ref().is_some_and(subscribed);
    let is = new.as_ref().is_some_and(subscribed);
    let name = match (was, is) {
        (false, true) => EventName::NewsletterSubscribed,
        (true, false) => EventName::NewsletterUnsubscribed,
        _ => return Ok(None),
    };
    let (changed_fields, data, occurred_at) = match (&old, &new) {
        (Some(old), Some(new)) => {
            (changed(&public(old)?, &public(new)?), newsletter_data(new, new.status)?, new.updated_at)
        }
        (None, Some(new)) => (present(&public(new)?), newsletter_data(new, new.status)?, new.updated_at),
        (Some(old), None) => (vec![], newsletter_data(old, NewsletterState::Unsubscribed)?, recorded_at(record)),
        (None, None) => return Ok(None),
    };
    Ok(Some(NewsletterChange { name, changed_fields, data, occurred_at }))
}

/// The event of a newsletter change, for the customer that owns the address
/// in the tenant (if any).
pub fn newsletter_event(
    record: &EventRecord,
    tenant: &TenantId,
    change: NewsletterChange,
    customer_id: Option<String>,
) -> CustomerEvent {
    CustomerEvent {
        name: change.name,
        detail: Detail {
            event_id: record.event_id.clone(),
            tenant_id: tenant.as_str().to_string(),
            customer_id,
            version: None,
            occurred_at: rfc3339(change.occurred_at),
            changed_fields: change.changed_fields,
            data: change.data,
        },
    }
}

/// `customer.deleted`: the erasure record went, the last of the customer's
/// items (its job is done). Its insertion and new rounds make no event.
pub fn erasure_event(record: &EventRecord, customer: &CustomerKey) -> anyhow::Result<Option<CustomerEvent>> {
    if record.event_name != "REMOVE" {
        return Ok(None);
    }
    let erasure: Erasure = stream::decode(&record.change.old_image, "old")?;
    Ok(Some(CustomerEvent {
        name: EventName::CustomerDeleted,
        detail: Detail {
            event_id: record.event_id.clone(),
            tenant_id: customer.tenant.as_str().to_string(),
            customer_id: Some(customer.id.clone()),
            version: Some(erasure.version),
            occurred_at: rfc3339(recorded_at(record)),
            changed_fields: vec![],
            data: Value::Null,
        },
    }))
}

/// The event of a newly suppressed address (`customer.emailSuppressed`),
/// about the customer that held it then (null for an address that is no
/// customer's, like a guest's newsletter address); only the insertion
/// makes one (a lifted suppression is the back office's own act).
pub fn suppression_event(record: &EventRecord, tenant: &TenantId) -> anyhow::Result<Option<CustomerEvent>> {
    if record.event_name != "INSERT" {
        return Ok(None);
    }
    let s: Suppression = stream::decode(&record.change.new_image, "new")?;
    Ok(Some(CustomerEvent {
        name: EventName::CustomerEmailSuppressed,
        detail: Detail {
            event_id: record.event_id.clone(),
            tenant_id: tenant.as_str().to_string(),
            customer_id: s.customer_id,
            version: None,
            occurred_at: rfc3339(s.at),
            changed_fields: vec!["emailDeliverable".into()],
            data: serde_json::json!({ "email": s.email.as_str(), "reason": s.reason.as_str(), "emailDeliverable": false }),
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PK: &str = "T#shop-de#C#01JDQ7Z8X0C4V5B6N7M8K9J0H2";
    const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";

    /// A customer item as the store writes it (`customer_item`): the profile,
    /// the credentials beside it, the email key and the keys.
    fn customer_item(changes: &[(&str, Value)]) -> Value {
        let mut item = json!({
            "pk": { "S": PK },
            "sk": { "S": "PROFILE" },
            "gsi1pk": { "S": "T#shop-de#CUSTOMERS" },
            "gsi1sk": { "S": "01JDQ7Z8X0C4V5B6N7M8K9J0H2" },
            "id": { "S": "01JDQ7Z8X0C4V5B6N7M8K9J0H2" },
            "tenantId": { "S": "shop-de" },
            "customerNumber": { "S": "1001" },
            "ref": { "NULL": true },
            "externalId": { "NULL": true },
            "email": { "S": "Ann@example.com" },
            "emailKey": { "S": "ann@example.com" },
            "emailVerified": { "BOOL": false },
            "title": { "NULL": true },
            "firstName": { "S": "Ann" },
            "lastName": { "NULL": true },
            "phoneNumber": { "NULL": true },
            "cellPhoneNumber": { "NULL": true },
            "birthdate": { "NULL": true },
            "gender": { "NULL": true },
            "languageCode": { "S": "de" },
            "countryCode": { "NULL": true },
            "timezone": { "NULL": true },
            "status": { "S": "ACTIVE" },
            "billingAddress": { "NULL": true },
            "deliveryAddresses": { "L": [] },
            "defaultDeliveryAddressId": { "NULL": true },
            "consents": { "L": [] },
            "attributes": { "L": [] },
            "createdAt": { "S": "2026-11-21T12:00:00Z" },
            "updatedAt": { "S": "2026-11-21T12:00:00Z" },
            "lastLoginAt": { "NULL": true },
            "version": { "N": "1" },
            "passwordHash": { "S": HASH },
            "tokenVersion": { "N": "0" }
        });
        for (name, value) in changes {
            item[*name] = value.clone();
        }
        item
    }

    /// A stream record as Lambda delivers it.
    fn record(event_name: &str, pk: &str, sk: &str, old: Option<Value>, new: Option<Value>) -> EventRecord {
        let mut change = json!({
            "ApproximateCreationDateTime": 1_795_262_400.0,
            "Keys": { "pk": { "S": pk }, "sk": { "S": sk } },
            "SequenceNumber": "100000000000000000007",
            "SizeBytes": 900,
            "StreamViewType": "NEW_AND_OLD_IMAGES"
        });
        if let Some(old) = old {
            change["OldImage"] = old;
        }
        if let Some(new) = new {
            change["NewImage"] = new;
        }
        serde_json::from_value(json!({
            "eventID": "7f3a0c1e9b2d4e5f8a6b7c8d9e0f1a2b",
            "eventName": event_name,
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": "eu-central-1",
            "dynamodb": change,
            "eventSourceARN": "arn:aws:dynamodb:eu-central-1:123456789012:table/customers/stream/2026-11-21"
        }))
        .expect("a DynamoDB stream record")
    }

    fn profile(event_name: &str, old: Option<Value>, new: Option<Value>) -> EventRecord {
        record(event_name, PK, "PROFILE", old, new)
    }

    fn modified(old: &[(&str, Value)], new: &[(&str, Value)]) -> Option<CustomerEvent> {
        customer_event(&profile("MODIFY", Some(customer_item(old)), Some(customer_item(new)))).expect("readable")
    }

    fn s(v: &str) -> Value {
        json!({ "S": v })
    }

    fn n(v: i64) -> Value {
        json!({ "N": v.to_string() })
    }

    /// The detail as it goes on the bus.
    fn wire(event: &CustomerEvent) -> String {
        serde_json::to_string(&event.detail).expect("JSON")
    }

    fn assert_no_secrets(event: &CustomerEvent) {
        let text = wire(event);
        for secret in ["$argon2", "passwordHash", "tokenVersion", "pendingEmailChange", "emailKey", "gsi1", "token"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }

    #[test]
    fn an_inserted_profile_is_created_with_every_field_it_has_and_no_credential() {
        let event = customer_event(&profile("INSERT", None, Some(customer_item(&[])))).expect("readable").expect("one");
        assert_eq!(event.name.as_str(), "customer.created");
        let d = &event.detail;
        assert_eq!(d.event_id, "7f3a0c1e9b2d4e5f8a6b7c8d9e0f1a2b");
        assert_eq!((d.tenant_id.as_str(), d.customer_id.as_deref()), ("shop-de", Some("01JDQ7Z8X0C4V5B6N7M8K9J0H2")));
        assert_eq!((d.version, d.occurred_at.as_str()), (Some(1), "2026-11-21T12:00:00Z"));
        assert_eq!(
            d.changed_fields,
            [
                "createdAt",
                "customerNumber",
                "email",
                "emailVerified",
                "firstName",
                "id",
                "languageCode",
                "promotionOptIn",
                "status",
                "tenantId"
            ]
        );
        assert_eq!(d.data["email"], "Ann@example.com");
        assert_eq!(d.data["firstName"], "Ann");
        assert_eq!(d.data["version"], 1);
        assert_eq!(d.data["deliveryAddresses"], json!([]));
        assert_eq!(event.time().map(rfc3339).as_deref(), Some("2026-11-21T12:00:00Z"));
        assert_no_secrets(&event);
    }

    #[test]
    fn the_detail_has_every_key_of_the_contract() {
        let event = customer_event(&profile("INSERT", None, Some(customer_item(&[])))).expect("readable").expect("one");
        let detail: Value = serde_json::from_str(&wire(&event)).expect("JSON");
        let mut keys: Vec<&str> = detail.as_object().expect("an object").keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(keys, ["changedFields", "customerId", "data", "eventId", "occurredAt", "tenantId", "version"]);
    }

    #[test]
    fn an_erasure_is_deleted_with_the_last_version_once_its_record_is_removed() {
        let old = customer_item(&[("version", n(4)), ("updatedAt", s("2026-11-20T09:00:00Z"))]);
        assert_eq!(customer_event(&profile("REMOVE", Some(old), None)).expect("readable"), None, "not yet");
        let erasure = json!({
            "pk": { "S": PK }, "sk": { "S": "ERASURE" }, "customerId": { "S": "01JDQ7Z8X0C4V5B6N7M8K9J0H2" },
            "version": { "N": "4" }, "addresses": { "L": [] }, "startedAt": { "S": "2026-11-21T11:59:00Z" }
        });
        let key = CustomerKey { tenant: TenantId::parse("shop-de").unwrap(), id: "01JDQ7Z8X0C4V5B6N7M8K9J0H2".into() };
        let started = record("INSERT", PK, "ERASURE", None, Some(erasure.clone()));
        assert_eq!(erasure_event(&started, &key).expect("readable"), None, "the job starts");
        let done = record("REMOVE", PK, "ERASURE", Some(erasure), None);
        let event = erasure_event(&done, &key).expect("readable").expect("one");
        assert_eq!(event.name, EventName::CustomerDeleted);
        assert_eq!(event.detail.customer_id.as_deref(), Some("01JDQ7Z8X0C4V5B6N7M8K9J0H2"));
        assert_eq!(event.detail.version, Some(4));
        assert!(event.detail.changed_fields.is_empty());
        assert_eq!(event.detail.data, Value::Null);
        // When the stream recorded the removal (1795262400).
        assert_eq!(event.detail.occurred_at, "2026-11-21T12:00:00Z");
        assert_no_secrets(&event);
    }

    #[test]
    fn a_name_change_is_an_update_naming_that_field_only() {
        let event =
            modified(&[], &[("firstName", s("Anna")), ("version", n(2)), ("updatedAt", s("2026-11-21T12:05:00.250Z"))])
                .expect("an event");
        assert_eq!(event.name, EventName::CustomerUpdated);
        assert_eq!(event.detail.changed_fields, ["firstName"]);
        assert_eq!(event.detail.version, Some(2));
        assert_eq!(event.detail.occurred_at, "2026-11-21T12:05:00.250Z");
        assert_eq!(event.detail.data["firstName"], "Anna");
        assert_no_secrets(&event);
    }

    #[test]
    fn a_new_password_hash_is_a_password_change_whatever_else_changed() {
        let other = "$argon2id$v=19$m=19456,t=2,p=1$b3RoZXJzYWx0$b3RoZXJoYXNoaGFzaGhhc2g";
        let event = modified(
            &[],
            &[
                ("passwordHash", s(other)),
                ("tokenVersion", n(1)),
                ("version", n(2)),
                ("emailVerified", json!({ "BOOL": true })),
            ],
        )
        .expect("an event");
        assert_eq!(event.name, EventName::CustomerPasswordChanged);
        assert_eq!(event.detail.changed_fields, ["emailVerified"], "never the credentials");
        assert_no_secrets(&event);
        // A first password (an admin-created customer) counts too.
        let event = modified(&[("passwordHash", json!({ "NULL": true }))], &[("version", n(2))]).expect("an event");
        assert_eq!(event.name, EventName::CustomerPasswordChanged);
        assert!(event.detail.changed_fields.is_empty());
    }

    #[test]
    fn a_new_email_is_an_email_change_before_a_status_change() {
        let event = modified(
            &[("pendingEmailChange", s("hash-of-the-token"))],
            &[
                ("email", s("ann.new@example.com")),
                ("emailKey", s("ann.new@example.com")),
                ("emailVerified", json!({ "BOOL": true })),
                ("status", s("INACTIVE")),
                ("version", n(2)),
            ],
        )
        .expect("an event");
        assert_eq!(event.name, EventName::CustomerEmailChanged);
        assert_eq!(event.detail.changed_fields, ["email", "emailVerified", "status"]);
        assert_eq!(event.detail.data["email"], "ann.new@example.com");
        assert_no_secrets(&event);
    }

    #[test]
    fn a_new_status_is_a_status_change() {
        let event = modified(&[], &[("status", s("INACTIVE")), ("version", n(2))]).expect("an event");
        assert_eq!(event.name, EventName::CustomerStatusChanged);
        assert_eq!(event.detail.changed_fields, ["status"]);
        assert_eq!(event.detail.data["status"], "INACTIVE");
    }

    #[test]
    fn logins_logouts_and_pending_email_changes_make_no_event() {
        let login = modified(&[], &[("lastLoginAt", s("2026-11-21T13:00:00Z"))]);
        assert_eq!(login, None);
        let logout_everywhere = modified(&[("pendingEmailChange", s("h"))], &[("tokenVersion", n(1))]);
        assert_eq!(logout_everywhere, None);
        let pending = modified(&[], &[("pendingEmailChange", s("h"))]);
        assert_eq!(pending, None);
        let bookkeeping = modified(&[], &[("version", n(2)), ("updatedAt", s("2026-11-21T13:00:00Z"))]);
        assert_eq!(bookkeeping, None);
        // A null written where the attribute was missing is no change either.
        let mut without = customer_item(&[]);
        without.as_object_mut().expect("an item").remove("title");
        let r = profile("MODIFY", Some(without), Some(customer_item(&[])));
        assert_eq!(customer_event(&r).expect("readable"), None);
    }

    #[test]
    fn nested_changes_name_their_field() {
        let address = json!({ "L": [{ "M": {
            "id": { "S": "a1" }, "street": { "S": "Main St" }, "city": { "S": "Vienna" }, "countryCode": { "S": "AT" }
        } }] });
        let event = modified(&[], &[("deliveryAddresses", address), ("version", n(2))]).expect("an event");
        assert_eq!(event.name, EventName::CustomerUpdated);
        assert_eq!(event.detail.changed_fields, ["deliveryAddresses"]);
        assert_eq!(event.detail.data["deliveryAddresses"][0]["city"], "Vienna");
    }

    #[test]
    fn a_record_that_is_no_customer_is_an_error_not_an_event() {
        let broken = json!({ "pk": { "S": PK }, "sk": { "S": "PROFILE" }, "id": { "N": "1" } });
        assert!(customer_event(&profile("INSERT", None, Some(broken))).is_err());
        assert!(customer_event(&profile("MODIFY", None, Some(customer_item(&[])))).is_err(), "no old image");
        assert!(customer_event(&profile("UPSERT", None, Some(customer_item(&[])))).is_err());
    }

    const NEWSLETTER_PK: &str = "T#shop-de#NEWSLETTER#ann@example.com";

    fn subscription(status: &str, updated_at: &str) -> Value {
        json!({
            "pk": { "S": NEWSLETTER_PK },
            "sk": { "S": "NEWSLETTER" },
            "gsi1pk": { "S": "T#shop-de#NEWSLETTERS" },
            "gsi1sk": { "S": format!("{status}#ann@example.com") },
            "email": { "S": "Ann@example.com" },
            "status": { "S": status },
            "countryCode": { "S": "AT" },
            "languageCode": { "S": "de" },
            "gender": { "NULL": true },
            "createdAt": { "S": "2026-11-21T12:00:00Z" },
            "updatedAt": { "S": updated_at },
            "confirmedAt": if status == "SUBSCRIBED" { s("2026-11-21T12:10:00Z") } else { json!({ "NULL": true }) }
        })
    }

    fn newsletter(event_name: &str, old: Option<(&str, &str)>, new: Option<(&str, &str)>) -> EventRecord {
        let image = |s: Option<(&str, &str)>| s.map(|(status, at)| subscription(status, at));
        record(event_name, NEWSLETTER_PK, "NEWSLETTER", image(old), image(new))
    }

    fn tenant() -> TenantId {
        TenantId::parse("shop-de").expect("a tenant")
    }

    #[test]
    fn a_confirmed_subscription_is_subscribed_for_the_customer_of_the_address() {
        let r = newsletter(
            "MODIFY",
            Some(("PENDING", "2026-11-21T12:00:00Z")),
            Some(("SUBSCRIBED", "2026-11-21T12:10:00Z")),
        );
        let change = newsletter_change(&r).expect("readable").expect("an event");
        let event = newsletter_event(&r, &tenant(), change, Some("01JDQ7Z8X0C4V5B6N7M8K9J0H2".into()));
        assert_eq!(event.name.as_str(), "newsletter.subscribed");
        let d = &event.detail;
        assert_eq!((d.tenant_id.as_str(), d.customer_id.as_deref()), ("shop-de", Some("01JDQ7Z8X0C4V5B6N7M8K9J0H2")));
        assert_eq!((d.version, d.occurred_at.as_str()), (None, "2026-11-21T12:10:00Z"));
        assert_eq!(d.changed_fields, ["confirmedAt", "status"]);
        assert_eq!(
            d.data,
            json!({ "email": "Ann@example.com", "status": "SUBSCRIBED", "countryCode": "AT", "languageCode": "de" })
        );
        let detail: Value = serde_json::from_str(&wire(&event)).expect("JSON");
        assert!(detail["version"].is_null() && detail.get("version").is_some(), "version is null, not left out");
    }

    #[test]
    fn leaving_subscribed_in_any_way_is_unsubscribed() {
        let r = newsletter(
            "MODIFY",
            Some(("SUBSCRIBED", "2026-11-21T12:10:00Z")),
            Some(("UNSUBSCRIBED", "2026-11-22T08:00:00Z")),
        );
        let change = newsletter_change(&r).expect("readable").expect("an event");
        assert_eq!(change.name, EventName::NewsletterUnsubscribed);
        let event = newsletter_event(&r, &tenant(), change, None);
        assert_eq!(event.detail.customer_id, None, "an address that is no customer's");
        assert_eq!(event.detail.data["status"], "UNSUBSCRIBED");

        let r = newsletter("REMOVE", Some(("SUBSCRIBED", "2026-11-21T12:10:00Z")), None);
        let change = newsletter_change(&r).expect("readable").expect("an event");
        assert_eq!(change.name, EventName::NewsletterUnsubscribed);
        let event = newsletter_event(&r, &tenant(), change, None);
        assert!(event.detail.changed_fields.is_empty());
        assert_eq!(event.detail.data["status"], "UNSUBSCRIBED", "removed: no longer subscribed");
        assert_eq!(event.detail.data["email"], "Ann@example.com");
        assert_eq!(event.detail.occurred_at, "2026-11-21T12:00:00Z", "when the stream recorded the removal");
    }

    #[test]
    fn an_insert_straight_to_subscribed_is_subscribed() {
        let r = newsletter("INSERT", None, Some(("SUBSCRIBED", "2026-11-21T12:10:00Z")));
        let change = newsletter_change(&r).expect("readable").expect("an event");
        assert_eq!(change.name, EventName::NewsletterSubscribed);
        assert_eq!(
            change.changed_fields,
            ["confirmedAt", "countryCode", "createdAt", "email", "languageCode", "status"]
        );
    }

    #[test]
    fn other_newsletter_changes_are_no_event() {
        for r in [
            newsletter("INSERT", None, Some(("PENDING", "2026-11-21T12:00:00Z"))),
            newsletter("MODIFY", Some(("PENDING", "2026-11-21T12:00:00Z")), Some(("PENDING", "2026-11-21T12:01:00Z"))),
            newsletter(
                "MODIFY",
                Some(("UNSUBSCRIBED", "2026-11-21T12:00:00Z")),
                Some(("PENDING", "2026-11-21T12:01:00Z")),
            ),
            newsletter(
                "MODIFY",
                Some(("SUBSCRIBED", "2026-11-21T12:00:00Z")),
                Some(("SUBSCRIBED", "2026-11-21T12:01:00Z")),
            ),
            newsletter("REMOVE", Some(("PENDING", "2026-11-21T12:00:00Z")), None),
            newsletter("REMOVE", Some(("UNSUBSCRIBED", "2026-11-21T12:00:00Z")), None),
        ] {
            assert_eq!(newsletter_change(&r).expect("readable"), None, "{} {:?}", r.event_name, r.change.new_image);
        }
    }

    /// An order and its ledger entry as the store writes them (`recordOrder`).
    fn recorded_order(status: OrderStatus) -> (serde_dynamo::Item, serde_dynamo::Item) {
        use shared::domain::{orders, Earning, OrderInput, Recording, Standing};
        let input = OrderInput {
            order_id: "SO-1".into(),
            status: Some(status),
            placed_at: Some("2026-11-20T10:00:00Z".parse().expect("a time")),
            total_amount: "120.50".into(),
            total_currency: "EUR".into(),
            ..Default::default()
        };
        let earning = Earning {
            currency: shared::domain::CurrencyCode::parse("EUR", &[]).expect("EUR"),
            points_per_unit: 1.into(),
            stamps_per_order: 1,
        };
        let valid = input.validate().expect("valid");
        let now = "2026-11-20T10:00:01Z".parse().expect("a time");
        let standing = Standing::default();
        let Recording::Write(change) =
            orders::record(valid, "C1", None, &standing, Some(&earning), || "O1".into(), now)
        else {
            panic!("a write")
        };
        let order = serde_dynamo::to_item(&change.order).expect("an order item");
        let entry = serde_dynamo::to_item(change.transaction.as_ref().expect("points")).expect("a ledger item");
        (order, entry)
    }

    #[test]
    fn a_recorded_order_and_its_ledger_entry_are_events_with_public_fields_only() {
        let (order, entry) = recorded_order(OrderStatus::Placed);
        let mut r = record("INSERT", PK, "ORDER#2026-11-20T10:00:00.000Z#SO-1", None, None);
        r.change.new_image = order;
        let e = buyer_event(&r).expect("readable").expect("an event");
        assert_eq!((e.name, e.detail.version), (EventName::OrderRecorded, Some(1)));
        assert_eq!(e.detail.data["total"], json!({ "amount": "120.50", "currencyCode": "EUR" }));
        assert_eq!(e.detail.data["pointsEarned"], 120);
        assert!(e.detail.data.get("fingerprint").is_none() && e.detail.data.get("revision").is_none(), "{:?}", e);
        let mut r = record("INSERT", PK, "LEDGER#000000000001", None, None);
        r.change.new_image = entry;
        let e = buyer_event(&r).expect("readable").expect("an event");
        assert_eq!((e.name, e.detail.version), (EventName::LoyaltyTransactionRecorded, Some(1)));
        assert_eq!((e.detail.data["kind"].as_str(), e.detail.data["points"].as_i64()), (Some("EARN"), Some(120)));
    }

    #[test]
    fn every_name_is_distinct_and_namespaced() {
        let names: Vec<&str> = EventName::ALL.iter().map(|n| n.as_str()).collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len());
        let namespaces = ["customer.", "newsletter.", "order.", "loyalty."];
        assert!(names.iter().all(|n| namespaces.iter().any(|ns| n.starts_with(ns))), "{names:?}");
    }
}
