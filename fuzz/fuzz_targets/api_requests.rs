//! `cargo fuzz run api_requests`: see [`answerdesk_fuzz::api_requests`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| answerdesk_fuzz::api_requests::check(data));
