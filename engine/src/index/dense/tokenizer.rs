//! Text to token ids, following the table's WordPiece vocabulary: words split
//! on anything not a letter or digit, each word cut greedily into the longest
//! pieces in the table (`refunded` → `refund`, `##ed`); CJK characters are
//! tokens of their own. A word that cannot be cut entirely is left out, as
//! WordPiece would map it to an unknown token.
//!
//! Input is normalized text ([`crate::analysis::normalize()`]): a query is
//! normalized once, for every index.

use std::collections::HashMap;

use super::table::TokenTable;
use crate::analysis::segment::is_cjk;

/// Longer words are pasted data, not words (as in the lexical analysis).
const MAX_WORD_CHARS: usize = 48;

impl TokenTable {
    /// Token ids of normalized text, in order, repeats included.
    pub(crate) fn tokens(&self, normalized: &str) -> Vec<u32> {
        self.split(normalized, |word, out| self.push_word(word, out))
    }

    /// [`TokenTable::tokens`], cutting each distinct word only once: a
    /// knowledge base's phrasings repeat their words, and the cutting (a
    /// vocabulary search per candidate piece) was most of an engine's load time.
    pub(crate) fn tokens_cached(
        &self,
        normalized: &str,
        pieces: &mut HashMap<String, Vec<u32>>,
    ) -> Vec<u32> {
        self.split(normalized, |word, out| match pieces.get(word) {
            Some(ids) => out.extend_from_slice(ids),
            None => {
                let start = out.len();
                self.push_word(word, out);
                pieces.insert(word.to_string(), out[start..].to_vec());
            }
        })
    }

    /// CJK characters as tokens, words handed to `push_word`.
    fn split(&self, normalized: &str, mut push_word: impl FnMut(&str, &mut Vec<u32>)) -> Vec<u32> {
        let mut out = Vec::new();
        let mut word = String::new();
        for c in normalized.chars() {
            if is_cjk(c) {
                push_word(&word, &mut out);
                word.clear();
                let mut buf = [0u8; 4];
                out.extend(self.id(c.encode_utf8(&mut buf)));
            } else if c.is_alphanumeric() {
                word.push(c);
            } else {
                push_word(&word, &mut out);
                word.clear();
            }
        }
        push_word(&word, &mut out);
        out
    }

    /// Greedy longest-match WordPiece; a word that cannot be cut entirely adds nothing.
    fn push_word(&self, word: &str, out: &mut Vec<u32>) {
        if word.is_empty() || word.chars().count() > MAX_WORD_CHARS {
            return;
        }
        let start_len = out.len();
        let mut rest = word;
        let mut piece = String::with_capacity(word.len() + 2);
        while !rest.is_empty() {
            let mut found = None;
            let mut end = rest.len();
            while end > 0 {
                piece.clear();
                if rest.len() != word.len() {
                    piece.push_str("##");
                }
                piece.push_str(&rest[..end]);
                if let Some(id) = self.id(&piece) {
                    found = Some((id, end));
                    break;
                }
                end = rest[..end].char_indices().last().map_or(0, |(i, _)| i);
            }
            let Some((id, end)) = found else {
                out.truncate(start_len);
                return;
            };
            out.push(id);
            rest = &rest[end..];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::normalize;
    use crate::index::dense::tests::table;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    fn tokenize(t: &TokenTable, text: &str) -> Vec<u32> {
        t.tokens(&normalize(text))
    }

    fn names(t: &TokenTable, ids: &[u32]) -> Vec<String> {
        ids.iter().map(|&i| t.tokens[i as usize].clone()).collect()
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn wordpiece_takes_the_longest_pieces() {
        let t = table();
        assert_eq!(
            names(&t, &tokenize(&t, "REFUNDED cards, money!")),
            ["refund", "##ed", "card", "##s", "money"]
        );
        // A word that cannot be cut entirely adds nothing, as WordPiece's [UNK].
        assert_eq!(names(&t, &tokenize(&t, "cardx refund")), ["refund"]);
        // CJK characters are tokens of their own; unknown ones are skipped.
        assert_eq!(
            names(&t, &tokenize(&t, "我要退款 card")),
            ["退", "款", "card"]
        );
        assert!(tokenize(&t, "").is_empty());
        assert!(tokenize(&t, "🙂 ?!").is_empty());
        assert_eq!(names(&t, &tokenize(&t, "🙂refund🙂")), ["refund"]);
        let long = "refund ".repeat(150_000);
        assert_eq!(tokenize(&t, &long).len(), 150_000);
        // Cutting each word once gives the same tokens, the second time from the cache.
        let mut pieces = HashMap::new();
        for text in [
            "REFUNDED cards, money!",
            "cardx refund",
            "我要退款 card",
            "cards refunded",
        ] {
            let text = normalize(text);
            for _ in 0..2 {
                assert_eq!(
                    t.tokens_cached(&text, &mut pieces),
                    t.tokens(&text),
                    "{text}"
                );
            }
        }
    }
}
