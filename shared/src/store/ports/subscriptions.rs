//! The subscription port: newsletter subscriptions and back-in-stock alerts.

use super::errors::WriteError;
use super::quotas::Quota;
use crate::domain::{
    BackInStockSubscription, NewsletterState, NewsletterSubscription, OneTimeToken, OutboxMail, TenantId,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Newsletter subscriptions and back-in-stock alerts of an address.
#[async_trait]
pub trait SubscriptionStore: Send + Sync {
    async fn get_newsletter(
        &self,
        tenant: &TenantId,
        email_key: &str,
    ) -> anyhow::Result<Option<NewsletterSubscription>>;

    /// The subscriptions of up to 100 addresses (by their keys) in one
    /// round trip, in the order asked (`None` where an address has none).
    async fn newsletters(
        &self,
        tenant: &TenantId,
        email_keys: &[String],
    ) -> anyhow::Result<Vec<Option<NewsletterSubscription>>>;

    /// The back-in-stock alerts of an address, by its key (1 RT a page).
    async fn back_in_stock_of(
        &self,
        tenant: &TenantId,
        email_key: &str,
    ) -> anyhow::Result<Vec<BackInStockSubscription>>;

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

    /// A page of at most `limit` subscriptions of an item, in one shipping
    /// country or all, after `after` (a subscription of the same listing);
    /// fewer than `limit` only on the last page (1 RT).
    async fn list_back_in_stock(
        &self,
        tenant: &TenantId,
        item: &str,
        country: Option<&str>,
        after: Option<&BackInStockSubscription>,
        limit: usize,
    ) -> anyhow::Result<Vec<BackInStockSubscription>>;

    /// Removes a subscription if it is still there, writing its mail to the
    /// outbox in the same transaction with a unit of its address's `budget`:
    /// `None` when another caller removed it first (so every subscriber is
    /// mailed once), else whether it was mailed (false: the budget was
    /// spent, and the subscription ends unmailed). 1 RT, 2 when the budget
    /// was spent.
    async fn claim_back_in_stock(
        &self,
        tenant: &TenantId,
        subscription: &BackInStockSubscription,
        mail: Option<&OutboxMail>,
        budget: &Quota,
    ) -> anyhow::Result<Option<bool>>;
}
