//! A visitor's reply sent with an `Idempotency-Key`: the widget queues replies typed offline
//! and resends them until the server answers, so a reply whose answer was lost arrives again.
//! The first attempt claims the key, writes the message, then records which message it made;
//! every retry gets that same message back instead of a second one.

use std::time::Duration;

use sqlx::Row;

use super::tickets::{Message, VisitorTicket};
use super::{is_unique_violation, now_ms, Store, StoreError};
use crate::secret;

/// A claim this old without its message is taken to be from an attempt that died midway.
const ABANDONED_AFTER_MS: i64 = 30_000;

impl Store {
    /// Adds the visitor's message once per `key` and ticket: a retry returns the message the
    /// first attempt made, with `false` (not created now). The same key with a different text is refused (`Invalid`), and a retry
    /// racing a first attempt still in flight waits for it briefly.
    pub async fn add_visitor_message_once(
        &self,
        ticket: &VisitorTicket,
        text: &str,
        key: &str,
        max_messages: u32,
    ) -> Result<(Message, bool), StoreError> {
        let fingerprint = secret::digest(text);
        for _ in 0..20 {
            if self
                .claim_message_key(ticket.row_id, key, &fingerprint)
                .await?
            {
                let added = self.add_visitor_message(ticket, text, max_messages).await;
                // Nothing written frees the key for the next attempt.
                let made = added.as_ref().ok().map(|message| message.id);
                self.settle_message_key(ticket.row_id, key, made).await?;
                return added.map(|message| (message, true));
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

    /// Records the message the claim of `key` made, or drops the claim when it made none.
    async fn settle_message_key(
        &self,
        ticket_row: i64,
        key: &str,
        message_id: Option<i64>,
    ) -> Result<(), StoreError> {
        let query = match message_id {
            Some(id) => sqlx::query(
                "UPDATE visitor_message_keys SET message_id = $3 \
                 WHERE ticket_id = $1 AND idempotency_key = $2",
            )
            .bind(ticket_row)
            .bind(key)
            .bind(id),
            None => sqlx::query(
                "DELETE FROM visitor_message_keys WHERE ticket_id = $1 AND idempotency_key = $2",
            )
            .bind(ticket_row)
            .bind(key),
        };
        query.execute(&self.pool).await?;
        Ok(())
    }

    /// Takes `key` for a new message; `false` when an earlier attempt holds it.
    async fn claim_message_key(
        &self,
        ticket_row: i64,
        key: &str,
        fingerprint: &str,
    ) -> Result<bool, StoreError> {
        let claimed = sqlx::query(
            "INSERT INTO visitor_message_keys (ticket_id, idempotency_key, fingerprint, \
             created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(ticket_row)
        .bind(key)
        .bind(fingerprint)
        .bind(now_ms())
        .execute(&self.pool)
        .await;
        match claimed {
            Ok(_) => Ok(true),
            Err(err) if is_unique_violation(&err) => Ok(false),
            Err(err) => Err(err.into()),
        }
    }
}
