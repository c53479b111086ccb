//! Engine benchmarks: query latency at 1k and 10k entries and 100k passages, build time,
//! snapshot bytes per entry and load time, over the synthetic
//! bilingual knowledge base of `support/synthetic.rs` with the bundled token
//! table (so the dense index is in play, as in `answerdesk kb build`).
//!
//! ```text
//! cargo bench -p engine                 # everything, a few minutes
//! cargo bench -p engine -- ask/10000    # one criterion benchmark
//! ENGINE_BENCH_SIZES=1000,10000 cargo bench -p engine
//! ENGINE_BENCH_OUT=DIR cargo bench -p engine   # also writes DIR/kb-N.snapshot
//! ```
//!
//! Criterion measures `build` at 1k entries (a build takes seconds); every size
//! is also built once and that time printed.
//!
//! Criterion reports the mean; a second pass times every `ask` of the query set
//! and prints p50/p99, the figures the latency targets are stated in. Under
//! `cargo test --benches` only the 1k case runs, once.

use std::time::{Duration, Instant};

use criterion::{black_box, BatchSize, Criterion};
use engine::{build, BuildOptions, Engine, Entry, TokenTable};

#[path = "support/synthetic.rs"]
mod synthetic;

/// Visitor questions per knowledge base; the percentile pass asks each this many times.
const QUERIES: usize = 500;
const ROUNDS: usize = 4;
/// From this size on the knowledge base is help-article passages (a question and
/// an answer, no alternates), the issue's "100k passages". With alternates the
/// build's calibration asks every held-out phrasing against the whole base,
/// quadratic in its size: hours at 100k.
const PASSAGES_FROM: usize = 100_000;

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .configure_from_args();
    let table = synthetic::token_table();
    let sizes: Vec<usize> = match std::env::var("ENGINE_BENCH_SIZES") {
        Ok(list) => list
            .split(',')
            .map(|n| {
                n.trim()
                    .parse()
                    .expect("ENGINE_BENCH_SIZES: numbers, e.g. 1000,10000")
            })
            .collect(),
        Err(_) if benching => vec![1_000, 10_000, 100_000],
        Err(_) => vec![1_000],
    };

    let mut summary = Vec::new();
    for n in sizes {
        let mut entries = synthetic::entries(n);
        let passages = n >= PASSAGES_FROM;
        if passages {
            for entry in &mut entries {
                entry.alternates.clear();
            }
        }
        if n <= 1_000 {
            bench_build(&mut criterion, &entries, &table);
        }
        let started = Instant::now();
        let snapshot = build(entries, &options(&table)).expect("the synthetic kb builds");
        let build_time = started.elapsed();
        let bytes = snapshot.to_bytes();
        let started = Instant::now();
        let engine = Engine::from_bytes(&bytes).expect("a fresh snapshot loads");
        let load_time = started.elapsed();
        if let Some(dir) = std::env::var_os("ENGINE_BENCH_OUT") {
            // For the browser run (`tests/browser_bench.rs`), which loads what was built here.
            let path = std::path::Path::new(&dir).join(format!("kb-{n}.snapshot"));
            std::fs::create_dir_all(&dir).expect("ENGINE_BENCH_OUT is writable");
            std::fs::write(&path, &bytes).expect("ENGINE_BENCH_OUT is writable");
        }
        let queries = synthetic::queries(n, QUERIES);

        let mut group = criterion.benchmark_group("ask");
        group.measurement_time(Duration::from_secs(if n >= 100_000 { 4 } else { 3 }));
        group.sample_size(if n >= 100_000 { 10 } else { 30 });
        group.bench_function(n.to_string(), |b| {
            let mut next = queries.iter().cycle();
            b.iter(|| engine.ask(black_box(next.next().expect("cycles"))))
        });
        group.finish();

        let t = ask_percentiles(&engine, &queries);
        summary.push(format!(
            "{n:>7} {}  p50 {:>6.0} µs  p99 {:>6.0} µs  (best of {ROUNDS}: p50 {:>6.0} µs  \
             p99 {:>6.0} µs)  snapshot {:>6.2} MB ({:>4} B/entry, dense {})  build {:>7.2?}  load {:>7.2?}",
            if passages { "passages" } else { "entries " },
            t.p50,
            t.p99,
            t.best_p50,
            t.best_p99,
            bytes.len() as f64 / 1e6,
            bytes.len() / n,
            if snapshot.has_dense() { "on" } else { "off" },
            build_time,
            load_time,
        ));
    }
    criterion.final_summary();

    println!("\nengine latency (Engine::ask, {QUERIES} queries x {ROUNDS} rounds, one thread)");
    for line in summary {
        println!("  {line}");
    }
}

fn options(table: &TokenTable) -> BuildOptions {
    BuildOptions {
        build_time: 0,
        thresholds: None,
        token_table: Some(table.clone()),
        synonyms: Vec::new(),
    }
}

fn bench_build(criterion: &mut Criterion, entries: &[Entry], table: &TokenTable) {
    let mut group = criterion.benchmark_group("build");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function(entries.len().to_string(), |b| {
        b.iter_batched(
            || (entries.to_vec(), options(table)),
            |(entries, options)| build(entries, &options),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

/// Percentiles of `ask` latency in microseconds.
struct Percentiles {
    /// Over every single call.
    p50: f64,
    p99: f64,
    /// Over each query's fastest call: what the query costs when the machine is
    /// not busy elsewhere; on a loaded machine the figures above include waits
    /// for the CPU.
    best_p50: f64,
    best_p99: f64,
}

fn ask_percentiles(engine: &Engine, queries: &[String]) -> Percentiles {
    let mut all = Vec::with_capacity(queries.len() * ROUNDS);
    let mut best = vec![f64::INFINITY; queries.len()];
    for _ in 0..ROUNDS {
        for (query, best) in queries.iter().zip(&mut best) {
            let started = Instant::now();
            black_box(engine.ask(black_box(query)));
            let micros = started.elapsed().as_secs_f64() * 1e6;
            all.push(micros);
            *best = best.min(micros);
        }
    }
    all.sort_by(f64::total_cmp);
    best.sort_by(f64::total_cmp);
    Percentiles {
        p50: synthetic::percentile(&all, 50.0),
        p99: synthetic::percentile(&all, 99.0),
        best_p50: synthetic::percentile(&best, 50.0),
        best_p99: synthetic::percentile(&best, 99.0),
    }
}
