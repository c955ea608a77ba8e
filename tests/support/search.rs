//! Waiting for the search index: the events function lists each change
//! from the stream, within seconds. Tests that search wait for it here,
//! never by sleeping a fixed time.

use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use shared::domain::search_index::{tokens, Searchable};
use shared::domain::Customer;
use shared::store::keys;
use shared::Services;
use std::collections::HashMap;
use std::time::Duration;

type Item = HashMap<String, AttributeValue>;

/// The profiles of `table`, read consistently.
async fn profiles(ddb: &aws_sdk_dynamodb::Client, table: &str) -> Vec<Customer> {
    let mut found = vec![];
    let mut start = None;
    loop {
        let out = ddb
            .scan()
            .table_name(table)
            .consistent_read(true)
            .filter_expression("sk = :profile")
            .expression_attribute_values(":profile", AttributeValue::S(keys::PROFILE.into()))
            .set_exclusive_start_key(start)
            .send()
            .await
            .expect("scan the profiles");
        for item in out.items() {
            found.push(serde_dynamo::from_item(item.clone()).expect("a customer"));
        }
        match out.last_evaluated_key {
            Some(key) if !key.is_empty() => start = Some(key),
            _ => return found,
        }
    }
}

/// The index entries of every profile of `table` not written yet, leaving
/// out the customers (at a version) in `done`, and adding to it those
/// found complete.
async fn unlisted_since(ddb: &aws_sdk_dynamodb::Client, table: &str, done: &mut Vec<(String, i64)>) -> Vec<String> {
    let mut missing = vec![];
    for c in profiles(ddb, table).await {
        let at = (c.id.clone(), c.version);
        if done.contains(&at) {
            continue;
        }
        let wanted: Vec<(String, String)> = tokens(&Searchable::of(&c))
            .into_iter()
            .map(|t| (keys::search_list(&c.tenant_id, &t), c.id.clone()))
            .collect();
        let before = missing.len();
        for chunk in wanted.chunks(100) {
            let keys: Vec<Item> = chunk
                .iter()
                .map(|(pk, sk)| {
                    HashMap::from([
                        ("pk".to_string(), AttributeValue::S(pk.clone())),
                        ("sk".into(), AttributeValue::S(sk.clone())),
                    ])
                })
                .collect();
            let request =
                KeysAndAttributes::builder().set_keys(Some(keys)).consistent_read(true).build().expect("keys");
            // A read that times out (a busy DynamoDB Local) is a poll that
            // found nothing yet.
            let Ok(out) = ddb.batch_get_item().request_items(table, request).send().await else {
                missing.push(format!("{} entries of {} unread", chunk.len(), c.id));
                continue;
            };
            let got: Vec<(String, String)> = out
                .responses
                .and_then(|mut r| r.remove(table))
                .unwrap_or_default()
                .iter()
                .map(|i| {
                    let text = |k: &str| i.get(k).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
                    (text("pk"), text("sk"))
                })
                .collect();
            missing.extend(chunk.iter().filter(|w| !got.contains(w)).map(|(pk, sk)| format!("{pk} {sk}")));
        }
        if missing.len() == before {
            done.push(at);
        }
    }
    missing
}

/// The index entries of every profile of `table` not written yet.
pub async fn unlisted(ddb: &aws_sdk_dynamodb::Client, table: &str) -> Vec<String> {
    unlisted_since(ddb, table, &mut vec![]).await
}

/// Waits until every customer of `svc`'s table is listed under each of its
/// tokens. Deployed, that takes well under the 5 seconds the contract
/// allows (the bench measures it); here the tests share two cores and one
/// DynamoDB Local, so the wait is longer before it panics, naming what is
/// missing. Customers found complete are not read again.
pub async fn searchable(svc: &Services) {
    let ddb = aws_sdk_dynamodb::Client::new(&super::aws().await);
    let table = &svc.config.table_name;
    let deadline = tokio::time::Instant::now() + super::STREAM_WAIT;
    let mut done = vec![];
    loop {
        let missing = unlisted_since(&ddb, table, &mut done).await;
        if missing.is_empty() {
            return;
        }
        if tokio::time::Instant::now() >= deadline {
            panic!(
                "not searchable within {:?} in table {table}: {} entries missing, e.g. {:?}",
                super::STREAM_WAIT,
                missing.len(),
                &missing[..missing.len().min(5)]
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Index entries of customers that have no profile (erased, their entries
/// not taken off yet), as `pk sk`.
pub async fn orphans(ddb: &aws_sdk_dynamodb::Client, table: &str) -> Vec<String> {
    let (mut profiles, mut entries) = (std::collections::HashSet::new(), vec![]);
    let mut start = None;
    loop {
        let out = ddb
            .scan()
            .table_name(table)
            .consistent_read(true)
            .projection_expression("pk, sk")
            .set_exclusive_start_key(start)
            .send()
            .await
            .expect("scan the table");
        for item in out.items() {
            let text = |k: &str| item.get(k).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
            let (pk, sk) = (text("pk"), text("sk"));
            if let Some(rest) = pk.strip_prefix(keys::SEARCH_INDEX) {
                let tenant = rest.split('#').next().unwrap_or_default().to_string();
                entries.push((tenant, sk, pk));
            } else if sk == keys::PROFILE {
                if let Some((tenant, id)) = pk.strip_prefix("T#").and_then(|r| r.split_once("#C#")) {
                    profiles.insert((tenant.to_string(), id.to_string()));
                }
            }
        }
        match out.last_evaluated_key {
            Some(key) if !key.is_empty() => start = Some(key),
            _ => break,
        }
    }
    entries
        .into_iter()
        .filter(|(tenant, id, _)| !profiles.contains(&(tenant.clone(), id.clone())))
        .map(|(_, id, pk)| format!("{pk} {id}"))
        .collect()
}
