//! The Answerdesk retrieval engine.
//!
//! It turns a knowledge base into a compact [`Snapshot`] and answers questions
//! over it with a [`Decision`]: answer, offer a few choices, or hand the visitor
//! to a person. The same code runs natively (CLI, server, benches) and in the
//! visitor's browser as WebAssembly, so it never does I/O and depends on nothing
//! web- or runtime-specific.
//!
//! ```
//! use engine::{build, BuildOptions, Engine, Entry};
//!
//! let entries = vec![Entry {
//!     id: "refund-time".into(),
//!     locale: "en".into(),
//!     question: "How long does a refund take?".into(),
//!     alternates: vec!["When will I get my money back?".into()],
//!     answer_html: "<p>Refunds reach your card within 5 business days.</p>".into(),
//!     answer_text: "Refunds reach your card within 5 business days.".into(),
//!     category: "refunds".into(),
//!     tags: vec![],
//!     links: vec![],
//! }];
//! let snapshot = build(entries, &BuildOptions::default()).unwrap();
//! let engine = Engine::from_bytes(&snapshot.to_bytes()).unwrap();
//! let reply = engine.ask("when do I get my money back");
//! assert_eq!(reply.candidates[0].entry, 0);
//! ```

//! Modules, in the order a question meets them: `analysis` turns text into
//! terms, `index` scores entries (lexically, and by meaning through a table of
//! static token embeddings), `rank` turns scores into calibrated confidences,
//! `decision` picks what to show; `snapshot` is the file format. That is the
//! query side, all the visitor's browser runs.
//!
//! The build side, `build` (indexing, training, calibration, the token table
//! file format and the snapshot encoder), is compiled only with the feature
//! `build`: the cli and tools turn it on, the visitor's app does not, and no
//! module of the query side imports it.
//!
//! The public API is what this page lists: [`Engine`] and its [`Reply`],
//! [`Decision`], the [`Snapshot`] and its decoding, [`build()`] and its options.
//! Everything else is internal.

#![warn(missing_docs)]

mod analysis;
#[cfg(feature = "build")]
mod build;
mod cluster;
mod decision;
mod engine;
mod index;
mod kb;
mod rank;
mod search;
pub mod snapshot;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod visitor_questions;

pub use analysis::normalize;
#[cfg(feature = "build")]
pub use build::{build, build_with_scoring, BuildError, BuildOptions, SynonymGroups, TableError};
pub use cluster::{ClusterOptions, QuestionCluster};
pub use decision::{Decision, EscalateReason, Thresholds};
pub use engine::{Engine, Reply, MAX_QUERY_CHARS, REPLY_CANDIDATES};
pub use index::{Scoring, TokenTable};
pub use kb::{Entry, Link};
pub use rank::{Candidate, Ranker};
pub use snapshot::{Header, Snapshot, SnapshotError};

/// Internals that `benches/dense_graph.rs` measures phrasing by phrasing (the
/// HNSW graph against the exact scan). Not an API: only with feature `hnsw`,
/// which the visitor's wasm never has.
#[cfg(feature = "hnsw")]
#[doc(hidden)]
pub mod bench_internals {
    pub use crate::analysis::normalize;
    pub use crate::index::dense::{DenseIndex, DensePhrasings, DenseScores};
}

// In a dedicated worker of a headless Chromium page: the engine needs no DOM, and a long test
// (a snapshot built in debug-mode wasm) must not block the page's main thread, where
// chromedriver gives up on a renderer that has not answered for 30 s.
#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_dedicated_worker);
