//! Why a use case refused or failed.

use std::time::Duration;

use crate::store::StoreError;

/// A use case's failure, in the product's terms. `http::problem` maps each to a status and a
/// problem `type`; another channel (email, a CLI) maps them to its own replies.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Input outside what the desk accepts, with a reason a person can act on.
    #[error("{0}")]
    Invalid(String),
    /// Like [`ServiceError::Invalid`], about one field of the request body.
    #[error("{field}: {detail}")]
    InvalidField { field: &'static str, detail: String },
    /// The caller may not do this (an origin a site does not allow, a group not theirs).
    #[error("{0}")]
    Forbidden(String),
    /// Nothing the caller may see has this id; a ticket of another group looks the same, so ids
    /// cannot be probed.
    #[error("{0}")]
    NotFound(String),
    /// A host-signed visitor identity that does not verify.
    #[error("{0}")]
    InvalidIdentity(String),
    /// A ticket token that matched but has been idle too long.
    #[error("{0}")]
    TokenExpired(String),
    /// Feedback about an entry the served knowledge base does not have.
    #[error("{0}")]
    UnknownEntry(String),
    /// Something the use case needs cannot be read now; retrying later may work.
    #[error("{0}")]
    Unavailable(String),
    /// A quota was hit; the caller may try again after `retry_after`.
    #[error("{detail}")]
    RateLimited {
        retry_after: Duration,
        detail: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}
