//! What the dataset examples share: reading the shared JSON Lines format and loading a
//! snapshot, each failing with the file's name.

// Each example includes this module and uses part of it.
#![allow(dead_code)]

use engine::Engine;
use serde::Deserialize;

/// One line of a `queries.jsonl`: the question and its entry id, or `null` when out of scope.
#[derive(Deserialize)]
pub struct QueryLine {
    pub query: String,
    pub expected: Option<String>,
}

/// Every query line of `path`.
pub fn read_queries(path: &str) -> Vec<QueryLine> {
    read_lines(path)
}

/// Every line of the JSON Lines file at `path`, blank lines skipped.
pub fn read_lines<T: for<'de> Deserialize<'de>>(path: &str) -> Vec<T> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{path}: {e}")))
        .collect()
}

/// The engine of the snapshot file at `path`.
pub fn load_engine(path: &str) -> Engine {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    Engine::from_bytes(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"))
}
