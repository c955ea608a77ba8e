//! API keys: an item per key (its id alone finds it), listed per tenant in GSI1.

use super::items::with_keys;
use super::{key, s, sdk, time, DynamoStore, Item, NOT_EXISTS};
use crate::domain::{ApiKey, TenantId};
use crate::store::table::GSI1;
use crate::store::{keys, ApiKeyStore};
use anyhow::Context;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

fn api_key_key(id: &str) -> Item {
    key(keys::api_key(id), keys::API_KEY)
}

#[async_trait]
impl ApiKeyStore for DynamoStore {
    async fn put_api_key(&self, api_key: &ApiKey) -> anyhow::Result<()> {
        let listed = (keys::api_keys_index(&api_key.tenant_id), api_key.id.clone());
        let item = with_keys(serde_dynamo::to_item(api_key)?, keys::api_key(&api_key.id), keys::API_KEY, Some(listed));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(NOT_EXISTS)
            .send()
            .await
            .map_err(sdk("put api key"))?;
        Ok(())
    }

    async fn get_api_key(&self, id: &str) -> anyhow::Result<Option<ApiKey>> {
        let item = self.get_item(api_key_key(id)).await?;
        item.map(|i| serde_dynamo::from_item(i).context("api key")).transpose()
    }

    async fn list_api_keys(&self, tenant: &TenantId) -> anyhow::Result<Vec<ApiKey>> {
        let items = self
            .query_all("list api keys", |q| {
                q.index_name(GSI1)
                    .key_condition_expression("gsi1pk = :p")
                    .expression_attribute_values(":p", s(keys::api_keys_index(tenant)))
            })
            .await?;
        items.into_iter().map(|i| serde_dynamo::from_item(i).context("api key")).collect()
    }

    async fn revoke_api_key(&self, id: &str, at: DateTime<Utc>) -> anyhow::Result<bool> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(api_key_key(id)))
            .update_expression("SET revokedAt = :at")
            .condition_expression(super::EXISTS)
            .expression_attribute_values(":at", time(at)?)
            .send()
            .await;
        super::condition_held(result, "revoke api key")
    }
}
