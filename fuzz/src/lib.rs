//! What the fuzz targets check, one module per target, so that libFuzzer (`fuzz_targets/`) and
//! the regression test (`tests/regressions.rs`) run exactly the same code.
//!
//! Each `check` feeds one input to the project's own code and panics only when that code
//! misbehaves: a panic inside it, or an answer no user should get (a 5xx for a request). A
//! refusal (`Err`, a 4xx) is the expected outcome for most inputs.

pub mod api_requests;
pub mod identity_token;
pub mod kb_sources;
pub mod query_search;
pub mod snapshot_decode;

/// Every target by name, as `cargo xtask fuzz` and the regression test list them.
pub const TARGETS: [(&str, fn(&[u8])); 5] = [
    ("snapshot_decode", snapshot_decode::check),
    ("query_search", query_search::check),
    ("kb_sources", kb_sources::check),
    ("identity_token", identity_token::check),
    ("api_requests", api_requests::check),
];

/// The knowledge snapshot the search and request targets work on: the file named by
/// `ANSWERDESK_FUZZ_SNAPSHOT` (`cargo xtask fuzz` builds the demo knowledge base into it).
pub fn snapshot_bytes() -> Vec<u8> {
    let path = std::env::var_os("ANSWERDESK_FUZZ_SNAPSHOT").expect(
        "ANSWERDESK_FUZZ_SNAPSHOT is not set: run the fuzz targets through `cargo xtask fuzz`, \
         which builds the demo snapshot and points at it",
    );
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("cannot read ANSWERDESK_FUZZ_SNAPSHOT {path:?}: {e}"))
}
