//! "Was this helpful?": the visitor's verdict on an answer.
//!
//! A verdict goes to the server (`POST /api/v1/feedback`, anonymous) through the outbox, so one
//! given offline arrives later, once — unless the site owner turned analytics off in the embed
//! (`data-analytics="off"`), in which case it never leaves the browser. It is also kept here
//! (`localStorage["answerdesk.feedback"]`, newest last, bounded) and announced to the host page
//! as a `feedback` event.

use leptos::prelude::*;

use super::outbox::{self, Kind, Queued};
use crate::api;
use crate::browser;
use crate::i18n::Locale;
use crate::json::{self, Builder, Json};

const FEEDBACK_KEY: &str = "answerdesk.feedback";
/// Older verdicts are dropped beyond this many; a browser is not a database.
const KEPT: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Helpful,
    NotHelpful,
}

/// Sends what the outbox holds now, handling what comes back; provided by the assistant.
#[derive(Clone, Copy)]
pub struct DeliverOutbox(pub Callback<()>);

/// Whether the site owner lets the widget report usage (`data-analytics="off"` does not).
pub fn analytics_on() -> bool {
    browser::query_param("analytics").as_deref() != Some("off")
}

/// Records the verdict on entry `entry_id` (the knowledge base's stable id, not an index),
/// given on the answer to `question`. Returns whether it was queued for the server.
pub fn record(entry_id: &str, verdict: Verdict, question: Option<&str>, locale: Locale) -> bool {
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
    if !analytics_on() {
        return false;
    }
    let site = browser::query_param("site").unwrap_or_else(|| "demo".into());
    let body = api::feedback_body(&site, entry_id, helpful, question, locale.tag());
    outbox::push(Queued::new(Kind::Feedback, body));
    true
}
