//! "Was this helpful?": the visitor's verdict on an answer.
//!
//! The server has no feedback endpoint yet, so verdicts are kept in this browser
//! (`localStorage["answerdesk.feedback"]`, newest last, bounded) and announced to the host page
//! as a `feedback` event, which a site can forward to its own analytics.

use crate::browser;
use crate::json::{self, Builder, Json};

const FEEDBACK_KEY: &str = "answerdesk.feedback";
/// Older verdicts are dropped beyond this many; a browser is not a database.
const KEPT: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Helpful,
    NotHelpful,
}

/// Remembers the verdict on entry `entry_id` (the knowledge base's stable id, not an index).
pub fn record(entry_id: &str, verdict: Verdict) {
    let kept = browser::load(FEEDBACK_KEY)
        .and_then(|text| Json::parse(&text))
        .map(|list| list.items())
        .unwrap_or_default();
    let skip = (kept.len() + 1).saturating_sub(KEPT);
    let record = Builder::new()
        .set("entry", entry_id)
        .set("helpful", verdict == Verdict::Helpful)
        .set("at", browser::now_iso())
        .build();
    let records = kept
        .into_iter()
        .skip(skip)
        .map(|r| r.into_value())
        .chain([record]);
    browser::store(FEEDBACK_KEY, &json::print(&json::array(records)));
    let helpful = if verdict == Verdict::Helpful {
        "yes"
    } else {
        "no"
    };
    browser::emit("feedback", &[("entry", entry_id), ("helpful", helpful)]);
}
