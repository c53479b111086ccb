//! `cargo fuzz run identity_token`: see [`answerdesk_fuzz::identity_token`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| answerdesk_fuzz::identity_token::check(data));
