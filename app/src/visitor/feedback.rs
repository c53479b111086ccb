//! "Was this helpful?": the visitor's verdict on an answer.
//!
//! A verdict goes to the server as an anonymous `helpful` conversation event
//! ([`super::analytics`]) — unless the site owner turned analytics off in the embed
//! (`data-analytics="off"`), in which case it never leaves the browser. It is also kept here
//! (`localStorage["answerdesk.feedback"]`, newest last, bounded) and announced to the host page
//! as a `feedback` event.

use super::analytics;
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

/// Whether the site owner lets the widget report usage (`data-analytics="off"` does not).
pub fn analytics_on() -> bool {
    browser::query_param("analytics").as_deref() != Some("off")
}

/// Records the verdict on entry `entry_id` (the knowledge base's stable id, not an index).
pub fn record(entry_id: &str, verdict: Verdict) {
    let helpful = verdict == Verdict::Helpful;
    let kept = browser::load(FEEDBACK_KEY)
        .and_then(|text| Json::parse(&text))
        .map(|list| list.items())
        .unwrap_or_default();
    let skip = (kept.len() + 1).saturating_sub(KEPT);
    let record = Builder::new()
        .set("entry", entry_id)
        .set("helpful", helpful)
        .set("at", browser::now_iso())
        .build();
    let records = kept
        .into_iter()
        .skip(skip)
        .map(|r| r.into_value())
        .chain([record]);
    browser::store(FEEDBACK_KEY, &json::print(&json::array(records)));
    browser::emit(
        "feedback",
        &[
            ("entry", entry_id),
            ("helpful", if helpful { "yes" } else { "no" }),
        ],
    );
    analytics::helpful(entry_id, helpful);
}
