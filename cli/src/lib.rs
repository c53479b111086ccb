//! The parts of the `answerdesk` command that other crates test directly. The knowledge-source
//! parsers moved to the `knowledge` crate (the server reads them too); they are named here as
//! `cli::sources` still, for the fuzz targets in `fuzz/`. Everything else stays in the binary
//! (`src/main.rs`).

pub use knowledge as sources;
