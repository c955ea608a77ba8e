//! The persistence ports, one trait per aggregate, joined by `Store`, which
//! the use cases reach through `Services` (`customer-ctl` takes a bare
//! `DynamoStore` for API keys, hence `&dyn ApiKeyStore` there); the DynamoDB adapter
//! (`dynamo/`, a file per aggregate) implements each method in as few round
//! trips as its data model allows (noted per method as RT).
//!
//! A new aggregate gets its trait in `ports/`, its adapter file in `dynamo/`, and a
//! place in `Store`.

pub mod dynamo;
pub mod keys;
pub mod stream;
pub mod table;

mod ports;

pub use dynamo::outbox::status as outbox_status;
pub use dynamo::DynamoStore;
pub use ports::*;

/// Every port together: what the functions are wired with.
pub trait Store:
    CustomerStore
    + SessionStore
    + TokenStore
    + ApiKeyStore
    + SubscriptionStore
    + SuppressionStore
    + QuotaStore
    + AttemptStore
    + OutboxStore
    + OrderStore
    + LoyaltyStore
    + PromotionStore
    + ContractStore
    + WishlistStore
    + SearchIndexStore
    + ImportStore
    + ExportStore
{
}

impl<T> Store for T where
    T: CustomerStore
        + SessionStore
        + TokenStore
        + ApiKeyStore
        + SubscriptionStore
        + SuppressionStore
        + QuotaStore
        + AttemptStore
        + OutboxStore
        + OrderStore
        + LoyaltyStore
        + PromotionStore
        + ContractStore
        + WishlistStore
        + SearchIndexStore
        + ImportStore
        + ExportStore
{
}
