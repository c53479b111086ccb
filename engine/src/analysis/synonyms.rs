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

use super::stem::EnglishStemmer;

/// Variant → canonical word pairs, normalized, as stored in a snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Synonyms {
    /// Sorted by variant; no variant twice, none equal to its canonical word.
    pub(crate) pairs: Vec<(String, String)>,
}

impl Synonyms {
    /// Number of variants.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// Checks a decoded list: sorted, unique, no empty words.
    pub(crate) fn check(&self) -> Result<(), String> {
        let fits = self.pairs.windows(2).all(|w| w[0].0 < w[1].0)
            && self
                .pairs
                .iter()
                .all(|(v, c)| !v.is_empty() && !c.is_empty() && v != c);
        if fits {
            Ok(())
        } else {
            Err("the synonym list is not sorted and unique".into())
        }
    }
}

/// [`Synonyms`] prepared for rewriting text: stems for single words, phrases
/// longest first.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rewriter {
    /// Stem of a variant word → stem of its canonical word, sorted by variant.
    stems: Vec<(String, String)>,
    /// Chinese words and Latin phrases → canonical, longest variant first.
    phrases: Vec<(String, String)>,
}

impl Rewriter {
    pub(crate) fn new(synonyms: &Synonyms, stemmer: &EnglishStemmer) -> Rewriter {
        let mut rewriter = Rewriter::default();
        for (variant, canonical) in &synonyms.pairs {
            let single_word = variant.chars().all(|c| c.is_alphabetic() && c.is_ascii())
                && canonical.chars().all(|c| c.is_alphabetic() && c.is_ascii());
            if single_word {
                let (v, c) = (stemmer.stem(variant), stemmer.stem(canonical));
                if v != c {
                    rewriter.stems.push((v, c));
                }
            }
            // Single words too, as written: the dense index reads the text.
            rewriter.phrases.push((variant.clone(), canonical.clone()));
        }
        rewriter.stems.sort();
        rewriter.stems.dedup_by(|a, b| a.0 == b.0);
        rewriter
            .phrases
            .sort_by_key(|(v, _)| std::cmp::Reverse(v.chars().count()));
        rewriter
    }

    /// The canonical stem for a word's stem.
    pub(crate) fn stem<'a>(&'a self, stem: &'a str) -> &'a str {
        match self.stems.binary_search_by(|(v, _)| v.as_str().cmp(stem)) {
            Ok(i) => &self.stems[i].1,
            Err(_) => stem,
        }
    }

    /// `text` with every phrase variant replaced by its canonical word. A
    /// replaced stretch is not searched again, so rewriting is one pass.
    pub(crate) fn phrases(&self, text: &str) -> String {
        if self.phrases.is_empty() {
            return text.to_string();
        }
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

    fn rewriter(pairs: &[(&str, &str)]) -> Rewriter {
        let mut pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(v, c)| (v.to_string(), c.to_string()))
            .collect();
        pairs.sort();
        Rewriter::new(&Synonyms { pairs }, &EnglishStemmer::new())
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
            r.phrases("我想退掉这个，邮费谁出"),
            "我想退货这个，运费谁出"
        );
        assert_eq!(
            r.phrases("can i get my money back?"),
            "can i get my refund?"
        );
        assert_eq!(r.phrases("catalog information"), "catalog information");
        assert_eq!(r.phrases("i can't log in"), "i can't sign in");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn single_words_meet_by_stem() {
        let r = rewriter(&[("parcel", "package")]);
        let stemmer = EnglishStemmer::new();
        assert_eq!(r.stem(&stemmer.stem("parcels")), stemmer.stem("package"));
        assert_eq!(r.stem("refund"), "refund");
    }
}
