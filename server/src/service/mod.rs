//! The use cases: what the desk does, whichever way a request came in.
//!
//! A handler in `http::routes` translates HTTP into one call here and the answer back. A use case
//! checks its input, does the write through the [`Store`], and once that is committed does
//! everything that must follow it: events to the open streams ([`Hub`]), automatic assignment
//! ([`Desk::fill_queues`]), metrics. So the widget's escalation today and an email, WeChat or API
//! channel tomorrow differ only in how they reach [`Desk`]; the sequence after the write is
//! written once, here.
//!
//! Architecture invariant: nothing here speaks HTTP — no status codes, headers, cookies or
//! extractors. Failures are a [`ServiceError`], which `http::problem` turns into problem
//! documents in one place. Reads that are a single store query stay in the handlers; a read with
//! a rule (who may see which ticket) lives here, so every way in applies the same rule.

mod admin;
mod agents;
mod analytics;
mod canned;
mod contacts;
mod conversations;
mod error;
mod escalations;
mod feedback;
mod knowledge;
mod policy;
mod queues;
mod reports;
mod tickets;
mod unanswered;
mod validate;

use std::sync::Arc;

pub use error::ServiceError;
pub use escalations::Escalated;
pub use knowledge::{import_kb, KbPublisher, ServedKb};
pub use policy::VisitorPolicy;
pub use reports::table_rows;
pub use unanswered::Engines;

use crate::events::Hub;
use crate::http::{Limiter, Metrics, SiteDirectory, SnapshotFile};
use crate::store::Store;

/// The desk's use cases and what they need; cheap to clone. Built once, when the server starts.
#[derive(Clone)]
pub struct Desk {
    pub(crate) store: Store,
    pub(crate) events: Hub,
    pub(crate) metrics: Metrics,
    /// The sites, cached: escalations and feedback look theirs up on every request.
    pub(crate) sites: SiteDirectory,
    /// Its per-site quota bounds how fast one site's visitors can escalate.
    pub(crate) limiter: Limiter,
    /// The knowledge base served to visitors, whose entries feedback may name.
    pub(crate) snapshot: Option<Arc<SnapshotFile>>,
    /// Longest message (escalation, visitor message, agent reply), in characters.
    pub(crate) max_message_chars: usize,
    pub(crate) visitor: VisitorPolicy,
    /// The engine of the served snapshot, loaded once per version, for grouping questions.
    pub(crate) engines: Arc<Engines>,
    /// Knowledge-base publishing in progress and the sites' served snapshots.
    pub(crate) knowledge: KbPublisher,
}

impl Desk {
    /// What visitors' browsers may do, and for how long.
    pub fn visitor_policy(&self) -> &VisitorPolicy {
        &self.visitor
    }
}
