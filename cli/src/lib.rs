//! The parts of the `answerdesk` command that other crates test directly: the knowledge-source
//! parsers, which the fuzz targets in `fuzz/` feed arbitrary files. Everything else stays in the
//! binary (`src/main.rs`).

pub mod sources;
