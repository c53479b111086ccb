//! `kb eval`: how often the right entry is found, and whether out-of-scope questions are escalated.
//!
//! Uses the snapshot's own thresholds: nothing here is tuned on the queries being scored.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use engine::{Decision, Engine, EscalateReason, Reply};
use serde::{Deserialize, Serialize};

/// One scored question: `expected` is an entry id, or `None` when a person should take it.
#[derive(Debug, Clone, Deserialize)]
pub struct Query {
    pub query: String,
    pub expected: Option<String>,
}

pub fn read_queries(path: &Path) -> Result<Vec<Query>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| {
            serde_json::from_str(l).with_context(|| {
                format!(
                    "{}:{}: not a {{\"query\", \"expected\"}} object",
                    path.display(),
                    n + 1
                )
            })
        })
        .collect()
}

/// The figures `kb eval --json` prints; field names are a stable interface.
#[derive(Debug, Serialize)]
pub struct Report {
    pub queries: usize,
    pub in_scope: usize,
    pub top1: f64,
    pub recall_at_5: f64,
    pub mrr_at_10: f64,
    /// Correct entry ranked first and not escalated, over in-scope queries.
    pub in_scope_accuracy: Option<f64>,
    pub escalation_recall: Option<f64>,
    pub escalation_precision: Option<f64>,
    pub balanced: Option<f64>,
    /// What the visitor sees, over in-scope queries: the right entry answered
    /// directly (or a request for a person handed to one).
    pub direct_answer_rate: Option<f64>,
    /// In-scope queries answered with "did you mean" choices.
    pub clarify_rate: Option<f64>,
    /// Of those, the share whose choices hold the right entry; `None` when none clarified.
    pub clarify_hit_rate: Option<f64>,
    /// Over all queries: an answer with the wrong entry, or any answer to an
    /// out-of-scope query. The worst outcome: the visitor is told something false.
    pub wrong_answer_rate: f64,
    pub latency_p50_us: f64,
    pub latency_p99_us: f64,
}

pub fn run(engine: &Engine, queries: &[Query]) -> Evaluation {
    let entries = engine.entries();
    let mut outcomes = Vec::with_capacity(queries.len());
    let mut replies = Vec::with_capacity(queries.len());
    let mut latencies = Vec::with_capacity(queries.len());
    for q in queries {
        let started = Instant::now();
        let reply = engine.ask(&q.query);
        latencies.push(started.elapsed().as_secs_f64() * 1e6);
        let ranked = engine.search(&q.query, 10);
        let is_expected = |entry: usize| is_id(&entries[entry].id, q.expected.as_deref());
        outcomes.push(Outcome {
            expected_rank: q
                .expected
                .as_ref()
                .map(|_| ranked.iter().position(|c| is_expected(c.entry))),
            seen: match &reply.decision {
                Decision::Answer { entry } => Seen::Answer {
                    right: is_expected(*entry),
                },
                Decision::Clarify { entries } => Seen::Clarify {
                    hit: entries.iter().any(|&e| is_expected(e)),
                },
                Decision::Escalate { reason } => Seen::Escalate {
                    asked_for_human: *reason == EscalateReason::AskedForHuman,
                },
            },
        });
        replies.push(reply);
    }
    Evaluation {
        report: report(&outcomes, latencies),
        outcomes,
        replies,
    }
}

/// The figures, and what each query got (for [`Evaluation::misses`]).
pub struct Evaluation {
    pub report: Report,
    outcomes: Vec<Outcome>,
    replies: Vec<Reply>,
}

/// Whether an entry `id` is the `expected` one: the same id, or a passage of
/// the expected article (`returns-guide#refunds` for `returns-guide`).
fn is_id(id: &str, expected: Option<&str>) -> bool {
    expected
        .is_some_and(|e| id == e || id.strip_prefix(e).is_some_and(|rest| rest.starts_with('#')))
}

impl Evaluation {
    /// Each query whose visitor did not get the right answer directly, with
    /// what they got: for finding what to fix, never for choosing thresholds.
    pub fn misses(&self, engine: &Engine, queries: &[Query]) -> String {
        let name = |e: usize| engine.entries()[e].id.as_str();
        let mut out = String::new();
        for ((q, outcome), reply) in queries.iter().zip(&self.outcomes).zip(&self.replies) {
            if outcome.visitor_served() {
                continue;
            }
            let seen = match &reply.decision {
                Decision::Answer { entry } => format!("WRONG ANSWER {}", name(*entry)),
                Decision::Clarify { entries } => {
                    let names: Vec<&str> = entries.iter().map(|&e| name(e)).collect();
                    format!("clarify {}", names.join(" | "))
                }
                Decision::Escalate { reason } => format!("escalate ({reason:?})"),
            };
            let top: Vec<String> = reply
                .candidates
                .iter()
                .take(3)
                .map(|c| format!("{} {:.2}", name(c.entry), c.score))
                .collect();
            let _ = writeln!(
                out,
                "{:<60} expected {:<22} got {}  [{}]",
                q.query,
                q.expected.as_deref().unwrap_or("(escalate)"),
                seen,
                top.join(", ")
            );
        }
        out
    }
}

/// What the engine did with one query.
#[derive(Debug, Clone, Copy)]
struct Outcome {
    /// In scope: where the expected entry ranked among the first ten, if at all.
    /// `None` for an out-of-scope query.
    expected_rank: Option<Option<usize>>,
    /// What the visitor was shown.
    seen: Seen,
}

/// The decision as the visitor meets it, judged against the expected entry.
#[derive(Debug, Clone, Copy)]
enum Seen {
    Answer { right: bool },
    Clarify { hit: bool },
    Escalate { asked_for_human: bool },
}

impl Outcome {
    fn escalated(&self) -> bool {
        matches!(self.seen, Seen::Escalate { .. })
    }

    /// Whether the visitor got what they needed at once: the right answer, a
    /// person they asked for, or a person for an out-of-scope question.
    fn visitor_served(&self) -> bool {
        match (self.expected_rank, self.seen) {
            (None, Seen::Escalate { .. }) => true,
            (Some(_), Seen::Answer { right }) => right,
            (Some(_), Seen::Escalate { asked_for_human }) => asked_for_human,
            _ => false,
        }
    }
}

/// The figures over `outcomes`, and the latency percentiles of `latencies` (µs).
fn report(outcomes: &[Outcome], mut latencies: Vec<f64>) -> Report {
    let (mut in_scope, mut top1, mut at5, mut rr) = (0usize, 0usize, 0usize, 0f64);
    let (mut answered_right, mut oos, mut oos_escalated, mut escalated) =
        (0usize, 0usize, 0usize, 0usize);
    let (mut direct, mut clarified, mut clarify_hits, mut wrong) = (0usize, 0usize, 0usize, 0usize);
    for o in outcomes {
        escalated += usize::from(o.escalated());
        match o.expected_rank {
            Some(rank) => {
                in_scope += 1;
                top1 += usize::from(rank == Some(0));
                at5 += usize::from(rank.is_some_and(|r| r < 5));
                rr += rank.map_or(0.0, |r| 1.0 / (r + 1) as f64);
                answered_right += usize::from(rank == Some(0) && !o.escalated());
                match o.seen {
                    Seen::Answer { right: true }
                    | Seen::Escalate {
                        asked_for_human: true,
                    } => direct += 1,
                    Seen::Answer { right: false } => wrong += 1,
                    Seen::Clarify { hit } => {
                        clarified += 1;
                        clarify_hits += usize::from(hit);
                    }
                    Seen::Escalate { .. } => {}
                }
            }
            None => {
                oos += 1;
                oos_escalated += usize::from(o.escalated());
                wrong += usize::from(matches!(o.seen, Seen::Answer { .. }));
            }
        }
    }

    let ratio = |n: usize, d: usize| if d == 0 { 0.0 } else { n as f64 / d as f64 };
    let in_scope_accuracy = ratio(answered_right, in_scope);
    let has_oos = oos > 0;
    let escalation_recall = has_oos.then(|| ratio(oos_escalated, oos));
    latencies.sort_by(f64::total_cmp);
    Report {
        queries: outcomes.len(),
        in_scope,
        top1: ratio(top1, in_scope),
        recall_at_5: ratio(at5, in_scope),
        mrr_at_10: if in_scope == 0 {
            0.0
        } else {
            rr / in_scope as f64
        },
        in_scope_accuracy: Some(in_scope_accuracy),
        escalation_recall,
        escalation_precision: has_oos.then(|| ratio(oos_escalated, escalated)),
        balanced: escalation_recall.map(|r| (in_scope_accuracy + r) / 2.0),
        direct_answer_rate: (in_scope > 0).then(|| ratio(direct, in_scope)),
        clarify_rate: (in_scope > 0).then(|| ratio(clarified, in_scope)),
        clarify_hit_rate: (clarified > 0).then(|| ratio(clarify_hits, clarified)),
        wrong_answer_rate: ratio(wrong, outcomes.len()),
        latency_p50_us: percentile(&latencies, 0.50),
        latency_p99_us: percentile(&latencies, 0.99),
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

impl Report {
    pub fn render(&self) -> String {
        let mut out = String::new();
        let opt = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.4}"));
        let _ = writeln!(
            out,
            "queries            {} ({} in scope, {} out of scope)",
            self.queries,
            self.in_scope,
            self.queries - self.in_scope
        );
        let _ = writeln!(out, "top-1              {:.4}", self.top1);
        let _ = writeln!(out, "recall@5           {:.4}", self.recall_at_5);
        let _ = writeln!(out, "MRR@10             {:.4}", self.mrr_at_10);
        let _ = writeln!(
            out,
            "in-scope accuracy  {}   (right entry first and not escalated)",
            opt(self.in_scope_accuracy)
        );
        let _ = writeln!(out, "escalation recall  {}", opt(self.escalation_recall));
        let _ = writeln!(out, "escalation prec.   {}", opt(self.escalation_precision));
        let _ = writeln!(
            out,
            "balanced           {}   (mean of in-scope accuracy and escalation recall)",
            opt(self.balanced)
        );
        let _ = writeln!(
            out,
            "direct answers     {}   (right entry answered, in scope)",
            opt(self.direct_answer_rate)
        );
        let _ = writeln!(
            out,
            "clarified          {}   (of them with the right choice: {})",
            opt(self.clarify_rate),
            opt(self.clarify_hit_rate)
        );
        let _ = writeln!(
            out,
            "wrong answers      {:.4}   (wrong entry, or an answer out of scope; all queries)",
            self.wrong_answer_rate
        );
        let _ = writeln!(
            out,
            "latency            p50 {:.0} µs   p99 {:.0} µs",
            self.latency_p50_us, self.latency_p99_us
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_articles_passages_count_as_the_article() {
        assert!(is_id("returns-guide#refunds", Some("returns-guide")));
        assert!(is_id("returns-guide", Some("returns-guide")));
        assert!(!is_id("returns-guides", Some("returns-guide")));
        assert!(!is_id("returns-guide", None));
    }

    #[test]
    fn percentile_picks_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.5), 50.0);
        assert_eq!(percentile(&v, 0.99), 99.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }

    /// An in-scope query ranked at `rank`, escalated or answered with its first candidate.
    fn in_scope(rank: Option<usize>, escalated: bool) -> Outcome {
        let seen = if escalated {
            Seen::Escalate {
                asked_for_human: false,
            }
        } else {
            Seen::Answer {
                right: rank == Some(0),
            }
        };
        Outcome {
            expected_rank: Some(rank),
            seen,
        }
    }

    fn out_of_scope(escalated: bool) -> Outcome {
        Outcome {
            expected_rank: None,
            seen: if escalated {
                Seen::Escalate {
                    asked_for_human: false,
                }
            } else {
                Seen::Clarify { hit: false }
            },
        }
    }

    fn seen(rank: Option<usize>, seen: Seen) -> Outcome {
        Outcome {
            expected_rank: Some(rank),
            seen,
        }
    }

    #[test]
    fn what_the_visitor_sees_is_counted() {
        let outcomes = [
            seen(Some(0), Seen::Answer { right: true }),  // direct
            seen(Some(1), Seen::Answer { right: false }), // wrong
            seen(Some(1), Seen::Clarify { hit: true }),   // clarified, hit
            seen(None, Seen::Clarify { hit: false }),     // clarified, miss
            seen(
                Some(0),
                Seen::Escalate {
                    asked_for_human: true,
                },
            ), // asked for a person and got one: right
            seen(
                Some(0),
                Seen::Escalate {
                    asked_for_human: false,
                },
            ), // escalated an answerable question
            Outcome {
                expected_rank: None,
                seen: Seen::Answer { right: false },
            }, // answered out of scope: wrong
            out_of_scope(true),
        ];
        let r = report(&outcomes, vec![]);
        assert_eq!(r.in_scope, 6);
        assert_eq!(r.direct_answer_rate, Some(2.0 / 6.0));
        assert_eq!(r.clarify_rate, Some(2.0 / 6.0));
        assert_eq!(r.clarify_hit_rate, Some(0.5));
        assert!(close(r.wrong_answer_rate, 2.0 / 8.0), "{r:?}");
        assert_eq!(r.escalation_recall, Some(0.5));
        // Nothing clarified: no hit rate rather than a made-up 0.
        let r = report(&[in_scope(Some(0), false)], vec![]);
        assert_eq!(r.clarify_hit_rate, None);
        assert_eq!(r.direct_answer_rate, Some(1.0));
        assert_eq!(r.wrong_answer_rate, 0.0);
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn figures_match_a_hand_count() {
        let outcomes = [
            in_scope(Some(0), false), // top-1, answered right
            in_scope(Some(2), false), // in the top 5, reciprocal rank 1/3
            in_scope(None, true),     // not in the top 10, escalated
            in_scope(Some(0), true),  // top-1 but escalated: not answered right
            in_scope(Some(6), false), // past the top 5, reciprocal rank 1/7
            out_of_scope(true),       // escalated, rightly
            out_of_scope(false),      // answered or clarified: missed
        ];
        let r = report(&outcomes, vec![30.0, 10.0, 20.0]);
        assert_eq!((r.queries, r.in_scope), (7, 5));
        assert!(close(r.top1, 2.0 / 5.0), "{r:?}");
        assert!(close(r.recall_at_5, 3.0 / 5.0), "{r:?}");
        assert!(
            close(r.mrr_at_10, (1.0 + 1.0 / 3.0 + 1.0 + 1.0 / 7.0) / 5.0),
            "{r:?}"
        );
        assert_eq!(r.in_scope_accuracy, Some(1.0 / 5.0));
        // Three escalations, one of them of an out-of-scope query; two out of scope.
        assert_eq!(r.escalation_recall, Some(1.0 / 2.0));
        assert_eq!(r.escalation_precision, Some(1.0 / 3.0));
        assert!(close(r.balanced.unwrap(), (0.2 + 0.5) / 2.0), "{r:?}");
        assert_eq!((r.latency_p50_us, r.latency_p99_us), (20.0, 30.0));
    }

    #[test]
    fn escalation_figures_need_out_of_scope_queries() {
        let r = report(&[in_scope(Some(1), true), in_scope(Some(0), false)], vec![]);
        assert_eq!(r.escalation_recall, None);
        assert_eq!(r.escalation_precision, None);
        assert_eq!(r.balanced, None);
        assert_eq!(r.in_scope_accuracy, Some(0.5));
        assert!(close(r.mrr_at_10, (0.5 + 1.0) / 2.0));
        // Out of scope only: retrieval figures are 0, not NaN; no escalation is precision 0.
        let r = report(&[out_of_scope(false)], vec![]);
        assert_eq!((r.top1, r.recall_at_5, r.mrr_at_10), (0.0, 0.0, 0.0));
        assert_eq!(r.escalation_recall, Some(0.0));
        assert_eq!(r.escalation_precision, Some(0.0));
        assert_eq!(r.balanced, Some(0.0));
        let r = report(&[], vec![]);
        assert_eq!((r.queries, r.in_scope, r.top1), (0, 0, 0.0));
    }
}
