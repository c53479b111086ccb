//! Typo tolerance for Latin words.
//!
//! A query word that is not in the index vocabulary is matched against vocabulary
//! words within a small edit distance (insertions, deletions, substitutions and
//! swaps of adjacent letters), so "delivry" still reaches "delivery". Only unknown
//! words are expanded: a known word is taken as typed. The allowed distance grows
//! with length because short words have too many neighbours ("card" vs "cart").

/// Edits tolerated in a word of `len` characters.
pub fn max_edits(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// Optimal-string-alignment distance between `a` and `b` if it is at most `max`.
///
/// Runs in `O(len(a) · len(b))` with an early exit once every cell of a row exceeds
/// `max`, which happens within a few rows for unrelated words.
pub fn distance_within(a: &[char], b: &[char], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let width = b.len() + 1;
    // Three rows in one allocation: two rows back (for swaps), previous, current.
    let mut rows = vec![0usize; 3 * width];
    let (mut before, rest) = rows.split_at_mut(width);
    let (mut prev, mut cur) = rest.split_at_mut(width);
    for (j, cell) in prev.iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..width {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[b.len()];
    (d <= max).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    fn d(a: &str, b: &str, max: usize) -> Option<usize> {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        distance_within(&a, &b, max)
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn counts_single_edits() {
        assert_eq!(d("delivery", "delivry", 2), Some(1));
        assert_eq!(d("refund", "refudn", 1), Some(1)); // swap
        assert_eq!(d("card", "cart", 1), Some(1));
        assert_eq!(d("transfer", "transfer", 1), Some(0));
        assert_eq!(d("refund", "account", 2), None);
        assert_eq!(d("", "ab", 2), Some(2));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn short_words_get_no_edits() {
        assert_eq!(max_edits(3), 0);
        assert_eq!(max_edits(5), 1);
        assert_eq!(max_edits(9), 2);
    }
}
