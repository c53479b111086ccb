//! Words a visitor uses for what the knowledge base calls otherwise: 退掉 for
//! 退货, 邮费 for 运费, "parcel" for "package".
//!
//! A knowledge base with a handful of phrasings per entry cannot hold every
//! word a shopper types, and a character n-gram or a stem never connects two
//! different words. Synonyms rewrite both sides to one *canonical* word before
//! analysis, so knowledge-base text and questions meet on it. The build merges
//! a small bundled bilingual list with the site owner's own groups and stores
//! the result in the snapshot, so a question in the browser is rewritten
//! exactly as the knowledge base was.
//!
//! Chinese words and Latin words and phrases ("money back") are replaced in
//! the normalized text, longest first, Latin ones only at word boundaries; the
//! lexical index also maps single Latin words by stem ("parcels" → "package").

use serde::{Deserialize, Serialize};

/// The synonyms a snapshot carries, prepared at build time so that loading
/// one sorts nothing (every kilobyte of the visitor's wasm counts).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Synonyms {
    /// Stem of a single-word variant → stem of its canonical word, sorted by
    /// variant, for the lexical index.
    pub(crate) stems: Vec<(String, String)>,
    /// Variant → canonical word, as normalized text, longest variant (in
    /// bytes) first, for rewriting the text.
    pub(crate) phrases: Vec<(String, String)>,
}

impl Synonyms {
    /// Prepares variant → canonical pairs (normalized, no variant twice).
    #[cfg(feature = "build")]
    pub(crate) fn new(pairs: Vec<(String, String)>) -> Synonyms {
        let stemmer = super::stem::EnglishStemmer::new();
        let is_word = |w: &str| w.chars().all(|c| c.is_ascii_alphabetic());
        let mut stems: Vec<(String, String)> = pairs
            .iter()
            .filter(|(v, c)| is_word(v) && is_word(c))
            .map(|(v, c)| (stemmer.stem(v), stemmer.stem(c)))
            .filter(|(v, c)| v != c)
            .collect();
        stems.sort();
        stems.dedup_by(|a, b| a.0 == b.0);
        let mut phrases = pairs;
        phrases.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.cmp(b)));
        Synonyms { stems, phrases }
    }

    /// Checks a decoded list: in the order the rewriting relies on, no empty words.
    pub(crate) fn check(&self) -> Result<(), String> {
        let fits = self.stems.windows(2).all(|w| w[0].0 < w[1].0)
            && self
                .phrases
                .windows(2)
                .all(|w| w[0].0.len() >= w[1].0.len())
            && self
                .stems
                .iter()
                .chain(&self.phrases)
                .all(|(v, c)| !v.is_empty() && !c.is_empty());
        if fits {
            Ok(())
        } else {
            Err("the synonym list is out of order".into())
        }
    }

    /// The canonical stem for a word's stem.
    pub(crate) fn stem<'a>(&'a self, stem: &'a str) -> &'a str {
        match self.stems.binary_search_by(|(v, _)| v.as_str().cmp(stem)) {
            Ok(i) => &self.stems[i].1,
            Err(_) => stem,
        }
    }

    /// `text` with every variant replaced by its canonical word, Latin ones
    /// only at word boundaries. A replaced stretch is not searched again, so
    /// rewriting is one pass.
    pub(crate) fn rewrite(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        'scan: while let Some(c) = rest.chars().next() {
            let at_boundary = out.chars().next_back().is_none_or(|p| !p.is_alphanumeric());
            for (variant, canonical) in &self.phrases {
                let latin = variant.is_ascii();
                if !rest.starts_with(variant.as_str()) || (latin && !at_boundary) {
                    continue;
                }
                let after = rest[variant.len()..].chars().next();
                if latin && after.is_some_and(char::is_alphanumeric) {
                    continue;
                }
                out.push_str(canonical);
                rest = &rest[variant.len()..];
                continue 'scan;
            }
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    fn rewriter(pairs: &[(&str, &str)]) -> Synonyms {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(v, c)| (v.to_string(), c.to_string()))
            .collect();
        let synonyms = Synonyms::new(pairs);
        assert_eq!(synonyms.check(), Ok(()));
        synonyms
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn phrases_are_replaced_longest_first_at_word_boundaries() {
        let r = rewriter(&[
            ("退掉", "退货"),
            ("邮费", "运费"),
            ("money back", "refund"),
            ("log in", "sign in"),
        ]);
        assert_eq!(
            r.rewrite("我想退掉这个，邮费谁出"),
            "我想退货这个，运费谁出"
        );
        assert_eq!(
            r.rewrite("can i get my money back?"),
            "can i get my refund?"
        );
        assert_eq!(r.rewrite("catalog information"), "catalog information");
        assert_eq!(r.rewrite("i can't log in"), "i can't sign in");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn single_words_meet_by_stem() {
        let r = rewriter(&[("parcel", "package")]);
        let stemmer = crate::analysis::stem::EnglishStemmer::new();
        assert_eq!(r.stem(&stemmer.stem("parcels")), stemmer.stem("package"));
        assert_eq!(r.stem("refund"), "refund");
    }
}
