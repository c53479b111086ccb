//! Anonymous conversation events from visitors' widgets, several batches to a transaction.
//!
//! A widget sends a batch when its page is hidden, when the batch is full or every few seconds,
//! so a busy site means many small batches at once. Each is a handful of rows, and written one
//! transaction each its cost would be round trips, not the database (on SQLite every statement
//! is a hand-off to sqlx's worker thread, and writers take turns). So batches go through a
//! group-commit queue (`group_commit.rs`, as escalations do): one writer task at a time takes what
//! waits (up to [`MAX_GROUP_EVENTS`] events) and writes it in one transaction, with multi-row
//! `INSERT`s of a bounded size; each caller hears its outcome once the transaction committed.
//!
//! A batch is stored once per `(site, batch_id)`: `event_batches` holds the ids already written,
//! and its `INSERT … ON CONFLICT DO NOTHING RETURNING` answers which batches of the group are new,
//! in the same statement that claims them, so a resend racing its original on another instance
//! is skipped by the database rather than by a read that could be stale. When a group fails,
//! each of its batches is written again on its own: one cannot fail the others.

use std::collections::HashSet;

use sqlx::Row;

use super::group_commit::{GroupCommit, GroupWriter, Limits};
use super::sql::{Bind, Sql, MAX_STATEMENT_BINDS};
use super::{Store, StoreError, WriteTx};

/// Most events written in one transaction.
const MAX_GROUP_EVENTS: usize = 1_000;
/// Rows per `INSERT` statement: 11 bound values each, plus the batch's site and time.
const EVENTS_PER_STATEMENT: usize = MAX_STATEMENT_BINDS / 11;
/// Most rows one purge statement deletes, so a purge never holds SQLite's single writer long.
const PURGE_CHUNK: i64 = 5_000;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// One event, validated, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewConversationEvent {
    pub conversation: String,
    /// The `type` tag: `answered`, `clarified`, `chose`, `no_answer`, `escalated`, `helpful`,
    /// `rated`.
    pub kind: &'static str,
    pub entry_id: Option<String>,
    pub confidence: Option<f64>,
    /// `clarified`: the choices as a JSON array of entry ids.
    pub choices: Option<String>,
    /// The (masked, cut) question or comment.
    pub text: Option<String>,
    pub reason: Option<&'static str>,
    pub helpful: Option<bool>,
    pub score: Option<i64>,
    pub locale: Option<String>,
    /// Unix milliseconds, already clamped by the caller.
    pub occurred_at: i64,
}

/// A validated batch for one site.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEventBatch {
    pub site_id: String,
    pub batch_id: String,
    pub events: Vec<NewConversationEvent>,
    pub received_at: i64,
}

/// What became of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchOutcome {
    /// Its events were written.
    Stored { events: usize },
    /// A batch with this id was already stored for the site: nothing was written.
    AlreadyStored,
}

/// An event as stored, for the site owner's own look at what is kept (`answerdesk events list`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredConversationEvent {
    pub site: String,
    pub conversation: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub entry_id: Option<String>,
    pub confidence: Option<f64>,
    /// `clarified`: the choices as a JSON array of entry ids.
    pub choices: Option<String>,
    pub text: Option<String>,
    pub reason: Option<String>,
    pub helpful: Option<bool>,
    pub score: Option<i64>,
    pub locale: Option<String>,
    pub occurred_at: i64,
    pub received_at: i64,
}

/// Event batches waiting to be written, several to a transaction.
pub(super) type Queue = GroupCommit<NewEventBatch, BatchOutcome>;

pub(super) fn queue() -> Queue {
    GroupCommit::new(
        "event batch",
        Limits {
            // Bounded by events alone: a batch is itself bounded by the protocol's limit.
            items: usize::MAX,
            weight: MAX_GROUP_EVENTS,
            weigh: |batch: &NewEventBatch| batch.events.len(),
        },
    )
}

impl GroupWriter<NewEventBatch, BatchOutcome> for Store {
    async fn write_group<'a>(
        &'a self,
        items: &'a [&'a NewEventBatch],
    ) -> Result<Vec<Result<BatchOutcome, StoreError>>, StoreError> {
        Ok(self
            .insert_batches(items)
            .await?
            .into_iter()
            .map(Ok)
            .collect())
    }

    async fn write_one<'a>(&'a self, item: &'a NewEventBatch) -> Result<BatchOutcome, StoreError> {
        self.insert_batches(&[item])
            .await?
            .pop()
            .ok_or_else(|| StoreError::Interrupted("no outcome was written".into()))
    }
}

impl Store {
    /// Stores `batch` unless a batch with its id was stored for its site before, in one
    /// transaction (shared with batches arriving at the same moment).
    pub async fn record_event_batch(
        &self,
        batch: NewEventBatch,
    ) -> Result<BatchOutcome, StoreError> {
        self.event_batches.submit(self, batch).await
    }

    /// Writes the new ones of `batches` in one transaction: an outcome per batch, in order, or
    /// an error that rolled back all of them.
    async fn insert_batches(
        &self,
        batches: &[&NewEventBatch],
    ) -> Result<Vec<BatchOutcome>, StoreError> {
        // The same batch twice in one group (a beacon and its retry arriving together): the
        // first is written, the others are resends.
        let mut seen = HashSet::new();
        let first: Vec<bool> = batches
            .iter()
            .map(|b| seen.insert((b.site_id.as_str(), b.batch_id.as_str())))
            .collect();

        let WriteTx {
            mut tx,
            turn: _turn,
        } = self.begin_write().await?;
        let mut claim =
            Sql::new("INSERT INTO event_batches (site_id, batch_id, events, received_at) VALUES ");
        for (i, batch) in batches.iter().enumerate().filter(|(i, _)| first[*i]) {
            if i > 0 {
                claim.push(", ");
            }
            claim.tuple(
                [
                    Bind::Text(batch.site_id.clone()),
                    Bind::Text(batch.batch_id.clone()),
                    Bind::Int(batch.events.len() as i64),
                    Bind::Int(batch.received_at),
                ],
                "",
            );
        }
        claim.push(" ON CONFLICT (site_id, batch_id) DO NOTHING RETURNING site_id, batch_id");
        let claimed: HashSet<(String, String)> = claim
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|row| Ok((row.try_get("site_id")?, row.try_get("batch_id")?)))
            .collect::<Result<_, sqlx::Error>>()?;

        let mut outcomes = Vec::with_capacity(batches.len());
        // Several statements of at most EVENTS_PER_STATEMENT rows each (see MAX_STATEMENT_BINDS).
        let mut inserts: Vec<Sql> = Vec::new();
        let mut rows_in_last = EVENTS_PER_STATEMENT;
        for (i, batch) in batches.iter().enumerate() {
            let new =
                first[i] && claimed.contains(&(batch.site_id.clone(), batch.batch_id.clone()));
            if !new {
                outcomes.push(BatchOutcome::AlreadyStored);
                continue;
            }
            outcomes.push(BatchOutcome::Stored {
                events: batch.events.len(),
            });
            // The batch's site and time, bound once per statement it spans.
            let mut shared: Option<String> = None;
            for event in &batch.events {
                if rows_in_last == EVENTS_PER_STATEMENT {
                    inserts.push(Sql::new(
                        "INSERT INTO conversation_events (conversation, kind, entry_id, \
                         confidence, choices, text, reason, helpful, score, locale, occurred_at, \
                         site_id, received_at) VALUES ",
                    ));
                    rows_in_last = 0;
                    shared = None;
                }
                let insert = inserts.last_mut().expect("a statement was started above");
                let rest = shared.get_or_insert_with(|| {
                    let site = insert.shared(Bind::Text(batch.site_id.clone()));
                    let received = insert.shared(Bind::Int(batch.received_at));
                    format!(", {site}, {received}")
                });
                if rows_in_last > 0 {
                    insert.push(", ");
                }
                rows_in_last += 1;
                insert.tuple(
                    [
                        Bind::Text(event.conversation.clone()),
                        Bind::Text(event.kind.to_owned()),
                        Bind::OptionalText(event.entry_id.clone()),
                        Bind::OptionalFloat(event.confidence),
                        Bind::OptionalText(event.choices.clone()),
                        Bind::OptionalText(event.text.clone()),
                        Bind::OptionalText(event.reason.map(str::to_owned)),
                        Bind::OptionalInt(event.helpful.map(i64::from)),
                        Bind::OptionalInt(event.score),
                        Bind::OptionalText(event.locale.clone()),
                        Bind::Int(event.occurred_at),
                    ],
                    rest,
                );
            }
        }
        for insert in inserts {
            insert.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(outcomes)
    }

    /// The newest `limit` events, oldest of them first.
    pub async fn recent_conversation_events(
        &self,
        limit: i64,
    ) -> Result<Vec<StoredConversationEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT site_id, conversation, kind, entry_id, confidence, choices, text, reason, \
             helpful, score, locale, occurred_at, received_at FROM conversation_events \
             ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut events = rows
            .iter()
            .map(|row| {
                Ok(StoredConversationEvent {
                    site: row.try_get("site_id")?,
                    conversation: row.try_get("conversation")?,
                    kind: row.try_get("kind")?,
                    entry_id: row.try_get("entry_id")?,
                    confidence: row.try_get("confidence")?,
                    choices: row.try_get("choices")?,
                    text: row.try_get("text")?,
                    reason: row.try_get("reason")?,
                    helpful: row.try_get::<Option<i64>, _>("helpful")?.map(|h| h == 1),
                    score: row.try_get("score")?,
                    locale: row.try_get("locale")?,
                    occurred_at: row.try_get("occurred_at")?,
                    received_at: row.try_get("received_at")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        events.reverse();
        Ok(events)
    }

    /// Deletes the events and batch ids received more than the desk's `event_retention_days`
    /// before `now` (Unix milliseconds); answers how many events went. The clock is a parameter
    /// so that the purge can be checked without waiting for days to pass.
    pub async fn purge_conversation_events(&self, now: i64) -> Result<u64, StoreError> {
        let days = self.desk_config().await?.event_retention_days;
        let cutoff = now - days * DAY_MS;
        let events = self
            .delete_in_chunks(
                "DELETE FROM conversation_events WHERE id IN \
                 (SELECT id FROM conversation_events WHERE received_at < $1 LIMIT $2)",
                cutoff,
            )
            .await?;
        self.delete_in_chunks(
            "DELETE FROM event_batches WHERE (site_id, batch_id) IN \
             (SELECT site_id, batch_id FROM event_batches WHERE received_at < $1 LIMIT $2)",
            cutoff,
        )
        .await?;
        Ok(events)
    }

    async fn delete_in_chunks(&self, statement: &str, cutoff: i64) -> Result<u64, StoreError> {
        let mut deleted = 0;
        loop {
            let WriteTx {
                mut tx,
                turn: _turn,
            } = self.begin_write().await?;
            let done = sqlx::query(statement)
                .bind(cutoff)
                .bind(PURGE_CHUNK)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            deleted += done;
            if done < PURGE_CHUNK as u64 {
                return Ok(deleted);
            }
        }
    }
}
