//! The native benchmark's query set in the browser: loads the 10k-entry snapshot
//! `benches/engine.rs` built (`ENGINE_BENCH_SNAPSHOT`, its size in
//! `ENGINE_BENCH_ENTRIES`), times `Engine::from_bytes` and every `ask` with
//! `performance.now()` and prints p50/p99. Figures only, no assertions on time.
//!
//! Behind the `browser-bench` feature so the normal wasm test stage neither
//! builds nor runs it; `cargo xtask bench engine` does both halves:
//!
//! ```text
//! ENGINE_BENCH_SNAPSHOT=target/engine-bench/kb-10000.snapshot ENGINE_BENCH_ENTRIES=10000 \
//!   cargo test -p engine --release --target wasm32-unknown-unknown \
//!   --features browser-bench --test browser_bench -- --nocapture
//! ```
//!
//! Chromium coarsens `performance.now()` in a page that is not cross-origin
//! isolated (100 µs steps), so each query is asked [`REPEATS`] times in a row
//! and its time is the mean of those.

#![cfg(target_arch = "wasm32")]

use engine::Engine;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

#[path = "../benches/support/synthetic.rs"]
mod synthetic;

wasm_bindgen_test_configure!(run_in_browser);

const SNAPSHOT: &[u8] = include_bytes!(env!("ENGINE_BENCH_SNAPSHOT"));
const QUERIES: usize = 500;
const REPEATS: usize = 10;

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .expect("a page with performance.now()")
        .now()
}

#[wasm_bindgen_test]
fn ask_latency_in_the_browser() {
    let entries: usize = env!("ENGINE_BENCH_ENTRIES").parse().expect("a number");
    let started = now();
    let engine = Engine::from_bytes(SNAPSHOT).expect("the benchmark's snapshot loads");
    let load_ms = now() - started;
    let queries = synthetic::queries(entries, QUERIES);
    for query in &queries {
        std::hint::black_box(engine.ask(query)); // warm up
    }
    let mut micros: Vec<f64> = queries
        .iter()
        .map(|query| {
            let started = now();
            for _ in 0..REPEATS {
                std::hint::black_box(engine.ask(std::hint::black_box(query)));
            }
            (now() - started) * 1000.0 / REPEATS as f64
        })
        .collect();
    micros.sort_by(f64::total_cmp);
    console_log!(
        "browser latency (Engine::ask in wasm, {QUERIES} queries, mean of {REPEATS} each): \
         {entries} entries  p50 {:.0} µs  p99 {:.0} µs  max {:.0} µs  \
         snapshot {:.2} MB  load (Engine::from_bytes) {load_ms:.0} ms",
        synthetic::percentile(&micros, 50.0),
        synthetic::percentile(&micros, 99.0),
        micros[micros.len() - 1],
        SNAPSHOT.len() as f64 / 1e6,
    );
}
