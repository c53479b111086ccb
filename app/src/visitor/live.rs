//! The team's replies as they happen: Server-Sent Events of the followed ticket.
//!
//! `GET /api/v1/tickets/{id}/events?token=…&after=ID` sends `message` (a new public message) and
//! `updated` (status or assignee changed). `EventSource` reconnects by itself after a dropped
//! connection and resumes with `Last-Event-ID`; when it gives up (the ticket is gone, the token is
//! refused) the caller catches up over REST and follows again.

use std::cell::RefCell;

use crate::api::{self, TicketMessage, TicketSession};
use crate::browser::events::EventStream;
use crate::json::Json;

/// The followed ticket and its stream.
struct Stream {
    ticket_id: String,
    events: EventStream,
}

thread_local! {
    static STREAM: RefCell<Option<Stream>> = const { RefCell::new(None) };
}

/// Whether the ticket's stream is open or reconnecting by itself.
pub fn following(ticket_id: &str) -> bool {
    STREAM.with_borrow(|s| {
        s.as_ref()
            .is_some_and(|s| s.ticket_id == ticket_id && !s.events.is_closed())
    })
}

/// Follows `session`'s ticket from message id `after` on, replacing any other stream.
pub fn follow(
    session: &TicketSession,
    after: i64,
    on_message: impl Fn(TicketMessage) + 'static,
    on_updated: impl Fn() + 'static,
) {
    let Some(mut events) = EventStream::open(&api::events_url(session, after)) else {
        return;
    };
    events.on(&["message"], move |data| {
        let message =
            Json::parse(&data).and_then(|frame| TicketMessage::from_json(&frame.get("message")));
        if let Some(message) = message {
            on_message(message);
        }
    });
    // Missed events (`lagged`): re-read the ticket, as for a change.
    events.on(&["updated", "lagged"], move |_| on_updated());
    STREAM.with_borrow_mut(|s| {
        *s = Some(Stream {
            ticket_id: session.ticket_id.clone(),
            events,
        })
    });
}

/// Stops following (the ticket was forgotten).
pub fn stop() {
    STREAM.with_borrow_mut(|s| *s = None);
}
