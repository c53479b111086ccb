//! Choosing the confidence calibration and decision thresholds from the knowledge
//! base itself, at build time.
//!
//! Query logs are not available when a site owner builds a snapshot, but the
//! alternates are real phrasings of real questions. The procedure:
//!
//! 1. **Hold out.** Every entry with at least three phrasings (question +
//!    alternates) lends about one alternate in ten (at least one, at most
//!    [`MAX_HELD_OUT_PER_ENTRY`]), and no more than [`MAX_HELD_OUT`] in all; which
//!    ones is decided by a hash of their text, so the choice is deterministic and
//!    independent of entry order.
//! 2. **Index the rest** and ask each held-out phrasing twice:
//!    - as is: an *answerable* question whose right answer is known;
//!    - with its own entry hidden: an *unanswerable* question that closely
//!      resembles the knowledge base, the hardest kind of question to refuse.
//! 3. **Learn, project and fuse.** Train a [`TermClassifier`] on the phrasings
//!    left in; with a dense index, learn a [`Projection`] of its space from them,
//!    with the shrinkage that ranks the most held-out phrasings first. For each
//!    combination (with and without each), pick the classifier's share of the
//!    lexical score and the dense share of the fused score (see
//!    [`crate::rank::fuse`]) that rank the most answerable held-out phrasings
//!    first, on one grid (ties to the smaller shares), then run steps 4–5. A
//!    learned part is kept only when the fused ranker's decisions (step 5) gain by
//!    it at least [`MIN_PROJECTION_GAIN`] or [`MIN_CLASSIFIER_GAIN`].
//! 4. **Calibrate**, for each [`Ranker`]. Fit [`Calibration`] (logistic regression on the top entry's
//!    score features, see [`crate::rank`]) so that confidence estimates the probability
//!    of the top entry being right. Unanswerable questions get a weight of
//!    [`UNANSWERABLE_SHARE`] in total, our prior for how many visitor questions the
//!    knowledge base does not cover.
//! 5. **Choose thresholds** on a grid, maximizing the mean utility of the
//!    decisions: answering right scores 1, offering choices that contain the right
//!    entry 0.5 (one click away from the answer, and no agent needed), escalating an
//!    unanswerable question 1, offering choices for it [`UNANSWERABLE_CLARIFY`] (the
//!    visitor reaches a person one click later); a wrong answer costs
//!    [`WRONG_ANSWER_COST`] (a wrong answer is worse than a hand-over to a person);
//!    escalating an answerable question scores 0.
//!
//! With fewer than [`MIN_HELD_OUT`] held-out phrasings (tiny or alternate-less
//! knowledge bases) there is nothing to learn from and the build uses the defaults.

use super::lexical::AnalyzedEntry;
use super::projection::SHRINKAGES;
use crate::analysis::{normalize, Analyzer, Query};
use crate::decision::{decide, Decision, Thresholds};
use crate::index::projection::Projection;
use crate::index::{DenseIndex, EntryScores};
use crate::index::{LexicalIndex, Scoring, TermClassifier, TypoTable};
use crate::kb::Entry;
use crate::rank::FEATURES;
use crate::rank::{ordered, rank, Calibration, Candidate, Features, PerRanker, Ranker, Tuned};
use crate::search::{DenseSearch, Evidence, Searcher, Shares};
use crate::snapshot::fnv1a64;

/// At most this many alternates of one entry are held out.
pub const MAX_HELD_OUT_PER_ENTRY: usize = 10;
/// At most this many phrasings are held out in all, so that calibration, which
/// asks each of them against the whole knowledge base, grows linearly with it.
pub const MAX_HELD_OUT: usize = 2000;
/// A projection is kept only when it raises the fused ranker's mean utility on
/// held-out phrasings by this much: smaller gains were noise on validation sets
/// (massive_zh validation, banking77 alternates held out by hand), and on
/// massive_zh a gain of 0.005 came with a 3-point loss of the balanced score.
pub const MIN_PROJECTION_GAIN: f32 = 0.01;
/// The [`TermClassifier`] is kept only when it raises the fused ranker's mean
/// utility on held-out phrasings by this much; its weights cost bytes (≈2 per
/// weight), and below it the gain was within the noise of the validation sets.
pub const MIN_CLASSIFIER_GAIN: f32 = 0.01;
/// Below this many held-out phrasings, defaults are used.
pub const MIN_HELD_OUT: usize = 20;
/// Assumed share of visitor questions the knowledge base cannot answer.
pub const UNANSWERABLE_SHARE: f32 = 0.25;
/// Utility of offering choices for a question the knowledge base cannot answer.
pub const UNANSWERABLE_CLARIFY: f32 = 0.25;
/// Utility of a wrong answer (escalating scores 0).
pub const WRONG_ANSWER_COST: f32 = -0.5;

/// Leads tried for answering a clear winner below the answer threshold
/// ([`Thresholds::lead`]), largest first; infinity, the rule switched off, is
/// tried last, so that on a tie (a small knowledge base's few held-out
/// phrasings rarely separate them) a visitor gets the clear winner's answer.
const LEADS: [f32; 7] = [0.4, 0.3, 0.25, 0.2, 0.15, 0.1, f32::INFINITY];

/// Weight of the general-domain questions in all, as a share of the
/// unanswerable look-alikes' weight.
pub const GENERAL_SHARE: f32 = 0.5;

/// Questions from outside any shop's knowledge base (weather, homework, other
/// companies…), written for this project: out-of-scope questions for
/// calibration that a site owner's alternates cannot provide. Never shipped
/// to visitors (build side only). See `engine/data/README.md`.
const GENERAL_EN: &str = include_str!("../../data/general-questions.en.txt");
const GENERAL_ZH: &str = include_str!("../../data/general-questions.zh.txt");

/// The general-domain questions in the scripts the entries are written in:
/// Chinese when a question has CJK characters, English when one has Latin letters.
fn general_questions(entries: &[Entry]) -> Vec<&'static str> {
    let has = |script: fn(char) -> bool| entries.iter().any(|e| e.question.chars().any(script));
    let mut out = Vec::new();
    if has(|c| c.is_ascii_alphabetic()) {
        out.extend(GENERAL_EN.lines().filter(|l| !l.trim().is_empty()));
    }
    if has(crate::analysis::segment::is_cjk) {
        out.extend(GENERAL_ZH.lines().filter(|l| !l.trim().is_empty()));
    }
    out
}

/// Classifier and dense shares tried, in tenths.
const SHARES: std::ops::RangeInclusive<u32> = 0..=9;

/// What calibration produced.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calibrated {
    /// Shares of the dense score in the fused score and of the classifier in
    /// the lexical score (0 when it did not rank more held-out phrasings first).
    pub shares: Shares,
    /// Shrinkage of the dense [`Projection`] that ranked the most held-out
    /// phrasings first, or `None` when none beat the table's own space.
    pub projection_shrinkage: Option<f32>,
    /// Calibration and thresholds of each ranker.
    pub rankers: PerRanker,
}

/// One held-out question after ranking.
struct Trial {
    /// The right entry, or `None` when its entry was hidden.
    expected: Option<usize>,
    /// Its weight in the mean utility.
    weight: f32,
    /// Top candidates under the fitted calibration.
    candidates: Vec<Candidate>,
}

/// Runs the procedure described in the module documentation; `None` when the
/// knowledge base is too small to learn from.
pub fn calibrate(
    entries: &[Entry],
    scoring: &Scoring,
    analyzer: &Analyzer,
    dense: Option<&DenseIndex>,
) -> Option<Calibrated> {
    let held_out = held_out_sample(entries);
    let total: usize = held_out.iter().map(Vec::len).sum();
    if total < MIN_HELD_OUT || entries.len() < 2 {
        return None;
    }
    let analyzed: Vec<AnalyzedEntry> = entries
        .iter()
        .zip(&held_out)
        .map(|(e, skip)| AnalyzedEntry::new(e, analyzer, skip))
        .collect();
    let index = LexicalIndex::build(&analyzed);
    let typos = TypoTable::new(&index);
    let held = HeldOut {
        entries,
        held_out: &held_out,
        total,
        lexical: &index,
        typos: &typos,
        scoring,
        analyzer,
    };
    let classifier = TermClassifier::train(&index);
    // Without the classifier is the same evidence with its share held at 0.
    let with_classifier = match classifier {
        Some(_) => vec![false, true],
        None => vec![false],
    };
    let shrinkages = match dense.and_then(|d| choose_projection(d, entries, &held_out, scoring)) {
        Some(alpha) => vec![None, Some(alpha)],
        None => vec![None],
    };
    let mut options = Vec::with_capacity(4);
    for shrinkage in shrinkages {
        let projected = dense.map(|d| {
            let p = shrinkage.and_then(|alpha| fit_projection(d, entries, &held_out, alpha));
            d.clone().with_projection(p)
        });
        let (runs, weights) = held.evidence(projected.as_ref(), classifier.as_ref());
        for &use_classifier in &with_classifier {
            let (shares, rankers, utility) =
                held.tune_rankers(&runs, &weights, use_classifier, projected.is_some());
            let calibrated = Calibrated {
                shares,
                projection_shrinkage: shrinkage,
                rankers,
            };
            options.push((utility, calibrated));
        }
    }
    keep_what_pays(options)
}

/// Of `(fused utility, calibration)` options, the best once each is charged the
/// minimum gain of every learned part it uses ([`MIN_PROJECTION_GAIN`],
/// [`MIN_CLASSIFIER_GAIN`]); the first of equals. Learned components must pay
/// for themselves in the decisions they lead to, not only in top-1: a learned
/// space can blur how far a question that the knowledge base does not cover
/// lies from everything. Options come without learned parts first, so a part
/// is kept only when it gains more than its minimum.
fn keep_what_pays(options: impl IntoIterator<Item = (f32, Calibrated)>) -> Option<Calibrated> {
    let mut best: Option<(f32, Calibrated)> = None;
    for (utility, calibrated) in options {
        let charged = utility
            - MIN_PROJECTION_GAIN * f32::from(u8::from(calibrated.projection_shrinkage.is_some()))
            - MIN_CLASSIFIER_GAIN * f32::from(u8::from(calibrated.shares.classifier > 0.0));
        if best.as_ref().is_none_or(|b| charged > b.0) {
            best = Some((charged, calibrated));
        }
    }
    best.map(|b| b.1)
}

/// The held-out phrasings and the lexical index built without them.
struct HeldOut<'a> {
    entries: &'a [Entry],
    held_out: &'a [Vec<usize>],
    total: usize,
    lexical: &'a LexicalIndex,
    typos: &'a TypoTable,
    scoring: &'a Scoring,
    analyzer: &'a Analyzer,
}

impl HeldOut<'_> {
    /// Step 2 with this dense index and classifier: every held-out phrasing's
    /// evidence, asked as is (expected entry) and with its entry hidden (`None`),
    /// then the general-domain questions in the knowledge base's scripts
    /// (`None`); with each run's weight in the fit and the utility.
    fn evidence(
        &self,
        dense: Option<&DenseIndex>,
        classifier: Option<&TermClassifier>,
    ) -> (Vec<(Option<usize>, Evidence)>, Vec<f32>) {
        let (entries, held_out) = (self.entries, self.held_out);
        let weights = dense.map(DenseIndex::weights);
        let phrasings = dense
            .zip(weights.as_ref())
            .map(|(d, w)| d.phrasings(w, entries, held_out));
        let searcher = Searcher {
            lexical: self.lexical,
            typos: self.typos,
            scoring: self.scoring,
            classifier,
            dense: dense.zip(weights.as_ref()).zip(phrasings.as_ref()).map(
                |((index, weights), phrasings)| DenseSearch {
                    index,
                    weights,
                    phrasings,
                },
            ),
        };

        // Evidence for each held-out phrasing: (expected entry or None, evidence).
        let mut runs: Vec<(Option<usize>, Evidence)> = Vec::with_capacity(2 * self.total);
        for (e, skip) in held_out.iter().enumerate() {
            for &alt in skip {
                let query = Query::new(self.analyzer, normalize(&entries[e].alternates[alt]));
                runs.push((Some(e), searcher.evidence(&query, None, true)));
                runs.push((None, searcher.evidence(&query, Some(e as u32), true)));
            }
        }
        let general = general_questions(entries);
        for text in &general {
            let query = Query::new(self.analyzer, normalize(text));
            runs.push((None, searcher.evidence(&query, None, true)));
        }
        // Answerable and unanswerable look-alikes (entry hidden) weigh by the
        // prior; questions from elsewhere come on top, [`GENERAL_SHARE`] of
        // the unanswerable weight in all. Taking their weight from the
        // look-alikes instead cost massive_zh validation 3.5 points of
        // balanced score: its out-of-scope questions are look-alikes.
        let answerable = (1.0 - UNANSWERABLE_SHARE) / self.total as f32;
        let hidden = UNANSWERABLE_SHARE / self.total as f32;
        let elsewhere = UNANSWERABLE_SHARE * GENERAL_SHARE / general.len().max(1) as f32;
        let weights = runs
            .iter()
            .enumerate()
            .map(|(i, (expected, _))| match expected {
                Some(_) => answerable,
                None if i < 2 * self.total => hidden,
                None => elsewhere,
            })
            .collect();
        (runs, weights)
    }

    /// Steps 3–5 on gathered evidence: the shares (the classifier's held at 0
    /// unless `classifier`, the dense one unless `dense`), each ranker's
    /// calibration and thresholds, and the fused ranker's mean utility.
    fn tune_rankers(
        &self,
        runs: &[(Option<usize>, Evidence)],
        weights: &[f32],
        classifier: bool,
        dense: bool,
    ) -> (Shares, PerRanker, f32) {
        let shares = choose_shares(runs, classifier, dense);
        let mut rankers = PerRanker::default();
        let scored = |ranker: Ranker| -> Vec<(Option<usize>, EntryScores)> {
            runs.iter()
                .map(|(expected, evidence)| (*expected, evidence.fused(ranker, shares)))
                .collect()
        };
        let fused = tune(&scored(Ranker::Fused), weights, Errs::NONE_CAPPED);
        rankers.fused = fused.tuned;
        rankers.dense = tune(&scored(Ranker::Dense), weights, Errs::NONE_CAPPED).tuned;
        // The lexical ranker answers alone while a download's dense index is still on its way
        // (`Engine::from_prefix`): its answers may be fewer, but no more often wrong, and it
        // offers a person for what the knowledge base does not cover as often.
        rankers.lexical = tune(&scored(Ranker::Lexical), weights, fused.errs).tuned;
        (shares, rankers, fused.utility)
    }
}

/// A [`Projection`] of `dense`'s space learned from the phrasings not in `skip`.
pub fn fit_projection(
    dense: &DenseIndex,
    entries: &[Entry],
    skip: &[Vec<usize>],
    alpha: f32,
) -> Option<Projection> {
    let plain = dense.clone().with_projection(None);
    let phrasings = plain.phrasings(&plain.weights(), entries, skip);
    Projection::fit(
        &phrasings.vectors(),
        phrasings.phrasing_entries(),
        plain.table().dims(),
        alpha,
    )
}

/// The shrinkage whose projection ranks the most held-out phrasings first with
/// the dense ranker alone; `None` when the table's own space does as well.
fn choose_projection(
    dense: &DenseIndex,
    entries: &[Entry],
    held_out: &[Vec<usize>],
    scoring: &Scoring,
) -> Option<f32> {
    let questions: Vec<(usize, String)> = held_out
        .iter()
        .enumerate()
        .flat_map(|(e, skip)| {
            skip.iter()
                .map(move |&alt| (e, normalize(&entries[e].alternates[alt])))
        })
        .collect();
    let right = |index: &DenseIndex| -> usize {
        let weights = index.weights();
        let phrasings = index.phrasings(&weights, entries, held_out);
        let mut right = 0;
        for (e, text) in &questions {
            let Some(q) = index.embed(&weights, text) else {
                continue;
            };
            let scores = phrasings.score(&q, scoring, None, &[]).score;
            let best = (0..scores.len()).fold(0, |b, i| if scores[i] > scores[b] { i } else { b });
            right += usize::from(best == *e && scores[*e] > 0.0);
        }
        right
    };
    let mut best = (right(dense), None);
    for alpha in SHRINKAGES {
        let p = fit_projection(dense, entries, held_out, alpha);
        if p.is_none() {
            continue;
        }
        let n = right(&dense.clone().with_projection(p));
        if n > best.0 {
            best = (n, Some(alpha));
        }
    }
    best.1
}

/// The classifier and dense shares (in tenths, on one grid, since the two
/// compete for the same errors) with which the fused ranker ranks the most
/// answerable held-out phrasings first; ties go to the smaller classifier share,
/// then the smaller dense share. A component the build does not have stays at 0.
fn choose_shares(runs: &[(Option<usize>, Evidence)], classifier: bool, dense: bool) -> Shares {
    let grid = |on: bool| SHARES.filter(move |&t| on || t == 0);
    let mut best = (0usize, Shares::default());
    for c in grid(classifier) {
        for d in grid(dense) {
            let shares = Shares {
                classifier: c as f32 / 10.0,
                dense: d as f32 / 10.0,
            };
            let right = runs
                .iter()
                .filter(|(expected, evidence)| {
                    expected.is_some()
                        && top(&evidence.fused(Ranker::Fused, shares)).map(|t| t.0) == *expected
                })
                .count();
            if right > best.0 {
                best = (right, shares);
            }
        }
    }
    best.1
}

/// What [`tune`] chose for one ranker, with its held-out mean utility and how often it erred.
struct Tuning {
    tuned: Tuned,
    utility: f32,
    errs: Errs,
}

/// How often thresholds err on held-out questions in the ways a visitor minds most.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Errs {
    /// Share of all the weight answered with a wrong entry, or answered at all out of scope.
    wrong: f32,
    /// Share of the out-of-scope weight not escalated (answered or offered choices).
    unescalated: f32,
}

impl Errs {
    const NONE_CAPPED: Errs = Errs {
        wrong: f32::INFINITY,
        unescalated: f32::INFINITY,
    };

    /// Whether these errs stay within `cap` (with a small tolerance: a cap is another ranker's
    /// share of the same weights).
    fn within(self, cap: Errs) -> bool {
        self.wrong <= cap.wrong + 1e-6 && self.unescalated <= cap.unescalated + 1e-6
    }
}

/// Fits the calibration and chooses thresholds on one ranker's scores, erring no more than
/// `cap` on the held-out questions where any thresholds on the grid allow it.
fn tune(runs: &[(Option<usize>, EntryScores)], weights: &[f32], cap: Errs) -> Tuning {
    let observations: Vec<Observation> = runs
        .iter()
        .zip(weights)
        .map(|((expected, scores), &weight)| {
            let (best, features) = top(scores).unwrap_or((usize::MAX, Features::default()));
            Observation {
                features,
                correct: *expected == Some(best),
                weight,
            }
        })
        .collect();
    let calibration = Calibration::fit(&observations);

    let trials: Vec<Trial> = runs
        .iter()
        .zip(weights)
        .map(|((expected, scores), &weight)| Trial {
            expected: *expected,
            weight,
            candidates: rank(scores, &calibration, 3),
        })
        .collect();
    let (utility, thresholds) = choose_thresholds(&trials, cap);
    Tuning {
        tuned: Tuned {
            calibration,
            thresholds,
        },
        utility,
        errs: errs(&trials, &thresholds),
    }
}

/// How often `thresholds` err on `trials` (see [`Errs`]).
fn errs(trials: &[Trial], thresholds: &Thresholds) -> Errs {
    let share = |of: &dyn Fn(&Trial) -> bool, part: &dyn Fn(&Trial, &Decision) -> bool| {
        let (mut total, mut counted) = (0.0, 0.0);
        for t in trials.iter().filter(|t| of(t)) {
            total += t.weight;
            if part(t, &decide(&t.candidates, thresholds)) {
                counted += t.weight;
            }
        }
        if total > 0.0 {
            counted / total
        } else {
            0.0
        }
    };
    Errs {
        wrong: share(&|_| true, &|t, d| match d {
            Decision::Answer { entry } => t.expected != Some(*entry),
            _ => false,
        }),
        unescalated: share(&|t| t.expected.is_none(), &|_, d| {
            !matches!(d, Decision::Escalate { .. })
        }),
    }
}

/// Alternates of `entry` to hold out: none when it has fewer than three
/// phrasings, else about one in ten chosen by text hash.
fn held_out_alternates(entry: &Entry) -> Vec<usize> {
    if entry.alternates.len() < 2 {
        return Vec::new();
    }
    let n = (entry.alternates.len() / 10).clamp(1, MAX_HELD_OUT_PER_ENTRY);
    let mut order: Vec<(u64, usize)> = entry
        .alternates
        .iter()
        .enumerate()
        .map(|(i, a)| (fnv1a64(a.as_bytes()), i))
        .collect();
    order.sort_unstable();
    let mut chosen: Vec<usize> = order.into_iter().take(n).map(|(_, i)| i).collect();
    chosen.sort_unstable();
    chosen
}

/// [`held_out_alternates`] of every entry, thinned to [`MAX_HELD_OUT`] in all by
/// keeping the phrasings of smallest text hash (deterministic, order-free).
fn held_out_sample(entries: &[Entry]) -> Vec<Vec<usize>> {
    let mut held_out: Vec<Vec<usize>> = entries.iter().map(held_out_alternates).collect();
    let total: usize = held_out.iter().map(Vec::len).sum();
    if total > MAX_HELD_OUT {
        let mut hashes: Vec<u64> = held_out
            .iter()
            .zip(entries)
            .flat_map(|(alts, e)| alts.iter().map(|&a| fnv1a64(e.alternates[a].as_bytes())))
            .collect();
        hashes.sort_unstable();
        let cut = hashes[MAX_HELD_OUT - 1];
        for (alts, e) in held_out.iter_mut().zip(entries) {
            alts.retain(|&a| fnv1a64(e.alternates[a].as_bytes()) <= cut);
        }
    }
    held_out
}

fn utility(trial: &Trial, decision: &Decision) -> f32 {
    match (trial.expected, decision) {
        (Some(right), Decision::Answer { entry }) if *entry == right => 1.0,
        (Some(right), Decision::Clarify { entries }) if entries.contains(&right) => 0.5,
        (None, Decision::Escalate { .. }) => 1.0,
        (None, Decision::Clarify { .. }) => UNANSWERABLE_CLARIFY,
        (_, Decision::Answer { .. }) => WRONG_ANSWER_COST,
        _ => 0.0,
    }
}

/// Grid search for the thresholds of highest total utility (returned with them) among those
/// that err within `cap` (all of them when none does); the first best in grid order wins, so
/// ties resolve the same way every time.
fn choose_thresholds(trials: &[Trial], cap: Errs) -> (f32, Thresholds) {
    let steps = |from: u32, to: u32, step: u32| (from..=to).step_by(step as usize);
    let mut best = (f32::MIN, Thresholds::default());
    let mut best_within = (f32::MIN, None);
    for answer in steps(30, 95, 5) {
        for clarify in steps(5, answer, 5) {
            // Never a zero margin: a tie between two entries is not an answer.
            for margin in [5, 10, 15, 20, 30] {
                for lead in LEADS {
                    let t = Thresholds {
                        answer: answer as f32 / 100.0,
                        clarify: clarify as f32 / 100.0,
                        margin: margin as f32 / 100.0,
                        lead,
                    };
                    if t.lead <= t.margin {
                        continue; // the lead rule would answer whatever `answer` refuses
                    }
                    let total: f32 = trials
                        .iter()
                        .map(|trial| trial.weight * utility(trial, &decide(&trial.candidates, &t)))
                        .sum();
                    if total > best.0 {
                        best = (total, t);
                    }
                    if total > best_within.0 && errs(trials, &t).within(cap) {
                        best_within = (total, Some(t));
                    }
                }
            }
        }
    }
    match best_within {
        (total, Some(t)) => (total, t),
        (_, None) => best,
    }
}

/// One observation for fitting: features and whether the entry was right.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    /// The top entry's features.
    pub features: Features,
    /// Whether the top entry was the right one.
    pub correct: bool,
    /// Importance of this observation in the fit.
    pub weight: f32,
}

impl Calibration {
    /// Weighted logistic regression by full-batch gradient descent: a fixed number
    /// of steps from a fixed start, so the same observations always give the same
    /// weights. Weights are kept non-negative, so ranking by confidence is ranking
    /// by evidence.
    pub fn fit(observations: &[Observation]) -> Calibration {
        const STEPS: usize = 3000;
        const RATE: f64 = 2.0;
        const L2: f64 = 1e-3;
        let total: f64 = observations.iter().map(|o| o.weight as f64).sum();
        if total <= 0.0 {
            return Calibration::default();
        }
        let mut w = [0.0f64; FEATURES + 1]; // bias first
        for _ in 0..STEPS {
            let mut grad = [0.0f64; FEATURES + 1];
            for o in observations {
                let x = o.features.as_array();
                let z = x
                    .iter()
                    .zip(&w[1..])
                    .fold(w[0], |z, (&x, w)| z + w * x as f64);
                let p = 1.0 / (1.0 + (-z).exp());
                let err = (p - if o.correct { 1.0 } else { 0.0 }) * o.weight as f64;
                grad[0] += err;
                for k in 0..FEATURES {
                    grad[k + 1] += err * x[k] as f64;
                }
            }
            w[0] -= RATE * grad[0] / total;
            for k in 1..=FEATURES {
                w[k] = (w[k] - RATE * (grad[k] / total + L2 * w[k])).max(0.0);
            }
        }
        let mut weights = [0.0f32; FEATURES];
        for (k, out) in weights.iter_mut().enumerate() {
            *out = w[k + 1] as f32;
        }
        Calibration {
            bias: w[0] as f32,
            weights,
        }
    }
}

/// The top entry and its features, if anything matched.
pub(crate) fn top(scores: &EntryScores) -> Option<(usize, Features)> {
    ordered(scores, 1).into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    fn entry(id: usize, alternates: usize) -> Entry {
        Entry {
            id: format!("e{id}"),
            locale: "en".into(),
            question: format!("question {id}"),
            alternates: (0..alternates)
                .map(|a| format!("phrasing {a} of {id}"))
                .collect(),
            answer_html: String::new(),
            answer_text: String::new(),
            category: String::new(),
            tags: vec![],
            links: vec![],
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn held_out_phrasings_are_bounded_and_order_free() {
        // 1,500 entries lending 2 alternates each: 3,000, thinned to the bound.
        let entries: Vec<Entry> = (0..1500).map(|i| entry(i, 20)).collect();
        let held_out = held_out_sample(&entries);
        assert_eq!(held_out.iter().map(Vec::len).sum::<usize>(), MAX_HELD_OUT);
        let mut reversed = entries.clone();
        reversed.reverse();
        let mut again = held_out_sample(&reversed);
        again.reverse();
        assert_eq!(again, held_out);
        // Small knowledge bases keep every held-out phrasing.
        let small: Vec<Entry> = (0..50).map(|i| entry(i, 20)).collect();
        assert_eq!(
            held_out_sample(&small).iter().map(Vec::len).sum::<usize>(),
            100
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn fit_learns_that_high_scores_are_right() {
        let obs: Vec<Observation> = (0..100)
            .map(|i| {
                let score = i as f32 / 100.0;
                Observation {
                    features: Features {
                        score,
                        margin: score / 2.0,
                        agreement: 0.5,
                        ..Features::default()
                    },
                    correct: score > 0.5,
                    weight: 1.0,
                }
            })
            .collect();
        let c = Calibration::fit(&obs);
        let f = |score: f32| Features {
            score,
            margin: score / 2.0,
            agreement: 0.5,
            ..Features::default()
        };
        assert!(c.confidence(&f(0.9)) > 0.8, "{c:?}");
        assert!(c.confidence(&f(0.1)) < 0.2, "{c:?}");
        assert_eq!(c, Calibration::fit(&obs));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn thresholds_can_be_held_to_a_wrong_answer_share() {
        // Ten held-out questions whose best entry is right at 0.6–0.95 confidence, and two
        // answered wrongly at 0.7: answering from 0.6 pays most, at 2 of 12 wrong.
        let trial = |expected: usize, best: usize, score: f32| Trial {
            expected: Some(expected),
            weight: 1.0,
            candidates: vec![
                Candidate { entry: best, score },
                Candidate {
                    entry: 99,
                    score: 0.01,
                },
            ],
        };
        let mut trials: Vec<Trial> = (0..10)
            .map(|i| trial(i, i, 0.6 + i as f32 * 0.04))
            .collect();
        trials.push(trial(20, 21, 0.7));
        trials.push(trial(22, 23, 0.7));
        let (_, free) = choose_thresholds(&trials, Errs::NONE_CAPPED);
        assert!(
            (errs(&trials, &free).wrong - 2.0 / 12.0).abs() < 1e-6,
            "{free:?}"
        );
        // Held to none wrong, it answers only above the wrong ones.
        let none_wrong = Errs {
            wrong: 0.0,
            ..Errs::NONE_CAPPED
        };
        let (_, held) = choose_thresholds(&trials, none_wrong);
        assert_eq!(errs(&trials, &held).wrong, 0.0, "{held:?}");
        assert!(held.answer > 0.7, "{held:?}");
        // An out-of-scope question offered choices at 0.5: held to escalating every one, the
        // thresholds offer nothing at 0.5.
        let mut with_outside = trials;
        with_outside.push(Trial {
            expected: None,
            weight: 1.0,
            candidates: vec![Candidate {
                entry: 5,
                score: 0.5,
            }],
        });
        let all_escalated = Errs {
            unescalated: 0.0,
            ..Errs::NONE_CAPPED
        };
        let (_, held) = choose_thresholds(&with_outside, all_escalated);
        assert_eq!(errs(&with_outside, &held).unescalated, 0.0, "{held:?}");
        // A cap nothing on the grid meets leaves the choice free.
        let hopeless = vec![trial(1, 2, 0.99)];
        let impossible = Errs {
            wrong: -1.0,
            unescalated: -1.0,
        };
        let (_, chosen) = choose_thresholds(&hopeless, impossible);
        assert_eq!(chosen, choose_thresholds(&hopeless, Errs::NONE_CAPPED).1);
    }

    /// A calibration option with the given learned parts and fused utility.
    fn option(utility: f32, projection: bool, classifier: bool) -> (f32, Calibrated) {
        let calibrated = Calibrated {
            shares: Shares {
                dense: 0.5,
                classifier: if classifier { 0.3 } else { 0.0 },
            },
            projection_shrinkage: projection.then_some(0.1),
            rankers: PerRanker::default(),
        };
        (utility, calibrated)
    }

    /// Which learned parts the rule keeps: (projection, classifier).
    fn kept(options: Vec<(f32, Calibrated)>) -> Option<(bool, bool)> {
        keep_what_pays(options)
            .map(|c| (c.projection_shrinkage.is_some(), c.shares.classifier > 0.0))
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn a_learned_part_is_kept_only_when_it_gains_its_minimum() {
        // (projection?, classifier?) of the part tried, and its minimum gain.
        for (part, minimum) in [
            ((false, true), MIN_CLASSIFIER_GAIN),
            ((true, false), MIN_PROJECTION_GAIN),
        ] {
            let without = option(0.8, false, false);
            let with = |utility: f32| option(utility, part.0, part.1);
            let gained = |gain: f32| kept(vec![without, with(0.8 + gain)]);
            assert_eq!(gained(minimum / 2.0), Some((false, false)), "{part:?}");
            assert_eq!(gained(minimum * 2.0), Some(part), "{part:?}");
            // A part that loses is never kept.
            assert_eq!(gained(-0.1), Some((false, false)), "{part:?}");
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn each_learned_part_pays_for_itself_when_both_are_tried() {
        // Each part gains 1.5 minima alone; together they gain 3: both kept.
        let (c, p) = (MIN_CLASSIFIER_GAIN, MIN_PROJECTION_GAIN);
        let four = |both: f32| {
            vec![
                option(0.8, false, false),
                option(0.8 + 1.5 * c, false, true),
                option(0.8 + 1.5 * p, true, false),
                option(0.8 + both, true, true),
            ]
        };
        assert_eq!(kept(four(3.0 * c.max(p))), Some((true, true)));
        // Together no better than the classifier alone: the projection must go.
        assert_eq!(kept(four(1.5 * c + 0.5 * p)), Some((false, true)));
        assert_eq!(kept(Vec::new()), None);
    }
}
