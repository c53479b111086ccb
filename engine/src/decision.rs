//! What to do with a visitor's question: answer it, offer a few choices, or hand
//! the visitor to a person.
//!
//! The decision is made on calibrated confidences (see [`crate::rank`]), so the
//! same [`Thresholds`] mean the same thing for every knowledge base. A request for
//! a person is honoured before any ranking: a visitor who asks for a human should
//! not be shown an FAQ entry about humans.

use serde::{Deserialize, Serialize};

use crate::rank::Candidate;

/// The engine's verdict for one question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Decision {
    /// Show this entry's answer.
    Answer {
        /// Index into [`crate::Engine::entries`].
        entry: usize,
    },
    /// Several entries fit about equally well: let the visitor pick.
    Clarify {
        /// Indexes into [`crate::Engine::entries`], best first; usually 2–3, a
        /// single entry when nothing else comes close.
        entries: Vec<usize>,
    },
    /// Offer a person instead of an answer.
    Escalate {
        /// Why, for the visitor's message and the agent's queue.
        reason: EscalateReason,
    },
}

/// Why a question goes to a person; shown to agents and used in reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalateReason {
    /// No word of the question occurs in the knowledge base.
    NoMatch,
    /// Something matched, but not well enough to show.
    LowConfidence,
    /// The visitor asked for a person.
    AskedForHuman,
    /// The question had no words at all.
    EmptyQuery,
}

/// Cut-offs on calibrated confidence, chosen at build time and stored in the snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// Answer when the top entry's confidence reaches this...
    pub answer: f32,
    /// ...offer choices when it reaches at least this...
    pub clarify: f32,
    /// ...and answer only if the top entry leads the second by this much.
    pub margin: f32,
    /// A clear winner is answered below `answer` too, when it leads the second
    /// entry by this much (so its own confidence is at least as high). One
    /// absolute cut clarified questions whose best entry stood far ahead of
    /// every other (0.45 against 0.19); `f32::INFINITY` turns the rule off.
    pub lead: f32,
}

impl Default for Thresholds {
    /// For knowledge bases too small to calibrate on.
    fn default() -> Self {
        Thresholds {
            answer: 0.6,
            clarify: 0.3,
            margin: 0.1,
            lead: f32::INFINITY,
        }
    }
}

/// Decides from ranked candidates (best first, as returned by [`crate::rank::rank`]).
pub fn decide(candidates: &[Candidate], t: &Thresholds) -> Decision {
    let Some(top) = candidates.first() else {
        return Decision::Escalate {
            reason: EscalateReason::NoMatch,
        };
    };
    let runner_up = candidates.get(1).map_or(0.0, |c| c.score);
    let gap = top.score - runner_up;
    let confident = top.score >= t.answer && gap >= t.margin;
    let clear_winner = gap >= t.lead;
    if confident || clear_winner {
        return Decision::Answer { entry: top.entry };
    }
    if top.score >= t.clarify {
        // The runner-up is always offered; a third only if it is comparably likely.
        let entries = candidates
            .iter()
            .take(3)
            .enumerate()
            .filter(|(i, c)| *i < 2 || c.score >= top.score * 0.5)
            .map(|(_, c)| c.entry)
            .collect();
        return Decision::Clarify { entries };
    }
    Decision::Escalate {
        reason: EscalateReason::LowConfidence,
    }
}

/// Phrases that ask for a person, normalized. Matched as whole words (Latin) or
/// substrings (Chinese).
const HUMAN_PHRASES: &[&str] = &[
    "agent",
    "agent please",
    "customer service",
    "customer support",
    "human",
    "human agent",
    "human being",
    "live agent",
    "live chat",
    "live person",
    "operator",
    "real human",
    "real person",
    "representative",
    "someone real",
    "speak to a human",
    "speak to a person",
    "speak to an agent",
    "speak to someone",
    "speak with a human",
    "speak with a person",
    "speak with someone",
    "talk to a human",
    "talk to a person",
    "talk to a real person",
    "talk to an agent",
    "talk to someone",
    "talk with a human",
    "talk with someone",
    "人工",
    "人工客服",
    "人工服务",
    "客服",
    "找客服",
    "真人",
    "转人工",
    "联系客服",
    "人工坐席",
];

/// Words that may surround a request for a person without changing it.
const HUMAN_FILLER: &[&str] = &[
    "a", "an", "can", "chat", "could", "connect", "get", "give", "hi", "hello", "i", "id", "let",
    "like", "me", "need", "now", "please", "pls", "speak", "talk", "the", "to", "transfer", "want",
    "would", "with", "you", "请", "我", "要", "想", "帮", "给", "找", "转", "接", "一下", "个",
    "吧", "呢", "啊", "呀", "了", "的", "在", "谢谢", "可以", "能", "吗", "你好", "聊", "服务",
    "沟通", "对话", "说话",
];

/// Whether `normalized` (a question through [`crate::analysis::normalize()`]) is,
/// mostly, a request to talk to a person ("talk to a human", "我要转人工"). A
/// question that merely mentions agents ("how do I become an agent for your
/// company") is not: after removing the phrase and filler words, little may remain.
pub fn asks_for_human(normalized: &str) -> bool {
    // Words for Latin text, single characters for CJK, punctuation dropped.
    let cleaned: String = normalized
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    if words.is_empty() {
        return false;
    }
    let joined = format!(" {} ", words.join(" "));
    let mut rest = joined.clone();
    let mut found = false;
    // Longest phrases first so "人工客服" is removed whole.
    let mut phrases: Vec<&str> = HUMAN_PHRASES.to_vec();
    phrases.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for phrase in phrases {
        let is_cjk = phrase.chars().any(crate::analysis::segment::is_cjk);
        let needle = if is_cjk {
            phrase.to_string()
        } else {
            format!(" {phrase} ")
        };
        while let Some(at) = rest.find(&needle) {
            rest.replace_range(at..at + needle.len(), " ");
            found = true;
        }
    }
    if !found {
        return false;
    }
    let mut fillers: Vec<&str> = HUMAN_FILLER.to_vec();
    fillers.sort_by_key(|p| std::cmp::Reverse(p.len()));
    // Left-over Chinese characters change the request ("人工智能"); one stray
    // English word ("asap") does not.
    let (mut cjk_left, mut words_left) = (0, 0);
    for w in rest.split_whitespace() {
        if w.chars().any(crate::analysis::segment::is_cjk) {
            let mut w = w.to_string();
            for f in &fillers {
                w = w.replace(f, "");
            }
            cjk_left += w.chars().count();
        } else if !fillers.contains(&w) {
            words_left += 1;
        }
    }
    cjk_left == 0 && words_left <= 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::normalize;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    /// As a visitor's question reaches the rule: normalized.
    fn asks(query: &str) -> bool {
        asks_for_human(&normalize(query))
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn requests_for_a_person_are_recognized() {
        for q in [
            "talk to a human",
            "I want to talk to a human please",
            "Agent please!",
            "can I speak to someone",
            "REAL PERSON",
            "我要转人工",
            "人工客服",
            "找客服",
            "请帮我转人工，谢谢",
            "真人",
            "人工客服在吗？",
            "I need a real person asap",
        ] {
            assert!(asks(q), "{q}");
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn questions_that_mention_people_are_not_requests() {
        for q in [
            "how do I become an agent for your company",
            "is customer service open on sundays",
            "客服电话是多少",
            "人工智能",
            "refund",
            "",
            "???",
        ] {
            assert!(!asks(q), "{q}");
        }
    }

    fn c(entry: usize, score: f32) -> Candidate {
        Candidate { entry, score }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn thresholds_decide() {
        let t = Thresholds::default();
        assert_eq!(
            decide(&[c(3, 0.9), c(1, 0.2)], &t),
            Decision::Answer { entry: 3 }
        );
        assert_eq!(
            decide(&[c(3, 0.9), c(1, 0.85), c(2, 0.1)], &t),
            Decision::Clarify {
                entries: vec![3, 1]
            }
        );
        assert_eq!(
            decide(&[c(3, 0.5), c(1, 0.4), c(2, 0.3)], &t),
            Decision::Clarify {
                entries: vec![3, 1, 2]
            }
        );
        assert_eq!(
            decide(&[c(3, 0.1)], &t),
            Decision::Escalate {
                reason: EscalateReason::LowConfidence
            }
        );
        assert_eq!(
            decide(&[], &t),
            Decision::Escalate {
                reason: EscalateReason::NoMatch
            }
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn a_clear_winner_is_answered_below_the_answer_threshold() {
        let t = Thresholds {
            lead: 0.2,
            ..Thresholds::default()
        };
        // 0.45 is under `answer` (0.6) but far ahead of the runner-up.
        assert_eq!(
            decide(&[c(3, 0.45), c(1, 0.19)], &t),
            Decision::Answer { entry: 3 }
        );
        // Close runner-up: the visitor chooses.
        assert_eq!(
            decide(&[c(3, 0.45), c(1, 0.35)], &t),
            Decision::Clarify {
                entries: vec![3, 1]
            }
        );
        // Too little confidence to lead by enough: no answer.
        assert_eq!(
            decide(&[c(3, 0.15)], &t),
            Decision::Escalate {
                reason: EscalateReason::LowConfidence
            }
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn decisions_serialize_as_tagged_json() {
        let d = Decision::Escalate {
            reason: EscalateReason::AskedForHuman,
        };
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            r#"{"kind":"escalate","reason":"asked_for_human"}"#
        );
        let a = Decision::Answer { entry: 2 };
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            r#"{"kind":"answer","entry":2}"#
        );
    }
}
