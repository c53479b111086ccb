//! Prints every query's decision and ranked candidates as JSON lines, for trying a
//! decision rule on a development set without rebuilding (docs/QUALITY.md, issue 14).
//!
//! ```text
//! cargo run --release -p engine --example dump_candidates -- SNAPSHOT QUERIES.jsonl [lexical]
//! ```
//!
//! Each line: `{"q": query, "e": expected id or null, "d": decision kind, "c": [[id, confidence], ...]}`.

use engine::{Decision, Ranker};

#[path = "support/queries.rs"]
mod support;
use support::{load_engine, read_queries};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [snapshot, queries, rest @ ..] = &args[..] else {
        eprintln!("usage: dump_candidates SNAPSHOT QUERIES.jsonl [lexical]");
        std::process::exit(2);
    };
    let mut engine = load_engine(snapshot);
    if rest.first().map(String::as_str) == Some("lexical") {
        engine = engine.with_ranker(Ranker::Lexical);
    }
    eprintln!("thresholds {:?}", engine.thresholds());
    for q in read_queries(queries) {
        let reply = engine.ask(&q.query);
        let kind = match reply.decision {
            Decision::Answer { .. } => "answer",
            Decision::Clarify { .. } => "clarify",
            Decision::Escalate { .. } => "escalate",
        };
        let candidates: Vec<(&str, f32)> = reply
            .candidates
            .iter()
            .map(|c| (engine.entries()[c.entry].id.as_str(), c.score))
            .collect();
        let out = serde_json::json!({"q": q.query, "e": q.expected, "d": kind, "c": candidates});
        println!("{out}");
    }
}
