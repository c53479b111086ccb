//! Text normalization: one canonical form for the many ways people type the same text.
//!
//! Visitors paste from phones, IMEs and word processors, so the same question arrives
//! as full-width `ＲＥＦＵＮＤ`, accented `résumé` or `Ｒefund`. NFKC folds the
//! compatibility forms (full-width Latin and digits, half-width katakana, ligatures);
//! lower-casing folds case; Latin letters then lose their accents so that `cafe` and
//! `café` meet. Accents are stripped only from Latin letters: decomposing kana or
//! Hangul would change their meaning.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::UnicodeNormalization;

/// Returns `text` in NFKC, lower case, with accents removed from Latin letters.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfkc() {
        for lower in c.to_lowercase() {
            if is_accented_latin(lower) {
                decompose_canonical(lower, |part| {
                    if !is_combining_mark(part) {
                        out.push(part);
                    }
                });
            } else {
                out.push(lower);
            }
        }
    }
    out
}

/// Latin-1 Supplement and Latin Extended-A/B: the letters that carry accents in
/// European languages.
fn is_accented_latin(c: char) -> bool {
    ('\u{00C0}'..='\u{024F}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::normalize;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn folds_full_width_and_case() {
        assert_eq!(normalize("ＲＥＦＵＮＤ １２３"), "refund 123");
        assert_eq!(normalize("Ｒefund？"), "refund?");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn strips_latin_accents_but_keeps_kana() {
        assert_eq!(normalize("Café Résumé"), "cafe resume");
        // Half-width katakana become full-width; the voiced mark stays attached.
        assert_eq!(normalize("ｶﾞ"), "ガ");
        assert_eq!(normalize("退款"), "退款");
    }
}
