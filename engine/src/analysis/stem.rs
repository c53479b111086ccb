//! English stemming and stop words.
//!
//! Stemming lets "refunds", "refunded" and "refunding" meet at `refund`. The
//! stop-word list is deliberately small: question words ("how", "why", "when")
//! and negations are kept because they separate intents such as "why was my card
//! declined" from "how do I get a card".

use rust_stemmers::{Algorithm, Stemmer};

/// Function words that say nothing about what a visitor needs, sorted for binary search.
const STOP_WORDS: &[&str] = &[
    "a", "am", "an", "and", "are", "as", "at", "be", "been", "being", "by", "did", "do", "does",
    "for", "from", "had", "has", "have", "i", "i'm", "im", "in", "into", "is", "it", "its", "me",
    "my", "of", "on", "or", "our", "so", "that", "the", "their", "them", "then", "there", "these",
    "they", "this", "those", "to", "us", "was", "we", "were", "with", "you", "your",
];

/// Whether `word` (normalized, lower case) is a stop word.
pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.binary_search(&word).is_ok()
}

/// An English stemmer, created once per analysis pass.
pub struct EnglishStemmer(Stemmer);

impl EnglishStemmer {
    /// The Snowball English (Porter 2) stemmer.
    pub fn new() -> Self {
        EnglishStemmer(Stemmer::create(Algorithm::English))
    }

    /// Reduces a lower-case word to its stem.
    pub fn stem(&self, word: &str) -> String {
        self.0.stem(word).into_owned()
    }
}

impl Default for EnglishStemmer {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn stop_words_are_sorted() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(is_stop_word("the"));
        assert!(!is_stop_word("why"));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn inflections_share_a_stem() {
        let s = EnglishStemmer::new();
        assert_eq!(s.stem("refunds"), s.stem("refunded"));
        assert_eq!(s.stem("delivery"), s.stem("deliveries"));
    }
}
