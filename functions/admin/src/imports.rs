//! The imports part of `admin`'s query and mutation roots (merged into
//! them in `schema.rs`). Every rule lives in `shared::services::imports`.

use crate::schema::{allowed, answer};
use crate::types::*;
use async_graphql::{Context, Object, ID};
use shared::domain::Permission;
use shared::graphql::buyer::PageInfo;
use shared::graphql::{pages, respond, weights};
use shared::services::imports;

#[derive(Default)]
pub struct ImportsQuery;

#[Object]
impl ImportsQuery {
    /// One import by its id; null when there is none. Needs `customer:import`.
    async fn customer_import(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The import's id.")] id: ID,
    ) -> async_graphql::Result<Option<CustomerImportObject>> {
        let (svc, client) = allowed(ctx, &[Permission::CustomerImport])?;
        Ok(answer(ctx, imports::get(svc, client.tenant(), &id).await)?.map(CustomerImportObject))
    }

    /// The tenant's imports, newest first; `first` is clamped to 100. Needs `customer:import`.
    #[graphql(complexity = "weights::customers_page(first, child_complexity)")]
    async fn customer_imports(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "Some(pages::LISTING)", desc = "How many to return, at most 100 (more is clamped).")]
        first: Option<i32>,
        #[graphql(
            desc = "The `endCursor` of the previous page, to continue after it (`INVALID` when it is not a cursor of this listing)."
        )]
        after: Option<String>,
    ) -> async_graphql::Result<CustomerImportConnection> {
        let (svc, client) = allowed(ctx, &[Permission::CustomerImport])?;
        let first = pages::requested(first, pages::LISTING);
        let page = answer(ctx, imports::list(svc, client.tenant(), first, after.as_deref()).await)?;
        let page_info = PageInfo::of(&page, after.as_deref());
        let edges =
            page.items.into_iter().map(|(cursor, job)| CustomerImportEdge { cursor, node: CustomerImportObject(job) });
        Ok(CustomerImportConnection { edges: edges.collect(), page_info })
    }
}

#[derive(Default)]
pub struct ImportsMutation;

#[Object]
impl ImportsMutation {
    /// Stages an import: its `uploadUrl` takes the file (one HTTP `PUT`, at most 2 GB, within the hour), then
    /// `runCustomerImport` starts it. Needs `customer:import`.
    async fn stage_customer_import(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The file's format and name; errors are located under `input`.")]
        input: StageCustomerImportInput,
    ) -> async_graphql::Result<CustomerImportPayload> {
        let (svc, client) = allowed(ctx, &[Permission::CustomerImport])?;
        let result = imports::stage(svc, client.tenant(), input.format.into(), input.file_name).await;
        respond(ctx, result.map_err(|e| e.under(&["input"])), |staged| CustomerImportPayload {
            import: Some(CustomerImportObject(staged.job)),
            user_errors: vec![],
        })
    }

    /// Starts a staged import whose file has arrived (else `INVALID` at `id`); follow it with `customerImport`. Each
    /// row is written as `upsertCustomer` writes a customer. Needs `customer:import`.
    async fn run_customer_import(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The staged import.")] id: ID,
        #[graphql(desc = "How it runs; absent: `UPSERT` by `EMAIL`, no invites, for real.")] options: Option<
            CustomerImportOptions,
        >,
    ) -> async_graphql::Result<CustomerImportPayload> {
        let (svc, client) = allowed(ctx, &[Permission::CustomerImport])?;
        let options = options.map(Into::into).unwrap_or_default();
        let result = imports::run(svc, client.tenant(), &id, options).await;
        respond(ctx, result, |job| CustomerImportPayload {
            import: Some(CustomerImportObject(job)),
            user_errors: vec![],
        })
    }

    /// Stops an import within seconds; the rows imported stay. One that has finished: `INVALID` at `id`. Needs
    /// `customer:import`.
    async fn cancel_customer_import(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The import to stop.")] id: ID,
    ) -> async_graphql::Result<CustomerImportPayload> {
        let (svc, client) = allowed(ctx, &[Permission::CustomerImport])?;
        let result = imports::cancel(svc, client.tenant(), &id).await;
        respond(ctx, result, |job| CustomerImportPayload {
            import: Some(CustomerImportObject(job)),
            user_errors: vec![],
        })
    }
}
