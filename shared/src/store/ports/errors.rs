//! The write error the ports share and the unique customer attributes it names.

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
