//! What the visitor sent that the server has not confirmed yet, kept in `localStorage`:
//! escalations, replies to the team, and batches of conversation events sent while offline.
//!
//! An item is written here before the first attempt to send it, with its idempotency key and
//! its body serialized once; it leaves only when the server has answered. So a request made
//! offline, or cut off by a closed tab, is sent again later — and since the retry carries the
//! same key and the same bytes, the server acts on it once however many attempts reach it.

use std::cell::Cell;

use crate::api::{self, ApiError, TicketMessage, TicketSession};
use crate::browser;
use crate::json::{self, Builder, Json};

const OUTBOX_KEY: &str = "answerdesk.outbox";

/// What a queued request is.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// `POST /api/v1/escalations`.
    Escalation,
    /// `POST /api/v1/tickets/{id}/messages` of this ticket.
    Reply(TicketSession),
    /// `POST /api/v1/events`; the key is the batch's id.
    Events,
}

/// One request waiting for the server.
#[derive(Debug, Clone, PartialEq)]
pub struct Queued {
    pub key: String,
    pub kind: Kind,
    pub body: String,
}

impl Queued {
    /// A new request with a fresh idempotency key.
    pub fn new(kind: Kind, body: String) -> Queued {
        Queued {
            key: browser::random_key(),
            kind,
            body,
        }
    }
}

/// What the server said about a queued request.
pub enum Delivered {
    Created(TicketSession),
    Replied(TicketMessage),
    Recorded,
    /// Refused for good (invalid, unknown site, closed ticket): retrying would not help.
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
            let kind = match q.str("kind").as_deref() {
                // Items queued before replies and feedback were: escalations.
                None | Some("escalation") => Kind::Escalation,
                Some("reply") => Kind::Reply(TicketSession {
                    ticket_id: q.str("ticket")?,
                    token: q.str("token")?,
                }),
                Some("events") => Kind::Events,
                Some(_) => return None,
            };
            Some(Queued {
                key: q.str("key")?,
                kind,
                body: q.str("body")?,
            })
        })
        .collect()
}

fn save(queue: &[Queued]) {
    if queue.is_empty() {
        browser::forget(OUTBOX_KEY);
        return;
    }
    let items = queue.iter().map(|q| {
        let item = Builder::new()
            .set("key", q.key.as_str())
            .set("body", q.body.as_str());
        match &q.kind {
            Kind::Escalation => item.set("kind", "escalation"),
            Kind::Events => item.set("kind", "events"),
            Kind::Reply(session) => item
                .set("kind", "reply")
                .set("ticket", session.ticket_id.as_str())
                .set("token", session.token.as_str()),
        }
        .build()
    });
    browser::store(OUTBOX_KEY, &json::print(&json::array(items)));
}

pub fn push(item: Queued) {
    let mut queue = queued();
    if !queue.iter().any(|q| q.key == item.key) {
        queue.push(item);
    }
    save(&queue);
}

/// Whether the item with this key still waits.
pub fn is_queued(key: &str) -> bool {
    queued().iter().any(|q| q.key == key)
}

/// Sends what is queued, oldest first, until the server is unreachable. Returns what reached it.
/// Another call while one runs returns at once: the running one takes the new items too.
pub async fn deliver() -> Vec<(Queued, Delivered)> {
    if DELIVERING.with(|d| d.replace(true)) {
        return Vec::new();
    }
    let mut done: Vec<(Queued, Delivered)> = Vec::new();
    // Re-read each time: what is queued while this runs goes out in the same pass.
    while let Some(item) = queued()
        .into_iter()
        .find(|q| !done.iter().any(|(d, _)| d.key == q.key))
    {
        let sent = match &item.kind {
            Kind::Escalation => api::create_escalation(&item.body, &item.key)
                .await
                .map(Delivered::Created),
            Kind::Reply(session) => api::post_message(session, &item.body, &item.key)
                .await
                .map(Delivered::Replied),
            Kind::Events => api::send_events(&item.body)
                .await
                .map(|()| Delivered::Recorded),
        };
        let outcome = match sent {
            Ok(delivered) => delivered,
            Err(ApiError::Unreachable) => break,
            // A 5xx may be a restarting server, a 429 a burst: keep it and try again later.
            Err(ApiError::Refused { status, .. })
                if status >= 500 || status == 408 || status == 429 =>
            {
                break
            }
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
