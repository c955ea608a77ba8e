//! The newsletter: its states, an address's subscription, and how a customer's is read.

use super::scalars::GenderObject;
use crate::domain;
use crate::services::newsletter;
use async_graphql::{Context, Enum, SimpleObject};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// Where an email address stands with the newsletter (double opt-in).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::NewsletterState", name = "NewsletterState")]
pub enum NewsletterState {
    /// Subscribed and confirmed: newsletters go to the address.
    Subscribed,
    /// Not subscribed: never, or unsubscribed since.
    Unsubscribed,
    /// Subscribed, waiting for the confirmation link mailed to the address (`confirmNewsletterSubscription`).
    Pending,
}

/// The newsletter subscription state of a customer's email address.
#[derive(SimpleObject, Clone)]
#[graphql(name = "NewsletterStatus")]
pub struct NewsletterStatus {
    /// Where the address stands; `UNSUBSCRIBED` when it never subscribed.
    pub status: NewsletterState,
    /// When the state last changed; `null` when the address never subscribed.
    pub updated_at: Option<DateTime<Utc>>,
}

/// The newsletter state of the customer's email, read from the subscription
/// of the address (one read, made only when the field is asked for).
pub async fn newsletter_of(ctx: &Context<'_>, customer: &domain::Customer) -> async_graphql::Result<NewsletterStatus> {
    let svc = ctx.data::<Arc<crate::Services>>()?;
    let (state, updated_at) = newsletter::status_of(svc, &customer.tenant_id, &customer.email)
        .await
        .map_err(|e| crate::graphql::errors::to_graphql(ctx, e))?;
    Ok(NewsletterStatus { status: state.into(), updated_at })
}

/// The newsletter subscription of an address.
#[derive(SimpleObject)]
pub struct NewsletterSubscription {
    /// The subscribed address, whether or not a customer has it.
    pub email: String,
    /// Whether newsletters go to the address now: `status` is `SUBSCRIBED`.
    pub is_active: bool,
    /// `PENDING` until the double opt-in is confirmed, then `SUBSCRIBED`; `UNSUBSCRIBED` once it ended.
    pub status: NewsletterState,
    /// ISO 3166-1 alpha-2, as given when subscribing.
    pub country_code: Option<String>,
    /// A language tag, e.g. `de` or `de-AT`, as given when subscribing.
    pub language_code: Option<String>,
    /// As given when subscribing.
    pub gender: Option<GenderObject>,
    /// When the address first subscribed (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// When the subscription last changed (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
    /// When the double opt-in was confirmed; null unless `SUBSCRIBED`.
    pub confirmed_at: Option<DateTime<Utc>>,
}

impl From<domain::NewsletterSubscription> for NewsletterSubscription {
    fn from(s: domain::NewsletterSubscription) -> Self {
        Self {
            email: s.email.as_str().to_string(),
            is_active: s.status == domain::NewsletterState::Subscribed,
            status: s.status.into(),
            country_code: s.country_code.map(|c| c.as_str().to_string()),
            language_code: s.language_code.map(|l| l.as_str().to_string()),
            gender: s.gender.map(Into::into),
            created_at: s.created_at,
            updated_at: s.updated_at,
            confirmed_at: s.confirmed_at,
        }
    }
}

/// The subscription of the customer's email as a list of 0 or 1 (one
/// read, made only when the field is asked for).
pub async fn newsletter_subscriptions_of(
    ctx: &Context<'_>,
    customer: &domain::Customer,
) -> async_graphql::Result<Vec<NewsletterSubscription>> {
    let svc = ctx.data::<Arc<crate::Services>>()?;
    let found = newsletter::subscription_of(svc, &customer.tenant_id, &customer.email)
        .await
        .map_err(|e| crate::graphql::errors::to_graphql(ctx, e))?;
    Ok(found.into_iter().map(Into::into).collect())
}
