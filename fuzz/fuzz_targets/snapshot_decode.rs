//! `cargo fuzz run snapshot_decode`: see [`answerdesk_fuzz::snapshot_decode`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| answerdesk_fuzz::snapshot_decode::check(data));
