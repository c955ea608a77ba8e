//! The customer port: registration's atomic write and the customer aggregate.

use super::errors::{UniqueKey, WriteError};
use super::quotas::Quota;
use crate::domain::{Customer, CustomerRecord, Erasure, OneTimeToken, OutboxMail, Session, TenantId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// How far a run of work got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    Done,
    /// Stopped at its deadline; more is left.
    More,
}

/// Everything a registration writes, atomically.
pub struct NewCustomer<'a> {
    pub record: &'a CustomerRecord,
    pub tokens: &'a [OneTimeToken],
    pub session: Option<&'a Session>,
    /// Mails for the outbox, written with the customer.
    pub mails: &'a [OutboxMail],
    /// The quota the mails are taken from, in the same transaction: only a
    /// customer that is created spends it (of eight registrations racing for
    /// one address, the seven refused ones take nothing from the one that
    /// wins). When it has no room, the customer is written without the mails.
    pub mail_budget: Option<&'a Quota>,
    /// The id came from the client (an upsert by `customerId`): it may be
    /// one whose erasure is still running, which the write must not take
    /// (the job would remove the new customer with the old one's items).
    pub id_given: bool,
}

/// Customers: the profile with its credentials, uniqueness guards, the
/// tenant's customer numbers and the listing by creation.
#[async_trait]
pub trait CustomerStore: Send + Sync {
    /// The next number of the tenant's customer sequence (1 RT).
    async fn next_customer_number(&self, tenant: &TenantId) -> anyhow::Result<u64>;

    /// Writes customer, uniqueness guards, tokens, session and mails in one
    /// transaction (1 RT); `Taken` when a guard exists. True when the mails
    /// were written; false when the mail budget had no room and the customer
    /// was written without them (2 RT).
    async fn create_customer(&self, new: NewCustomer<'_>) -> Result<bool, WriteError>;

    /// The id of the customer owning a unique value (an email normalised)
    /// (1 RT, consistent).
    async fn customer_id_by(&self, tenant: &TenantId, kind: UniqueKey, value: &str) -> anyhow::Result<Option<String>>;

    async fn get_customer(&self, tenant: &TenantId, id: &str) -> anyhow::Result<Option<CustomerRecord>>;

    /// Writes `after` over `before` (profile fields, not credentials) if the
    /// stored version is still `before.version`; `Conflict` otherwise. A
    /// changed email, ref or external id moves its uniqueness guard in the
    /// same transaction (`Taken` if the new value has an owner), and so do
    /// the `effects` (every session ended, mails). 1 RT.
    async fn update_customer(
        &self,
        before: &Customer,
        after: &Customer,
        effects: &ChangeEffects<'_>,
    ) -> Result<(), WriteError>;

    /// Erases the customer at once: its profile and uniqueness guards go,
    /// and its erasure record (`Erasure::of(record, now)`) takes their place
    /// (1 RT: a transaction; one more read and try per unique value changed
    /// meanwhile). `finish_erasure` removes the rest.
    async fn delete_customer(&self, record: &CustomerRecord, now: DateTime<Utc>) -> anyhow::Result<()>;

    /// The erasure record of a customer being erased (1 RT).
    async fn erasure(&self, tenant: &TenantId, id: &str) -> anyhow::Result<Option<Erasure>>;

    /// Starts the job of an erasure again (a new round: a new stream
    /// record); false when it is done (1 RT).
    async fn restart_erasure(&self, tenant: &TenantId, id: &str) -> anyhow::Result<bool>;

    /// Removes everything an erased customer left (its partition, what GSI1
    /// lists under it, the guards its orders, contracts and ledger name, the
    /// subscriptions of its proven addresses that nobody else holds now),
    /// then the erasure record; `More` when `deadline` came first (the rest
    /// is for another run). Safe to run again, and concurrently (3+ RT: the
    /// record's read, two queries, batch deletes of 25, 1–2 per address,
    /// the removal); a record already removed is `Done` at once.
    async fn finish_erasure(
        &self,
        tenant: &TenantId,
        erasure: &Erasure,
        deadline: std::time::Instant,
    ) -> anyhow::Result<Progress>;

    /// Every erasure not finished, oldest first (1 RT per page of GSI1,
    /// eventually consistent), with its tenant: for an operator to see (and
    /// restart) any that a failure left behind.
    async fn pending_erasures(&self) -> anyhow::Result<Vec<(TenantId, Erasure)>>;

    /// Up to `limit` customers of the tenant with ids in `[from_id, to_id]`,
    /// in id (creation) order (newest first when `reverse`), from GSI1
    /// (eventually consistent), and whether more may follow (1 RT).
    async fn list_customers(
        &self,
        tenant: &TenantId,
        from_id: &str,
        to_id: &str,
        reverse: bool,
        limit: i32,
    ) -> anyhow::Result<(Vec<Customer>, bool)>;
}

/// What a profile change does besides the profile, in its own write.
#[derive(Debug, Default)]
pub struct ChangeEffects<'a> {
    /// Ends every session of the customer (its token version moves).
    pub end_sessions: bool,
    /// Mails that go with the change (into the outbox).
    pub mails: &'a [OutboxMail],
}
