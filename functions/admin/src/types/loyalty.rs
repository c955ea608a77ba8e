//! The payload of loyalty changes.

use super::customer::guarded;
use async_graphql::{Context, SimpleObject};
use shared::domain::Permission;
use shared::graphql::buyer::{LoyaltyObject, LoyaltyTransactionObject};
use shared::graphql::UserErrorObject;
use shared::payloads;
use std::sync::Arc;

/// The ledger entry a loyalty change made (or made the first time its
/// idempotency key was used) and the customer's loyalty after it.
#[derive(SimpleObject, Default)]
#[graphql(complex)]
pub struct LoyaltyPayload {
    #[graphql(skip)]
    pub made: Option<LoyaltyTransactionObject>,
    #[graphql(skip)]
    pub after: Option<LoyaltyObject>,
    /// What went wrong with the input (empty on success).
    pub user_errors: Vec<UserErrorObject>,
}

#[async_graphql::ComplexObject]
impl LoyaltyPayload {
    /// The ledger entry (for a repeated `idempotencyKey`, the first call's); null when the operation failed.
    /// Needs `loyalty:read` (a write permission never reads).
    async fn transaction(&self, ctx: &Context<'_>) -> Option<async_graphql::Result<&LoyaltyTransactionObject>> {
        let made = self.made.as_ref()?;
        guarded(ctx, Permission::LoyaltyRead, async { Ok(made) }).await
    }

    /// The customer's points and stamps as they are now; null when the operation failed. Needs `loyalty:read`.
    async fn loyalty(&self, ctx: &Context<'_>) -> Option<async_graphql::Result<&LoyaltyObject>> {
        let after = self.after.as_ref()?;
        guarded(ctx, Permission::LoyaltyRead, async { Ok(after) }).await
    }
}

payloads!(LoyaltyPayload);

impl LoyaltyPayload {
    pub fn of(outcome: shared::services::loyalty::LoyaltyOutcome) -> Self {
        Self {
            made: Some(LoyaltyTransactionObject(outcome.transaction)),
            after: Some(LoyaltyObject { customer: Arc::new(outcome.customer), standing: outcome.standing }),
            user_errors: vec![],
        }
    }
}
