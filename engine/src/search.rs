//! One question against the indexes of a knowledge base: lexical and dense
//! evidence, gathered once and then fused for a [`Ranker`].

use crate::analysis::Query;
use crate::index::dense::DenseScores;
use crate::index::{DenseIndex, DensePhrasings, EntryScores, LexicalIndex, Scoring, TokenWeights};
use crate::index::{TermClassifier, TypoTable};
use crate::rank::{fuse, Ranker};

/// With a graph over the phrasing vectors, this many of the lexical ranker's
/// best entries have all their phrasings compared exactly, so fusion weighs
/// them on the same dense evidence as exact search would.
const LEXICAL_RESCORED: usize = 32;

/// Borrowed views of everything a query needs.
pub(crate) struct Searcher<'a> {
    pub lexical: &'a LexicalIndex,
    pub typos: &'a TypoTable,
    pub scoring: &'a Scoring,
    pub classifier: Option<&'a TermClassifier>,
    pub dense: Option<DenseSearch<'a>>,
}

/// How much of the ranking score each learned component gets, chosen at build
/// time on held-out phrasings (`crate::build::calibrate`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Shares {
    /// Share of the dense score in the fused score (see [`fuse`]).
    pub dense: f32,
    /// Share of the [`TermClassifier`]'s score in the lexical score.
    pub classifier: f32,
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
    /// The classifier's score per entry, when the snapshot has one and any query
    /// term is known.
    pub classifier: Option<Vec<f32>>,
    pub dense: Option<DenseScores>,
    /// Whether the question shares only its frame with the knowledge base.
    pub only_frame: bool,
}

impl Evidence {
    /// The evidence as `ranker` sees it: the classifier is part of the lexical
    /// half (it reads the same terms), mixed in by its share.
    pub fn fused(&self, ranker: Ranker, shares: Shares) -> EntryScores {
        // Nothing of the subject is known, only "where is my …": whatever the
        // frame or the vectors it dominates find, no entry is about this question.
        if self.only_frame {
            return EntryScores::zero(self.lexical.fused.len());
        }
        let s = shares.classifier;
        match &self.classifier {
            Some(c) if s > 0.0 && ranker != Ranker::Dense => {
                let mut lexical = self.lexical.clone();
                for (l, c) in lexical.fused.iter_mut().zip(c) {
                    *l = (1.0 - s) * *l + s * c;
                }
                fuse(ranker, &lexical, self.dense.as_ref(), shares.dense)
            }
            _ => fuse(ranker, &self.lexical, self.dense.as_ref(), shares.dense),
        }
    }
}

impl Searcher<'_> {
    /// Scores every entry for `query` with both indexes, ignoring `exclude`.
    /// `need_dense` is false when the ranker does not look at dense evidence.
    pub fn evidence(&self, query: &Query, exclude: Option<u32>, need_dense: bool) -> Evidence {
        let prepared = self.lexical.prepare(&query.terms, self.typos, self.scoring);
        let lexical = self.lexical.score(&prepared, self.scoring, exclude);
        let classifier = self
            .classifier
            .filter(|_| prepared.matches_anything())
            .map(|c| c.score(self.lexical, &prepared, exclude));
        let dense = self.dense.as_ref().filter(|_| need_dense).map(|d| {
            match d.index.embed(d.weights, &query.text) {
                Some(q) => {
                    let also = if d.phrasings.has_graph() {
                        best_entries(&lexical.fused, LEXICAL_RESCORED)
                    } else {
                        Vec::new()
                    };
                    d.phrasings.score(&q, self.scoring, exclude, &also)
                }
                None => DenseScores {
                    score: vec![0.0; lexical.fused.len()],
                    agreement: vec![0.0; lexical.fused.len()],
                },
            }
        });
        Evidence {
            lexical,
            classifier,
            dense,
            only_frame: prepared.matches_only_frame(),
        }
    }
}

/// The `k` entries of highest positive score, in no particular order.
fn best_entries(scores: &[f32], k: usize) -> Vec<u32> {
    let mut entries: Vec<u32> = (0..scores.len() as u32)
        .filter(|&e| scores[e as usize] > 0.0)
        .collect();
    if entries.len() > k {
        entries.select_nth_unstable_by(k - 1, |&a, &b| {
            scores[b as usize]
                .total_cmp(&scores[a as usize])
                .then(a.cmp(&b))
        });
        entries.truncate(k);
    }
    entries
}
