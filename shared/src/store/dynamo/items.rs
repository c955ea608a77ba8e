//! Domain values as table items and back: the serde form of each value plus
//! its keys (and index keys where it is listed).

use super::{n, s, Item};
use crate::domain::{
    BackInStockSubscription, Credentials, Customer, CustomerRecord, NewsletterSubscription, OneTimeToken, Session,
    Standing, TenantId,
};
use crate::store::table::{GSI1_PARTITION_KEY, GSI1_SORT_KEY, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE, TTL_GRACE};
use crate::store::{keys, UniqueKey};
use anyhow::Context;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};

/// The attribute holding a customer's normalised email (conditions compare it).
pub(super) const EMAIL_KEY: &str = "emailKey";
/// The set of the normalised addresses the customer proved it held
/// (`Credentials::proven_emails`): every write that leaves the email
/// verified adds the email to it (`ADD`), so it is a string set.
pub(super) const PROVEN_EMAILS: &str = "provenEmails";

/// The value to `ADD` to `PROVEN_EMAILS` for a verified address.
pub(super) fn proven(email_key: &str) -> AttributeValue {
    AttributeValue::Ss(vec![email_key.to_string()])
}

/// Adds the table keys, and the GSI1 keys when the item is listed there.
pub(super) fn with_keys(mut item: Item, pk: String, sk: &str, gsi1: Option<(String, String)>) -> Item {
    item.insert(PARTITION_KEY.into(), s(pk));
    item.insert(SORT_KEY.into(), s(sk));
    if let Some((gpk, gsk)) = gsi1 {
        item.insert(GSI1_PARTITION_KEY.into(), s(gpk));
        item.insert(GSI1_SORT_KEY.into(), s(gsk));
    }
    item
}

/// The sort key of an item, as read back.
pub(super) fn sort_key(item: &Item) -> Option<&str> {
    item.get(SORT_KEY).and_then(|v| v.as_s().ok()).map(String::as_str)
}

/// The GSI1 sort key of an item, as read back.
pub(super) fn gsi1_sort_key(item: &Item) -> Option<&str> {
    item.get(GSI1_SORT_KEY).and_then(|v| v.as_s().ok()).map(String::as_str)
}

/// The TTL attribute of an item that expires at `expires_at` (see `table::TTL_GRACE`).
pub(super) fn purge_at(expires_at: DateTime<Utc>) -> AttributeValue {
    n((expires_at + TTL_GRACE).timestamp())
}

/// The customer's item: its profile and credentials side by side, plus keys.
pub(super) fn customer_item(rec: &CustomerRecord) -> anyhow::Result<Item> {
    let c = &rec.customer;
    let mut item: Item = serde_dynamo::to_item(c)?;
    item.extend(serde_dynamo::to_item::<_, Item>(&rec.credentials)?);
    item.insert(EMAIL_KEY.into(), s(c.email.normalized()));
    let mut proven_emails = rec.credentials.proven_emails.clone();
    if c.email_verified {
        proven_emails.insert(c.email.normalized());
    }
    if !proven_emails.is_empty() {
        item.insert(PROVEN_EMAILS.into(), AttributeValue::Ss(proven_emails.into_iter().collect()));
    }
    let listed = (keys::customers_index(&c.tenant_id), c.id.clone());
    Ok(with_keys(item, keys::customer(&c.tenant_id, &c.id), keys::PROFILE, Some(listed)))
}

pub(super) fn customer_from_item(item: Item) -> anyhow::Result<CustomerRecord> {
    let credentials: Credentials = serde_dynamo::from_item(item.clone()).context("customer credentials")?;
    let customer: Customer = serde_dynamo::from_item(item).context("customer profile")?;
    Ok(CustomerRecord { customer, credentials })
}

/// The profile's key.
pub(super) fn profile_key(tenant: &TenantId, customer_id: &str) -> Item {
    super::key(keys::customer(tenant, customer_id), keys::PROFILE)
}

pub(super) fn session_item(tenant: &TenantId, session: &Session) -> anyhow::Result<Item> {
    let mut item: Item = serde_dynamo::to_item(session)?;
    item.insert(TTL_ATTRIBUTE.into(), purge_at(session.expires_at));
    Ok(with_keys(item, keys::customer(tenant, &session.customer_id), &keys::session_sk(&session.id), None))
}

pub(super) fn session_key(tenant: &TenantId, customer_id: &str, session_id: &str) -> Item {
    super::key(keys::customer(tenant, customer_id), &keys::session_sk(session_id))
}

/// A token item, also listed under its customer in GSI1 so that erasing the
/// customer finds it, or under its address when it has no customer.
pub(super) fn token_item(tenant: &TenantId, token: &OneTimeToken) -> anyhow::Result<Item> {
    let mut item: Item = serde_dynamo::to_item(token)?;
    item.insert(TTL_ATTRIBUTE.into(), purge_at(token.expires_at));
    let owner = match &token.customer_id {
        None => keys::subscriber_index(tenant, &token.email_key),
        Some(id) => keys::customer(tenant, id),
    };
    let listed = (owner, format!("{}#{}", keys::TOKEN, token.hash));
    Ok(with_keys(item, keys::token(tenant, &token.hash), keys::TOKEN, Some(listed)))
}

pub(super) fn token_key(tenant: &TenantId, hash: &str) -> Item {
    super::key(keys::token(tenant, hash), keys::TOKEN)
}

pub(super) fn newsletter_item(tenant: &TenantId, sub: &NewsletterSubscription) -> anyhow::Result<Item> {
    let email_key = sub.email.normalized();
    let item: Item = serde_dynamo::to_item(sub)?;
    let listed = (keys::newsletters_index(tenant), keys::newsletter_position(sub.status.as_str(), &email_key));
    Ok(with_keys(item, keys::newsletter(tenant, &email_key), keys::NEWSLETTER, Some(listed)))
}

pub(super) fn newsletter_key(tenant: &TenantId, email_key: &str) -> Item {
    super::key(keys::newsletter(tenant, email_key), keys::NEWSLETTER)
}

pub(super) fn back_in_stock_key(tenant: &TenantId, item: &str, country: &str, email_key: &str) -> Item {
    super::key(keys::back_in_stock(tenant, item), &format!("{country}#{email_key}"))
}

/// A back-in-stock alert, also listed under its address for erasure.
pub(super) fn back_in_stock_item(tenant: &TenantId, sub: &BackInStockSubscription) -> anyhow::Result<Item> {
    let email_key = sub.email.normalized();
    let country = sub.country_code.as_str();
    let mut item: Item = serde_dynamo::to_item(sub)?;
    item.extend(back_in_stock_key(tenant, &sub.item, country, &email_key));
    item.insert(GSI1_PARTITION_KEY.into(), s(keys::subscriber_index(tenant, &email_key)));
    item.insert(GSI1_SORT_KEY.into(), s(format!("BIS#{}#{country}", sub.item)));
    item.insert(TTL_ATTRIBUTE.into(), purge_at(sub.expires_at()));
    Ok(item)
}

/// The customer's unique values, one per kind, in a fixed order.
pub(super) fn unique_values(c: &Customer) -> [(UniqueKey, Option<String>); 5] {
    [
        (UniqueKey::Email, Some(c.email.normalized())),
        (UniqueKey::Ref, c.reference.clone()),
        (UniqueKey::ExternalId, c.external_id.clone()),
        (UniqueKey::LoyaltyId, c.loyalty_id.clone()),
        (UniqueKey::Username, c.username.clone()),
    ]
}

/// The guard items of a customer's unique values, with their kinds.
pub(super) fn guards(c: &Customer) -> Vec<(UniqueKey, String)> {
    unique_values(c)
        .into_iter()
        .filter_map(|(kind, v)| v.map(|v| (kind, keys::guard(&c.tenant_id, kind, &v))))
        .collect()
}

pub(super) fn standing_key(tenant: &TenantId, customer_id: &str) -> Item {
    super::key(keys::customer(tenant, customer_id), keys::STANDING)
}

pub(super) fn standing_item(tenant: &TenantId, customer_id: &str, standing: &Standing) -> anyhow::Result<Item> {
    let item: Item = serde_dynamo::to_item(standing)?;
    Ok(with_keys(item, keys::customer(tenant, customer_id), keys::STANDING, None))
}
