//! Newsletter subscription listings and the back-in-stock notification payload.

use async_graphql::SimpleObject;
use shared::graphql::buyer::PageInfo;
use shared::graphql::types::NewsletterSubscription;
use shared::graphql::UserErrorObject;
use shared::payloads;

/// One subscription of a `NewsletterSubscriptionConnection`.
#[derive(SimpleObject)]
pub struct NewsletterSubscriptionEdge {
    /// Where this edge is in the listing: pass as `after` to continue after it.
    pub cursor: String,
    /// The subscription.
    pub node: NewsletterSubscription,
}

/// A page of newsletter subscriptions, by status and then address.
#[derive(SimpleObject)]
pub struct NewsletterSubscriptionConnection {
    /// The subscriptions of this page.
    pub edges: Vec<NewsletterSubscriptionEdge>,
    /// Whether another page follows, and the cursor to ask for it with.
    pub page_info: PageInfo,
}

/// How many back-in-stock subscribers `notifyBackInStock` mailed.
#[derive(SimpleObject, Default)]
pub struct NotifyBackInStockPayload {
    /// How many subscribers were mailed (each exactly once).
    pub notified: i32,
    /// What went wrong with the input (empty on success).
    pub user_errors: Vec<UserErrorObject>,
}

payloads!(NotifyBackInStockPayload);
