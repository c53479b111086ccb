//! Indexes over the knowledge base.
//!
//! [`lexical`] matches the words a visitor typed against every phrasing of every
//! entry. The index is built once by [`crate::build()`], serialized in the snapshot,
//! and only read afterwards.

pub mod lexical;

pub use lexical::{EntryScores, LexicalIndex, Scoring, TypoTable};
