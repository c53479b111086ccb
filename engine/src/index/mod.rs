//! Indexes over the knowledge base, as the query side reads them.
//!
//! [`lexical`] matches the words a visitor typed against every phrasing of every
//! entry, and [`classifier`] weighs those words as a linear model learned from
//! the phrasings; [`dense`] compares meanings through static token embeddings,
//! optionally mapped by a learned [`projection`]. Each is built once by the
//! build side (`crate::build`), serialized in the snapshot, and only read here.

pub(crate) mod classifier;
pub(crate) mod dense;
pub(crate) mod lexical;
pub(crate) mod projection;

pub use classifier::TermClassifier;
pub use dense::{DenseIndex, DensePhrasings, TokenTable, TokenWeights};
pub use lexical::{EntryScores, LexicalIndex, Scoring, TypoTable};
