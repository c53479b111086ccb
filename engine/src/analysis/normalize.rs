//! Text normalization: one canonical form for the many ways people type the same text.
//!
//! Visitors paste from phones, IMEs and word processors, so the same question arrives
//! as full-width `ＲＥＦＵＮＤ`, accented `résumé` or `Ｒefund`. This is a compact fold
//! rather than full NFKC: the NFKC tables weighed ~58 KB brotli in every visitor's
//! wasm, while the compatibility forms that actually reach a support widget are few —
//! full-width ASCII and the ideographic space (Chinese and Japanese IMEs), half-width
//! katakana with their voiced marks, full-width currency signs, odd spaces, ligatures,
//! super- and subscript digits, circled numbers and the ellipsis. Those fold here
//! exactly as NFKC folds them (a test holds the two together); lower-casing then folds
//! case, and Latin letters lose their accents so that `cafe` and `café` meet. Accents
//! are stripped only from Latin letters: decomposing kana or Hangul would change their
//! meaning. Knowledge-base text and queries both pass through here, so whatever the fold
//! leaves alone still matches itself.

/// Returns `text` with compatibility forms folded, in lower case, with accents removed
/// from Latin letters.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match fold_compatibility(c) {
            Folded::Char(f) => push_folded(&mut out, f),
            Folded::Str(s) => s.chars().for_each(|f| push_folded(&mut out, f)),
            Folded::Number(n) => out.push_str(&n.to_string()),
        }
    }
    out
}

/// What a compatibility character folds to.
enum Folded {
    Char(char),
    Str(&'static str),
    /// A circled number such as `⑫`.
    Number(u32),
}

/// Half-width katakana U+FF61..=U+FF9D as their full-width forms, in code point order.
const HALF_WIDTH_KATAKANA: &str =
    "。「」、・ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン";

/// The compatibility forms a support widget sees, folded as NFKC folds them.
fn fold_compatibility(c: char) -> Folded {
    let cp = c as u32;
    let mapped = match cp {
        // Full-width ASCII: letters, digits and punctuation typed with a CJK IME.
        0xFF01..=0xFF5E => cp - 0xFEE0,
        0xFF5F => 0x2985,
        0xFF60 => 0x2986,
        0xFF61..=0xFF9D => {
            let i = (cp - 0xFF61) as usize;
            return Folded::Char(HALF_WIDTH_KATAKANA.chars().nth(i).unwrap_or(c));
        }
        // Half-width voiced and semi-voiced marks: the combining marks, which
        // `push_folded` composes with the kana before them.
        0xFF9E => 0x3099,
        0xFF9F => 0x309A,
        // Full-width signs: ￠ ￡ ￢ ￤ ￥ ￦, then half-width box and arrow forms.
        0xFFE0 => 0xA2,
        0xFFE1 => 0xA3,
        0xFFE2 => 0xAC,
        0xFFE4 => 0xA6,
        0xFFE5 => 0xA5,
        0xFFE6 => 0x20A9,
        0xFFE8 => 0x2502,
        0xFFE9..=0xFFEC => cp - 0xFFE9 + 0x2190,
        0xFFED => 0x25A0,
        0xFFEE => 0x25CB,
        // No-break, typographic and ideographic spaces.
        0xA0 | 0x2000..=0x200A | 0x202F | 0x205F | 0x3000 => 0x20,
        // Circled postal mark and the Hangzhou numerals ten, twenty, thirty.
        0x3036 => 0x3012,
        0x3038 => 0x5341,
        0x3039 => 0x5344,
        0x303A => 0x5345,
        0xAA => 'a' as u32,
        0xBA => 'o' as u32,
        0xB5 => 0x3BC,
        0xB9 => '1' as u32,
        0x2071 => 'i' as u32,
        0xB2 | 0xB3 => cp - 0xB2 + '2' as u32,
        0x2070 | 0x2074..=0x2079 => cp - 0x2070 + '0' as u32,
        0x2080..=0x2089 => cp - 0x2080 + '0' as u32,
        0x2460..=0x2473 => return Folded::Number(cp - 0x2460 + 1),
        0x2025 => return Folded::Str(".."),
        0x2026 => return Folded::Str("..."),
        0x2122 => return Folded::Str("TM"),
        0xFB00 => return Folded::Str("ff"),
        0xFB01 => return Folded::Str("fi"),
        0xFB02 => return Folded::Str("fl"),
        0xFB03 => return Folded::Str("ffi"),
        0xFB04 => return Folded::Str("ffl"),
        0xFB05 | 0xFB06 => return Folded::Str("st"),
        _ => return Folded::Char(c),
    };
    Folded::Char(char::from_u32(mapped).unwrap_or(c))
}

/// Appends one folded character: composes kana with a following voiced mark, drops
/// accents that follow a Latin letter, lower-cases and strips Latin accents.
fn push_folded(out: &mut String, c: char) {
    match c as u32 {
        0x3099 | 0x309A => {
            if let Some(voiced) = out.chars().next_back().and_then(|base| voice_kana(base, c)) {
                out.pop();
                out.push(voiced);
                return;
            }
        }
        // Combining diacritics after a Latin letter: the decomposed spelling of an
        // accented letter, whose accent would be stripped anyway.
        0x300..=0x36F if out.chars().next_back().is_some_and(is_latin_letter) => return,
        _ => {}
    }
    for lower in c.to_lowercase() {
        push_without_accent(out, lower);
    }
}

fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&c)
}

/// Base letters of U+00C0..=U+024F, `.` where the letter has none (æ, ø, ß, ł, …) or
/// is not a letter (×, ÷). Generated from Unicode's canonical decompositions.
const LATIN_BASE: &[u8; 400] = b"\
aaaaaa.ceeeeiiii.nooooo..uuuuy..aaaaaa.ceeeeiiii.nooooo..uuuuy.y\
aaaaaaccccccccdd..eeeeeeeeeegggggggghh..iiiiiiii....jjkk.llllll.\
...nnnnnn...oooooo..rrrrrrsssssssstttt..uuuuuuuuuuuuwwyyyzzzzzzs\
................................oo.............uu...............\
.............aaiioouuuuuuuuuu.aaaa....ggkkoooo..j...gg..nnaa....\
aaaaeeeeiiiioooorrrruuuusstt..hh......aaeeooooooooyy............\
................";

/// Pushes a lower-case character, without its accent if it is an accented Latin letter.
fn push_without_accent(out: &mut String, c: char) {
    let folded = match c {
        'ĳ' => "ij",
        'ǆ' | 'ǳ' => "dz",
        'ǉ' => "lj",
        'ǌ' => "nj",
        'ǣ' | 'ǽ' => "æ",
        'ǿ' => "ø",
        'ǯ' => "ʒ",
        '\u{00C0}'..='\u{024F}' => match LATIN_BASE[c as usize - 0xC0] {
            b'.' => {
                out.push(c);
                return;
            }
            base => {
                out.push(char::from(base));
                return;
            }
        },
        _ => {
            out.push(c);
            return;
        }
    };
    out.push_str(folded);
}

/// The voiced (゛) or semi-voiced (゜) kana of `base`, as NFKC composes them.
fn voice_kana(base: char, mark: char) -> Option<char> {
    let b = base as u32;
    // Hiragana and katakana share one layout, 0x60 apart.
    let (k, offset) = match b {
        0x3041..=0x3096 | 0x309D => (b + 0x60, 0x60),
        0x30A1..=0x30FA | 0x30FD => (b, 0),
        _ => return None,
    };
    let semi = mark == '\u{309A}';
    let voiced = match k {
        // か…と: the voiced form is the next code point (ツ/っ skip the small っ).
        0x30AB | 0x30AD | 0x30AF | 0x30B1 | 0x30B3 | 0x30B5 | 0x30B7 | 0x30B9 | 0x30BB | 0x30BD
        | 0x30BF | 0x30C1 | 0x30C4 | 0x30C6 | 0x30C8
            if !semi =>
        {
            k + 1
        }
        // は…ほ: voiced +1, semi-voiced +2.
        0x30CF | 0x30D2 | 0x30D5 | 0x30D8 | 0x30DB => k + if semi { 2 } else { 1 },
        0x30A6 if !semi => 0x30F4,
        0x30FD if !semi => 0x30FE,
        // ワ ヰ ヱ ヲ exist voiced only in katakana.
        0x30EF..=0x30F2 if !semi && offset == 0 => k + 8,
        _ => return None,
    };
    char::from_u32(voiced - offset)
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
        assert_eq!(normalize("订单＃１００２３４，谢谢！"), "订单#100234,谢谢!");
        assert_eq!(normalize("退款\u{3000}多久"), "退款 多久");
        assert_eq!(normalize("￥１２０"), "¥120");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn strips_latin_accents_but_keeps_kana() {
        assert_eq!(normalize("Café Résumé"), "cafe resume");
        // Decomposed accents (as some keyboards send them) meet the precomposed ones.
        assert_eq!(normalize("Cafe\u{301} Re\u{301}sume\u{301}"), "cafe resume");
        assert_eq!(normalize("Straße Ærø"), "straße ærø");
        // Half-width katakana become full-width; the voiced mark stays attached.
        assert_eq!(normalize("ｶﾞ"), "ガ");
        assert_eq!(normalize("ﾊﾟｽﾜｰﾄﾞ"), "パスワード");
        assert_eq!(normalize("か\u{3099}"), "が");
        assert_eq!(normalize("退款"), "退款");
        assert_eq!(normalize("환불"), "환불");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn folds_ligatures_numbers_and_spaces() {
        assert_eq!(normalize("ﬁle\u{A0}m²…"), "file m2...");
        assert_eq!(normalize("步骤①到⑫"), "步骤1到12");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn leaves_emoji_empty_and_mixed_text_alone() {
        assert_eq!(normalize(""), "");
        assert_eq!(normalize("🙂 👍🏽 ok"), "🙂 👍🏽 ok");
        assert_eq!(normalize("ＶＩＰ卡 Refunds ｶｰﾄﾞ"), "vip卡 refunds カード");
        // A lone voiced mark has nothing to attach to and stays a combining mark.
        assert_eq!(normalize("ﾞ"), "\u{3099}");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn one_megabyte_keeps_its_length_order() {
        let text = "Ｒéfund 退款 ｶﾞ 🙂 ".repeat((1 << 20) / 24);
        let out = normalize(&text);
        assert!(out.starts_with("refund 退款 ガ 🙂 refund"));
        assert!(out.len() <= text.len());
    }

    /// The fold must agree with what NFKC + lower case + accent stripping gave before
    /// (and what `unicode-normalization` still gives) on every character it claims to
    /// handle, so snapshots and queries analysed either way meet on the same terms.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn agrees_with_nfkc_where_it_folds() {
        use unicode_normalization::char::{decompose_canonical, is_combining_mark};
        use unicode_normalization::UnicodeNormalization;
        fn reference(text: &str) -> String {
            let mut out = String::new();
            for c in text.nfkc() {
                for lower in c.to_lowercase() {
                    if ('\u{00C0}'..='\u{024F}').contains(&lower) {
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
        // Where the two differ on purpose: NFKC turns these into a letter plus a
        // combining mark or a symbol pair that retrieval never needs.
        let differs = ['Ŀ', 'ŀ', 'ŉ', '\u{FFE3}'];
        let ranges = [
            0x20..=0x24F,
            0x2000..=0x200A,
            0x2025..=0x2026,
            0x2070..=0x2089,
            0x2460..=0x2473,
            0x3000..=0x30FF,
            0xFB00..=0xFB06,
            0xFF01..=0xFFEE,
        ];
        let mut disagreements = Vec::new();
        for c in ranges.into_iter().flatten().filter_map(char::from_u32) {
            if differs.contains(&c) || ('\u{0300}'..='\u{036F}').contains(&c) {
                continue;
            }
            // Full-width voiced marks (゛゜) and lone combining kana marks are left alone.
            if matches!(c, '\u{309B}' | '\u{309C}' | '\u{3099}' | '\u{309A}') {
                continue;
            }
            let (n, r) = (normalize(&c.to_string()), reference(&c.to_string()));
            if n != r && !is_untouched_compatibility(c) {
                disagreements.push(format!("U+{:04X} {c:?}: fold {n:?}, NFKC {r:?}", c as u32));
            }
        }
        assert!(disagreements.is_empty(), "{disagreements:#?}");
        for pair in [
            "ｶﾞ",
            "ﾊﾟ",
            "ｳﾞ",
            "ﾜﾞ",
            "ﾀﾞ",
            "ﾂﾞ",
            "ｱﾞ",
            "う\u{3099}",
            "ほ\u{309A}",
        ] {
            assert_eq!(normalize(pair), reference(pair), "{pair}");
        }
    }

    /// Compatibility characters in the tested ranges that the fold deliberately keeps:
    /// rare enough in support questions that their tables are not worth the bytes.
    #[cfg(not(target_arch = "wasm32"))]
    fn is_untouched_compatibility(c: char) -> bool {
        matches!(c as u32,
            0xA8 | 0xAF | 0xB4 | 0xB8 | 0xBC..=0xBE // spacing accents, vulgar fractions
            | 0x207A..=0x207F | 0x208A..=0x208E     // super/subscript signs and n
            | 0x309F | 0x30FF                       // kana digraphs ゟ ヿ
            | 0xFFA0..=0xFFDC                       // half-width Hangul jamo
        )
    }
}
