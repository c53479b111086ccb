//! What happened to tickets, fanned out to the SSE streams of this process and, on PostgreSQL,
//! of every other instance sharing the database.
//!
//! Publishers are the handlers that changed something, after the change is committed. A slow
//! subscriber that falls more than [`CAPACITY`] events behind misses some and is told so (it then
//! re-reads the ticket); publishers never wait for subscribers, nor for the database: relaying
//! to other instances ([`postgres`]) happens in the background.
//!
//! Beside ticket events the hub carries *revocations*: an agent's sessions ended, or the agent
//! was disabled, demoted or moved between groups. An agent's open stream re-validates its session
//! when it hears one for its agent, and ends or narrows at once. Revocations stay in this
//! process; streams on other instances notice at their periodic re-check.

mod postgres;

use std::sync::Arc;

use tokio::sync::broadcast;

/// What the streams deliver: the API's event type, so the stream's frames and the workbench's
/// parser cannot disagree.
pub use protocol::TicketEvent;

use crate::store::Store;

/// Events buffered per subscriber before the oldest are dropped for it.
pub const CAPACITY: usize = 1024;

/// The event bus; cheap to clone. Events reach this process's subscribers at once, and other
/// instances' subscribers through PostgreSQL when the hub is [`Hub::relayed`].
#[derive(Clone)]
pub struct Hub {
    sender: broadcast::Sender<TicketEvent>,
    revocations: broadcast::Sender<Revocation>,
    relay: Option<Arc<postgres::Relay>>,
}

/// Whose open agent streams must re-check their session and permissions now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    /// One agent's (sessions ended, disabled, role or groups changed).
    Agent(i64),
    /// Every agent's (a group was deleted).
    Everyone,
}

impl Revocation {
    /// Whether agent `agent_id`'s streams must re-check.
    pub fn concerns(self, agent_id: i64) -> bool {
        match self {
            Revocation::Agent(id) => id == agent_id,
            Revocation::Everyone => true,
        }
    }
}

impl Default for Hub {
    /// A hub for this process alone: SQLite has one server process per file.
    fn default() -> Self {
        Hub {
            sender: broadcast::channel(CAPACITY).0,
            revocations: broadcast::channel(CAPACITY).0,
            relay: None,
        }
    }
}

impl Hub {
    /// A hub that also exchanges events with the other instances on the PostgreSQL database at
    /// `database_url` (`LISTEN/NOTIFY`). Returns once this instance is listening, so no event
    /// published after the server starts is missed.
    pub async fn relayed(store: Store, database_url: &str) -> Result<Hub, sqlx::Error> {
        let sender = broadcast::channel(CAPACITY).0;
        let relay = postgres::Relay::start(store, database_url, sender.clone()).await?;
        Ok(Hub {
            sender,
            revocations: broadcast::channel(CAPACITY).0,
            relay: Some(Arc::new(relay)),
        })
    }

    /// Delivers `event` to every current subscriber (none is fine), here and on other instances.
    pub fn publish(&self, event: TicketEvent) {
        if let Some(relay) = &self.relay {
            relay.announce(&event);
        }
        let _ = self.sender.send(event);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<TicketEvent> {
        self.sender.subscribe()
    }

    /// Tells this process's agent streams concerned by `revocation` to re-check now. Publish it
    /// after the change is committed and before ticket events that follow it.
    pub fn revoke(&self, revocation: Revocation) {
        let _ = self.revocations.send(revocation);
    }

    pub fn subscribe_revocations(&self) -> broadcast::Receiver<Revocation> {
        self.revocations.subscribe()
    }
}
