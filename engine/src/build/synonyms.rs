//! The synonym list a snapshot carries: the bundled groups
//! (`engine/data/synonyms.txt`) merged with the site owner's.

use crate::analysis::stem::EnglishStemmer;
use crate::analysis::{normalize, Synonyms};

use super::BuildError;

/// The bundled list, in its text format (see the file's header).
const BUNDLED: &str = include_str!("../../data/synonyms.txt");

/// Groups of words that mean the same; the first of each group is the
/// canonical word the others are rewritten to.
pub type SynonymGroups = Vec<Vec<String>>;

/// The bundled groups, parsed.
pub fn bundled() -> SynonymGroups {
    BUNDLED
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let (canonical, variants) = l.split_once('=')?;
            Some(
                std::iter::once(canonical)
                    .chain(variants.split(','))
                    .map(|w| w.trim().to_string())
                    .collect(),
            )
        })
        .collect()
}

/// Why a site owner's synonym groups cannot be used, or `None`: a group needs
/// two words, no word may be empty, and no word may be in two groups (it could
/// not be rewritten to both).
pub fn problem(groups: &[Vec<String>]) -> Option<String> {
    let mut seen: Vec<(String, usize)> = Vec::new();
    for (g, group) in groups.iter().enumerate() {
        if group.len() < 2 {
            return Some(format!(
                "synonym group {} has {} word(s); a group needs at least two",
                g + 1,
                group.len()
            ));
        }
        for word in group {
            let key = normalize(word.trim());
            if key.is_empty() {
                return Some(format!("synonym group {} has an empty word", g + 1));
            }
            if let Some((_, other)) = seen.iter().find(|(w, o)| *w == key && *o != g) {
                return Some(format!(
                    "`{}` is in synonym groups {} and {}; a word can belong to one group only",
                    word.trim(),
                    other + 1,
                    g + 1
                ));
            }
            seen.push((key, g));
        }
    }
    None
}

/// The bundled groups merged with `own` (which win: a word the site owner
/// groups is taken out of the bundled list), as variant → canonical pairs with
/// chains resolved, so that rewriting once reaches the final word.
///
/// A bundled variant that the knowledge base itself uses is left out: there
/// the word means something of its own (a shop that sells both vouchers and
/// coupons must not have them merged), and bundled synonyms are only there to
/// bridge a visitor's word the knowledge base lacks. `kb_text` is the entries'
/// text.
pub fn merge<'a>(
    own: &[Vec<String>],
    kb_text: impl IntoIterator<Item = &'a str>,
) -> Result<Synonyms, BuildError> {
    if let Some(problem) = problem(own) {
        return Err(BuildError::Synonyms(problem));
    }
    let normalize_group = |g: &Vec<String>| -> Vec<String> {
        let mut words: Vec<String> = g.iter().map(|w| normalize(w.trim())).collect();
        let canonical = words[0].clone();
        words.retain(|w| !w.is_empty());
        words.dedup();
        if words.first() != Some(&canonical) {
            words.insert(0, canonical);
        }
        words
    };
    let own: Vec<Vec<String>> = own.iter().map(normalize_group).collect();
    let owned = |w: &String| own.iter().any(|g| g.contains(w));
    let stemmer = EnglishStemmer::new();
    let mut kb_words: Vec<String> = Vec::new();
    let mut kb_texts: Vec<String> = Vec::new();
    for text in kb_text {
        let text = normalize(text);
        for word in text.split(|c: char| !c.is_ascii_alphabetic()) {
            if !word.is_empty() {
                kb_words.push(stemmer.stem(word));
            }
        }
        kb_texts.push(text);
    }
    kb_words.sort_unstable();
    kb_words.dedup();
    let used_by_kb = |variant: &str| {
        if variant.chars().all(|c| c.is_ascii_alphabetic()) {
            kb_words.binary_search(&stemmer.stem(variant)).is_ok()
        } else {
            kb_texts.iter().any(|t| t.contains(variant))
        }
    };
    let mut pairs: Vec<(String, String)> = Vec::new();
    for group in bundled().iter().map(normalize_group) {
        for variant in &group[1..] {
            if !owned(variant) && !used_by_kb(variant) {
                pairs.push((variant.clone(), group[0].clone()));
            }
        }
    }
    pairs.retain(|(v, c)| !v.is_empty() && !c.is_empty() && v != c);
    pairs.sort();
    pairs.dedup_by(|a, b| a.0 == b.0);
    for group in &own {
        for variant in &group[1..] {
            if variant != &group[0] {
                pairs.retain(|(v, _)| v != variant);
                pairs.push((variant.clone(), group[0].clone()));
            }
        }
    }
    // Resolve chains (a → b, b → c becomes a → c); a cycle stops where it began.
    let lookup = |pairs: &[(String, String)], w: &str| -> Option<String> {
        pairs.iter().find(|(v, _)| v == w).map(|(_, c)| c.clone())
    };
    let resolved: Vec<(String, String)> = pairs
        .iter()
        .map(|(v, c)| {
            let mut c = c.clone();
            for _ in 0..pairs.len() {
                match lookup(&pairs, &c) {
                    Some(next) if next != *v => c = next,
                    _ => break,
                }
            }
            (v.clone(), c)
        })
        .filter(|(v, c)| v != c)
        .collect();
    Ok(Synonyms::new(resolved))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(g: &[&[&str]]) -> SynonymGroups {
        g.iter()
            .map(|g| g.iter().map(|w| w.to_string()).collect())
            .collect()
    }

    fn canonical<'a>(s: &'a Synonyms, variant: &str) -> Option<&'a str> {
        s.phrases
            .iter()
            .find(|(v, _)| v == variant)
            .map(|(_, c)| c.as_str())
    }

    #[test]
    fn the_bundled_list_parses_and_merges_cleanly() {
        let bundled = bundled();
        assert!(bundled.len() >= 15, "{}", bundled.len());
        assert!(bundled.iter().all(|g| g.len() >= 2));
        assert_eq!(problem(&bundled), None);
        let s = merge(&[], []).unwrap();
        assert_eq!(canonical(&s, "邮费"), Some("运费"));
        assert_eq!(canonical(&s, "money back"), Some("refund"));
        assert!(s.check().is_ok());
    }

    #[test]
    fn the_site_owners_groups_win_and_chains_resolve() {
        // The owner says 退掉 means 退款 in their shop, not 退货; and calls 运费 "配送费用".
        let s = merge(&groups(&[&["退款", "退掉"], &["配送费用", "运费"]]), []).unwrap();
        assert_eq!(canonical(&s, "退掉"), Some("退款"));
        assert_eq!(canonical(&s, "运费"), Some("配送费用"));
        // 邮费 → 运费 (bundled) → 配送费用 (own): one rewrite reaches the end.
        assert_eq!(canonical(&s, "邮费"), Some("配送费用"));
    }

    #[test]
    fn bundled_words_the_knowledge_base_uses_keep_their_meaning() {
        let kb = [
            "How do I use a voucher?",
            "Where do I enter a coupon code?",
            "邮费多少",
        ];
        let s = merge(&[], kb).unwrap();
        assert_eq!(canonical(&s, "voucher"), None, "the shop sells vouchers");
        assert_eq!(canonical(&s, "邮费"), None);
        assert_eq!(canonical(&s, "promo code"), Some("coupon"));
        // The site owner's own groups always apply.
        let s = merge(&groups(&[&["coupon", "voucher"]]), kb).unwrap();
        assert_eq!(canonical(&s, "voucher"), Some("coupon"));
    }

    #[test]
    fn bad_groups_are_refused_with_the_reason() {
        let err = merge(&groups(&[&["退货"]]), []).unwrap_err();
        assert!(err.to_string().contains("at least two"), "{err}");
        let err = merge(&groups(&[&["a", "b"], &["c", "B"]]), []).unwrap_err();
        assert!(
            err.to_string().contains("`B` is in synonym groups 1 and 2"),
            "{err}"
        );
        let err = merge(&groups(&[&["a", " "]]), []).unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");
    }
}
