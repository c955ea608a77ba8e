//! The exports part of `admin`'s query and mutation roots (merged into
//! them in `schema.rs`). Every rule lives in `shared::services::exports`.

use crate::schema::{allowed, answer};
use crate::types::*;
use async_graphql::{Context, Object, ID};
use shared::domain::Permission;
use shared::graphql::respond;
use shared::graphql::types::DataExportPayload;
use shared::services::back_office::existing_at;
use shared::services::{exports, portability};

#[derive(Default)]
pub struct ExportsQuery;

#[Object]
impl ExportsQuery {
    /// One export by its id; null when there is none. Needs `customer:export`.
    async fn customer_export(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The export's id.")] id: ID,
    ) -> async_graphql::Result<Option<CustomerExportObject>> {
        let (svc, client) = allowed(ctx, &[Permission::CustomerExport])?;
        Ok(answer(ctx, exports::get(svc, client.tenant(), &id).await)?.map(CustomerExportObject))
    }
}

#[derive(Default)]
pub struct ExportsMutation;

#[Object]
impl ExportsMutation {
    /// Starts an export of the customers a search finds (`query` and `filter`, as `customers` reads them; one that
    /// cannot be read: `INVALID` at its path under `input`), in creation order; follow it with `customerExport`,
    /// then download its file. Needs `customer:export`.
    async fn start_customer_export(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The file's format and which customers it holds; errors are located under `input`.")]
        input: StartCustomerExportInput,
    ) -> async_graphql::Result<CustomerExportPayload> {
        let (svc, client) = allowed(ctx, &[Permission::CustomerExport])?;
        let result = async {
            let filter = input.filter.unwrap_or_default().into_domain()?;
            exports::start(svc, client.tenant(), input.format.into(), input.query, filter).await
        }
        .await;
        respond(ctx, result.map_err(|e| e.under(&["input"])), |job| CustomerExportPayload {
            export: Some(CustomerExportObject(job)),
            user_errors: vec![],
        })
    }

    /// A link (valid an hour) to one JSON document of everything stored about a customer, as its own
    /// `requestDataExport` mails it (data portability: hand it on to the customer). Needs `customer:export`.
    async fn export_customer_data(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The customer: exactly one field (else `INVALID`); `NOT_FOUND` when none matches.")]
        identifier: CustomerIdentifierInput,
    ) -> async_graphql::Result<DataExportPayload> {
        let (svc, client) = allowed(ctx, &[Permission::CustomerExport])?;
        let result = async {
            let ident = identifier.identifier(&["identifier"])?;
            let record = existing_at(svc, client.tenant(), &ident, &["identifier"]).await?;
            portability::link(svc, client.tenant(), &record).await
        }
        .await;
        respond(ctx, result, |(url, until)| DataExportPayload {
            requested: true,
            download_url: Some(url.to_string()),
            download_expires_at: Some(until),
            user_errors: vec![],
        })
    }
}
