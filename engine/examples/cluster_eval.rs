//! How well [`Engine::cluster`] groups questions by what they ask.
//!
//! ```text
//! cargo run --release -p engine --example cluster_eval -- SNAPSHOT QUERIES.jsonl [N]
//! ```
//!
//! Takes up to `N` (default 1,000) in-scope questions of a dataset in the shared format, spread
//! evenly over the file, groups them with the engine of `SNAPSHOT` (a site's knowledge base: the
//! questions need not be about it, as unanswered questions are not) over a grid of thresholds
//! and dense shares, and compares the groups with the questions' intents (`expected`): adjusted
//! Rand index, purity (how much of a group is one intent), completeness (how much of an intent is
//! one group), the number of groups, and the time to group them.

use std::collections::HashMap;
use std::time::Instant;

use engine::ClusterOptions;

#[path = "support/queries.rs"]
mod support;
use support::{load_engine, read_queries, QueryLine};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [snapshot, queries, rest @ ..] = &args[..] else {
        eprintln!("usage: cluster_eval SNAPSHOT QUERIES.jsonl [N]");
        std::process::exit(2);
    };
    let limit: usize = rest
        .first()
        .map_or(1000, |n| n.parse().expect("N is a number"));
    let engine = load_engine(snapshot);
    let lines: Vec<QueryLine> = read_queries(queries)
        .into_iter()
        .filter(|q| q.expected.is_some())
        .collect();
    let step = lines.len().div_ceil(limit).max(1);
    let sample: Vec<&QueryLine> = lines.iter().step_by(step).take(limit).collect();
    let texts: Vec<&str> = sample.iter().map(|q| q.query.as_str()).collect();
    let truth: Vec<&str> = sample
        .iter()
        .map(|q| q.expected.as_deref().unwrap_or(""))
        .collect();
    let intents = truth.iter().collect::<std::collections::HashSet<_>>().len();
    println!(
        "{} questions, {intents} intents; snapshot {snapshot} (dense index: {})",
        texts.len(),
        engine.snapshot().has_dense()
    );
    println!("dense share | threshold | ARI | purity | completeness | groups | ms");
    for dense_share in [0.0f32, 0.25, 0.5, 0.75] {
        for threshold in [0.15f32, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6] {
            let options = ClusterOptions {
                threshold,
                dense_share,
            };
            let start = Instant::now();
            let clusters = engine.cluster(&texts, options);
            let ms = start.elapsed().as_secs_f64() * 1e3;
            let mut assigned = vec![0usize; texts.len()];
            for (c, cluster) in clusters.iter().enumerate() {
                for &m in &cluster.members {
                    assigned[m] = c;
                }
            }
            let (ari, purity, completeness) = agreement(&assigned, &truth);
            println!(
                "{dense_share:.2} | {threshold:.2} | {ari:.3} | {purity:.3} | {completeness:.3} | {} | {ms:.0}",
                clusters.len()
            );
        }
    }
}

/// Adjusted Rand index, purity and completeness of `assigned` groups against `truth` labels.
fn agreement(assigned: &[usize], truth: &[&str]) -> (f64, f64, f64) {
    let n = assigned.len() as f64;
    let mut table: HashMap<(usize, &str), f64> = HashMap::new();
    let mut rows: HashMap<usize, f64> = HashMap::new();
    let mut cols: HashMap<&str, f64> = HashMap::new();
    for (&a, &t) in assigned.iter().zip(truth) {
        *table.entry((a, t)).or_default() += 1.0;
        *rows.entry(a).or_default() += 1.0;
        *cols.entry(t).or_default() += 1.0;
    }
    let pairs = |x: f64| x * (x - 1.0) / 2.0;
    let index: f64 = table.values().map(|&v| pairs(v)).sum();
    let a: f64 = rows.values().map(|&v| pairs(v)).sum();
    let b: f64 = cols.values().map(|&v| pairs(v)).sum();
    let expected = a * b / pairs(n);
    let ari = (index - expected) / ((a + b) / 2.0 - expected);
    let mut best_row: HashMap<usize, f64> = HashMap::new();
    let mut best_col: HashMap<&str, f64> = HashMap::new();
    for (&(r, c), &v) in &table {
        let row = best_row.entry(r).or_default();
        *row = row.max(v);
        let col = best_col.entry(c).or_default();
        *col = col.max(v);
    }
    let purity = best_row.values().sum::<f64>() / n;
    let completeness = best_col.values().sum::<f64>() / n;
    (ari, purity, completeness)
}
