//! From raw entry scores to ranked candidates with a calibrated confidence.
//!
//! A fused lexical score of 0.6 means little on its own: it depends on the knowledge
//! base, the language and the query. What the visitor path needs is the probability
//! that an entry is the right answer. [`Calibration`] maps three features of the
//! score distribution to that probability with a logistic function:
//!
//! - the entry's normalized score (how much of the query it explains),
//! - its margin over the best *other* entry (how clearly it stands out), and
//! - its agreement: the share of the nearest phrasings' vote it received (questions
//!   the knowledge base does not cover tend to find neighbours scattered over many
//!   entries),
//! - its dense score (how close in meaning its nearest phrasings are), and
//! - accord: whether the lexical and the dense ranker put it first independently
//!   (two views that agree are rarely both wrong; a question the knowledge base
//!   does not cover makes them disagree).
//!
//! Before that, [`fuse`] combines the lexical and dense evidence for the chosen
//! [`Ranker`]: a weighted sum whose weight the build picks on held-out phrasings.
//!
//! The weights are fitted at build time on phrasings held out of the knowledge base
//! (`crate::build::calibrate`), so the confidence means the same thing for every
//! snapshot; small knowledge bases use [`Calibration::default`]. The snapshot
//! stores them, with the decision thresholds, per ranker ([`PerRanker`]).

use serde::{Deserialize, Serialize};

use crate::decision::Thresholds;
use crate::index::dense::DenseScores;
use crate::index::EntryScores;

/// A ranked entry for a query.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// Index into [`crate::Engine::entries`].
    pub entry: usize,
    /// Calibrated confidence in 0..=1 that this entry answers the query.
    pub score: f32,
}

/// Number of features the calibration uses.
pub(crate) const FEATURES: usize = 6;

/// What calibration looks at for one entry and one query.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Features {
    /// Fused normalized score.
    pub score: f32,
    /// Score minus the best other entry's score (negative below the top).
    pub margin: f32,
    /// Share of the nearest-phrasing vote.
    pub agreement: f32,
    /// Dense score (0 without a dense index).
    pub dense: f32,
    /// 1 when the lexical and the dense ranker both put this entry first.
    pub accord: f32,
    /// The margin as a share of the entry's own score, in −1..=1: a visitor's
    /// long question, full of words the knowledge base never uses, scores low
    /// on every entry, yet its best entry can stand as far ahead of the rest as
    /// a short question's; this sees the lead whatever the length.
    pub lead: f32,
}

impl Features {
    pub(crate) fn as_array(&self) -> [f32; FEATURES] {
        [
            self.score,
            self.margin,
            self.agreement,
            self.dense,
            self.accord,
            self.lead,
        ]
    }
}

/// Logistic map from [`Features`] to a probability of being right.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Log-odds of being right with all features at zero.
    pub bias: f32,
    /// Weights of score, margin, agreement, dense score and accord; never negative,
    /// so confidence never falls when the evidence grows.
    pub weights: [f32; FEATURES],
}

impl Default for Calibration {
    /// Hand-set for knowledge bases too small to fit on: a query fully explained by
    /// one entry with a clear lead gets ≈0.9, half-explained with no lead ≈0.3.
    /// Agreement is ignored: with few phrasings it is high by construction.
    fn default() -> Self {
        Calibration {
            bias: -4.0,
            weights: [6.0, 4.0, 0.0, 0.0, 0.0, 0.0],
        }
    }
}

impl Calibration {
    /// Probability that an entry with these features is the right answer.
    pub fn confidence(&self, f: &Features) -> f32 {
        let z = self
            .weights
            .iter()
            .zip(f.as_array())
            .fold(self.bias, |z, (w, x)| z + w * x);
        1.0 / (1.0 + (-z).exp())
    }
}

/// The `k` entries with the highest positive scores, best first (ties by entry
/// order), with the calibration features of each.
pub(crate) fn ordered(scores: &EntryScores, k: usize) -> Vec<(usize, Features)> {
    let s = &scores.fused;
    let by_score = |a: &usize, b: &usize| s[*b].total_cmp(&s[*a]).then(a.cmp(b));
    let mut order: Vec<usize> = (0..s.len()).filter(|&e| s[e] > 0.0).collect();
    // Selecting before sorting: every entry has a score at 10k entries, and
    // sorting them all cost more than the lexical ranker. The best two are kept
    // for the margins.
    let keep = k.max(2);
    if order.len() > keep {
        order.select_nth_unstable_by(keep - 1, by_score);
        order.truncate(keep);
    }
    order.sort_unstable_by(by_score);
    let first = order.first().map_or(0.0, |&e| s[e]);
    let second = order.get(1).map_or(0.0, |&e| s[e]);
    order.truncate(k);
    order
        .iter()
        .enumerate()
        .map(|(i, &e)| {
            let best_other = if i == 0 { second } else { first };
            let margin = s[e] - best_other;
            let features = Features {
                score: s[e],
                margin,
                lead: (margin / s[e].max(f32::EPSILON)).clamp(-1.0, 1.0),
                agreement: scores.agreement[e],
                dense: scores.dense.get(e).copied().unwrap_or(0.0),
                accord: scores.accord.get(e).copied().unwrap_or(0.0),
            };
            (e, features)
        })
        .collect()
}

/// Which evidence ranks the entries; `Fused` is the product, the others are
/// there to measure what each half contributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ranker {
    /// BM25/BM25F over words and characters only.
    Lexical,
    /// Static-embedding cosine only.
    Dense,
    /// Both, weighted (see [`fuse`]).
    #[default]
    Fused,
}

impl Ranker {
    /// All rankers, in a fixed order.
    pub const ALL: [Ranker; 3] = [Ranker::Lexical, Ranker::Dense, Ranker::Fused];
}

/// Confidence calibration and thresholds for one ranker.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Tuned {
    /// Score features → probability of being right.
    pub calibration: Calibration,
    /// The utility-maximizing cut-offs on that probability.
    pub thresholds: Thresholds,
}

/// One [`Tuned`] per [`Ranker`], so every ranker decides on its own evidence.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct PerRanker {
    /// For [`Ranker::Lexical`].
    pub lexical: Tuned,
    /// For [`Ranker::Dense`].
    pub dense: Tuned,
    /// For [`Ranker::Fused`].
    pub fused: Tuned,
}

impl PerRanker {
    /// The settings of `ranker`.
    pub fn get(&self, ranker: Ranker) -> &Tuned {
        match ranker {
            Ranker::Lexical => &self.lexical,
            Ranker::Dense => &self.dense,
            Ranker::Fused => &self.fused,
        }
    }
}

/// Combines lexical and dense evidence for `ranker`. The fused score is
/// `(1 - dense_share) * lexical + dense_share * dense`; the vote agreements mix
/// the same way. Without dense evidence, `Fused` is `Lexical`.
pub fn fuse(
    ranker: Ranker,
    lexical: &EntryScores,
    dense: Option<&DenseScores>,
    dense_share: f32,
) -> EntryScores {
    let n = lexical.fused.len();
    let Some(dense) = dense.filter(|d| d.score.len() == n) else {
        return match ranker {
            Ranker::Dense => EntryScores::zero(n),
            _ => lexical.clone(),
        };
    };
    match ranker {
        Ranker::Lexical => lexical.clone(),
        Ranker::Dense => EntryScores {
            fused: dense.score.clone(),
            agreement: dense.agreement.clone(),
            dense: dense.score.clone(),
            accord: Vec::new(),
        },
        Ranker::Fused => {
            let w = dense_share;
            let mix = |a: &[f32], b: &[f32]| -> Vec<f32> {
                a.iter()
                    .zip(b)
                    .map(|(a, b)| (1.0 - w) * a + w * b)
                    .collect()
            };
            let mut accord = vec![0.0; n];
            if let (Some(l), Some(d)) = (argmax(&lexical.fused), argmax(&dense.score)) {
                if l == d {
                    accord[l] = 1.0;
                }
            }
            EntryScores {
                fused: mix(&lexical.fused, &dense.score),
                agreement: mix(&lexical.agreement, &dense.agreement),
                dense: dense.score.clone(),
                accord,
            }
        }
    }
}

/// Index of the largest positive value (first on ties).
fn argmax(values: &[f32]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, &v) in values.iter().enumerate() {
        if v > 0.0 && best.is_none_or(|b| v > values[b]) {
            best = Some(i);
        }
    }
    best
}

/// The `k` best entries with a positive score, best first, with calibrated
/// confidences.
pub fn rank(scores: &EntryScores, calibration: &Calibration, k: usize) -> Vec<Candidate> {
    let mut candidates: Vec<Candidate> = ordered(scores, k)
        .into_iter()
        .map(|(entry, f)| Candidate {
            entry,
            score: calibration.confidence(&f),
        })
        .collect();
    // Agreement can reorder close entries; keep the list sorted by confidence.
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));
    candidates
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::calibrate::top;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    fn scores(fused: &[f32]) -> EntryScores {
        EntryScores {
            fused: fused.to_vec(),
            ..EntryScores::zero(fused.len())
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn ranking_is_by_score_then_entry_order() {
        let s = scores(&[0.2, 0.0, 0.9, 0.2]);
        let ranked = rank(&s, &Calibration::default(), 5);
        let order: Vec<usize> = ranked.iter().map(|c| c.entry).collect();
        assert_eq!(order, [2, 0, 3]);
        assert!(ranked.windows(2).all(|w| w[0].score >= w[1].score));
        assert!(ranked.iter().all(|c| (0.0..=1.0).contains(&c.score)));
        let (entry, f) = top(&s).unwrap();
        assert_eq!(entry, 2);
        assert!((f.margin - 0.7).abs() < 1e-6);
        assert_eq!(top(&scores(&[0.0, 0.0])), None);
    }
}
