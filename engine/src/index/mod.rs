//! Indexes over the knowledge base.
//!
//! [`lexical`] matches the words a visitor typed against every phrasing of every
//! entry; [`dense`] compares meanings through static token embeddings. The lexical index is built once by [`crate::build()`], serialized in the snapshot,
//! and only read afterwards.

pub mod classifier;
pub mod dense;
#[cfg(feature = "hnsw")]
pub mod graph;
pub mod lexical;
pub mod projection;

pub use classifier::TermClassifier;
pub use dense::{DenseIndex, DensePhrasings, TokenTable, TokenWeights};
pub use lexical::{EntryScores, LexicalIndex, Scoring, TypoTable};
