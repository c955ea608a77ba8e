//! `Buyer`, the buyer's fields of one customer, and the request's promotion `Catalogue`.

use super::contracts::SubscriptionContractObject;
use super::loyalty::LoyaltyObject;
use super::money::MoneyObject;
use super::orders::{OrderConnection, OrderEdge, OrderObject};
use super::paging::PageInfo;
use super::promotions::PromotionObject;
use crate::domain::{self, Customer, OrderRange, Standing};
use crate::graphql::errors::to_graphql;
use crate::graphql::pages;
use crate::services::{contracts, loyalty, orders, promotions};
use async_graphql::Context;
use std::sync::Arc;
use tokio::sync::OnceCell;

/// The tenant's promotion catalogue, read once per HTTP request when a
/// customer's `availablePromotions` first asks (a listing of 100 customers
/// reads it once, not 100 times).
#[derive(Default, Clone)]
pub struct Catalogue(Arc<OnceCell<Vec<domain::Promotion>>>);

/// The buyer's fields of one customer: the standing is read once, when the
/// first of `totalOrders`, `totalSpent`, `loyalty` asks for it.
pub struct Buyer {
    customer: Arc<Customer>,
    standing: OnceCell<Standing>,
}

impl Buyer {
    pub fn new(customer: Arc<Customer>) -> Self {
        Self { customer, standing: OnceCell::new() }
    }

    async fn standing(&self, ctx: &Context<'_>) -> async_graphql::Result<&Standing> {
        let svc = ctx.data::<Arc<crate::Services>>()?;
        self.standing
            .get_or_try_init(|| async {
                loyalty::standing_of(svc, &self.customer).await.map_err(|e| to_graphql(ctx, e))
            })
            .await
    }

    pub async fn orders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        range: OrderRange,
    ) -> async_graphql::Result<OrderConnection> {
        let svc = ctx.data::<Arc<crate::Services>>()?;
        let page =
            orders::orders_of(svc, &self.customer, &range, pages::requested(first, pages::HISTORY), after.as_deref())
                .await
                .map_err(|e| to_graphql(ctx, e))?;
        let page_info = PageInfo::of(&page, after.as_deref());
        let edges = page.items.into_iter().map(|(cursor, o)| OrderEdge { cursor, node: OrderObject(o) }).collect();
        Ok(OrderConnection { edges, page_info })
    }

    pub async fn total_orders(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(self.standing(ctx).await?.total_orders)
    }

    pub async fn total_spent(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<MoneyObject>> {
        Ok(self.standing(ctx).await?.spent_money().iter().map(Into::into).collect())
    }

    pub async fn loyalty(&self, ctx: &Context<'_>) -> async_graphql::Result<LoyaltyObject> {
        let standing = self.standing(ctx).await?.clone();
        Ok(LoyaltyObject { customer: self.customer.clone(), standing })
    }

    pub async fn subscription_contracts(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<SubscriptionContractObject>> {
        let svc = ctx.data::<Arc<crate::Services>>()?;
        let found = contracts::of(svc, &self.customer).await.map_err(|e| to_graphql(ctx, e))?;
        Ok(found.into_iter().map(SubscriptionContractObject).collect())
    }

    pub async fn available_promotions(
        &self,
        ctx: &Context<'_>,
        store_id: Option<String>,
    ) -> async_graphql::Result<Vec<PromotionObject>> {
        let svc = ctx.data::<Arc<crate::Services>>()?;
        let standing = self.standing(ctx).await?;
        let store = store_id.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let catalogue = ctx
            .data::<Catalogue>()?
            .0
            .get_or_try_init(|| async {
                promotions::catalogue(svc, &self.customer.tenant_id).await.map_err(|e| to_graphql(ctx, e))
            })
            .await?;
        let offered = promotions::offered(catalogue, &self.customer, standing, store, svc.clock.now());
        Ok(offered.into_iter().cloned().map(PromotionObject).collect())
    }
}
