//! The build side: from knowledge-base entries to a [`Snapshot`]. Compiled only
//! with the feature `build` (cli, tools, tests), never into the visitor's wasm:
//! the query side never imports this module, so what a browser downloads holds
//! no indexing, training, calibration or file parsing.
//!
//! [`build()`] validates the entries, builds the indexes ([`lexical`],
//! [`dense`]), trains the classifier ([`classifier`]) and the projection
//! ([`projection`]), and chooses what to keep and the thresholds on held-out
//! alternates ([`calibrate`]); [`token_table`] reads the token tables the dense
//! index is made from. The snapshot is encoded by `Snapshot::to_bytes`, next to
//! its decoder in `crate::snapshot`.

pub(crate) mod calibrate;
pub(crate) mod classifier;
pub(crate) mod dense;
pub(crate) mod lexical;
pub(crate) mod projection;
pub mod synonyms;
pub(crate) mod token_table;

pub use synonyms::SynonymGroups;
pub use token_table::TableError;

use crate::analysis::Analyzer;
use crate::decision::Thresholds;
use crate::index::{DenseIndex, LexicalIndex, Scoring, TermClassifier, TokenTable};
use crate::kb::Entry;
use crate::rank::PerRanker;
use crate::search::Shares;
use crate::snapshot::{Body, Snapshot};
use calibrate::{calibrate, fit_projection};
use lexical::AnalyzedEntry;

/// Inputs to a build besides the entries. Everything that would otherwise come
/// from the environment (the clock) is passed in, so builds are reproducible.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BuildOptions {
    /// Unix seconds recorded in the header; the caller's clock, or a fixed value
    /// (`SOURCE_DATE_EPOCH`) for reproducible builds.
    pub build_time: u64,
    /// Use these thresholds instead of the ones calibrated on the knowledge base.
    pub thresholds: Option<Thresholds>,
    /// Static token embeddings for the dense index (read by the caller, e.g. from
    /// `models/`); without them the snapshot ranks lexically only. The table is
    /// copied into the snapshot, since queries may use any of its tokens.
    pub token_table: Option<TokenTable>,
    /// The site owner's synonym groups (canonical word first), merged with the
    /// bundled list ([`synonyms`]).
    pub synonyms: SynonymGroups,
}

/// Why a knowledge base could not be built; each names the entry to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// Nothing to build from.
    #[error("the knowledge base has no entries")]
    Empty,
    /// Two entries of one locale share an id, so answers and evaluations would be
    /// ambiguous.
    #[error("entry id `{id}` is used twice for locale `{locale}`; ids must be unique per locale")]
    DuplicateId {
        /// The repeated id.
        id: String,
        /// The locale both entries have.
        locale: String,
    },
    /// An entry without an id cannot be referred to by tickets or datasets.
    #[error("entry number {position} (counting from 1) has no id")]
    MissingId {
        /// Position of the entry in the input, from 1.
        position: usize,
    },
    /// The site owner's synonym list contradicts itself.
    #[error("{0}")]
    Synonyms(String),
    /// The question is the entry's title; without it there is nothing to show.
    #[error("entry `{id}` has no question")]
    MissingQuestion {
        /// The entry's id.
        id: String,
    },
}

/// Validates the entries, indexes them, calibrates confidence and thresholds on
/// held-out phrasings (see [`calibrate`]) and returns the snapshot.
/// Deterministic: the same entries and options give a byte-identical snapshot.
pub fn build(entries: Vec<Entry>, options: &BuildOptions) -> Result<Snapshot, BuildError> {
    build_with_scoring(entries, options, Scoring::default())
}

/// [`build()`] with explicit scoring parameters; for experiments and evaluation
/// (`examples/quick_eval.rs`).
pub fn build_with_scoring(
    entries: Vec<Entry>,
    options: &BuildOptions,
    scoring: Scoring,
) -> Result<Snapshot, BuildError> {
    validate(&entries)?;
    let kb_text = entries.iter().flat_map(|e| {
        std::iter::once(e.question.as_str())
            .chain(e.alternates.iter().map(String::as_str))
            .chain(std::iter::once(e.answer_text.as_str()))
    });
    let synonyms = synonyms::merge(&options.synonyms, kb_text)?;
    let analyzer = Analyzer::with_synonyms(synonyms.clone());
    let analyzed: Vec<AnalyzedEntry> = entries
        .iter()
        .map(|e| AnalyzedEntry::new(e, &analyzer, &[]))
        .collect();
    let index = LexicalIndex::build(&analyzed);
    let dense = options
        .token_table
        .clone()
        .map(|table| DenseIndex::build(table, &entries));
    let (shares, shrinkage, mut rankers) =
        match calibrate(&entries, &scoring, &analyzer, dense.as_ref()) {
            Some(c) => (c.shares, c.projection_shrinkage, c.rankers),
            // Too small to measure a gain on: lexical only, default calibration.
            None => (Shares::default(), None, PerRanker::default()),
        };
    let dense_share = shares.dense;
    // Trained again on every phrasing, now that held-out ones showed it pays.
    let classifier = (shares.classifier > 0.0)
        .then(|| TermClassifier::train(&index))
        .flatten();
    let classifier_share = if classifier.is_some() {
        shares.classifier
    } else {
        0.0
    };
    // Learned on every phrasing now that the shrinkage is chosen.
    let dense = dense.map(|d| {
        let p = shrinkage.and_then(|alpha| fit_projection(&d, &entries, &[], alpha));
        d.with_projection(p)
    });
    // The table is most of the snapshot's bytes: ship it only where it pays.
    let dense = dense.filter(|_| dense_share > 0.0);
    if dense.is_none() {
        rankers.fused = rankers.lexical;
    }
    if let Some(t) = options.thresholds {
        rankers.lexical.thresholds = t;
        rankers.dense.thresholds = t;
        rankers.fused.thresholds = t;
    }
    let mut locales: Vec<String> = entries
        .iter()
        .filter(|e| !e.locale.is_empty())
        .map(|e| e.locale.clone())
        .collect();
    locales.sort();
    locales.dedup();
    Ok(Snapshot::from_body(Body {
        engine_version: env!("CARGO_PKG_VERSION").to_string(),
        build_time: options.build_time,
        locales,
        entries,
        index,
        classifier,
        dense,
        scoring,
        classifier_share,
        dense_share,
        rankers,
        synonyms,
    }))
}

fn validate(entries: &[Entry]) -> Result<(), BuildError> {
    if entries.is_empty() {
        return Err(BuildError::Empty);
    }
    let mut keys: Vec<(&str, &str, usize)> = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        if e.id.trim().is_empty() {
            return Err(BuildError::MissingId { position: i + 1 });
        }
        if e.question.trim().is_empty() {
            return Err(BuildError::MissingQuestion { id: e.id.clone() });
        }
        keys.push((e.locale.as_str(), e.id.as_str(), i));
    }
    keys.sort_unstable();
    if let Some(w) = keys
        .windows(2)
        .find(|w| (w[0].0, w[0].1) == (w[1].0, w[1].1))
    {
        return Err(BuildError::DuplicateId {
            id: w[0].1.to_string(),
            locale: w[0].0.to_string(),
        });
    }
    Ok(())
}
