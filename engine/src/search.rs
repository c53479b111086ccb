//! One question against the indexes of a knowledge base: lexical and dense
//! evidence, gathered once and then fused for a [`Ranker`].

use crate::analysis::Analyzer;
use crate::index::dense::DenseScores;
use crate::index::TypoTable;
use crate::index::{DenseIndex, DensePhrasings, EntryScores, LexicalIndex, Scoring, TokenWeights};
use crate::rank::{fuse, Ranker};

/// Borrowed views of everything a query needs.
pub(crate) struct Searcher<'a> {
    pub lexical: &'a LexicalIndex,
    pub typos: &'a TypoTable,
    pub scoring: &'a Scoring,
    pub dense: Option<DenseSearch<'a>>,
}

/// The dense half: table, per-knowledge-base token weights, phrasing vectors.
pub(crate) struct DenseSearch<'a> {
    pub index: &'a DenseIndex,
    pub weights: &'a TokenWeights,
    pub phrasings: &'a DensePhrasings,
}

/// Both rankers' evidence for one question.
pub(crate) struct Evidence {
    pub lexical: EntryScores,
    pub dense: Option<DenseScores>,
}

impl Evidence {
    /// The evidence as `ranker` sees it.
    pub fn fused(&self, ranker: Ranker, dense_share: f32) -> EntryScores {
        fuse(ranker, &self.lexical, self.dense.as_ref(), dense_share)
    }
}

impl Searcher<'_> {
    /// Scores every entry for `text` with both indexes, ignoring `exclude`.
    /// `need_dense` is false when the ranker does not look at dense evidence.
    pub fn evidence(
        &self,
        analyzer: &Analyzer,
        text: &str,
        exclude: Option<u32>,
        need_dense: bool,
    ) -> Evidence {
        let terms = analyzer.analyze(text);
        let prepared = self.lexical.prepare(&terms, self.typos, self.scoring);
        let lexical = self.lexical.score(&prepared, self.scoring, exclude);
        let dense = self.dense.as_ref().filter(|_| need_dense).map(|d| {
            match d.index.embed(d.weights, text) {
                Some(q) => d.phrasings.score(&q, self.scoring, exclude),
                None => DenseScores {
                    score: vec![0.0; lexical.fused.len()],
                    agreement: vec![0.0; lexical.fused.len()],
                },
            }
        });
        Evidence { lexical, dense }
    }
}
