//! The team's replies as they happen: Server-Sent Events of the followed ticket.
//!
//! `GET /api/v1/tickets/{id}/events?token=…&after=ID` sends `message` (a new public message) and
//! `updated` (status or assignee changed). `EventSource` reconnects by itself after a dropped
//! connection and resumes with `Last-Event-ID`; when it gives up (the ticket is gone, the token is
//! refused) the caller catches up over REST and follows again.

use std::cell::RefCell;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast as _;

use crate::api::{self, TicketMessage, TicketSession};
use crate::json::Json;

/// An open event stream and the handlers it calls; dropping it closes the stream.
struct Stream {
    ticket_id: String,
    source: web_sys::EventSource,
    _handlers: [Closure<dyn FnMut(web_sys::MessageEvent)>; 2],
}

impl Drop for Stream {
    fn drop(&mut self) {
        self.source.close();
    }
}

thread_local! {
    static STREAM: RefCell<Option<Stream>> = const { RefCell::new(None) };
}

/// Whether the ticket's stream is open or reconnecting by itself.
pub fn following(ticket_id: &str) -> bool {
    STREAM.with_borrow(|s| {
        s.as_ref().is_some_and(|s| {
            s.ticket_id == ticket_id && s.source.ready_state() != web_sys::EventSource::CLOSED
        })
    })
}

/// Follows `session`'s ticket from message id `after` on, replacing any other stream.
pub fn follow(
    session: &TicketSession,
    after: i64,
    on_message: impl Fn(TicketMessage) + 'static,
    on_updated: impl Fn() + 'static,
) {
    let url = api::events_url(session, after);
    let Ok(source) = web_sys::EventSource::new(&url) else {
        return;
    };
    let message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let message = ev
                .data()
                .as_string()
                .and_then(|data| Json::parse(&data))
                .and_then(|frame| TicketMessage::from_json(&frame.get("message")));
            if let Some(message) = message {
                on_message(message);
            }
        });
    let updated = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_| on_updated());
    let _ = source.add_event_listener_with_callback("message", message.as_ref().unchecked_ref());
    let _ = source.add_event_listener_with_callback("updated", updated.as_ref().unchecked_ref());
    // Missed events: re-read the ticket, as for a change.
    let _ = source.add_event_listener_with_callback("lagged", updated.as_ref().unchecked_ref());
    STREAM.with_borrow_mut(|s| {
        *s = Some(Stream {
            ticket_id: session.ticket_id.clone(),
            source,
            _handlers: [message, updated],
        })
    });
}

/// Stops following (the ticket was forgotten).
pub fn stop() {
    STREAM.with_borrow_mut(|s| *s = None);
}
