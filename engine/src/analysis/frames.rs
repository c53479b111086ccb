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

/// Chinese frames and filler, grouped by the kind of question they ask (how,
/// when, why, what, where, how much, can). Longest match wins, so "怎么办" is
/// one frame and "什么时候" is not read as "什么".
/// A frame, in the tables below.
const FRAME: bool = true;
/// Filler, in the tables below.
const FILLER: bool = false;

const CJK: &[(&str, bool)] = &[
    ("怎么办", FRAME),
    ("怎么弄", FRAME),
    ("怎么样才能", FRAME),
    ("怎样才能", FRAME),
    ("怎么才能", FRAME),
    ("怎么", FRAME),
    ("怎样", FRAME),
    ("如何", FRAME),
    ("咋办", FRAME),
    ("咋", FRAME),
    ("什么时候", FRAME),
    ("啥时候", FRAME),
    ("何时", FRAME),
    ("多长时间", FRAME),
    ("多久", FRAME),
    ("为什么", FRAME),
    ("为啥", FRAME),
    ("怎么会", FRAME),
    ("是什么", FRAME),
    ("什么", FRAME),
    ("是啥", FRAME),
    ("啥", FRAME),
    ("在哪里", FRAME),
    ("在哪儿", FRAME),
    ("在哪", FRAME),
    ("哪里", FRAME),
    ("哪儿", FRAME),
    ("多少", FRAME),
    ("可以吗", FRAME),
    ("可不可以", FRAME),
    ("能不能", FRAME),
    ("能否", FRAME),
    ("可以", FRAME),
    ("是否", FRAME),
    ("有没有", FRAME),
    ("吗", FRAME),
    ("请问", FILLER),
    ("我想要", FILLER),
    ("我想", FILLER),
    ("我要", FILLER),
    ("想问", FILLER),
    ("问一下", FILLER),
    ("你好", FILLER),
    ("您好", FILLER),
    ("谢谢", FILLER),
];

/// Longest entry of [`CJK`], in characters.
const CJK_LONGEST: usize = 5;

/// English frames, after normalization (lower case), and filler. Two-word
/// frames are looked up before one-word ones.
const LATIN_PAIRS: &[(&str, &str, bool)] = &[
    (DURATION.0, DURATION.1, FRAME),
    ("how", "soon", FRAME),
    ("what", "time", FRAME),
    ("how", "much", FRAME),
    ("how", "many", FRAME),
    ("is", "there", FRAME),
    ("are", "there", FRAME),
];

const LATIN: &[(&str, bool)] = &[
    ("can", FRAME),
    ("could", FRAME),
    ("hello", FILLER),
    ("hey", FILLER),
    ("hi", FILLER),
    ("how", FRAME),
    ("may", FRAME),
    ("please", FILLER),
    ("pls", FILLER),
    ("plz", FILLER),
    ("thank", FILLER),
    ("thanks", FILLER),
    ("what", FRAME),
    ("whats", FRAME),
    ("when", FRAME),
    ("where", FRAME),
    ("wheres", FRAME),
    ("why", FRAME),
];

/// The frame that asks how long something takes.
const DURATION: (&str, &str) = ("how", "long");

/// Whether `word` followed by `next` opens a question of how long something takes.
pub fn opens_duration(word: &str, next: Option<&str>) -> bool {
    (word, next) == (DURATION.0, Some(DURATION.1))
}

/// The verb of "how long does it take": after "how long", part of the question's
/// frame wherever it is written (knowledge base and questions alike).
pub fn is_duration_verb(word: &str) -> bool {
    matches!(word, "take" | "takes" | "taking" | "took")
}

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
            Some((len, frame)) => {
                let role = if frame { Role::Frame } else { Role::Filler };
                roles[i..i + len].fill(role);
                i += len;
            }
            None => i += 1,
        }
    }
    roles
}

/// The longest frame or filler at the start of `chars`: its length, and
/// whether it is a frame (not filler).
fn cjk_frame_at(chars: &[char]) -> Option<(usize, bool)> {
    let mut word = String::new();
    let mut found = None;
    for (n, &c) in chars.iter().take(CJK_LONGEST).enumerate() {
        word.push(c);
        if let Some(&(_, frame)) = CJK.iter().find(|(w, _)| *w == word) {
            found = Some((n + 1, frame));
        }
    }
    found
}

/// The frame or filler that starts with the words `first` and `second`
/// (`None` if absent): whether it is a frame (not filler), and how many words
/// it takes.
pub fn latin_frame(first: &str, second: Option<&str>) -> Option<(bool, usize)> {
    if let Some(second) = second {
        if let Some(&(_, _, frame)) = LATIN_PAIRS
            .iter()
            .find(|(a, b, _)| *a == first && *b == second)
        {
            return Some((frame, 2));
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
        assert_eq!(latin_frame("how", Some("long")), Some((FRAME, 2)));
        assert_eq!(latin_frame("how", Some("do")), Some((FRAME, 1)));
        assert_eq!(latin_frame("please", None), Some((FILLER, 1)));
        assert_eq!(latin_frame("refund", None), None);
        assert!(LATIN.windows(2).all(|w| w[0].0 < w[1].0), "sorted");
        assert!(CJK.iter().all(|(w, _)| w.chars().count() <= CJK_LONGEST));
    }
}
