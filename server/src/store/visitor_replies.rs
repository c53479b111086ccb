//! A visitor's reply sent with an `Idempotency-Key`: the widget queues replies typed offline
//! and resends them until the server answers, so a reply whose answer was lost arrives again.
//! The first attempt claims the key, writes the message and records which message it made, all
//! in one transaction (a server killed midway leaves nothing half done); every retry gets that
//! same message back instead of a second one.

use std::time::Duration;

use sqlx::Row;

use super::Stored;
use super::{now_ms, Store, StoreError};
use crate::secret;
use protocol::{Message, VisitorTicket};

/// A claim this old without its message is taken to be from an attempt that died midway.
const ABANDONED_AFTER_MS: i64 = 30_000;

impl Store {
    /// Adds the visitor's message once per `key` and ticket: a retry returns the message the
    /// first attempt made, with `false` (not created now). The same key with a different text is refused (`Invalid`), and a retry
    /// racing a first attempt still in flight waits for it briefly.
    pub async fn add_visitor_message_once(
        &self,
        ticket: &Stored<VisitorTicket>,
        text: &str,
        key: &str,
        max_messages: u32,
    ) -> Result<(Message, bool), StoreError> {
        let fingerprint = secret::digest(text);
        for _ in 0..20 {
            // The key, the message and the link between them in one transaction: a server
            // killed midway leaves no claim without its message nor a message without its key
            // (which a retry would have written a second time).
            if let Some(message) = self
                .write_visitor_message(ticket, text, max_messages, Some((key, &fingerprint)))
                .await?
            {
                return Ok((message, true));
            }
            let row = sqlx::query(
                "SELECT fingerprint, message_id, created_at FROM visitor_message_keys \
                 WHERE ticket_id = $1 AND idempotency_key = $2",
            )
            .bind(ticket.row_id)
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
            let Some(row) = row else { continue };
            let stored: String = row.try_get("fingerprint")?;
            if stored != fingerprint {
                return Err(StoreError::Invalid(
                    "this Idempotency-Key was already used for a different message".into(),
                ));
            }
            let message_id: Option<i64> = row.try_get("message_id")?;
            match message_id {
                Some(id) => {
                    let message = self.message(id).await?;
                    return Ok((message.ok_or(StoreError::NotFound("message"))?, false));
                }
                None if now_ms() - row.try_get::<i64, _>("created_at")? > ABANDONED_AFTER_MS => {
                    sqlx::query(
                        "DELETE FROM visitor_message_keys WHERE ticket_id = $1 \
                         AND idempotency_key = $2 AND message_id IS NULL",
                    )
                    .bind(ticket.row_id)
                    .bind(key)
                    .execute(&self.pool)
                    .await?;
                }
                None => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        Err(StoreError::Conflict(
            "a request with this Idempotency-Key is still in progress; retry later".into(),
        ))
    }
}
