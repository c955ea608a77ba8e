//! Transactions: the items of one, with uniqueness guards and the check that
//! a customer still exists, run with the retry of a `TransactionConflict`,
//! and what a cancellation means for the caller.

use super::{items, key, s, DynamoStore, Item, EXISTS, GUARD_OWNER, NOT_EXISTS};
use crate::retry::Backoff;
use crate::store::{keys, UniqueKey, WriteError};
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem, Update};
use std::collections::HashMap;
use std::time::Duration;

/// A transaction cancelled by `TransactionConflict` alone (another
/// transaction on the same items) is made again: 9 tries, from 10 ms.
const TRANSACTION_CONFLICT: Backoff = Backoff {
    tries: 9,
    first: Duration::from_millis(10),
    max: Duration::from_millis(1280),
    jitter: Duration::from_millis(20),
};
/// Why a transaction was cancelled, one code per item ("None" where fine).
pub(super) enum TxError {
    Cancelled(Vec<String>),
    Other(anyhow::Error),
}

impl TxError {
    /// For a transaction no condition should refuse: any refusal is a failure.
    pub(super) fn unexpected(self, what: &str) -> anyhow::Error {
        match self {
            TxError::Cancelled(codes) => anyhow::anyhow!("{what} cancelled: {codes:?}"),
            TxError::Other(e) => e,
        }
    }
}

/// What a transaction's outcome means for its caller: a failed customer
/// check is `Gone`, a failed guard `Taken`, any other failed condition
/// `Conflict`.
pub(super) fn verdict(
    result: Result<(), TxError>,
    guards: &[(usize, UniqueKey)],
    customer_check: Option<usize>,
    what: &str,
) -> Result<(), WriteError> {
    match result {
        Ok(()) => Ok(()),
        Err(TxError::Cancelled(codes)) => {
            let failed = |i: usize| failed_at(&codes, i);
            if customer_check.is_some_and(failed) {
                return Err(WriteError::Gone);
            }
            match guards.iter().find(|(i, _)| failed(*i)) {
                Some((_, kind)) => Err(WriteError::Taken(*kind)),
                None if codes.iter().any(|c| c == CONDITION_FAILED) => Err(WriteError::Conflict),
                None => Err(WriteError::Other(TxError::Cancelled(codes).unexpected(what))),
            }
        }
        Err(e) => Err(WriteError::Other(e.unexpected(what))),
    }
}

pub(super) const CONDITION_FAILED: &str = "ConditionalCheckFailed";

/// Whether the condition of the transaction's item `i` failed.
pub(super) fn failed_at(codes: &[String], i: usize) -> bool {
    codes.get(i).is_some_and(|c| c == CONDITION_FAILED)
}

/// The items of one transaction, remembering which of them are uniqueness
/// guards so that a cancellation maps back to the value that was taken.
#[derive(Default)]
pub(super) struct Transaction {
    pub(super) items: Vec<TransactWriteItem>,
    pub(super) guards: Vec<(usize, UniqueKey)>,
    /// The check that the customer is there, if the transaction has one.
    pub(super) customer_check: Option<usize>,
}

impl Transaction {
    pub(super) fn push(&mut self, item: TransactWriteItem) -> &mut Self {
        self.items.push(item);
        self
    }

    /// Claims a unique value for a customer: fails if anyone owns it.
    pub(super) fn claim(
        &mut self,
        store: &DynamoStore,
        kind: UniqueKey,
        guard: String,
        customer_id: &str,
    ) -> anyhow::Result<()> {
        let mut item = key(guard, keys::GUARD);
        item.insert(GUARD_OWNER.into(), s(customer_id));
        self.guards.push((self.items.len(), kind));
        self.items.push(store.put(item, Some(NOT_EXISTS))?);
        Ok(())
    }

    /// Holds only while the customer's profile is there: a write for a
    /// customer being erased fails (`Gone`) instead of leaving items behind.
    pub(super) fn require_customer(
        &mut self,
        store: &DynamoStore,
        tenant: &crate::domain::TenantId,
        customer_id: &str,
    ) -> anyhow::Result<()> {
        let check = aws_sdk_dynamodb::types::ConditionCheck::builder()
            .table_name(&store.table)
            .set_key(Some(items::profile_key(tenant, customer_id)))
            .condition_expression(EXISTS)
            .build()?;
        self.customer_check = Some(self.items.len());
        self.items.push(TransactWriteItem::builder().condition_check(check).build());
        Ok(())
    }

    /// Gives a unique value up, if `customer_id` still owns it (`or_absent`:
    /// also when nobody does).
    pub(super) fn release(
        &mut self,
        store: &DynamoStore,
        guard: String,
        customer_id: &str,
        or_absent: bool,
    ) -> anyhow::Result<()> {
        let condition = if or_absent { "attribute_not_exists(pk) OR customerId = :id" } else { "customerId = :id" };
        let del = Delete::builder()
            .table_name(&store.table)
            .set_key(Some(key(guard, keys::GUARD)))
            .condition_expression(condition)
            .expression_attribute_values(":id", s(customer_id))
            .build()?;
        self.items.push(TransactWriteItem::builder().delete(del).build());
        Ok(())
    }
}

impl DynamoStore {
    pub(super) fn put(&self, item: Item, condition: Option<&str>) -> anyhow::Result<TransactWriteItem> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .set_condition_expression(condition.map(String::from))
            .build()?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    pub(super) fn delete(&self, key: Item, condition: Option<&str>) -> anyhow::Result<TransactWriteItem> {
        let del = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key))
            .set_condition_expression(condition.map(String::from))
            .build()?;
        Ok(TransactWriteItem::builder().delete(del).build())
    }

    pub(super) fn update(
        &self,
        key: Item,
        expression: &str,
        condition: &str,
        values: Item,
    ) -> anyhow::Result<TransactWriteItem> {
        self.update_named(key, expression, condition, HashMap::new(), values)
    }

    pub(super) fn update_named(
        &self,
        key: Item,
        expression: &str,
        condition: &str,
        names: HashMap<String, String>,
        values: Item,
    ) -> anyhow::Result<TransactWriteItem> {
        let upd = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key))
            .update_expression(expression)
            .condition_expression(condition)
            .set_expression_attribute_names((!names.is_empty()).then_some(names))
            .set_expression_attribute_values(Some(values))
            .build()?;
        Ok(TransactWriteItem::builder().update(upd).build())
    }

    /// Runs a transaction. Concurrent transactions on the same items may be
    /// cancelled with `TransactionConflict` before their conditions are even
    /// evaluated; those are retried so that the caller sees the real outcome.
    pub(super) async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<(), TxError> {
        for attempt in 0.. {
            let result = self.client.transact_write_items().set_transact_items(Some(items.clone())).send().await;
            let err = match result {
                Ok(_) => return Ok(()),
                Err(e) => e,
            };
            let codes = match err.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(c)) => {
                    c.cancellation_reasons().iter().map(|r| r.code().unwrap_or("None").to_string()).collect::<Vec<_>>()
                }
                _ => return Err(TxError::Other(anyhow::anyhow!("transaction: {}", DisplayErrorContext(err)))),
            };
            let conflict_only = codes.iter().any(|c| c == "TransactionConflict")
                && !codes.iter().any(|c| c == "ConditionalCheckFailed");
            if conflict_only && TRANSACTION_CONFLICT.wait_after(attempt).await {
                continue;
            }
            return Err(TxError::Cancelled(codes));
        }
        unreachable!("the retry loop returns")
    }

    /// Runs a transaction whose expected failures are conditions: a failed
    /// guard is `Taken`, any other failed condition `Conflict`.
    pub(super) async fn commit(&self, tx: Transaction, what: &str) -> Result<(), WriteError> {
        let Transaction { items, guards, customer_check } = tx;
        verdict(self.transact(items).await, &guards, customer_check, what)
    }

    /// A transaction without guards whose only expected failure is a
    /// condition: `Conflict`.
    pub(super) async fn transact_conditional(
        &self,
        items: Vec<TransactWriteItem>,
        what: &str,
    ) -> Result<(), WriteError> {
        self.commit(Transaction { items, ..Default::default() }, what).await
    }

    /// A transaction of `items` for `customer_id`, which holds only while
    /// the customer is there; its other expected failures are `Conflict`.
    pub(super) async fn transact_for_customer(
        &self,
        items: Vec<TransactWriteItem>,
        tenant: &crate::domain::TenantId,
        customer_id: &str,
        what: &str,
    ) -> Result<(), WriteError> {
        let mut tx = Transaction { items, ..Default::default() };
        tx.require_customer(self, tenant, customer_id)?;
        self.commit(tx, what).await
    }
}
