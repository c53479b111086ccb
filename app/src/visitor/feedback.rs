//! "Was this helpful?": the visitor's verdict on an answer.
//!
//! The server has no feedback endpoint yet, so verdicts are kept in this browser
//! (`localStorage["answerdesk.feedback"]`, newest last, bounded) and announced to the host page
//! as a `feedback` event, which a site can forward to its own analytics.

use serde::{Deserialize, Serialize};

use crate::browser;

const FEEDBACK_KEY: &str = "answerdesk.feedback";
/// Older verdicts are dropped beyond this many; a browser is not a database.
const KEPT: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Helpful,
    NotHelpful,
}

#[derive(Serialize, Deserialize)]
struct Record {
    entry: String,
    helpful: bool,
    at: String,
}

/// Remembers the verdict on entry `entry_id` (the knowledge base's stable id, not an index).
pub fn record(entry_id: &str, verdict: Verdict) {
    let mut records: Vec<Record> = browser::load(FEEDBACK_KEY)
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default();
    records.push(Record {
        entry: entry_id.to_string(),
        helpful: verdict == Verdict::Helpful,
        at: browser::now_iso(),
    });
    let excess = records.len().saturating_sub(KEPT);
    records.drain(..excess);
    if let Ok(json) = serde_json::to_string(&records) {
        browser::store(FEEDBACK_KEY, &json);
    }
    let helpful = if verdict == Verdict::Helpful {
        "yes"
    } else {
        "no"
    };
    browser::emit("feedback", &[("entry", entry_id), ("helpful", helpful)]);
}
