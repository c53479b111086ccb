//! Escalations on their way to the server, kept in `localStorage` until it confirms them.
//!
//! An escalation is written here before the first attempt to send it, with its idempotency key
//! and its body serialized once; it leaves only when the server has answered. So a request made
//! offline, or cut off by a closed tab, is sent again later — and since the retry carries the
//! same key and the same bytes, the server makes one ticket however many attempts reach it.

use std::cell::Cell;

use crate::api::{self, ApiError, TicketSession};
use crate::browser;
use crate::json::{self, Builder, Json};

const OUTBOX_KEY: &str = "answerdesk.outbox";

/// One escalation waiting for the server.
#[derive(Debug, Clone, PartialEq)]
pub struct Queued {
    pub key: String,
    pub body: String,
}

/// What the server said about a queued escalation.
pub enum Delivered {
    Created(TicketSession),
    /// Refused for good (invalid, unknown site): retrying would not help.
    Refused(ApiError),
}

thread_local! {
    /// One delivery at a time in this page: the timer, the `online` event and a submit may race.
    static DELIVERING: Cell<bool> = const { Cell::new(false) };
}

pub fn queued() -> Vec<Queued> {
    let Some(list) = browser::load(OUTBOX_KEY).and_then(|text| Json::parse(&text)) else {
        return Vec::new();
    };
    list.items()
        .iter()
        .filter_map(|q| {
            Some(Queued {
                key: q.str("key")?,
                body: q.str("body")?,
            })
        })
        .collect()
}

fn save(queue: &[Queued]) {
    if queue.is_empty() {
        browser::forget(OUTBOX_KEY);
    } else {
        let items = queue.iter().map(|q| {
            Builder::new()
                .set("key", q.key.as_str())
                .set("body", q.body.as_str())
                .build()
        });
        browser::store(OUTBOX_KEY, &json::print(&json::array(items)));
    }
}

pub fn push(item: Queued) {
    let mut queue = queued();
    if !queue.iter().any(|q| q.key == item.key) {
        queue.push(item);
    }
    save(&queue);
}

/// Sends what is queued, oldest first, until the server is unreachable. Returns what reached it.
pub async fn deliver() -> Vec<(Queued, Delivered)> {
    if DELIVERING.with(|d| d.replace(true)) {
        return Vec::new();
    }
    let mut done = Vec::new();
    for item in queued() {
        let outcome = match api::create_escalation(&item.body, &item.key).await {
            Ok(session) => Delivered::Created(session),
            Err(ApiError::Unreachable) => break,
            // A 5xx may be a restarting server: keep the escalation and try again later.
            Err(ApiError::Refused { status, .. }) if status >= 500 || status == 408 => break,
            Err(e) => Delivered::Refused(e),
        };
        let mut queue = queued();
        queue.retain(|q| q.key != item.key);
        save(&queue);
        done.push((item, outcome));
    }
    DELIVERING.with(|d| d.set(false));
    done
}
