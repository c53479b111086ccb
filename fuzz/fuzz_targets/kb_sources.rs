//! `cargo fuzz run kb_sources`: see [`answerdesk_fuzz::kb_sources`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| answerdesk_fuzz::kb_sources::check(data));
