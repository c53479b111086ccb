//! From raw entry scores to ranked candidates with a calibrated confidence.
//!
//! A fused lexical score of 0.6 means little on its own: it depends on the knowledge
//! base, the language and the query. What the visitor path needs is the probability
//! that the top entry is the right answer. [`Calibration`] maps two features of the
//! score distribution to that probability with a logistic function:
//!
//! - the entry's normalized score (how much of the query it explains), and
//! - its margin over the best *other* entry (how clearly it stands out).
//!
//! The weights are fitted at build time on phrasings held out of the knowledge base
//! (see [`crate::build`]), so the confidence means the same thing for every
//! snapshot; small knowledge bases use [`Calibration::default`].

use serde::{Deserialize, Serialize};

/// A ranked entry for a query.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// Index into [`crate::Engine::entries`].
    pub entry: usize,
    /// Calibrated confidence in 0..=1 that this entry answers the query.
    pub score: f32,
}

/// Logistic map from score features to a probability of being right.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    pub bias: f32,
    pub score_weight: f32,
    pub margin_weight: f32,
}

impl Default for Calibration {
    /// Hand-set for knowledge bases too small to fit on: a query fully explained by
    /// one entry with a clear lead gets ≈0.9, half-explained with no lead ≈0.3.
    fn default() -> Self {
        Calibration {
            bias: -4.0,
            score_weight: 6.0,
            margin_weight: 4.0,
        }
    }
}

/// One observation for fitting: features and whether the top entry was right.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    pub score: f32,
    pub margin: f32,
    pub correct: bool,
    /// Importance of this observation in the fit.
    pub weight: f32,
}

impl Calibration {
    /// Probability that an entry with this normalized `score` and `margin` over the
    /// best other entry is the right answer.
    pub fn confidence(&self, score: f32, margin: f32) -> f32 {
        sigmoid(self.bias + self.score_weight * score + self.margin_weight * margin)
    }

    /// Weighted logistic regression by full-batch gradient descent: a fixed number
    /// of steps from a fixed start, so the same observations always give the same
    /// weights. Weights are kept non-negative so confidence never decreases with a
    /// higher score or a wider margin (ranking by confidence = ranking by score).
    pub fn fit(observations: &[Observation]) -> Calibration {
        let mut w = [0.0f64; 3]; // bias, score, margin
        let total: f64 = observations.iter().map(|o| o.weight as f64).sum();
        if total <= 0.0 {
            return Calibration::default();
        }
        const STEPS: usize = 3000;
        const RATE: f64 = 2.0;
        const L2: f64 = 1e-3;
        for _ in 0..STEPS {
            let mut grad = [0.0f64; 3];
            for o in observations {
                let x = [1.0, o.score as f64, o.margin as f64];
                let z = w[0] + w[1] * x[1] + w[2] * x[2];
                let p = 1.0 / (1.0 + (-z).exp());
                let err = (p - if o.correct { 1.0 } else { 0.0 }) * o.weight as f64;
                for k in 0..3 {
                    grad[k] += err * x[k];
                }
            }
            for k in 0..3 {
                let reg = if k == 0 { 0.0 } else { L2 * w[k] };
                w[k] -= RATE * (grad[k] / total + reg);
            }
            w[1] = w[1].max(0.0);
            w[2] = w[2].max(0.0);
        }
        Calibration {
            bias: w[0] as f32,
            score_weight: w[1] as f32,
            margin_weight: w[2] as f32,
        }
    }
}

/// The `k` best entries with a positive score, best first (ties by entry order),
/// with calibrated confidences.
pub fn rank(scores: &[f32], calibration: &Calibration, k: usize) -> Vec<Candidate> {
    let mut order: Vec<usize> = (0..scores.len()).filter(|&e| scores[e] > 0.0).collect();
    order.sort_unstable_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let first = order.first().map_or(0.0, |&e| scores[e]);
    let second = order.get(1).map_or(0.0, |&e| scores[e]);
    order
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, &e)| {
            let best_other = if i == 0 { second } else { first };
            Candidate {
                entry: e,
                score: calibration.confidence(scores[e], scores[e] - best_other),
            }
        })
        .collect()
}

/// Features of the top entry: its score and its margin over the runner-up.
pub fn top_features(scores: &[f32]) -> Option<(usize, f32, f32)> {
    let mut best: Option<usize> = None;
    let mut second = 0.0f32;
    for (e, &s) in scores.iter().enumerate() {
        if s <= 0.0 {
            continue;
        }
        match best {
            Some(b) if s <= scores[b] => second = second.max(s),
            Some(b) => {
                second = second.max(scores[b]);
                best = Some(e);
            }
            None => best = Some(e),
        }
    }
    best.map(|b| (b, scores[b], scores[b] - second))
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn ranking_is_by_score_then_entry_order() {
        let ranked = rank(&[0.2, 0.0, 0.9, 0.2], &Calibration::default(), 5);
        let order: Vec<usize> = ranked.iter().map(|c| c.entry).collect();
        assert_eq!(order, [2, 0, 3]);
        assert!(ranked.windows(2).all(|w| w[0].score >= w[1].score));
        assert!(ranked.iter().all(|c| (0.0..=1.0).contains(&c.score)));
        assert_eq!(top_features(&[0.2, 0.0, 0.9, 0.2]), Some((2, 0.9, 0.7)));
        assert_eq!(top_features(&[0.0, 0.0]), None);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn fit_learns_that_high_scores_are_right() {
        let obs: Vec<Observation> = (0..100)
            .map(|i| {
                let score = i as f32 / 100.0;
                Observation {
                    score,
                    margin: score / 2.0,
                    correct: score > 0.5,
                    weight: 1.0,
                }
            })
            .collect();
        let c = Calibration::fit(&obs);
        assert!(c.confidence(0.9, 0.45) > 0.8, "{c:?}");
        assert!(c.confidence(0.1, 0.05) < 0.2, "{c:?}");
        assert_eq!(c, Calibration::fit(&obs));
    }
}
