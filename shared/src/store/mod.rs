//! The persistence ports, one trait per aggregate, joined by `Store`, which
//! the use cases reach through `Services` (`customer-ctl` takes a bare
//! `DynamoStore` for API keys, hence `&dyn ApiKeyStore` there); the DynamoDB adapter
//! (`dynamo/`, a file per aggregate) implements each method in as few round
//! trips as its data model allows (noted per method as RT).
//!
//! A new aggregate gets its trait here, its adapter file in `dynamo/`, and a
//! place in `Store`.

pub mod dynamo;
pub mod keys;
pub mod table;

use crate::domain::{
    ApiKey, BackInStockSubscription, Customer, CustomerRecord, Email, LoyaltyReceipt, LoyaltyTransaction,
    NewsletterState, NewsletterSubscription, OneTimeToken, Order, OrderRange, OutboxMail, Promotion, Session, Standing,
    SubscriptionContract, TenantId,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

pub use dynamo::outbox::status as outbox_status;
pub use dynamo::DynamoStore;

/// A unique attribute of a customer, guarded per tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UniqueKey {
    Email,
    Ref,
    ExternalId,
    LoyaltyId,
    Username,
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// A uniqueness guard already exists: the value belongs to another customer.
    #[error("already taken: {0:?}")]
    Taken(UniqueKey),
    /// The expected state (version, token) no longer holds.
    #[error("condition failed")]
    Conflict,
    /// The customer the write was for is gone (erased meanwhile).
    #[error("the customer is gone")]
    Gone,
    #[error(transparent)]
    Other(#[from] anyhow::Error),
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
}

/// One unit of a fixed-window quota: `key` names the window, which holds
/// `max` units and is forgotten after `window_ends`.
pub struct Quota {
    pub key: String,
    pub max: u32,
    pub window_ends: DateTime<Utc>,
}

/// A password change by the logged-in customer.
pub struct PasswordChange<'a> {
    pub customer_id: &'a str,
    pub password_hash: &'a str,
    /// The token version the change was checked under.
    pub token_version: i64,
    /// The fresh session that replaces every other.
    pub session: &'a Session,
    /// Mails for the outbox (the notice), written with the change.
    pub mails: &'a [OutboxMail],
    pub now: DateTime<Utc>,
}

/// A password change through a reset token.
pub struct PasswordReset<'a> {
    pub token: &'a OneTimeToken,
    pub password_hash: &'a str,
    /// A session to open at once (`loginOnSuccess`).
    pub session: Option<&'a Session>,
    /// The address's password attempts (see `AttemptStore`), cleared with
    /// the reset: proving the mailbox unlocks it.
    pub attempts_address: &'a str,
    /// Mails for the outbox, written with the change.
    pub mails: &'a [OutboxMail],
    pub now: DateTime<Utc>,
}

/// Everything recording an order writes, atomically.
pub struct OrderWrite<'a> {
    /// The order as it is now.
    pub order: &'a Order,
    /// The order as it was stored (its head: no items), if it was; the
    /// write holds only while its revision is still stored.
    pub previous: Option<&'a Order>,
    /// The customer's standing after the order; written only while the
    /// stored one is still `standing.revision - 1`.
    pub standing: &'a Standing,
    /// The ledger entry of the points and stamps the order moved, if any.
    pub transaction: Option<&'a LoyaltyTransaction>,
}

/// Every port together: what the functions are wired with.
pub trait Store:
    CustomerStore
    + SessionStore
    + TokenStore
    + ApiKeyStore
    + SubscriptionStore
    + QuotaStore
    + AttemptStore
    + OutboxStore
    + OrderStore
    + LoyaltyStore
    + PromotionStore
    + ContractStore
    + WishlistStore
{
}

impl<T> Store for T where
    T: CustomerStore
        + SessionStore
        + TokenStore
        + ApiKeyStore
        + SubscriptionStore
        + QuotaStore
        + AttemptStore
        + OutboxStore
        + OrderStore
        + LoyaltyStore
        + PromotionStore
        + ContractStore
        + WishlistStore
{
}

/// What claiming an outbox mail found.
#[derive(Debug, Clone, PartialEq)]
pub enum MailClaim {
    /// Pending (or abandoned by a delivery whose lease ran out): now held
    /// by this delivery until the lease ends.
    Claimed(Box<OutboxMail>),
    /// Sent already (or never there): nothing to do.
    Gone,
    /// Another delivery holds it and its lease has not run out.
    Busy,
    /// SES refused it for good earlier; kept for an operator.
    Rejected,
}

/// The outcome of asking to check a password for an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Reserved and counted as a failure until it succeeds: the `count`-th
    /// consecutive attempt (`count` <= the limit).
    Granted { count: u32 },
    /// The limit is reached and its lock has not ended: check nothing.
    Locked,
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
    /// same transaction (`Taken` if the new value has an owner). 1 RT.
    async fn update_customer(&self, before: &Customer, after: &Customer) -> Result<(), WriteError>;

    /// Erases the customer: profile, uniqueness guards, sessions and
    /// one-time tokens (4+ RT: two queries, a transaction, batch deletes).
    async fn delete_customer(&self, customer: &Customer) -> anyhow::Result<()>;

    /// Up to `limit` customers of the tenant with ids in `[from_id, to_id]`,
    /// in id (creation) order, from GSI1 (eventually consistent), and whether
    /// more may follow (1 RT).
    async fn list_customers(
        &self,
        tenant: &TenantId,
        from_id: &str,
        to_id: &str,
        limit: i32,
    ) -> anyhow::Result<(Vec<Customer>, bool)>;
}

/// Sessions and the password: logins, refresh rotation, revocation.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Customer and one of its sessions together (1 RT).
    async fn get_customer_and_session(
        &self,
        tenant: &TenantId,
        customer_id: &str,
        session_id: &str,
    ) -> anyhow::Result<(Option<CustomerRecord>, Option<Session>)>;

    /// Opens a session and records the login (1 RT).
    async fn record_login(&self, tenant: &TenantId, session: &Session, now: DateTime<Utc>) -> anyhow::Result<()>;

    /// Replaces the session's refresh hash if it is still `old_hash` (1 RT);
    /// `Conflict` when another rotation came first.
    async fn rotate_refresh_token(
        &self,
        tenant: &TenantId,
        session: &Session,
        new_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), WriteError>;

    async fn delete_session(&self, tenant: &TenantId, customer_id: &str, session_id: &str) -> anyhow::Result<()>;

    /// Sets a new password, bumps the token version (revoking every session
    /// and access token) and opens `session`, if the token version is still
    /// `token_version` (1 RT).
    async fn change_password(&self, tenant: &TenantId, change: PasswordChange<'_>) -> Result<(), WriteError>;

    /// Bumps the token version: every session and access token dies (1 RT).
    async fn revoke_all_sessions(&self, tenant: &TenantId, customer_id: &str) -> anyhow::Result<()>;
}

/// One-time tokens (stored as hashes) and the changes they authorise.
#[async_trait]
pub trait TokenStore: Send + Sync {
    /// Stores a token, with the mail that carries it, in one write (1 RT).
    async fn put_token(&self, tenant: &TenantId, token: &OneTimeToken, mails: &[OutboxMail]) -> anyhow::Result<()>;

    async fn get_token(&self, tenant: &TenantId, hash: &str) -> anyhow::Result<Option<OneTimeToken>>;

    /// Uses up a confirmation token and marks the email verified, if the
    /// customer still has that email (1 RT); `Conflict` otherwise.
    async fn confirm_email(
        &self,
        tenant: &TenantId,
        token: &OneTimeToken,
        now: DateTime<Utc>,
    ) -> Result<(), WriteError>;

    /// Uses up a reset token, sets the password, bumps the token version
    /// (revoking every earlier session and any pending email change),
    /// verifies the email, clears the address's password attempts, and
    /// optionally opens a session, all in one transaction (1 RT); `Conflict`
    /// when the token was used or the customer changed meanwhile.
    async fn reset_password(&self, tenant: &TenantId, reset: PasswordReset<'_>) -> Result<(), WriteError>;

    /// Records a pending email change: its confirmation token, the token
    /// that cancels it, and the customer's `pendingEmailChange` (replacing
    /// an earlier one), if the token version is still the change token's, in
    /// one transaction (1 RT); `Conflict` otherwise.
    async fn start_email_change(
        &self,
        tenant: &TenantId,
        change: &OneTimeToken,
        cancel: &OneTimeToken,
        mails: &[OutboxMail],
    ) -> Result<(), WriteError>;

    /// Uses up a cancel token and drops the pending change it names, with
    /// its confirmation token (1 RT); `Conflict` when the change is no
    /// longer pending.
    async fn cancel_email_change(&self, tenant: &TenantId, cancel: &OneTimeToken) -> Result<(), WriteError>;

    /// Uses up an email-change token and moves the customer and its email
    /// guard to the token's new address, in one transaction (1 RT). `Taken`
    /// when the new address belongs to someone by now, `Conflict` when the
    /// token was used, is no longer the pending change, or the customer's
    /// email or token version changed meanwhile.
    async fn change_email(
        &self,
        tenant: &TenantId,
        token: &OneTimeToken,
        new_email: &Email,
        now: DateTime<Utc>,
        mails: &[OutboxMail],
    ) -> Result<(), WriteError>;
}

/// API keys of the back office.
#[async_trait]
pub trait ApiKeyStore: Send + Sync {
    async fn put_api_key(&self, key: &ApiKey) -> anyhow::Result<()>;

    /// An API key by id (1 RT, consistent: a revocation counts at once).
    async fn get_api_key(&self, id: &str) -> anyhow::Result<Option<ApiKey>>;

    async fn list_api_keys(&self, tenant: &TenantId) -> anyhow::Result<Vec<ApiKey>>;

    /// Marks a key revoked; false when there is no such key.
    async fn revoke_api_key(&self, id: &str, at: DateTime<Utc>) -> anyhow::Result<bool>;
}

/// Newsletter subscriptions and back-in-stock alerts of an address.
#[async_trait]
pub trait SubscriptionStore: Send + Sync {
    async fn get_newsletter(
        &self,
        tenant: &TenantId,
        email_key: &str,
    ) -> anyhow::Result<Option<NewsletterSubscription>>;

    /// Writes a subscription with its tokens in one transaction (1 RT).
    async fn put_newsletter(
        &self,
        tenant: &TenantId,
        subscription: &NewsletterSubscription,
        tokens: &[OneTimeToken],
        mails: &[OutboxMail],
    ) -> anyhow::Result<()>;

    /// Sets the status of an existing subscription, using up `token` in the
    /// same transaction when given (1 RT); `Conflict` when the subscription
    /// or the token is gone.
    async fn set_newsletter_status(
        &self,
        tenant: &TenantId,
        email_key: &str,
        status: NewsletterState,
        using: Option<&OneTimeToken>,
        now: DateTime<Utc>,
    ) -> Result<(), WriteError>;

    /// Up to `limit` subscriptions (of one status, or all), after the
    /// position `after` (an opaque sort key), and whether more may follow.
    async fn list_newsletters(
        &self,
        tenant: &TenantId,
        status: Option<NewsletterState>,
        after: Option<&str>,
        limit: i32,
    ) -> anyhow::Result<(Vec<(String, NewsletterSubscription)>, bool)>;

    /// Writes a back-in-stock subscription; the same address, item and
    /// country again is the same subscription (1 RT).
    async fn put_back_in_stock(&self, tenant: &TenantId, subscription: &BackInStockSubscription) -> anyhow::Result<()>;

    /// Removes one; false when there was none.
    async fn delete_back_in_stock(
        &self,
        tenant: &TenantId,
        item: &str,
        country: &str,
        email_key: &str,
    ) -> anyhow::Result<bool>;

    /// Every subscription of an item, in one shipping country or all.
    async fn list_back_in_stock(
        &self,
        tenant: &TenantId,
        item: &str,
        country: Option<&str>,
    ) -> anyhow::Result<Vec<BackInStockSubscription>>;

    /// Removes a subscription if it is still there, writing its mail to the
    /// outbox in the same transaction: true for exactly one of several
    /// concurrent callers, so every subscriber is mailed once (1 RT).
    async fn claim_back_in_stock(
        &self,
        tenant: &TenantId,
        subscription: &BackInStockSubscription,
        mail: Option<&OutboxMail>,
    ) -> anyhow::Result<bool>;

    /// Erases everything an address subscribed to: its newsletter
    /// subscription and tokens, its back-in-stock alerts.
    async fn erase_subscriber(&self, tenant: &TenantId, email_key: &str) -> anyhow::Result<()>;
}

/// Fixed-window counters that bound what one address can trigger.
#[async_trait]
pub trait QuotaStore: Send + Sync {
    /// Takes one unit of `quota`; false when its `max` units were already
    /// taken (1 RT).
    async fn take_quota(&self, quota: &Quota) -> anyhow::Result<bool>;
}

/// Password attempts per address (known or not), counted before any
/// password is checked, so that requests in flight together can never
/// check more than the limit.
#[async_trait]
pub trait AttemptStore: Send + Sync {
    /// Reserves one attempt for `address` (a hash of the normalised email):
    /// `Granted` while fewer than `max` are counted (each reservation moves
    /// the lock's end to `lock_until`), `Locked` once `max` are and `now` is
    /// before the lock's end; after it, counting starts again. 1 RT (2-3
    /// when a lock just ended, or under contention).
    async fn reserve_attempt(
        &self,
        tenant: &TenantId,
        address: &str,
        max: u32,
        now: DateTime<Utc>,
        lock_until: DateTime<Utc>,
    ) -> anyhow::Result<Attempt>;

    /// A granted attempt succeeded: the count starts again from zero, unless
    /// other attempts were counted since this one (then only this one is
    /// taken back, and never a lock others reached). 1 RT (2 under contention).
    async fn attempt_succeeded(&self, tenant: &TenantId, address: &str, count: u32, max: u32) -> anyhow::Result<()>;
}

/// The transactional outbox, as the `events` function works through it
/// (mails are written by the other ports, in the transactions of the
/// changes that cause them).
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Writes `mail` on its own (no change goes with it: a contact request),
    /// taking one unit of `budget` in the same transaction; false, and
    /// nothing written, when the budget had no room (1 RT).
    async fn put_mail(&self, mail: &OutboxMail, budget: &Quota) -> anyhow::Result<bool>;

    /// Claims a mail for sending until `lease_until`, so that a stream
    /// record delivered again never mails twice (1 RT).
    async fn claim_mail(&self, id: &str, now: DateTime<Utc>, lease_until: DateTime<Utc>) -> anyhow::Result<MailClaim>;

    /// The mail went out: it is removed (1 RT).
    async fn mail_sent(&self, id: &str) -> anyhow::Result<()>;

    /// Sending failed for now: pending again, for the next delivery (1 RT).
    async fn release_mail(&self, id: &str) -> anyhow::Result<()>;

    /// SES refused the mail for good: kept with the reason, for an operator
    /// (until its TTL), and never tried again (1 RT).
    async fn mail_rejected(&self, id: &str, reason: &str) -> anyhow::Result<()>;
}

/// Orders of the order system, read as the customer's history; each
/// recorded with the customer's standing in one transaction.
#[async_trait]
pub trait OrderStore: Send + Sync {
    /// The order recorded under `order_id` in the tenant, without its items
    /// (the head its id's guard keeps), and the standing of `customer_id`,
    /// read together and consistently (1 RT).
    async fn order_head_and_standing(
        &self,
        tenant: &TenantId,
        order_id: &str,
        customer_id: &str,
    ) -> anyhow::Result<(Option<Order>, Standing)>;

    /// A whole order, as `head` locates it (1 RT, consistent).
    async fn get_order(&self, tenant: &TenantId, head: &Order) -> anyhow::Result<Option<Order>>;

    /// Writes the order (moving it in the history when `placedAt` changed),
    /// its guard, the standing and the ledger entry in one transaction
    /// (1 RT); `Conflict` when the order or the standing changed meanwhile.
    async fn record_order(&self, tenant: &TenantId, write: OrderWrite<'_>) -> Result<(), WriteError>;

    /// Up to `limit` of a customer's orders in `range`, newest first, after
    /// the position `after` (an opaque sort key), each with its position,
    /// and whether more may follow (1 RT per page read; a store filter may
    /// read more than one).
    async fn list_orders(
        &self,
        tenant: &TenantId,
        customer_id: &str,
        range: &OrderRange,
        after: Option<&str>,
        limit: usize,
    ) -> anyhow::Result<(Vec<(String, Order)>, bool)>;
}

/// The loyalty balance (the standing) and its append-only ledger.
#[async_trait]
pub trait LoyaltyStore: Send + Sync {
    /// The customer's standing; the empty one when nothing was recorded (1 RT, consistent).
    async fn get_standing(&self, tenant: &TenantId, customer_id: &str) -> anyhow::Result<Standing>;

    /// The receipt of an idempotency key, if the key was used, and the
    /// customer's standing, read together (1 RT).
    async fn receipt_and_standing(
        &self,
        tenant: &TenantId,
        key: &str,
        customer_id: &str,
    ) -> anyhow::Result<(Option<LoyaltyReceipt>, Standing)>;

    /// Writes the standing, its ledger entry (the receipt's transaction) and
    /// the receipt in one transaction (1 RT); `Conflict` when the standing
    /// changed meanwhile or the key was used by then.
    async fn record_loyalty(
        &self,
        tenant: &TenantId,
        standing: &Standing,
        receipt: &LoyaltyReceipt,
    ) -> Result<(), WriteError>;

    /// Up to `limit` ledger entries of a customer, newest first, after the
    /// position `after`, only redemptions when `redemptions_only`, and
    /// whether more may follow.
    async fn list_loyalty(
        &self,
        tenant: &TenantId,
        customer_id: &str,
        redemptions_only: bool,
        after: Option<&str>,
        limit: usize,
    ) -> anyhow::Result<(Vec<(String, LoyaltyTransaction)>, bool)>;
}

/// A tenant's catalogue of promotions.
#[async_trait]
pub trait PromotionStore: Send + Sync {
    /// One promotion by the tenant's id of it (1 RT, consistent).
    async fn get_promotion(&self, tenant: &TenantId, promotion_id: &str) -> anyhow::Result<Option<Promotion>>;

    /// Writes `promotion` if the stored one is still at revision
    /// `promotion.revision - 1` (none, for 1); `Conflict` otherwise (1 RT).
    async fn put_promotion(&self, tenant: &TenantId, promotion: &Promotion) -> Result<(), WriteError>;

    /// Removes a promotion; false when there was none (1 RT).
    async fn delete_promotion(&self, tenant: &TenantId, promotion_id: &str) -> anyhow::Result<bool>;

    /// Up to `limit` promotions in `promotionId` order after `after`, and
    /// whether more may follow (1 RT). `None` as the limit: all of them
    /// (a catalogue is small; 1 RT per 1 MB).
    async fn list_promotions(
        &self,
        tenant: &TenantId,
        after: Option<&str>,
        limit: Option<usize>,
    ) -> anyhow::Result<(Vec<Promotion>, bool)>;
}

/// Subscription contracts of the order system, read as the customer's.
#[async_trait]
pub trait ContractStore: Send + Sync {
    /// The customer owning a contract id in the tenant (its guard), and
    /// `customer_id`'s contract under that id, read together (1 RT).
    async fn contract_owner_and_contract(
        &self,
        tenant: &TenantId,
        contract_id: &str,
        customer_id: &str,
    ) -> anyhow::Result<(Option<String>, Option<SubscriptionContract>)>;

    /// Writes a contract: a new one (revision 1) with the guard of its id,
    /// a changed one under the condition of its previous revision (1 RT);
    /// `Conflict` when the id was taken or the contract changed meanwhile.
    async fn put_contract(&self, tenant: &TenantId, contract: &SubscriptionContract) -> Result<(), WriteError>;

    /// A customer's contracts, by contract id, at most 100 (1 RT).
    async fn contracts_of(&self, tenant: &TenantId, customer_id: &str) -> anyhow::Result<Vec<SubscriptionContract>>;
}

/// A customer's wishlists: a head (`WISHLISTS`: the default list and the
/// version every change is written over) and one item per list
/// (`WISHLIST#<id>`) in the customer's partition.
#[async_trait]
pub trait WishlistStore: Send + Sync {
    /// Every list of the customer with the head, oldest list first (1 RT,
    /// consistent; one more per MB of lists).
    async fn wishlists(
        &self,
        tenant: &TenantId,
        customer_id: &str,
    ) -> anyhow::Result<crate::domain::wishlists::Wishlists>;

    /// Writes the lists in `put`, deletes those in `deleted` and moves the
    /// head to `expected.version + 1` with `default_id`, if the head is
    /// still at `expected.version` (`Conflict` otherwise) and the customer
    /// still exists (`Gone` otherwise). One transaction: 1 RT.
    async fn save_wishlists(
        &self,
        tenant: &TenantId,
        customer_id: &str,
        expected_version: i64,
        default_id: Option<&str>,
        put: &[crate::domain::wishlists::Wishlist],
        deleted: &[String],
    ) -> Result<(), WriteError>;
}
