//! What `customer-ctl` runs that the tests run too: the local stand-ins for
//! what AWS does for a deployment. Nothing here is linked into a function.

pub mod export;
pub mod import;
pub mod queue_relay;
pub mod reindex;
pub mod relay;
