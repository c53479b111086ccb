//! Answerdesk's wire types: what the server and its browsers say to each other under `/api/v1`.
//!
//! Every request, response and event body, the closed sets of values (ticket status, priority,
//! type, channel, role, author kind), the [`Problem`] every error is, the API's paths and the
//! constants both sides must agree on live here, once. The server serializes these types and the
//! workbench deserializes the same ones, so a renamed field is a compile error on both sides
//! instead of a silent `null` in a browser.
//!
//! The crate is plain data with serde: no I/O, no runtime, nothing browser- or server-specific,
//! because the workbench's wasm carries it. The OpenAPI schemas (`utoipa::ToSchema`) are behind
//! the feature `openapi`, which only the server turns on.
//!
//! ```
//! use protocol::{Status, TicketEvent};
//!
//! let event: TicketEvent = serde_json::from_str(r#"{"type":"updated","ticket_id":"T-1"}"#).unwrap();
//! assert_eq!(event.ticket_id(), "T-1");
//! assert_eq!("pending".parse::<Status>(), Ok(Status::Pending));
//! ```
//!
//! JSON shapes here are a public interface: field names, optionality and `skip_serializing_if`
//! rules are what clients already parse. Doc comments on types and fields become the OpenAPI
//! document's descriptions, so they describe the wire, not the code.

mod admin;
mod analytics;
mod desk;
mod events;
mod knowledge;
pub mod paths;
mod problem;
mod reports;
mod slug;
mod unanswered;
mod visitor;
mod vocabulary;

pub use admin::*;
pub use analytics::*;
pub use desk::*;
pub use events::*;
pub use knowledge::*;
pub use problem::Problem;
pub use reports::*;
pub use slug::{InvalidSlug, Slug};
pub use unanswered::*;
pub use visitor::*;
pub use vocabulary::*;

/// Header that must carry the session's CSRF token on every agent write.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Header with which a browser makes a write safe to retry: the same key and body answer what
/// the first attempt did instead of writing twice.
pub const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";
/// Name of the agent's session cookie (`HttpOnly`, so only the server reads it).
pub const SESSION_COOKIE: &str = "answerdesk_session";
/// Longest question kept with a feedback verdict, in characters; the server cuts the rest, so
/// the widget need not send more.
pub const FEEDBACK_QUERY_CHARS: usize = 200;
/// Longest message a visitor, the bot or an agent may write, in characters, unless the server is
/// configured otherwise.
pub const MAX_MESSAGE_CHARS: usize = 10_000;
/// Most transcript turns kept with an escalation.
pub const MAX_TRANSCRIPT_TURNS: usize = 100;
/// Longest `Idempotency-Key`, in characters.
pub const MAX_IDEMPOTENCY_KEY: usize = 255;
