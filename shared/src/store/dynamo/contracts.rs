//! Subscription contracts: the contract in its customer's partition
//! (`CONTRACT#<contractId>`) and the guard of its id in the tenant, listed
//! under the customer in GSI1 so that erasure finds it.

use super::items::with_keys;
use super::{key, s, DynamoStore, Item, GUARD_OWNER, NOT_EXISTS};
use crate::domain::{SubscriptionContract, TenantId};
use crate::store::{keys, ContractStore, WriteError};
use anyhow::Context;
use async_trait::async_trait;

/// The most contracts of one customer read (the port's promise): far more
/// than a customer subscribes to, far less than Lambda's 6 MB answer.
const MAX_CONTRACTS: i32 = 100;

fn contract_sk(contract_id: &str) -> String {
    format!("{}{contract_id}", keys::CONTRACT)
}

fn contract_key(tenant: &TenantId, customer_id: &str, contract_id: &str) -> Item {
    key(keys::customer(tenant, customer_id), &contract_sk(contract_id))
}

#[async_trait]
impl ContractStore for DynamoStore {
    async fn contract_owner_and_contract(
        &self,
        tenant: &TenantId,
        contract_id: &str,
        customer_id: &str,
    ) -> anyhow::Result<(Option<String>, Option<SubscriptionContract>)> {
        let guard = key(keys::contract_guard(tenant, contract_id), keys::GUARD);
        let mut found = self.get_items(vec![guard, contract_key(tenant, customer_id, contract_id)]).await?.into_iter();
        let owner = found.next().flatten().and_then(|g| g.get(GUARD_OWNER).and_then(|v| v.as_s().ok()).cloned());
        let contract = found.next().flatten().map(|i| serde_dynamo::from_item(i).context("contract")).transpose()?;
        Ok((owner, contract))
    }

    async fn put_contract(&self, tenant: &TenantId, contract: &SubscriptionContract) -> Result<(), WriteError> {
        let item: Item = serde_dynamo::to_item(contract).map_err(anyhow::Error::from)?;
        let pk = keys::customer(tenant, &contract.customer_id);
        let item = with_keys(item, pk.clone(), &contract_sk(&contract.contract_id), None);
        let mut items = vec![self.put_at_revision(item, contract.revision - 1)?];
        if contract.revision == 1 {
            // Listed under the customer in GSI1, so that erasure finds it.
            let owner = Item::from([(GUARD_OWNER.to_string(), s(&contract.customer_id))]);
            let listed = Some((pk, contract_sk(&contract.contract_id)));
            let guard = with_keys(owner, keys::contract_guard(tenant, &contract.contract_id), keys::GUARD, listed);
            items.push(self.put(guard, Some(NOT_EXISTS))?);
        }
        self.transact_for_customer(items, tenant, &contract.customer_id, "record subscription contract").await
    }

    async fn contracts_of(&self, tenant: &TenantId, customer_id: &str) -> anyhow::Result<Vec<SubscriptionContract>> {
        let pk = keys::customer(tenant, customer_id);
        // One query, at most a page's worth: a customer's subscriptions are
        // few, and an answer must stay far below Lambda's 6 MB.
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :p AND begins_with(sk, :c)")
            .expression_attribute_values(":p", s(pk))
            .expression_attribute_values(":c", s(keys::CONTRACT))
            .consistent_read(true)
            .limit(MAX_CONTRACTS)
            .send()
            .await
            .map_err(super::sdk("list contracts"))?;
        out.items.unwrap_or_default().into_iter().map(|i| serde_dynamo::from_item(i).context("contract")).collect()
    }
}
