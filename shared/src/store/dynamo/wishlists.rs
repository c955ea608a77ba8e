//! Wishlists: a head item (`WISHLISTS`) holding the default list's id and
//! the version, and an item per list (`WISHLIST#<id>`), all in the
//! customer's partition. One query reads them all (the head's sort key
//! starts like the lists'); every change is one transaction over the
//! head's version, so concurrent changes of one customer's lists never
//! lose each other (a list limit or an item limit holds exactly).

use super::items::with_keys;
use super::{key, n, s, DynamoStore, Item};
use crate::domain::wishlists::{Wishlist, Wishlists};
use crate::domain::TenantId;
use crate::store::{keys, WishlistStore, WriteError};
use anyhow::Context;
use async_trait::async_trait;

/// The head's version, under the name `put_at_revision` conditions on.
const VERSION: &str = "revision";
const DEFAULT_ID: &str = "defaultId";

fn list_sk(id: &str) -> String {
    format!("{}{id}", keys::WISHLIST)
}

#[async_trait]
impl WishlistStore for DynamoStore {
    async fn wishlists(&self, tenant: &TenantId, customer_id: &str) -> anyhow::Result<Wishlists> {
        let pk = keys::customer(tenant, customer_id);
        // `WISHLISTS` (the head) and `WISHLIST#…` (the lists) share a prefix.
        let prefix = keys::WISHLIST.trim_end_matches('#');
        let items = self
            .query_all("read the wishlists", |q| {
                q.key_condition_expression("pk = :p AND begins_with(sk, :w)")
                    .expression_attribute_values(":p", s(&pk))
                    .expression_attribute_values(":w", s(prefix))
                    .consistent_read(true)
            })
            .await?;
        let mut found = Wishlists::default();
        for item in items {
            match item.get("sk").and_then(|v| v.as_s().ok()).map(String::as_str) {
                Some(keys::WISHLISTS) => {
                    found.version =
                        item.get(VERSION).and_then(|v| v.as_n().ok()).and_then(|v| v.parse().ok()).unwrap_or(0);
                    found.default_id = item.get(DEFAULT_ID).and_then(|v| v.as_s().ok()).cloned();
                }
                Some(sk) if sk.starts_with(keys::WISHLIST) => {
                    found.lists.push(serde_dynamo::from_item(item).context("a wishlist")?);
                }
                _ => {}
            }
        }
        found.lists.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(found)
    }

    async fn save_wishlists(
        &self,
        tenant: &TenantId,
        customer_id: &str,
        expected_version: i64,
        default_id: Option<&str>,
        put: &[Wishlist],
        deleted: &[String],
    ) -> Result<(), WriteError> {
        let pk = keys::customer(tenant, customer_id);
        let mut head = key(pk.clone(), keys::WISHLISTS);
        head.insert(VERSION.into(), n(expected_version + 1));
        if let Some(d) = default_id {
            head.insert(DEFAULT_ID.into(), s(d));
        }
        let mut items = vec![self.put_at_revision(head, expected_version)?];
        for list in put {
            let item: Item = serde_dynamo::to_item(list).map_err(anyhow::Error::from)?;
            items.push(self.put(with_keys(item, pk.clone(), &list_sk(&list.id), None), None)?);
        }
        for id in deleted {
            items.push(self.delete(key(pk.clone(), &list_sk(id)), None)?);
        }
        self.transact_for_customer(items, tenant, customer_id, "save wishlists").await
    }
}
