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
    /// Adds `weight`; the request's total after it.
    fn add(&self, weight: usize) -> usize {
        self.0.fetch_add(weight, Ordering::SeqCst).saturating_add(weight)
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
            if spent.add(result.complexity) > self.max {
                let message = "Query is too complex: the operations of one request share one complexity budget.";
                return Err(vec![ServerError::new(message, None)]);
            }
        }
        Ok(result)
    }
}
