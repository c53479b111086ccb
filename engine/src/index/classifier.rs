//! A linear classifier over the lexical vocabulary, trained at build time on the
//! knowledge base's own phrasings.
//!
//! BM25 and the nearest-phrasing vote weigh a word by how rare it is; they cannot
//! learn that "pending" separates two entries about transfers while "transfer"
//! does not. A linear model fitted on the phrasings (one entry against the rest,
//! L2-regularized squared hinge loss, as liblinear's dual coordinate descent
//! solves it) learns exactly that, and its errors differ from the rankers': on
//! banking77, a prototype in Python over the same kind of features ranked 89% of the
//! test questions first alone and lifted a fusion with the current ranker by
//! ≈1.6 points. The build keeps it only when held-out phrasings say it helps
//! (`crate::build::calibrate`).
//!
//! Features are the index's own terms (stemmed words, codes, CJK unigrams and
//! bigrams) weighted by sublinear tf × idf over phrasings and normalized to unit
//! length, so a query costs one pass over the weights of its terms. Weights are
//! stored per term as (entry, int8) pairs with one scale; weights that round to
//! zero are dropped, which is most of them. Training is build-side
//! (`crate::build::classifier`); this file scores.

use serde::{Deserialize, Serialize};

use super::lexical::{LexicalIndex, PreparedQuery};

/// One-vs-rest linear scores for every entry from the terms of a query.
///
/// The weights are flat arrays, term after term (the types the snapshot already
/// decodes elsewhere, so the visitor's wasm gains no decoder for them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermClassifier {
    /// Per lexical term id, how many entries have a non-zero weight for it.
    pub(crate) counts: Vec<u32>,
    /// Those entries, term after term, ascending within a term.
    pub(crate) entries: Vec<u32>,
    /// Their weights in multiples of `scale`, aligned with `entries`.
    pub(crate) values: Vec<i8>,
    /// Per entry, the score of a query with no known term.
    pub(crate) bias: Vec<f32>,
    /// Value of one int8 step.
    pub(crate) scale: f32,
    /// Where each term's weights start (`counts` summed), derived on load.
    #[serde(skip)]
    pub(crate) starts: Vec<usize>,
}

impl TermClassifier {
    /// Fills the per-term offsets that are not serialized; decoding calls this
    /// through [`TermClassifier::check`].
    pub(crate) fn derive_starts(&mut self) {
        let mut at = 0usize;
        self.starts = Vec::with_capacity(self.counts.len() + 1);
        self.starts.push(0);
        for &n in &self.counts {
            at = at.saturating_add(n as usize);
            self.starts.push(at);
        }
    }

    /// Checks ids against the index it was trained with, for snapshots read from
    /// untrusted bytes, and derives the offsets queries need.
    pub fn check(&mut self, index: &LexicalIndex) -> Result<(), String> {
        let entries = index.entry_count();
        self.derive_starts();
        // One message for every mismatch: each string is paid for in the visitor's wasm.
        let fits = self.counts.len() == index.term_count()
            && self.bias.len() == entries
            && self.values.len() == self.entries.len()
            && self.starts.last() == Some(&self.entries.len())
            && self.scale.is_finite()
            && self.bias.iter().all(|b| b.is_finite())
            && self.entries.iter().all(|&e| (e as usize) < entries);
        if fits {
            Ok(())
        } else {
            Err("classifier does not match the lexical index".into())
        }
    }

    /// Stored (entry, term) weights; for size reports.
    pub fn weight_count(&self) -> usize {
        self.entries.len()
    }

    /// Every entry's score for `query`: its margin (+1 = clearly this entry) cut
    /// to 0..=1, so entries the model rejects add nothing. (Mapping −1..1 onto
    /// 0..1 instead ranked held-out banking77 alternates as well but lost 8
    /// points of the balanced escalation score on massive_zh validation: every
    /// entry then gets some score, and a question nothing covers looks covered.)
    /// `exclude` scores 0.
    pub fn score(
        &self,
        index: &LexicalIndex,
        query: &PreparedQuery,
        exclude: Option<u32>,
    ) -> Vec<f32> {
        let mut margins: Vec<f32> = self.bias.clone();
        let features = index.query_features(query);
        let norm = features.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (term, x) in features {
                let x = x / norm * self.scale;
                let (from, to) = (self.starts[term], self.starts[term + 1]);
                for (&e, &v) in self.entries[from..to].iter().zip(&self.values[from..to]) {
                    margins[e as usize] += x * v as f32;
                }
            }
        }
        if let Some(e) = exclude {
            margins[e as usize] = 0.0;
        }
        for m in &mut margins {
            *m = m.clamp(0.0, 1.0);
        }
        margins
    }
}
