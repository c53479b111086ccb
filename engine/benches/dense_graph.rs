//! Exact search against the HNSW graph over phrasing vectors: where the graph
//! starts to pay, and what it loses. Phrasings of the synthetic knowledge base
//! (`support/synthetic.rs`, four per entry, bundled 64-d token tables), queries
//! from the same generator.
//!
//! ```text
//! cargo bench -p engine --features hnsw --bench dense_graph
//! DENSE_GRAPH_SIZES=5000,40000 cargo bench -p engine --features hnsw --bench dense_graph
//! ```
//!
//! Criterion times `DensePhrasings::score` (everything the dense half does per
//! query) both ways; a summary prints the graph's build time and, over the
//! queries, how often the graph finds the exact nearest phrasing, the same best
//! entry, and what share of the exact 20 nearest phrasings (the vote).

use std::time::{Duration, Instant};

use criterion::{black_box, Criterion};
// The graph against the exact scan, phrasing by phrasing: below the public API.
use engine::bench_internals::{normalize, DenseIndex, DenseScores};
use engine::Scoring;

#[path = "support/synthetic.rs"]
mod synthetic;

fn main() {
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
        .configure_from_args();
    let benching = std::env::args().any(|a| a == "--bench");
    let sizes: Vec<usize> = match std::env::var("DENSE_GRAPH_SIZES") {
        Ok(list) => list
            .split(',')
            .map(|n| n.trim().parse().expect("DENSE_GRAPH_SIZES: numbers"))
            .collect(),
        Err(_) if benching => vec![5_000, 10_000, 20_000, 40_000, 100_000],
        Err(_) => vec![2_000],
    };
    let table = synthetic::token_table();
    let scoring = Scoring::default();
    let mut summary = Vec::new();
    for phrasings in sizes {
        let entries = synthetic::entries(phrasings / 4);
        let index = DenseIndex::build(table.clone(), &entries);
        let weights = index.weights();
        let exact = index.phrasings(&weights, &entries, &[]).without_graph();
        let started = Instant::now();
        let graph = exact.clone().with_graph();
        let build_time = started.elapsed();
        let queries: Vec<Vec<f32>> = synthetic::queries(entries.len(), 300)
            .iter()
            .filter_map(|q| index.embed(&weights, &normalize(q)))
            .collect();

        let mut group = criterion.benchmark_group(format!("dense/{}", exact.len()));
        for (name, phrasings) in [("exact", &exact), ("hnsw", &graph)] {
            group.bench_function(name, |b| {
                let mut next = queries.iter().cycle();
                b.iter(|| {
                    let q = next.next().expect("cycles");
                    phrasings.score(black_box(q), &scoring, None, &[])
                })
            });
        }
        group.finish();

        let (mut same_nearest, mut same_entry, mut vote_overlap) = (0, 0, 0.0);
        for q in &queries {
            let a = exact.nearest(q, 20);
            let b = graph.nearest(q, 20);
            same_nearest += usize::from(a.first().map(|x| x.1) == b.first().map(|x| x.1));
            let best = |s: &DenseScores| {
                (0..s.score.len()).max_by(|&x, &y| s.score[x].total_cmp(&s.score[y]))
            };
            same_entry += usize::from(
                best(&exact.score(q, &scoring, None, &[]))
                    == best(&graph.score(q, &scoring, None, &[])),
            );
            // By phrasing: the graph's similarities are float, the scan's int8.
            let ids: Vec<u32> = a.iter().map(|x| x.1).collect();
            vote_overlap +=
                b.iter().filter(|x| ids.contains(&x.1)).count() as f64 / a.len().max(1) as f64;
        }
        let n = queries.len() as f64;
        summary.push(format!(
            "{:>7} phrasings  graph build {:>8.2?}  nearest phrasing found {:.3}  same best entry {:.3}  \
             top-20 overlap {:.3}",
            exact.len(),
            build_time,
            same_nearest as f64 / n,
            same_entry as f64 / n,
            vote_overlap / n,
        ));
    }
    criterion.final_summary();
    println!("\nHNSW against exact search (64-d, {} queries)", 300);
    for line in summary {
        println!("  {line}");
    }
}
