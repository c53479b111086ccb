//! Events between server instances through PostgreSQL `LISTEN/NOTIFY`.
//!
//! Every instance listens on [`CHANNEL`] and announces its own events there. A notice names the
//! instance that sent it, so an instance skips its own (its subscribers already had them), and
//! carries ids only: a message body can be far larger than NOTIFY's 8000-byte payload limit, so
//! the receiving instance re-reads the message, which the sender committed before announcing.
//!
//! Notices are best effort, like the events themselves: one sent while the listening connection
//! is down is lost (the listener reconnects), and clients catch up by re-reading on reconnect
//! (`Last-Event-ID`, `lagged`).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::postgres::{PgListener, PgPool, PgPoolOptions};
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;

use super::TicketEvent;
use crate::store::Store;

/// The NOTIFY channel every instance listens on.
pub const CHANNEL: &str = "answerdesk_events";
/// NOTIFY refuses payloads of 8000 bytes or more.
const MAX_PAYLOAD: usize = 7999;
/// Notices waiting to be sent before new ones are dropped (the database is down or slow).
const BACKLOG: usize = 4096;
/// Notices sent in one statement when many are waiting.
const BATCH: usize = 256;
/// Pause before listening again after the connection could not be re-established.
const RECONNECT_AFTER: Duration = Duration::from_secs(1);

/// What crosses the wire: an event reduced to ids, and who sent it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Notice {
    /// The sending instance, random per process start.
    from: String,
    #[serde(flatten)]
    what: What,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum What {
    Created { ticket_id: String },
    Message { ticket_id: String, message_id: i64 },
    Updated { ticket_id: String },
}

impl What {
    fn of(event: &TicketEvent) -> What {
        match event {
            TicketEvent::Created { ticket_id } => What::Created {
                ticket_id: ticket_id.clone(),
            },
            TicketEvent::Message { ticket_id, message } => What::Message {
                ticket_id: ticket_id.clone(),
                message_id: message.id,
            },
            TicketEvent::Updated { ticket_id } => What::Updated {
                ticket_id: ticket_id.clone(),
            },
        }
    }
}

/// This instance's end of the relay: announces local events, delivers other instances'.
pub(super) struct Relay {
    instance: String,
    outbox: mpsc::Sender<String>,
    listener: JoinHandle<()>,
}

impl Relay {
    /// Connects, starts listening, and returns once notices from other instances are being
    /// received; they are delivered to `local`.
    pub(super) async fn start(
        store: Store,
        database_url: &str,
        local: broadcast::Sender<TicketEvent>,
    ) -> Result<Relay, sqlx::Error> {
        let instance = format!("{:016x}", rand::random::<u64>());
        let mut listener = PgListener::connect(database_url).await?;
        listener.listen(CHANNEL).await?;
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .connect(database_url)
            .await?;
        let (outbox, pending) = mpsc::channel(BACKLOG);
        let receiving = Receiver {
            instance: instance.clone(),
            database_url: database_url.to_owned(),
            store,
            local,
        };
        tokio::spawn(send_notices(pool, pending));
        Ok(Relay {
            instance,
            outbox,
            listener: tokio::spawn(receiving.run(listener)),
        })
    }

    /// Queues `event` for the other instances; never waits.
    pub(super) fn announce(&self, event: &TicketEvent) {
        let notice = Notice {
            from: self.instance.clone(),
            what: What::of(event),
        };
        let payload = match serde_json::to_string(&notice) {
            Ok(payload) if payload.len() <= MAX_PAYLOAD => payload,
            _ => {
                tracing::warn!(ticket = %event.ticket_id(), "event too large to relay");
                return;
            }
        };
        if self.outbox.try_send(payload).is_err() {
            tracing::warn!(ticket = %event.ticket_id(), "event relay backlog full; event dropped");
        }
    }
}

impl Drop for Relay {
    /// Stops listening. The sending task drains what is queued and ends by itself once this
    /// outbox is gone.
    fn drop(&mut self) {
        self.listener.abort();
    }
}

/// Sends queued notices in order, many per statement when they pile up.
async fn send_notices(pool: PgPool, mut pending: mpsc::Receiver<String>) {
    let mut batch = Vec::with_capacity(BATCH);
    while pending.recv_many(&mut batch, BATCH).await > 0 {
        let sent = sqlx::query("SELECT pg_notify($1, payload) FROM UNNEST($2::text[]) AS payload")
            .bind(CHANNEL)
            .bind(&batch)
            .execute(&pool)
            .await;
        if let Err(err) = sent {
            tracing::warn!(error = %err, dropped = batch.len(), "cannot relay events to other instances");
        }
        batch.clear();
    }
    pool.close().await;
}

/// The listening side: turns other instances' notices back into events.
struct Receiver {
    instance: String,
    database_url: String,
    store: Store,
    local: broadcast::Sender<TicketEvent>,
}

impl Receiver {
    async fn run(self, mut listener: PgListener) {
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => self.deliver(notification.payload()).await,
                // sqlx reconnects on the next call; notices sent meanwhile are lost.
                Ok(None) => tracing::warn!("event relay lost its connection; reconnecting"),
                Err(err) => {
                    tracing::warn!(error = %err, "event relay cannot listen; retrying");
                    tokio::time::sleep(RECONNECT_AFTER).await;
                    listener = self.relisten().await;
                }
            }
        }
    }

    /// A fresh listening connection, retried until the database answers.
    async fn relisten(&self) -> PgListener {
        loop {
            let attempt = async {
                let mut listener = PgListener::connect(&self.database_url).await?;
                listener.listen(CHANNEL).await?;
                Ok::<_, sqlx::Error>(listener)
            };
            match attempt.await {
                Ok(listener) => {
                    tracing::info!("event relay listening again");
                    return listener;
                }
                Err(err) => {
                    tracing::warn!(error = %err, "event relay cannot reconnect; retrying");
                    tokio::time::sleep(RECONNECT_AFTER).await;
                }
            }
        }
    }

    async fn deliver(&self, payload: &str) {
        let notice: Notice = match serde_json::from_str(payload) {
            Ok(notice) => notice,
            Err(err) => {
                tracing::warn!(error = %err, "ignoring a malformed event notice");
                return;
            }
        };
        if notice.from == self.instance {
            return;
        }
        let event = match notice.what {
            What::Created { ticket_id } => TicketEvent::Created { ticket_id },
            What::Updated { ticket_id } => TicketEvent::Updated { ticket_id },
            What::Message {
                ticket_id,
                message_id,
            } => match self.store.message(message_id).await {
                Ok(Some(message)) => TicketEvent::Message { ticket_id, message },
                Ok(None) => return,
                Err(err) => {
                    tracing::warn!(error = %err, message_id, "cannot re-read a relayed message");
                    return;
                }
            },
        };
        let _ = self.local.send(event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_carry_ids_only_and_fit_any_message() {
        let message = crate::store::Message {
            id: 42,
            author: crate::domain::AuthorKind::Agent,
            author_name: Some("Ana".into()),
            internal: false,
            body_text: "x".repeat(10_000),
            body_html: None,
            created_at: 0,
        };
        let notice = Notice {
            from: "0123456789abcdef".into(),
            what: What::of(&TicketEvent::Message {
                ticket_id: "T-ABCDEFGH".into(),
                message,
            }),
        };
        let payload = serde_json::to_string(&notice).unwrap();
        assert!(payload.len() < 200, "{payload}");
        assert_eq!(serde_json::from_str::<Notice>(&payload).unwrap(), notice);
        assert!(payload.contains(r#""type":"message""#), "{payload}");
    }
}
