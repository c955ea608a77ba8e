//! Keeps the search index in step with customer profiles: each change of a
//! profile moves the customer onto the lists of its new tokens and off
//! those it no longer has (`shared::domain::search_index::tokens`); its
//! removal (an erasure) takes it off every list. Only what differs is
//! written, so a login (bookkeeping on the profile) writes nothing. Writes
//! are puts and deletes of whole items, so a record delivered again does
//! no harm; records come in order per customer, so the last change wins.

use aws_lambda_events::event::dynamodb::EventRecord;
use shared::domain::search_index::{tokens, Searchable};
use shared::domain::Customer;
use shared::store::keys::{CustomerKey, ItemKey};
use shared::store::stream;
use std::collections::BTreeSet;

/// The lists a profile's change adds the customer to and takes it off.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Relisting {
    pub add: Vec<String>,
    pub remove: Vec<String>,
}

impl Relisting {
    pub fn is_empty(&self) -> bool {
        self.add.is_empty() && self.remove.is_empty()
    }
}

fn tokens_of(image: &stream::Image, what: &str) -> anyhow::Result<BTreeSet<String>> {
    if image.is_empty() {
        return Ok(BTreeSet::new());
    }
    let customer: Customer = stream::decode(image, what)?;
    Ok(tokens(&Searchable::of(&customer)))
}

/// The profile records of one customer in a batch: the first (its state
/// before) and the last (its state after).
pub struct CustomerChange {
    pub customer: CustomerKey,
    /// The indexes of its first and last records in the batch.
    pub first: usize,
    last: usize,
}

impl CustomerChange {
    /// What the customer's records (of `records`, the batch) change in the
    /// index, from before the first to after the last.
    pub fn relisting(&self, records: &[EventRecord]) -> anyhow::Result<Relisting> {
        let (before, after) = (&records[self.first], &records[self.last]);
        let old = match before.event_name.as_str() {
            "INSERT" => BTreeSet::new(),
            // An old image that does not read: the new tokens are listed at
            // least (nothing is taken off; `customer-ctl reindex` lists anew).
            _ => tokens_of(&before.change.old_image, "old").unwrap_or_default(),
        };
        let new = match after.event_name.as_str() {
            "REMOVE" => BTreeSet::new(),
            _ => tokens_of(&after.change.new_image, "new")?,
        };
        Ok(Relisting { add: new.difference(&old).cloned().collect(), remove: old.difference(&new).cloned().collect() })
    }
}

/// The batch's profile records, by customer, in the order of each
/// customer's first record.
pub fn by_customer(records: &[EventRecord]) -> Vec<CustomerChange> {
    let mut changes: Vec<CustomerChange> = vec![];
    for (i, record) in records.iter().enumerate() {
        let ItemKey::Profile(customer) = stream::item_key(&record.change.keys) else { continue };
        match changes.iter_mut().find(|c| c.customer == customer) {
            Some(change) => change.last = i,
            None => changes.push(CustomerChange { customer, first: i, last: i }),
        }
    }
    changes
}
