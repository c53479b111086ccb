//! `cargo fuzz run query_search`: see [`answerdesk_fuzz::query_search`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| answerdesk_fuzz::query_search::check(data));
