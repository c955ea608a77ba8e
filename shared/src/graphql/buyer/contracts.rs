//! Recurring orders: `SubscriptionContract` and its status.

use super::money::MoneyObject;
use super::orders::{items_of, OrderItemObject};
use crate::domain;
use async_graphql::{Enum, Object, ID};
use chrono::{DateTime, Utc};

/// A subscription contract's status, as the order system reports it.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::ContractStatus", name = "SubscriptionContractStatus")]
pub enum ContractStatusObject {
    /// Running.
    Active,
    /// Paused.
    Paused,
    /// Ended by cancellation.
    Cancelled,
    /// Ended at the end of its term.
    Expired,
}

/// A recurring order (subscription contract), as the order system recorded it.
pub struct SubscriptionContractObject(pub domain::SubscriptionContract);

/// A recurring order (subscription contract), as the order system recorded it.
#[Object(name = "SubscriptionContract")]
impl SubscriptionContractObject {
    /// This service's id of the contract.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// The order system's id, unique in the tenant.
    async fn contract_id(&self) -> &str {
        &self.0.contract_id
    }
    /// The status last recorded.
    async fn status(&self) -> ContractStatusObject {
        self.0.status.into()
    }
    /// As the order system words it, e.g. `P1M`.
    async fn interval(&self) -> Option<&str> {
        self.0.interval.as_deref()
    }
    /// When the next order is due, as the order system gives it.
    async fn next_order_at(&self) -> Option<DateTime<Utc>> {
        self.0.next_order_at
    }
    /// What each order of the contract holds (at most 250 lines).
    async fn items(&self) -> Vec<OrderItemObject> {
        items_of(&self.0.items)
    }
    /// The contract's price, as the order system gives it.
    async fn price(&self) -> Option<MoneyObject> {
        self.0.price.as_ref().map(Into::into)
    }
    /// When the contract was first recorded here.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it was last recorded with a change.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}
