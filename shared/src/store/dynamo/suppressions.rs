//! Suppressed addresses: one item per tenant and address, keyed by the
//! address's normalised form (`Email::key`), the exact address and not its
//! mailbox: SES reports the address it could not deliver to.

use super::{condition_held, key, sdk, DynamoStore, Item, NOT_EXISTS};
use crate::domain::{Email, Suppression, TenantId};
use crate::store::{keys, SuppressionStore};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::ReturnValue;

fn suppression_key(tenant: &TenantId, email: &Email) -> Item {
    key(keys::suppression(tenant, email.key().as_str()), keys::SUPPRESSED)
}

#[async_trait]
impl SuppressionStore for DynamoStore {
    async fn suppress(&self, tenant: &TenantId, suppression: &Suppression) -> anyhow::Result<bool> {
        let mut item: Item = serde_dynamo::to_item(suppression)?;
        item.extend(suppression_key(tenant, &suppression.email));
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(NOT_EXISTS)
            .send()
            .await;
        condition_held(result, "suppress address")
    }

    async fn is_suppressed(&self, tenant: &TenantId, email: &Email) -> anyhow::Result<bool> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(suppression_key(tenant, email)))
            .projection_expression("pk")
            .send()
            .await
            .map_err(sdk("read suppression"))?;
        Ok(out.item.is_some())
    }

    async fn lift_suppression(&self, tenant: &TenantId, email: &Email) -> anyhow::Result<bool> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(suppression_key(tenant, email)))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(sdk("lift suppression"))?;
        Ok(out.attributes.is_some())
    }
}
