//! Anonymous conversation events from visitors' widgets, several batches to a transaction.
//!
//! A widget sends a batch when its page is hidden, when the batch is full or every few seconds,
//! so a busy site means many small batches at once. Each is a handful of rows, and written one
//! transaction each its cost would be round trips, not the database (on SQLite every statement
//! is a hand-off to sqlx's worker thread, and writers take turns). So batches queue here, as
//! escalations do (`escalations.rs`): one writer task at a time takes what waits (up to
//! [`MAX_GROUP_EVENTS`] events) and writes it in one transaction, one multi-row `INSERT` per
//! table; each caller hears its outcome once the transaction committed.
//!
//! A batch is stored once per `(site, batch_id)`: `event_batches` holds the ids already written,
//! and its `INSERT … ON CONFLICT DO NOTHING RETURNING` answers which batches of the group are new,
//! in the same statement that claims them, so a resend racing its original on another instance
//! is skipped by the database rather than by a read that could be stale. When a group fails,
//! each of its batches is written again on its own: one cannot fail the others.

use std::collections::{HashSet, VecDeque};
use std::sync::{Mutex, MutexGuard};

use sqlx::Row;
use tokio::sync::oneshot;

use super::sql::{Bind, Sql};
use super::{Store, StoreError, WriteTx};

/// Most events written in one transaction: at 13 bound values each, well below both databases'
/// limits on bound parameters.
const MAX_GROUP_EVENTS: usize = 1_000;
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

/// Batches waiting for the writer, and whether a writer task is running.
#[derive(Default)]
pub(super) struct Queue {
    state: Mutex<QueueState>,
}

#[derive(Default)]
struct QueueState {
    waiting: VecDeque<Pending>,
    writing: bool,
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue").finish_non_exhaustive()
    }
}

impl Queue {
    fn lock(&self) -> MutexGuard<'_, QueueState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

struct Pending {
    batch: NewEventBatch,
    answer: oneshot::Sender<Result<BatchOutcome, StoreError>>,
}

/// Clears `writing` if the writer task ends without doing so (a panic), so the next batch
/// starts a new writer instead of waiting forever.
struct WriterStopped {
    queue: std::sync::Arc<Queue>,
    finished: bool,
}

impl Drop for WriterStopped {
    fn drop(&mut self) {
        if !self.finished {
            let mut state = self.queue.lock();
            state.writing = false;
            state.waiting.clear(); // their callers hear that the writer stopped
        }
    }
}

impl Store {
    /// Stores `batch` unless a batch with its id was stored for its site before, in one
    /// transaction (shared with batches arriving at the same moment).
    pub async fn record_event_batch(
        &self,
        batch: NewEventBatch,
    ) -> Result<BatchOutcome, StoreError> {
        let (answer, outcome) = oneshot::channel();
        {
            let mut state = self.event_batches.lock();
            state.waiting.push_back(Pending { batch, answer });
            if !state.writing {
                state.writing = true;
                tokio::spawn(self.clone().write_waiting_batches());
            }
        }
        outcome
            .await
            .unwrap_or_else(|_| Err(StoreError::Interrupted("the event writer stopped".into())))
    }

    async fn write_waiting_batches(self) {
        let mut stopped = WriterStopped {
            queue: self.event_batches.clone(),
            finished: false,
        };
        loop {
            let group = {
                let mut state = self.event_batches.lock();
                if state.waiting.is_empty() {
                    state.writing = false;
                    stopped.finished = true;
                    return;
                }
                take_group(&mut state.waiting)
            };
            self.write_group(group).await;
        }
    }

    async fn write_group(&self, group: Vec<Pending>) {
        if group.len() > 1 {
            let batches: Vec<&NewEventBatch> = group.iter().map(|p| &p.batch).collect();
            match self.insert_batches(&batches).await {
                Ok(outcomes) => {
                    for (pending, outcome) in group.into_iter().zip(outcomes) {
                        let _ = pending.answer.send(Ok(outcome)); // the caller may have gone
                    }
                    return;
                }
                Err(err) => tracing::debug!(
                    batches = group.len(),
                    error = %err,
                    "a group of event batches failed; writing them one by one"
                ),
            }
        }
        for pending in group {
            let outcome = self
                .insert_batches(&[&pending.batch])
                .await
                .and_then(|mut outcomes| {
                    outcomes
                        .pop()
                        .ok_or_else(|| StoreError::Interrupted("no outcome was written".into()))
                });
            let _ = pending.answer.send(outcome);
        }
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
        let mut insert = Sql::new(
            "INSERT INTO conversation_events (conversation, kind, entry_id, confidence, choices, \
             text, reason, helpful, score, locale, occurred_at, site_id, received_at) VALUES ",
        );
        let mut rows = 0;
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
            let site = insert.shared(Bind::Text(batch.site_id.clone()));
            let received = insert.shared(Bind::Int(batch.received_at));
            for event in &batch.events {
                if rows > 0 {
                    insert.push(", ");
                }
                rows += 1;
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
                    &format!(", {site}, {received}"),
                );
            }
        }
        if rows > 0 {
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

/// The next group: whatever waits, up to [`MAX_GROUP_EVENTS`] events (and always at least one
/// batch, which is itself bounded by the protocol's limit).
fn take_group(waiting: &mut VecDeque<Pending>) -> Vec<Pending> {
    let mut group = Vec::new();
    let mut events = 0;
    while let Some(next) = waiting.front() {
        let size = next.batch.events.len();
        if !group.is_empty() && events + size > MAX_GROUP_EVENTS {
            break;
        }
        events += size;
        group.extend(waiting.pop_front());
    }
    group
}
