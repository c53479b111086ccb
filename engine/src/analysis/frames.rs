//! Question frames and filler: the part of a question that says *how* it is
//! asked, not *what* about.
//!
//! "我想退货怎么办？" is about 退货; "怎么办" says it is a how-to question and
//! "我想" says nothing at all. Indexed as characters, the frame made up most of
//! the question's terms and, on a small knowledge base where every rare
//! character pair has a high idf, outweighed its subject ("么办" matched *wrong
//! item*'s "收到的东西不对怎么办"). So a *question's* frames are recognised
//! before n-gram expansion, in both languages: their terms, and the character
//! pairs that straddle a frame and its subject ("货怎"), weigh [`FRAME_WEIGHT`]
//! of a content term; filler ("请问", "我想", "please") is left out.
//!
//! Knowledge-base text is indexed as before: frames there are ordinary terms
//! whose idf already says how common they are, and cutting them out of the
//! index lost top-1 on massive_zh validation (0.834 → 0.810), where a frame
//! such as "什么时候" often *is* the intent.
//!
//! The lists are short on purpose: only words that are (nearly) always
//! function words in a customer's question belong in them.

/// Weight of a frame term relative to a content term, in a query's score and in
/// how much of a query counts as matched.
pub const FRAME_WEIGHT: f32 = 0.6;

/// Chinese frames and their kinds, and filler (empty kind: dropped). Longest
/// match wins, so "怎么办" is one frame and "什么时候" is not read as "什么".
const CJK: &[(&str, &str)] = &[
    ("怎么办", "?how"),
    ("怎么弄", "?how"),
    ("怎么样才能", "?how"),
    ("怎样才能", "?how"),
    ("怎么才能", "?how"),
    ("怎么", "?how"),
    ("怎样", "?how"),
    ("如何", "?how"),
    ("咋办", "?how"),
    ("咋", "?how"),
    ("什么时候", "?when"),
    ("啥时候", "?when"),
    ("何时", "?when"),
    ("多长时间", "?when"),
    ("多久", "?when"),
    ("为什么", "?why"),
    ("为啥", "?why"),
    ("怎么会", "?why"),
    ("是什么", "?what"),
    ("什么", "?what"),
    ("是啥", "?what"),
    ("啥", "?what"),
    ("在哪里", "?where"),
    ("在哪儿", "?where"),
    ("在哪", "?where"),
    ("哪里", "?where"),
    ("哪儿", "?where"),
    ("多少", "?much"),
    ("可以吗", "?can"),
    ("可不可以", "?can"),
    ("能不能", "?can"),
    ("能否", "?can"),
    ("可以", "?can"),
    ("是否", "?can"),
    ("有没有", "?can"),
    ("吗", "?can"),
    ("请问", ""),
    ("我想要", ""),
    ("我想", ""),
    ("我要", ""),
    ("想问", ""),
    ("问一下", ""),
    ("你好", ""),
    ("您好", ""),
    ("谢谢", ""),
];

/// Longest entry of [`CJK`], in characters.
const CJK_LONGEST: usize = 5;

/// English frames, after normalization (lower case), and filler (empty kind).
/// Two-word frames are looked up before one-word ones.
const LATIN_PAIRS: &[(&str, &str, &str)] = &[
    ("how", "long", "?when"),
    ("how", "soon", "?when"),
    ("what", "time", "?when"),
    ("how", "much", "?much"),
    ("how", "many", "?much"),
    ("is", "there", "?can"),
    ("are", "there", "?can"),
];

const LATIN: &[(&str, &str)] = &[
    ("can", "?can"),
    ("could", "?can"),
    ("hello", ""),
    ("hey", ""),
    ("hi", ""),
    ("how", "?how"),
    ("may", "?can"),
    ("please", ""),
    ("pls", ""),
    ("plz", ""),
    ("thank", ""),
    ("thanks", ""),
    ("what", "?what"),
    ("whats", "?what"),
    ("when", "?when"),
    ("where", "?where"),
    ("wheres", "?where"),
    ("why", "?why"),
];

/// What a character of a question's CJK run is part of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The subject: full weight.
    Content,
    /// A question frame: [`FRAME_WEIGHT`].
    Frame,
    /// Filler: left out.
    Filler,
}

/// The role of each character of a CJK run, frames matched longest first.
pub fn cjk_roles(run: &[char]) -> Vec<Role> {
    let mut roles = vec![Role::Content; run.len()];
    let mut i = 0;
    while i < run.len() {
        match cjk_frame_at(&run[i..]) {
            Some((len, kind)) => {
                let role = if kind.is_empty() {
                    Role::Filler
                } else {
                    Role::Frame
                };
                roles[i..i + len].fill(role);
                i += len;
            }
            None => i += 1,
        }
    }
    roles
}

/// The longest frame or filler at the start of `chars`: its length and kind.
fn cjk_frame_at(chars: &[char]) -> Option<(usize, &'static str)> {
    let mut word = String::new();
    let mut found = None;
    for (n, &c) in chars.iter().take(CJK_LONGEST).enumerate() {
        word.push(c);
        if let Some(&(_, kind)) = CJK.iter().find(|(w, _)| *w == word) {
            found = Some((n + 1, kind));
        }
    }
    found
}

/// The frame that starts with the words `first` and `second` (`None` if
/// absent): its kind and how many words it takes. An empty kind is filler.
pub fn latin_frame(first: &str, second: Option<&str>) -> Option<(&'static str, usize)> {
    if let Some(second) = second {
        if let Some(&(_, _, kind)) = LATIN_PAIRS
            .iter()
            .find(|(a, b, _)| *a == first && *b == second)
        {
            return Some((kind, 2));
        }
    }
    LATIN
        .binary_search_by(|(w, _)| w.cmp(&first))
        .ok()
        .map(|i| (LATIN[i].1, 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    /// The run with frames in brackets and filler in braces.
    fn marked(text: &str) -> String {
        let chars: Vec<char> = text.chars().collect();
        let roles = cjk_roles(&chars);
        let mut out = String::new();
        for (i, (&c, &role)) in chars.iter().zip(&roles).enumerate() {
            let before = i.checked_sub(1).map(|j| roles[j]);
            let after = roles.get(i + 1).copied();
            let (open, close) = match role {
                Role::Content => ("", ""),
                Role::Frame => ("[", "]"),
                Role::Filler => ("{", "}"),
            };
            if before != Some(role) {
                out.push_str(open);
            }
            out.push(c);
            if after != Some(role) {
                out.push_str(close);
            }
        }
        out
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn chinese_frames_and_filler_are_found_longest_first() {
        assert_eq!(marked("我想退货怎么办"), "{我想}退货[怎么办]");
        assert_eq!(marked("钱什么时候退回来"), "钱[什么时候]退回来");
        assert_eq!(marked("请问可以开发票吗"), "{请问}[可以]开发票[吗]");
        assert_eq!(marked("退货政策是什么"), "退货政策[是什么]");
        assert_eq!(marked("退货"), "退货");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn english_frames_take_one_or_two_words() {
        assert_eq!(latin_frame("how", Some("long")), Some(("?when", 2)));
        assert_eq!(latin_frame("how", Some("do")), Some(("?how", 1)));
        assert_eq!(latin_frame("please", None), Some(("", 1)));
        assert_eq!(latin_frame("refund", None), None);
        assert!(LATIN.windows(2).all(|w| w[0].0 < w[1].0), "sorted");
        assert!(CJK.iter().all(|(w, _)| w.chars().count() <= CJK_LONGEST));
    }
}
