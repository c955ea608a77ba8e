//! Promotions: one partition per tenant (`T#t#PROMOTIONS`), an item per
//! promotion sorted by its id; a tenant's catalogue is small, so offering
//! reads it whole.

use super::items::with_keys;
use super::orders::at_revision;
use super::{key, s, sdk, DynamoStore, Item};
use crate::domain::{Promotion, TenantId};
use crate::store::{keys, PromotionStore, WriteError};
use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_dynamodb::types::ReturnValue;

fn promotion_key(tenant: &TenantId, promotion_id: &str) -> Item {
    key(keys::promotions(tenant), promotion_id)
}

#[async_trait]
impl PromotionStore for DynamoStore {
    async fn get_promotion(&self, tenant: &TenantId, promotion_id: &str) -> anyhow::Result<Option<Promotion>> {
        let item = self.get_item(promotion_key(tenant, promotion_id)).await?;
        item.map(|i| serde_dynamo::from_item(i).context("promotion")).transpose()
    }

    async fn put_promotion(&self, tenant: &TenantId, promotion: &Promotion) -> Result<(), WriteError> {
        let item: Item = serde_dynamo::to_item(promotion).map_err(anyhow::Error::from)?;
        let item = with_keys(item, keys::promotions(tenant), &promotion.promotion_id, None);
        let (condition, value) = at_revision(promotion.revision - 1);
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(condition)
            .set_expression_attribute_values(value.map(|v| [(":rev".to_string(), v)].into()))
            .send()
            .await;
        super::held_or_conflict(result, "put promotion")
    }

    async fn delete_promotion(&self, tenant: &TenantId, promotion_id: &str) -> anyhow::Result<bool> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(promotion_key(tenant, promotion_id)))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(sdk("delete promotion"))?;
        Ok(out.attributes.is_some_and(|a| !a.is_empty()))
    }

    async fn list_promotions(
        &self,
        tenant: &TenantId,
        after: Option<&str>,
        limit: Option<usize>,
    ) -> anyhow::Result<(Vec<Promotion>, bool)> {
        let partition = keys::promotions(tenant);
        let Some(limit) = limit else {
            let items = self
                .query_all("list promotions", |q| {
                    q.key_condition_expression("pk = :p")
                        .expression_attribute_values(":p", s(partition.clone()))
                        .consistent_read(true)
                })
                .await?;
            let all =
                items.into_iter().map(|i| serde_dynamo::from_item(i).context("promotion")).collect::<Result<_, _>>()?;
            return Ok((all, false));
        };
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :p")
            .expression_attribute_values(":p", s(partition.clone()))
            .set_exclusive_start_key(after.map(|a| key(partition.clone(), a)))
            .limit((limit + 1) as i32)
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk("list promotions"))?;
        let mut found: Vec<Promotion> = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|i| serde_dynamo::from_item(i).context("promotion"))
            .collect::<Result<_, _>>()?;
        let more = found.len() > limit || out.last_evaluated_key.is_some();
        found.truncate(limit);
        Ok((found, more))
    }
}
