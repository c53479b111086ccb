//! Text analysis: from raw text to the terms the index stores.
//!
//! The pipeline is [`normalize()`] → [`segment()`] → per segment: English stop words
//! dropped and stems taken for words, codes kept verbatim, CJK runs expanded to
//! character unigrams and bigrams. Knowledge-base text and visitor queries go
//! through the same pipeline, so they meet on the same terms. A visitor's
//! question is normalized once and analysed once into a [`Query`], which every
//! index and rule then reads.

pub mod normalize;
pub mod segment;
pub mod stem;
pub mod typo;

pub use normalize::normalize;
pub use segment::{segment, Segment};

use stem::{is_stop_word, EnglishStemmer};

/// What kind of text a term came from; decides whether typo tolerance applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TermKind {
    /// A stemmed Latin word.
    Word,
    /// A number or code, verbatim.
    Code,
    /// One CJK character.
    CjkUnigram,
    /// Two adjacent CJK characters.
    CjkBigram,
}

/// One indexable unit of text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Term {
    /// Normalized (and, for words, stemmed) text; the key in the vocabulary.
    pub text: String,
    /// Where it came from.
    pub kind: TermKind,
}

/// A question analysed once for everything that reads it: the decision rules
/// and the dense index read its normalized text, the lexical index and the
/// classifier its terms.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The text after [`normalize()`].
    pub text: String,
    /// Its terms, as [`Analyzer::analyze`] gives them.
    pub terms: Vec<Term>,
}

impl Query {
    /// Analyses `normalized`, text already through [`normalize()`].
    pub fn new(analyzer: &Analyzer, normalized: String) -> Query {
        let terms = analyzer.terms(&normalized);
        Query {
            text: normalized,
            terms,
        }
    }
}

/// Turns text into terms. Holds the stemmer so that callers analysing many texts
/// create it once.
#[derive(Default)]
pub struct Analyzer {
    stemmer: EnglishStemmer,
}

impl Analyzer {
    /// An analyzer with an English stemmer.
    pub fn new() -> Self {
        Self::default()
    }

    /// All terms of `text` in order, repeats included (term frequency matters):
    /// knowledge-base text, at build time. A question is analysed as a [`Query`].
    #[cfg(feature = "build")]
    pub fn analyze(&self, text: &str) -> Vec<Term> {
        self.terms(&normalize(text))
    }

    /// [`Analyzer::analyze`] of text already through [`normalize()`].
    fn terms(&self, normalized: &str) -> Vec<Term> {
        let mut terms = Vec::new();
        for seg in segment(normalized) {
            match seg {
                Segment::Word(w) => {
                    if !is_stop_word(&w) {
                        terms.push(Term {
                            text: self.stemmer.stem(&w),
                            kind: TermKind::Word,
                        });
                    }
                }
                Segment::Code(c) => terms.push(Term {
                    text: c,
                    kind: TermKind::Code,
                }),
                Segment::Cjk(chars) => {
                    for (i, &c) in chars.iter().enumerate() {
                        terms.push(Term {
                            text: c.to_string(),
                            kind: TermKind::CjkUnigram,
                        });
                        if let Some(&next) = chars.get(i + 1) {
                            terms.push(Term {
                                text: [c, next].iter().collect(),
                                kind: TermKind::CjkBigram,
                            });
                        }
                    }
                }
            }
        }
        terms
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    fn texts(text: &str) -> Vec<String> {
        Analyzer::new()
            .analyze(text)
            .into_iter()
            .map(|t| t.text)
            .collect()
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn english_is_stemmed_without_stop_words() {
        assert_eq!(texts("Where are my refunds?"), ["where", "refund"]);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn chinese_becomes_unigrams_and_bigrams() {
        assert_eq!(
            texts("退款多久"),
            ["退", "退款", "款", "款多", "多", "多久", "久"]
        );
        // Japanese kana and Korean Hangul are written without spaces too.
        assert_eq!(texts("ｶｰﾄﾞ"), ["カ", "カー", "ー", "ード", "ド"]);
        assert_eq!(texts("환불"), ["환", "환불", "불"]);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn mixed_full_width_and_codes() {
        assert_eq!(
            texts("ＶＩＰ卡 refunds, 订单＃１００２３４ error A12-345"),
            ["vip", "卡", "refund", "订", "订单", "单", "100234", "error", "a12-345"]
        );
        let kinds: Vec<TermKind> = Analyzer::new()
            .analyze("a12-345 card 卡")
            .iter()
            .map(|t| t.kind)
            .collect();
        assert_eq!(
            kinds,
            [TermKind::Code, TermKind::Word, TermKind::CjkUnigram]
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn empty_and_symbol_only_text_has_no_terms() {
        assert!(texts("").is_empty());
        assert!(texts("?! 🙂 ...").is_empty());
        assert_eq!(texts("🙂 退款"), ["退", "退款", "款"]);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn one_megabyte_of_input_is_fine() {
        let text = "refund 退款 A12-345 🙂 ".repeat((1 << 20) / 24);
        assert!(text.len() >= (1 << 20) - 100);
        let terms = Analyzer::new().analyze(&text);
        assert!(terms.len() > 100_000);
        let blob = "x".repeat(1 << 20);
        assert!(Analyzer::new().analyze(&blob).is_empty());
    }
}
