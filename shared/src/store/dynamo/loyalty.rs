//! Loyalty: the standing item (balance and totals) in the customer's
//! partition, the ledger beside it (sorted by the standing revision that
//! wrote each entry, so newest first is exact), and the receipts of
//! idempotency keys (listed under the customer in GSI1 for erasure).

use super::items::{standing_item, standing_key, with_keys};
use super::{key, s, DynamoStore, Item, NOT_EXISTS};
use crate::domain::{LoyaltyKind, LoyaltyReceipt, LoyaltyTransaction, Standing, TenantId};
use crate::store::{keys, LoyaltyStore, WriteError};
use anyhow::Context;
use async_trait::async_trait;

fn receipt_item(tenant: &TenantId, receipt: &LoyaltyReceipt) -> anyhow::Result<Item> {
    let item: Item = serde_dynamo::to_item(receipt)?;
    let listed = (keys::customer(tenant, &receipt.customer_id), format!("LOYALTYKEY#{}", receipt.key));
    Ok(with_keys(item, keys::loyalty_receipt(tenant, &receipt.key), keys::GUARD, Some(listed)))
}

#[async_trait]
impl LoyaltyStore for DynamoStore {
    async fn get_standing(&self, tenant: &TenantId, customer_id: &str) -> anyhow::Result<Standing> {
        let item = self.get_item(standing_key(tenant, customer_id)).await?;
        Ok(item.map(|i| serde_dynamo::from_item(i).context("standing")).transpose()?.unwrap_or_default())
    }

    async fn receipt_and_standing(
        &self,
        tenant: &TenantId,
        receipt_key: &str,
        customer_id: &str,
    ) -> anyhow::Result<(Option<LoyaltyReceipt>, Standing)> {
        self.with_standing(key(keys::loyalty_receipt(tenant, receipt_key), keys::GUARD), tenant, customer_id, "receipt")
            .await
    }

    async fn record_loyalty(
        &self,
        tenant: &TenantId,
        standing: &Standing,
        receipt: &LoyaltyReceipt,
    ) -> Result<(), WriteError> {
        let customer = &receipt.customer_id;
        let items = vec![
            self.put_at_revision(standing_item(tenant, customer, standing)?, standing.revision - 1)?,
            self.ledger_put(tenant, customer, standing, &receipt.transaction)?,
            self.put(receipt_item(tenant, receipt)?, Some(NOT_EXISTS))?,
        ];
        self.transact_for_customer(items, tenant, customer, "record loyalty").await
    }

    async fn list_loyalty(
        &self,
        tenant: &TenantId,
        customer_id: &str,
        redemptions_only: bool,
        after: Option<&str>,
        limit: usize,
    ) -> anyhow::Result<(Vec<(String, LoyaltyTransaction)>, bool)> {
        let pk = keys::customer(tenant, customer_id);
        let mut values = super::values([(":pk", s(pk.clone())), (":ledger", s(keys::LEDGER))]);
        if redemptions_only {
            let redeem = serde_dynamo::to_attribute_value(LoyaltyKind::Redeem).map_err(anyhow::Error::from)?;
            values.insert(":redeem".into(), redeem);
        }
        let filter = redemptions_only.then_some("kind = :redeem");
        let condition = "pk = :pk AND begins_with(sk, :ledger)";
        self.newest_first(&pk, condition, filter, values, after, limit, "list loyalty transactions").await
    }
}
