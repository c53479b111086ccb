//! What happened to tickets, fanned out to the SSE streams of this process.
//!
//! Publishers are the handlers that changed something, after the change is committed. A slow
//! subscriber that falls more than [`CAPACITY`] events behind misses some and is told so (it then
//! re-reads the ticket); publishers never wait for subscribers.

use serde::Serialize;
use tokio::sync::broadcast;

use crate::store::Message;

/// Events buffered per subscriber before the oldest are dropped for it.
pub const CAPACITY: usize = 1024;

/// A change to a ticket.
#[derive(Debug, Clone, Serialize)]
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

/// The in-process event bus; cheap to clone.
#[derive(Clone)]
pub struct Hub {
    sender: broadcast::Sender<TicketEvent>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            sender: broadcast::channel(CAPACITY).0,
        }
    }
}

impl Hub {
    /// Delivers `event` to every current subscriber (none is fine).
    pub fn publish(&self, event: TicketEvent) {
        let _ = self.sender.send(event);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<TicketEvent> {
        self.sender.subscribe()
    }
}
