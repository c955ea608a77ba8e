//! Exports of customers: the job and where its file downloads from.

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use shared::domain::ExportJob;
use shared::graphql::errors::to_graphql;
use shared::graphql::UserErrorObject;
use shared::payloads;
use shared::services::api_keys::ApiClient;
use shared::services::exports;
use shared::Services;
use std::sync::Arc;

use super::CustomerFilter;

/// The kind of file an export writes.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "shared::domain::ExportFormat", name = "CustomerExportFormat")]
pub enum CustomerExportFormat {
    /// One JSON object a line: every field an import reads (`CreateCustomerInput`'s, `deliveryAddresses`,
    /// `newsletter`) and `id`, `customerNumber`, `createdAt`, `updatedAt`. Imports as it is (format `JSONL`).
    Jsonl,
    /// A header row of the same names, nested ones dotted: the profile, the back office's fields, the billing address
    /// and the default delivery address (consents, attributes and further delivery addresses are in `JSONL` only). A
    /// cell a spreadsheet would take for a formula (`=`, `+`, `-`, `@`) has an apostrophe before it, which an
    /// import's `CSV` reads past.
    Csv,
}

/// Where an export is.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "shared::domain::ExportStatus", name = "CustomerExportStatus")]
pub enum CustomerExportStatus {
    /// Its customers are being written.
    Running,
    /// The file is written: `downloadUrl`.
    Completed,
    /// It could not be written (`failureReason`); start another.
    Failed,
}

/// What to export.
#[derive(InputObject, Clone)]
pub struct StartCustomerExportInput {
    /// The kind of file.
    pub format: CustomerExportFormat,
    /// A search string, as `customers` reads it; absent: every customer the filter lets through.
    pub query: Option<String>,
    /// What the customers must match, as in `customers`; absent: every customer of the tenant.
    pub filter: Option<CustomerFilter>,
}

fn services<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<(&'a Services, &'a ApiClient)> {
    Ok((ctx.data::<Arc<Services>>()?.as_ref(), ctx.data::<ApiClient>()?))
}

/// An export of customers to a file.
pub struct CustomerExportObject(pub ExportJob);

/// An export of customers to a file: started, followed, downloaded. Never holds a password hash, a token or a
/// session.
#[Object(name = "CustomerExport")]
impl CustomerExportObject {
    /// The export's id (a ULID).
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// The kind of file it writes.
    async fn format(&self) -> CustomerExportFormat {
        self.0.format.into()
    }
    /// Where it is.
    async fn status(&self) -> CustomerExportStatus {
        self.0.status.into()
    }
    /// The customers written so far (all of them once `COMPLETED`).
    async fn rows_written(&self) -> i64 {
        self.0.rows_written as i64
    }
    /// Downloads the file once the export is `COMPLETED`, until `downloadExpiresAt` (ask again for a new URL); the
    /// file itself is kept 7 days, then this is null.
    async fn download_url(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        let (svc, client) = services(ctx)?;
        let found = exports::download(svc, client.tenant(), &self.0).await.map_err(|e| to_graphql(ctx, e))?;
        Ok(found.map(|(url, _)| url))
    }
    /// Until when `downloadUrl` works: an hour after it was asked for, or when the file is deleted if sooner.
    async fn download_expires_at(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<DateTime<Utc>>> {
        let (svc, _) = services(ctx)?;
        Ok(self.0.file_expires_at().and_then(|gone| shared::domain::download_until(gone, svc.clock.now())))
    }
    /// When it was started.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it completed or failed.
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
    /// Why it `FAILED`.
    async fn failure_reason(&self) -> Option<&str> {
        self.0.failure.as_deref()
    }
}

/// An export, or why it did not start.
#[derive(SimpleObject, Default)]
pub struct CustomerExportPayload {
    /// The export as it is now.
    pub export: Option<CustomerExportObject>,
    /// What went wrong with the input (empty on success).
    pub user_errors: Vec<UserErrorObject>,
}

payloads!(CustomerExportPayload);
