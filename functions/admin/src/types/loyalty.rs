//! The payload of loyalty changes.

use async_graphql::SimpleObject;
use shared::graphql::buyer::{LoyaltyObject, LoyaltyTransactionObject};
use shared::graphql::UserErrorObject;
use shared::payloads;
use std::sync::Arc;

/// The ledger entry a loyalty change made (or made the first time its
/// idempotency key was used) and the customer's loyalty after it.
#[derive(SimpleObject, Default)]
pub struct LoyaltyPayload {
    /// The ledger entry (for a repeated `idempotencyKey`, the first call's); null when the operation failed.
    pub transaction: Option<LoyaltyTransactionObject>,
    /// The customer's points and stamps as they are now; null when the operation failed.
    pub loyalty: Option<LoyaltyObject>,
    /// What went wrong with the input (empty on success).
    pub user_errors: Vec<UserErrorObject>,
}

payloads!(LoyaltyPayload);

impl LoyaltyPayload {
    pub fn of(outcome: shared::services::loyalty::LoyaltyOutcome) -> Self {
        Self {
            transaction: Some(LoyaltyTransactionObject(outcome.transaction)),
            loyalty: Some(LoyaltyObject { customer: Arc::new(outcome.customer), standing: outcome.standing }),
            user_errors: vec![],
        }
    }
}
