//! Imports of customers: the job, its options and its row errors.

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use shared::domain::{self, ImportJob, ImportRowError};
use shared::graphql::buyer::PageInfo;
use shared::graphql::errors::{to_graphql, ErrorCodeObject};
use shared::graphql::UserErrorObject;
use shared::imports::ImportFiles;
use shared::payloads;
use shared::services::api_keys::ApiClient;
use shared::services::imports;
use shared::Services;
use std::sync::Arc;

/// The kind of file an import reads.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "shared::domain::FileFormat", name = "CustomerFileFormat")]
pub enum CustomerFileFormat {
    /// One JSON object a line, with the fields of `CreateCustomerInput` plus `deliveryAddresses`, `newsletter`
    /// (`SUBSCRIBED` or `UNSUBSCRIBED`) and `passwordHash` (`{ algorithm, value }`).
    Jsonl,
    /// A header row of the same names, nested ones dotted (`billingAddress.city`, `deliveryAddresses.0.city`,
    /// `passwordHash.value`), `tags` comma-separated; an empty cell is an absent field.
    Csv,
    /// The file Shopify's customer export writes, as written.
    ShopifyCsv,
}

/// Where an import is.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "shared::domain::ImportStatus", name = "CustomerImportStatus")]
pub enum CustomerImportStatus {
    /// Waiting for its file and `runCustomerImport`.
    Staged,
    /// Its rows are being written.
    Running,
    /// Every row written.
    Completed,
    /// Every row read; some failed (`errors`, `errorsUrl`).
    CompletedWithErrors,
    /// The file could not be read (`failureReason`).
    Failed,
    /// Stopped by `cancelCustomerImport`; what was imported stays.
    Cancelled,
}

/// Whether an import may change customers that exist.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "shared::domain::ImportMode", name = "CustomerImportMode")]
pub enum CustomerImportMode {
    /// Rows of customers that exist change nothing (`unchanged`).
    CreateOnly,
    /// Rows of customers that exist update them, as `upsertCustomer` does.
    Upsert,
}

/// The field that says which customer a row is.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "shared::domain::MatchBy", name = "CustomerImportMatch")]
pub enum CustomerImportMatch {
    /// `email`, case-insensitively.
    Email,
    /// `externalId`, exact; a row without one fails (`REQUIRED`).
    ExternalId,
    /// `ref`, exact; a row without one fails (`REQUIRED`).
    Ref,
}

/// How an import runs.
#[derive(InputObject, Clone, Copy)]
pub struct CustomerImportOptions {
    /// Whether rows may change customers that exist.
    #[graphql(default_with = "CustomerImportMode::Upsert")]
    pub mode: CustomerImportMode,
    /// The field that says which customer a row is.
    #[graphql(default_with = "CustomerImportMatch::Email")]
    pub match_by: CustomerImportMatch,
    /// Mail a set-password link to each customer created without a password or password hash.
    #[graphql(default = false)]
    pub send_invites: bool,
    /// Read and check every row, and count what it would do; write nothing. Uniqueness against other customers is
    /// checked only by a real run.
    #[graphql(default = false)]
    pub dry_run: bool,
}

impl From<CustomerImportOptions> for domain::ImportOptions {
    fn from(o: CustomerImportOptions) -> Self {
        Self { mode: o.mode.into(), match_by: o.match_by.into(), send_invites: o.send_invites, dry_run: o.dry_run }
    }
}

/// A file to import.
#[derive(InputObject, Clone)]
pub struct StageCustomerImportInput {
    /// The kind of file.
    pub format: CustomerFileFormat,
    /// The file's name, for people (at most 255 characters).
    pub file_name: Option<String>,
}

/// One problem of one row.
#[derive(SimpleObject)]
#[graphql(name = "ImportRowError")]
pub struct ImportRowErrorObject {
    /// The line of the file the row starts on (a CSV's header is line 1).
    pub line: i64,
    /// What kind of problem it is, as in `userErrors`.
    pub code: ErrorCodeObject,
    /// The path of the offending value in the row, e.g. `["billingAddress", "countryCode"]`; absent for the row as a
    /// whole.
    pub field: Option<Vec<String>>,
    /// A human-readable explanation in English.
    pub message: String,
}

impl From<ImportRowError> for ImportRowErrorObject {
    fn from(e: ImportRowError) -> Self {
        Self {
            line: e.line as i64,
            code: e.code.into(),
            field: (!e.field.is_empty()).then_some(e.field),
            message: e.message,
        }
    }
}

/// An import of customers from a file.
pub struct CustomerImportObject(pub ImportJob);

fn services<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<(&'a Services, &'a ApiClient)> {
    Ok((ctx.data::<Arc<Services>>()?.as_ref(), ctx.data::<ApiClient>()?))
}

fn count(n: u64) -> i64 {
    n as i64
}

/// An import of customers from a file: staged, run, followed through its counters.
#[Object(name = "CustomerImport")]
impl CustomerImportObject {
    /// The import's id (a ULID: newer imports have greater ids).
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// The kind of file it reads.
    async fn format(&self) -> CustomerFileFormat {
        self.0.format.into()
    }
    /// The file's name, as staged.
    async fn file_name(&self) -> Option<&str> {
        self.0.file_name.as_deref()
    }
    /// Where it is.
    async fn status(&self) -> CustomerImportStatus {
        self.0.status.into()
    }
    /// Where to `PUT` the file (at most 2 GB, in one request, e.g. `curl -T customers.jsonl "$uploadUrl"`), while the
    /// import is `STAGED` and before `uploadExpiresAt`.
    async fn upload_url(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        let (svc, client) = services(ctx)?;
        if self.0.status != domain::ImportStatus::Staged || svc.clock.now() >= self.0.upload_expires_at {
            return Ok(None);
        }
        let Some(files) = svc.imports.as_deref() else { return Ok(None) };
        let left = (self.0.upload_expires_at - svc.clock.now()).to_std().unwrap_or_default();
        let key = ImportFiles::upload_key(client.tenant(), &self.0.id);
        files.upload_url(&key, left).await.map(Some).map_err(|e| to_graphql(ctx, e.into()))
    }
    /// Until when `uploadUrl` takes the file: an hour after staging.
    async fn upload_expires_at(&self) -> DateTime<Utc> {
        self.0.upload_expires_at
    }
    /// The rows of the file, once it has been read through (soon after `runCustomerImport`).
    async fn rows_total(&self) -> Option<i64> {
        self.0.rows_total.map(count)
    }
    /// Rows written (or, in a dry run, checked) so far: `created + updated + unchanged + failed`.
    async fn rows_processed(&self) -> i64 {
        count(self.0.counts.processed)
    }
    /// Rows that created a customer (or, in a dry run, would).
    async fn created(&self) -> i64 {
        count(self.0.counts.created)
    }
    /// Rows that changed a customer (or, in a dry run, would).
    async fn updated(&self) -> i64 {
        count(self.0.counts.updated)
    }
    /// Rows that changed nothing: the same as stored, or (in `CREATE_ONLY`) of a customer that exists.
    async fn unchanged(&self) -> i64 {
        count(self.0.counts.unchanged)
    }
    /// Rows not written: each has its errors in `errors` and `errorsUrl`.
    async fn failed(&self) -> i64 {
        count(self.0.counts.failed)
    }
    /// Whether it only checks (`dryRun`).
    async fn dry_run(&self) -> bool {
        self.0.options.dry_run
    }
    /// When it was staged.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When `runCustomerImport` started it.
    async fn started_at(&self) -> Option<DateTime<Utc>> {
        self.0.started_at
    }
    /// When it completed, failed or was cancelled.
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
    /// Why it `FAILED`.
    async fn failure_reason(&self) -> Option<&str> {
        self.0.failure.as_deref()
    }
    /// Downloads every failed row's errors, one JSON object a line (`line`, `code`, `field`, `message`), once the
    /// import is `COMPLETED_WITH_ERRORS`; the URL works for an hour (ask again for a new one).
    async fn errors_url(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        let (svc, client) = services(ctx)?;
        imports::errors_url(svc, client.tenant(), &self.0).await.map_err(|e| to_graphql(ctx, e))
    }
    /// The first errors by line (at most 100; the first 100 of each chunk of 500 rows are kept here, all of them in
    /// `errorsUrl`).
    #[graphql(complexity = "shared::graphql::weights::STORE_QUERY")]
    async fn errors(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, desc = "How many, at most 100.")] first: i32,
    ) -> async_graphql::Result<Vec<ImportRowErrorObject>> {
        let (svc, client) = services(ctx)?;
        let found = imports::errors(svc, client.tenant(), &self.0.id, first.max(0) as usize).await;
        Ok(found.map_err(|e| to_graphql(ctx, e))?.into_iter().map(Into::into).collect())
    }
}

/// An import, or why the operation did not take place.
#[derive(SimpleObject, Default)]
pub struct CustomerImportPayload {
    /// The import as it is now.
    pub import: Option<CustomerImportObject>,
    /// What went wrong with the input (empty on success).
    pub user_errors: Vec<UserErrorObject>,
}

payloads!(CustomerImportPayload);

/// One import of a `CustomerImportConnection`.
#[derive(SimpleObject)]
pub struct CustomerImportEdge {
    /// Where this edge is in the listing: pass as `after` to continue after it.
    pub cursor: String,
    /// The import.
    pub node: CustomerImportObject,
}

/// A page of imports, newest first.
#[derive(SimpleObject)]
pub struct CustomerImportConnection {
    /// The imports of this page.
    pub edges: Vec<CustomerImportEdge>,
    /// Whether another page follows, and the cursor to ask for it with.
    pub page_info: PageInfo,
}
