//! The handlers, one module per route prefix under `/api/v1` (and the operations endpoints).
//!
//! A handler translates HTTP into one use case of [`crate::service::Desk`] (or, for a plain
//! read, one store query) and the answer back into a response. Architecture invariant: no module
//! here names another; what two handlers share is plumbing in `crate::http` (extractors,
//! headers, SSE frames, problems) or a use case in `crate::service`. `cargo xtask tidy` checks it.

pub mod admin;
pub mod admin_kb;
pub mod clusters;
pub mod desk;
pub mod desk_canned_responses;
pub mod desk_contacts;
pub mod escalations;
pub mod events;
pub mod feedback;
pub mod health;
pub mod reports;
pub mod session;
pub mod tickets;
