//! The complexity budget of a whole HTTP request. async-graphql checks each
//! operation against `MAX_COMPLEXITY`, so a batch of ten operations would
//! get ten budgets. This extension adds up what the request's operations
//! weigh as each is validated (before it runs), and refuses the one that
//! takes the request past the budget.

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextValidation};
use async_graphql::{ServerError, ValidationResult};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// What the request's operations weighed so far: one per HTTP request,
/// shared by the operations of its batch (`App` puts it in their data).
#[derive(Clone, Debug, Default)]
pub struct Spent(Arc<AtomicUsize>);

impl Spent {
    /// Spends `weight` if the request's total stays within `max`; false
    /// (and nothing spent) otherwise, so that a refused operation leaves
    /// its room to the smaller ones after it.
    fn spend(&self, weight: usize, max: usize) -> bool {
        self.0
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |spent| {
                spent.checked_add(weight).filter(|total| *total <= max)
            })
            .is_ok()
    }
}

/// The extension's factory, registered on every schema (`with_limits`).
pub struct RequestBudget {
    pub max: usize,
}

impl ExtensionFactory for RequestBudget {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(BudgetCheck { max: self.max })
    }
}

struct BudgetCheck {
    max: usize,
}

#[async_trait::async_trait]
impl Extension for BudgetCheck {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        if let Some(spent) = ctx.data_opt::<Spent>() {
            if !spent.spend(result.complexity, self.max) {
                let message = "Query is too complex: the operations of one request share one complexity budget.";
                return Err(vec![ServerError::new(message, None)]);
            }
        }
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_weight_spends_nothing() {
        let spent = Spent::default();
        assert!(spent.spend(400, 500));
        assert!(!spent.spend(400, 500), "past the budget");
        assert!(spent.spend(100, 500), "the room the refused one left");
        assert!(!spent.spend(1, 500));
        assert!(!Spent::default().spend(usize::MAX, usize::MAX - 1));
    }
}
