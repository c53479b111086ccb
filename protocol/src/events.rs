//! What the event streams (Server-Sent Events) deliver.
//!
//! Each frame's SSE event name is [`TicketEvent::name`] and its data the event's JSON, tagged by
//! `type`; a `message` frame's SSE id is the message's id, so a reconnecting `EventSource`
//! resumes after it. A subscriber that fell behind gets a [`LAGGED`] frame with data `{}` and
//! should re-read what it shows.

use serde::{Deserialize, Serialize};

use crate::Message;

/// SSE event name of the frame that says events were dropped for this subscriber.
pub const LAGGED: &str = "lagged";

/// A change to a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TicketEvent {
    /// A new ticket (an escalation).
    Created { ticket_id: String },
    /// A message was added; internal notes are delivered to agents only.
    Message { ticket_id: String, message: Message },
    /// Status, priority, assignee, group, tags or type changed: re-read the ticket.
    Updated { ticket_id: String },
}

impl TicketEvent {
    /// Every SSE event name a stream may send, [`LAGGED`] included.
    pub const NAMES: [&'static str; 4] = ["created", "message", "updated", LAGGED];

    pub fn ticket_id(&self) -> &str {
        match self {
            TicketEvent::Created { ticket_id }
            | TicketEvent::Message { ticket_id, .. }
            | TicketEvent::Updated { ticket_id } => ticket_id,
        }
    }

    /// Whether the ticket's visitor may see this event.
    pub fn visible_to_visitor(&self) -> bool {
        match self {
            TicketEvent::Message { message, .. } => !message.internal,
            TicketEvent::Updated { .. } => true,
            TicketEvent::Created { .. } => false,
        }
    }

    /// The SSE event name.
    pub fn name(&self) -> &'static str {
        match self {
            TicketEvent::Created { .. } => "created",
            TicketEvent::Message { .. } => "message",
            TicketEvent::Updated { .. } => "updated",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AuthorKind;

    #[test]
    fn events_round_trip_with_their_type_tag() {
        let message = Message {
            id: 7,
            author: AuthorKind::Agent,
            author_name: Some("Ana".into()),
            internal: false,
            body_text: "hi".into(),
            body_html: Some("<p>hi</p>".into()),
            created_at: 1,
        };
        for event in [
            TicketEvent::Created {
                ticket_id: "T-1".into(),
            },
            TicketEvent::Message {
                ticket_id: "T-1".into(),
                message,
            },
            TicketEvent::Updated {
                ticket_id: "T-1".into(),
            },
        ] {
            let json = serde_json::to_value(&event).unwrap();
            assert_eq!(json["type"], event.name());
            assert_eq!(json["ticket_id"], "T-1");
            assert!(TicketEvent::NAMES.contains(&event.name()));
            assert_eq!(serde_json::from_value::<TicketEvent>(json).unwrap(), event);
        }
    }
}
