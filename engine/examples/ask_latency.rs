//! `Engine::ask` latency per ranker over a saved benchmark snapshot, to see
//! which half costs what without rebuilding the knowledge base:
//!
//! ```text
//! ENGINE_BENCH_SIZES=10000 ENGINE_BENCH_OUT=target/engine-bench cargo bench -p engine
//! cargo run --release -p engine --example ask_latency -- target/engine-bench/kb-10000.snapshot 10000 [ROUNDS [RANKER]]
//! ```
//!
//! Asks the benchmark's 500 queries ROUNDS times (default 8) with each ranker (or
//! only RANKER: lexical, dense, fused) and prints p50/p99 of every query's fastest
//! call (best of ROUNDS), and the load time. On a machine shared with other work,
//! `perf stat -e cycles:u` around one ranker's run counts only this process's
//! cycles, which compares two builds better than the clock does.

use std::hint::black_box;
use std::time::Instant;

use engine::{Engine, Ranker};

#[path = "../benches/support/synthetic.rs"]
mod synthetic;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, entries, rest @ ..] = args.as_slice() else {
        eprintln!("usage: ask_latency SNAPSHOT ENTRIES [ROUNDS]");
        std::process::exit(2);
    };
    let entries: usize = entries.parse().expect("ENTRIES: a number");
    let rounds: usize = rest
        .first()
        .map_or(8, |r| r.parse().expect("ROUNDS: a number"));
    let only: Option<Ranker> = rest.get(1).map(|r| {
        serde_json::from_value(serde_json::Value::String(r.clone()))
            .expect("RANKER: lexical, dense or fused")
    });
    let bytes = std::fs::read(path).expect("a readable snapshot");
    let started = Instant::now();
    let engine = Engine::from_bytes(&bytes).expect("a snapshot this engine reads");
    println!("load (Engine::from_bytes) {:.1?}", started.elapsed());
    let queries = synthetic::queries(entries, 500);
    for ranker in Ranker::ALL
        .into_iter()
        .filter(|r| only.is_none_or(|o| o == *r))
    {
        let engine = engine.clone().with_ranker(ranker);
        let mut best = vec![f64::INFINITY; queries.len()];
        for _ in 0..rounds {
            for (query, best) in queries.iter().zip(&mut best) {
                let started = Instant::now();
                black_box(engine.ask(black_box(query)));
                *best = best.min(started.elapsed().as_secs_f64() * 1e6);
            }
        }
        best.sort_by(f64::total_cmp);
        println!(
            "{ranker:?}: best of {rounds}  p50 {:>5.0} µs  p99 {:>5.0} µs",
            synthetic::percentile(&best, 50.0),
            synthetic::percentile(&best, 99.0),
        );
    }
}
