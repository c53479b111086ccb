//! The answer-quality gate of `cargo xtask test`: `answerdesk kb eval` on
//! questions no snapshot is tuned on, against floors a few points under the
//! figures measured when they were set (docs/QUALITY.md), so that a change that
//! makes visitors' answers worse cannot land green.
//!
//! Only held-out and validation questions are gated: the demo's own held-out
//! visitor questions (`examples/demo-queries.jsonl`, and the development set
//! `examples/demo-queries-dev.jsonl`) and massive_zh's validation split. The
//! datasets' scored test queries stay out of every loop that chooses
//! anything, this one included.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::{build, cmd};

/// A figure of `kb eval --json` that must stay at or above `min`, or at or
/// below `max`.
struct Bound {
    figure: &'static str,
    min: Option<f64>,
    max: Option<f64>,
}

const fn at_least(figure: &'static str, min: f64) -> Bound {
    Bound {
        figure,
        min: Some(min),
        max: None,
    }
}

const fn at_most(figure: &'static str, max: f64) -> Bound {
    Bound {
        figure,
        min: None,
        max: Some(max),
    }
}

/// One knowledge base and the questions asked of it.
struct Case {
    name: &'static str,
    /// Relative to the project root; `../shared/…` is the shared datasets.
    source: &'static str,
    queries: &'static str,
    bounds: &'static [Bound],
}

/// Floors set 2026-12-06 at about three points under the figures then
/// (docs/QUALITY.md, "Decisions"); raise them as the figures rise.
const CASES: &[Case] = &[
    Case {
        name: "demo held-out",
        source: "examples/demo-kb",
        queries: "examples/demo-queries.jsonl",
        bounds: &[
            at_least("top1", 0.72),
            at_least("direct_answer_rate", 0.20),
            // 32 out-of-scope questions: one of them is 3 points.
            at_least("escalation_recall", 0.68),
            at_most("wrong_answer_rate", 0.05),
        ],
    },
    Case {
        name: "demo dev",
        source: "examples/demo-kb",
        queries: "examples/demo-queries-dev.jsonl",
        bounds: &[
            at_least("top1", 0.70),
            at_least("direct_answer_rate", 0.20),
            at_least("escalation_recall", 0.80),
            at_most("wrong_answer_rate", 0.04),
        ],
    },
    Case {
        name: "massive_zh validation",
        source: "../shared/datasets/massive_zh/kb.jsonl",
        queries: "../shared/datasets/massive_zh/queries_val.jsonl",
        bounds: &[
            at_least("top1", 0.80),
            at_least("balanced", 0.72),
            at_least("direct_answer_rate", 0.60),
            at_most("wrong_answer_rate", 0.07),
        ],
    },
];

/// Builds each case's snapshot with the release `answerdesk` and checks its
/// figures; returns (bounds held, bounds broken) and prints every figure.
pub fn gate(root: &Path) -> Result<(usize, usize)> {
    let answerdesk = build::answerdesk_release(root)?;
    let out = build::target_dir(root)?.join("xtask").join("quality");
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let (mut held, mut broken) = (0, 0);
    for (i, case) in CASES.iter().enumerate() {
        let source = root.join(case.source);
        let queries = root.join(case.queries);
        for path in [&source, &queries] {
            if !path.exists() {
                bail!(
                    "{}: {} is missing (the shared datasets belong beside the project)",
                    case.name,
                    path.display()
                );
            }
        }
        let snapshot = out.join(format!("case-{i}.snapshot"));
        cmd::run(
            Command::new(&answerdesk)
                .args(["kb", "build"])
                .arg(&source)
                .arg("-o")
                .arg(&snapshot)
                .env("SOURCE_DATE_EPOCH", "0"),
            "The knowledge base did not build.",
        )?;
        let report = eval(&answerdesk, &snapshot, &queries)?;
        println!("    {}:", case.name);
        for bound in case.bounds {
            let value = report[bound.figure]
                .as_f64()
                .with_context(|| format!("kb eval --json has no figure `{}`", bound.figure))?;
            let ok = bound.min.is_none_or(|m| value >= m) && bound.max.is_none_or(|m| value <= m);
            let limit = match (bound.min, bound.max) {
                (Some(m), _) => format!(">= {m:.2}"),
                (_, Some(m)) => format!("<= {m:.2}"),
                _ => String::new(),
            };
            println!(
                "      {:<20} {value:.3}  ({limit})  {}",
                bound.figure,
                if ok { "ok" } else { "BELOW THE FLOOR" }
            );
            if ok {
                held += 1;
            } else {
                broken += 1;
            }
        }
    }
    Ok((held, broken))
}

fn eval(answerdesk: &PathBuf, snapshot: &Path, queries: &Path) -> Result<serde_json::Value> {
    let output = Command::new(answerdesk)
        .args(["kb", "eval"])
        .arg(snapshot)
        .arg(queries)
        .arg("--json")
        .output()
        .context("cannot run answerdesk kb eval")?;
    if !output.status.success() {
        bail!(
            "kb eval failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    serde_json::from_slice(&output.stdout).context("kb eval --json printed no JSON")
}
