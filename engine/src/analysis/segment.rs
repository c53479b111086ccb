//! Splitting normalized text into words, codes and runs of CJK characters.
//!
//! Chinese and Japanese are written without spaces and a dictionary segmenter would
//! weigh more than the rest of the engine, so CJK runs are indexed as overlapping
//! character unigrams and bigrams: bigrams carry most words (退款, 快递), unigrams
//! keep single-character words and partial matches. Latin text splits on anything
//! that is not a letter or digit, except that codes such as `A12-345`, `3.5` or
//! `#100234` stay whole, since a visitor quoting an order or error number wants
//! exactly that one.

/// A piece of text before stemming and n-gram expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Letters only, e.g. `refund`, `dont` (apostrophes are dropped).
    Word(String),
    /// Contains a digit; kept verbatim, without a leading `#`.
    Code(String),
    /// A run of consecutive CJK characters.
    Cjk(Vec<char>),
}

/// Longest word or code kept; longer runs are pasted data, not words.
const MAX_WORD_CHARS: usize = 48;

/// Whether `c` is written without spaces between words: Han, kana, Hangul.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x31F0..=0x31FF    // Katakana phonetic extensions
        | 0x3400..=0x4DBF    // CJK Extension A
        | 0x4E00..=0x9FFF    // CJK Unified Ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0x20000..=0x2FA1F) // CJK Extensions B–F, compatibility supplement
}

/// Characters that join the parts of a code (`A12-345`, `v2.1`, `2024/05`).
fn is_code_joiner(c: char) -> bool {
    matches!(c, '-' | '_' | '.' | '/' | ':')
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}')
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() && !is_cjk(c)
}

/// Splits normalized text (see [`super::normalize()`]) into segments, in order.
pub fn segment(text: &str) -> Vec<Segment> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_cjk(c) {
            let start = i;
            while i < chars.len() && is_cjk(chars[i]) {
                i += 1;
            }
            out.push(Segment::Cjk(chars[start..i].to_vec()));
        } else if is_word_char(c) {
            i = push_word_run(&chars, i, &mut out);
        } else {
            i += 1;
        }
    }
    out
}

/// Reads a run of word characters, joiners and apostrophes starting at `start`
/// and pushes it as one code or as one or more words. Returns the index after it.
fn push_word_run(chars: &[char], start: usize, out: &mut Vec<Segment>) -> usize {
    let mut end = start;
    // A joiner or apostrophe belongs to the run only between two word characters.
    while end < chars.len() {
        let c = chars[end];
        let inner = (is_code_joiner(c) || is_apostrophe(c))
            && end + 1 < chars.len()
            && is_word_char(chars[end + 1])
            && end > start;
        if is_word_char(c) || inner {
            end += 1;
        } else {
            break;
        }
    }
    let run = &chars[start..end];
    let has_digit = run.iter().any(|c| c.is_numeric());
    if has_digit {
        // Codes keep their joiners; apostrophes in codes are noise.
        if run.len() <= MAX_WORD_CHARS {
            out.push(Segment::Code(
                run.iter().filter(|&&c| !is_apostrophe(c)).collect(),
            ));
        }
    } else {
        for part in run.split(|&c| is_code_joiner(c)) {
            let word: String = part.iter().filter(|&&c| !is_apostrophe(c)).collect();
            if !word.is_empty() && part.len() <= MAX_WORD_CHARS {
                out.push(Segment::Word(word));
            }
        }
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    fn words(s: &[Segment]) -> Vec<String> {
        s.iter()
            .map(|s| match s {
                Segment::Word(w) => format!("w:{w}"),
                Segment::Code(c) => format!("c:{c}"),
                Segment::Cjk(c) => format!("z:{}", c.iter().collect::<String>()),
            })
            .collect()
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn latin_words_split_on_punctuation() {
        assert_eq!(
            words(&segment("where's my e-mail, please?")),
            ["w:wheres", "w:my", "w:e", "w:mail", "w:please"]
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn codes_stay_whole() {
        assert_eq!(
            words(&segment("error a12-345 on order #100234, v2.1.")),
            [
                "w:error",
                "c:a12-345",
                "w:on",
                "w:order",
                "c:100234",
                "c:v2.1"
            ]
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn mixed_chinese_and_english() {
        assert_eq!(
            words(&segment("我的card还没到,订单#100234")),
            ["z:我的", "w:card", "z:还没到", "z:订单", "c:100234"]
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn emoji_and_symbols_are_skipped() {
        assert_eq!(words(&segment("🙂 refund 💳!!")), ["w:refund"]);
        assert!(segment("🙂🙂 ... ").is_empty());
        assert!(segment("").is_empty());
    }
}
