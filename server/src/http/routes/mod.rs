//! The handlers, one module per route prefix under `/api/v1` (and the operations endpoints).
//!
//! A handler translates HTTP into one use case of [`crate::service::Desk`] (or, for a plain
//! read, one store query) and the answer back into a response. Architecture invariant: no module
//! here names another; what two handlers share is plumbing in `crate::http` (extractors,
//! headers, SSE frames, problems) or a use case in `crate::service`. `cargo xtask tidy` checks it.

pub mod admin_agents;
pub mod admin_config;
pub mod admin_feedback;
pub mod admin_groups;
pub mod admin_sites;
pub mod desk_canned_responses;
pub mod desk_contacts;
pub mod desk_events;
pub mod desk_groups;
pub mod desk_me;
pub mod desk_tickets;
pub mod escalations;
pub mod feedback;
pub mod health;
pub mod session;
pub mod tickets;
