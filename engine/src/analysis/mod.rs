//! Text analysis: from raw text to the terms the index stores.
//!
//! The pipeline is [`normalize()`] → [`synonyms`] (phrases) → [`segment()`] → per
//! segment: English stop words dropped and stems taken for words (then mapped
//! by synonym), codes kept verbatim, CJK runs expanded to character unigrams and
//! bigrams; in a question, [`frames`] are marked to weigh less and filler is
//! dropped (both languages). Knowledge-base text and visitor queries go
//! through the same pipeline, so they meet on the same terms. A visitor's
//! question is normalized once and analysed once into a [`Query`], which every
//! index and rule then reads.

pub mod frames;
pub mod normalize;
pub mod segment;
pub mod stem;
pub mod synonyms;
pub mod typo;

pub use normalize::normalize;
pub use segment::{segment, Segment};
pub use synonyms::Synonyms;

use frames::Role;
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
    /// A question's frame ("how", "怎么办"), see [`frames`]; weighs less than content.
    Frame,
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
    /// The text after [`normalize()`] and the synonyms' rewriting.
    pub text: String,
    /// Its terms, as [`Analyzer::analyze`] gives them.
    pub terms: Vec<Term>,
}

impl Query {
    /// Analyses `normalized`, text already through [`normalize()`]; its
    /// synonyms are rewritten for the indexes that read the text too.
    pub fn new(analyzer: &Analyzer, normalized: String) -> Query {
        let text = analyzer.synonyms.rewrite(&normalized);
        let terms = analyzer.terms(&text, true);
        Query { text, terms }
    }
}

/// Turns text into terms. Holds the stemmer and the prepared synonyms so that
/// callers analysing many texts create them once.
#[derive(Default)]
pub struct Analyzer {
    stemmer: EnglishStemmer,
    synonyms: Synonyms,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Analyzer")
    }
}

impl Clone for Analyzer {
    fn clone(&self) -> Self {
        Analyzer::with_synonyms(self.synonyms.clone())
    }
}

impl Analyzer {
    /// An analyzer with an English stemmer and no synonyms.
    #[cfg(test)]
    pub fn new() -> Self {
        Self::default()
    }

    /// An analyzer that rewrites `synonyms` to their canonical words.
    pub fn with_synonyms(synonyms: Synonyms) -> Self {
        Analyzer {
            stemmer: EnglishStemmer::new(),
            synonyms,
        }
    }

    /// All terms of `text` in order, repeats included (term frequency matters):
    /// knowledge-base text, at build time. A question is analysed as a [`Query`].
    #[cfg(feature = "build")]
    pub fn analyze(&self, text: &str) -> Vec<Term> {
        self.terms(&self.synonyms.rewrite(&normalize(text)), false)
    }

    /// [`Analyzer::analyze`] of text already normalized and rewritten; a
    /// `question`'s frames are marked and its filler dropped (see [`frames`]).
    fn terms(&self, rewritten: &str, question: bool) -> Vec<Term> {
        let segments = segment(rewritten);
        let mut terms = Vec::new();
        let mut frame_words = 0;
        let mut asks_duration = false;
        for (i, seg) in segments.iter().enumerate() {
            match seg {
                Segment::Word(w) => {
                    let next = match segments.get(i + 1) {
                        Some(Segment::Word(next)) => Some(next.as_str()),
                        _ => None,
                    };
                    if frames::opens_duration(w, next) {
                        asks_duration = true;
                    }
                    // "How long does a PayPal refund take": the verb belongs to the
                    // duration question, not to its subject, and must not meet the
                    // "take" of "do you take PayPal". Dropped on both sides.
                    if asks_duration && frames::is_duration_verb(w) {
                        continue;
                    }
                    if question && frame_words == 0 {
                        if let Some((frame, words)) = frames::latin_frame(w, next) {
                            if !frame {
                                continue; // filler
                            }
                            frame_words = words;
                        }
                    }
                    let in_frame = frame_words > 0;
                    frame_words = frame_words.saturating_sub(1);
                    if !is_stop_word(w) {
                        let stem = self.stemmer.stem(w);
                        terms.push(Term {
                            text: self.synonyms.stem(&stem).to_string(),
                            kind: if in_frame {
                                TermKind::Frame
                            } else {
                                TermKind::Word
                            },
                        });
                    }
                }
                Segment::Code(c) => terms.push(Term {
                    text: c.clone(),
                    kind: TermKind::Code,
                }),
                Segment::Cjk(chars) => {
                    let roles = if question {
                        frames::cjk_roles(chars)
                    } else {
                        vec![Role::Content; chars.len()]
                    };
                    push_cjk_ngrams(chars, &roles, &mut terms);
                }
            }
        }
        terms
    }
}

/// Character unigrams and bigrams of a CJK run, in order. A term with a frame
/// character is a frame term; one with a filler character is left out.
fn push_cjk_ngrams(chars: &[char], roles: &[Role], terms: &mut Vec<Term>) {
    let kind_of = |rs: &[Role], content: TermKind| {
        if rs.contains(&Role::Filler) {
            None
        } else if rs.contains(&Role::Frame) {
            Some(TermKind::Frame)
        } else {
            Some(content)
        }
    };
    for (i, &c) in chars.iter().enumerate() {
        if let Some(kind) = kind_of(&roles[i..=i], TermKind::CjkUnigram) {
            terms.push(Term {
                text: c.to_string(),
                kind,
            });
        }
        if let Some(&next) = chars.get(i + 1) {
            if let Some(kind) = kind_of(&roles[i..=i + 1], TermKind::CjkBigram) {
                terms.push(Term {
                    text: [c, next].iter().collect(),
                    kind,
                });
            }
        }
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
