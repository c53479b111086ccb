//! Server-Sent Events frames: how a [`TicketEvent`] looks on both event streams.

use axum::response::sse::Event;
use protocol::LAGGED;

use crate::events::TicketEvent;

/// An SSE frame for `event`: its name, and its JSON as data; a message's id is the frame's id,
/// so a reconnecting `EventSource` resumes after it (`Last-Event-ID`).
pub fn frame(event: &TicketEvent) -> Event {
    let data = serde_json::to_string(event).unwrap_or_else(|_| "{}".to_owned());
    let event_frame = Event::default().event(event.name()).data(data);
    match event {
        TicketEvent::Message { message, .. } => event_frame.id(message.id.to_string()),
        _ => event_frame,
    }
}

/// The frame that tells a subscriber it fell behind and missed events: re-read what it shows.
pub fn lagged() -> Event {
    Event::default().event(LAGGED).data("{}")
}
