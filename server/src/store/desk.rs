//! What agents do to tickets: read everything, reply, note, assign, transfer, change fields.
//!
//! Every change to a ticket's fields writes an audit event (who, when, old value, new value,
//! and for transfers the required note) in the same transaction as the change.

use protocol::{AuditEvent, EscalationContext, Message, Rating, TicketSummary};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::contacts::normalize_tags;
use super::tickets::message_from_row;
use super::{now_ms, Agent, Store, StoreError, Stored, WriteTx};
use crate::domain::{AuthorKind, Priority, Status, TicketType};
use crate::markdown;

/// A change an agent asks for; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct TicketChanges {
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub ticket_type: Option<TicketType>,
    pub tags: Option<Vec<String>>,
}

impl Store {
    /// The ticket with this public id, as agents see it in lists.
    pub async fn ticket(
        &self,
        public_id: &str,
    ) -> Result<Option<Stored<TicketSummary>>, StoreError> {
        Ok(self
            .summaries(Some(public_id), &Default::default())
            .await?
            .pop())
    }

    /// A ticket's escalation context, if it came from an escalation.
    pub async fn escalation_context(
        &self,
        ticket: &Stored<TicketSummary>,
    ) -> Result<Option<EscalationContext>, StoreError> {
        let row = sqlx::query(
            "SELECT transcript, bot_decision, bot_candidates, page_url, locale \
             FROM escalations WHERE ticket_id = $1",
        )
        .bind(ticket.row_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let json = |column: &str| -> Result<serde_json::Value, StoreError> {
            let text: String = row.try_get(column)?;
            serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
        };
        Ok(Some(EscalationContext {
            transcript: json("transcript")?,
            bot_decision: row.try_get("bot_decision")?,
            bot_candidates: json("bot_candidates")?,
            page_url: row.try_get("page_url")?,
            locale: row.try_get("locale")?,
        }))
    }

    /// A ticket's audit log, oldest first.
    pub async fn audit_events(
        &self,
        ticket: &Stored<TicketSummary>,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        sqlx::query(
            "SELECT e.id, e.actor_kind, a.email AS agent_email, e.action, e.old_value, \
             e.new_value, e.note, e.created_at FROM audit_events e \
             LEFT JOIN agents a ON a.id = e.agent_id WHERE e.ticket_id = $1 ORDER BY e.id",
        )
        .bind(ticket.row_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(AuditEvent {
                id: row.try_get("id")?,
                actor: row.try_get::<String, _>("actor_kind")?.parse()?,
                agent_email: row.try_get("agent_email")?,
                action: row.try_get("action")?,
                old_value: row.try_get("old_value")?,
                new_value: row.try_get("new_value")?,
                note: row.try_get("note")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .collect()
    }

    /// Adds an agent's reply (`internal == false`) or internal note, rendered from Markdown.
    /// The first public reply sets the ticket's first-response time, which stops its SLA clock;
    /// notes, visitor messages and system messages never do.
    pub async fn add_agent_message(
        &self,
        ticket: &Stored<TicketSummary>,
        agent_id: i64,
        markdown_body: &str,
        internal: bool,
    ) -> Result<Message, StoreError> {
        let now = now_ms();
        let html = markdown::render(markdown_body);
        let WriteTx {
            mut tx,
            turn: _turn,
        } = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE tickets SET updated_at = $1, first_response_at = CASE \
             WHEN $2 = 0 AND first_response_at IS NULL THEN $1 ELSE first_response_at END \
             WHERE id = $3 AND status <> $4",
        )
        .bind(now)
        .bind(i64::from(internal))
        .bind(ticket.row_id)
        .bind(Status::Closed.as_str())
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Conflict("this ticket is closed".into()));
        }
        let row = sqlx::query(
            "INSERT INTO messages (ticket_id, author_kind, agent_id, internal, body_text, \
             body_html, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(ticket.row_id)
        .bind(AuthorKind::Agent.as_str())
        .bind(agent_id)
        .bind(i64::from(internal))
        .bind(markdown_body)
        .bind(&html)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        tx.commit().await?;
        let row = sqlx::query(
            "SELECT m.id, m.author_kind, a.name AS author_name, m.internal, m.body_text, \
             m.body_html, m.created_at FROM messages m LEFT JOIN agents a ON a.id = m.agent_id \
             WHERE m.id = $1",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        message_from_row(&row)
    }

    /// Applies `changes`, each with an audit event. Closed tickets refuse every change.
    pub async fn change_ticket(
        &self,
        ticket: &Stored<TicketSummary>,
        agent_id: i64,
        changes: &TicketChanges,
    ) -> Result<(), StoreError> {
        if let Some(next) = changes.status {
            if next != ticket.status && !ticket.status.can_become(next) {
                return Err(StoreError::Conflict(format!(
                    "a {} ticket cannot become {next}",
                    ticket.status
                )));
            }
        }
        if ticket.status == Status::Closed {
            return Err(StoreError::Conflict("this ticket is closed".into()));
        }
        // Read before the write begins: the settings are not part of the change.
        let sla = self.current_desk_config().await?.sla_minutes;
        let now = now_ms();
        let WriteTx {
            mut tx,
            turn: _turn,
        } = self.begin_write().await?;
        touch(&mut tx, ticket.row_id, now).await?;
        let edit = Edit {
            ticket_row_id: ticket.row_id,
            agent_id,
            now,
        };
        if let Some(next) = changes.status.filter(|s| *s != ticket.status) {
            // `touch` set `updated_at` to `now` in this transaction: the moment of the change.
            let update = "UPDATE tickets SET status = $1, \
                 resolved_at = CASE WHEN $1 = 'resolved' THEN updated_at ELSE resolved_at END, \
                 closed_at = CASE WHEN $1 = 'closed' THEN updated_at ELSE closed_at END \
                 WHERE id = $2";
            let old = Some(ticket.status.as_str());
            edit.set(&mut tx, update, "status", old, next.as_str(), None)
                .await?;
        }
        if let Some(next) = changes.priority.filter(|p| *p != ticket.priority) {
            let update = "UPDATE tickets SET priority = $1 WHERE id = $2";
            let old = Some(ticket.priority.as_str());
            edit.set(&mut tx, update, "priority", old, next.as_str(), None)
                .await?;
            // The first-response target is the new priority's, counted from the ticket's
            // creation, as if it had had that priority all along; once the first response has
            // happened the clock has stopped and its due time is history, kept as it was.
            let target = sla.target_ms(next);
            sqlx::query(
                "UPDATE tickets SET sla_due_at = created_at + $1 \
                 WHERE id = $2 AND first_response_at IS NULL",
            )
            .bind(target)
            .bind(ticket.row_id)
            .execute(&mut *tx)
            .await?;
        }
        if let Some(next) = changes.ticket_type.filter(|t| *t != ticket.ticket_type) {
            let update = "UPDATE tickets SET ticket_type = $1 WHERE id = $2";
            let old = Some(ticket.ticket_type.as_str());
            edit.set(&mut tx, update, "type", old, next.as_str(), None)
                .await?;
        }
        if let Some(tags) = &changes.tags {
            let tags = normalize_tags(tags)?;
            if tags != ticket.tags {
                sqlx::query("DELETE FROM ticket_tags WHERE ticket_id = $1")
                    .bind(ticket.row_id)
                    .execute(&mut *tx)
                    .await?;
                for tag in &tags {
                    sqlx::query("INSERT INTO ticket_tags (ticket_id, tag) VALUES ($1, $2)")
                        .bind(ticket.row_id)
                        .bind(tag.as_str())
                        .execute(&mut *tx)
                        .await?;
                }
                let (old, new) = (ticket.tags.join(","), tags.join(","));
                edit.audit(&mut tx, "tags", Some(&old), Some(&new), None)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Gives the ticket to the agent with `assignee_email`, or to nobody.
    pub async fn assign(
        &self,
        ticket: &Stored<TicketSummary>,
        agent_id: i64,
        assignee_email: Option<&str>,
    ) -> Result<(), StoreError> {
        let assignee = self.assignee(assignee_email).await?;
        if ticket.assignee_email == assignee.as_ref().map(|a| a.email.clone()) {
            return Ok(());
        }
        let now = now_ms();
        let WriteTx {
            mut tx,
            turn: _turn,
        } = self.begin_write().await?;
        sqlx::query("UPDATE tickets SET assignee_id = $1, updated_at = $2 WHERE id = $3")
            .bind(assignee.as_ref().map(|a| a.id))
            .bind(now)
            .bind(ticket.row_id)
            .execute(&mut *tx)
            .await?;
        let edit = Edit {
            ticket_row_id: ticket.row_id,
            agent_id,
            now,
        };
        let new = assignee.as_ref().map(|a| a.email.as_str());
        edit.audit(
            &mut tx,
            "assign",
            ticket.assignee_email.as_deref(),
            new,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Hands the ticket on with a required note for the receiver: to another skill group's queue
    /// (unassigned), to an agent (who holds it from now on, in whatever group), or to an agent of
    /// another group (both). Each move is one audit event carrying the note.
    pub async fn transfer(
        &self,
        ticket: &Stored<TicketSummary>,
        agent_id: i64,
        group: Option<&str>,
        assignee_email: Option<&str>,
        note: &str,
    ) -> Result<(), StoreError> {
        let note = note.trim();
        if note.is_empty() {
            return Err(StoreError::Invalid(
                "a transfer needs a note for the next agent".into(),
            ));
        }
        if group.is_none() && assignee_email.is_none() {
            return Err(StoreError::Invalid(
                "a transfer names a group, an agent, or both".into(),
            ));
        }
        if ticket.status == Status::Closed {
            return Err(StoreError::Conflict("this ticket is closed".into()));
        }
        if let Some(group) = group {
            if !self.group_exists(group).await? {
                return Err(StoreError::UnknownGroup(group.to_owned()));
            }
        }
        let assignee = self.assignee(assignee_email).await?;
        let now = now_ms();
        let WriteTx {
            mut tx,
            turn: _turn,
        } = self.begin_write().await?;
        touch(&mut tx, ticket.row_id, now).await?;
        let edit = Edit {
            ticket_row_id: ticket.row_id,
            agent_id,
            now,
        };
        if let Some(group) = group {
            let update = "UPDATE tickets SET group_id = $1, assignee_id = NULL WHERE id = $2";
            let note = assignee.is_none().then_some(note);
            edit.set(
                &mut tx,
                update,
                "transfer",
                ticket.group.as_deref(),
                group,
                note,
            )
            .await?;
        }
        if let Some(assignee) = &assignee {
            sqlx::query("UPDATE tickets SET assignee_id = $1 WHERE id = $2")
                .bind(assignee.id)
                .bind(ticket.row_id)
                .execute(&mut *tx)
                .await?;
            let old = ticket.assignee_email.as_deref();
            edit.audit(&mut tx, "transfer", old, Some(&assignee.email), Some(note))
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records (or replaces) the visitor's 1–5 rating.
    pub async fn rate(
        &self,
        ticket_row_id: i64,
        score: i64,
        comment: Option<&str>,
    ) -> Result<Rating, StoreError> {
        if !(1..=5).contains(&score) {
            return Err(StoreError::Invalid("score must be 1 to 5".into()));
        }
        let now = now_ms();
        sqlx::query(
            "INSERT INTO csat_ratings (ticket_id, score, comment, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4) ON CONFLICT (ticket_id) DO UPDATE SET \
             score = excluded.score, comment = excluded.comment, updated_at = excluded.updated_at",
        )
        .bind(ticket_row_id)
        .bind(score)
        .bind(comment)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(Rating {
            score,
            comment: comment.map(str::to_owned),
            created_at: now,
        })
    }

    /// The ticket's rating, if the visitor gave one.
    pub async fn rating(&self, ticket_row_id: i64) -> Result<Option<Rating>, StoreError> {
        let row =
            sqlx::query("SELECT score, comment, created_at FROM csat_ratings WHERE ticket_id = $1")
                .bind(ticket_row_id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|row: AnyRow| {
            Ok(Rating {
                score: row.try_get("score")?,
                comment: row.try_get("comment")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .transpose()
    }

    /// The agent with `email`, who is to hold a ticket; `None` for nobody.
    async fn assignee(&self, email: Option<&str>) -> Result<Option<Agent>, StoreError> {
        match email {
            Some(email) => Ok(Some(
                self.agent_by_email(email)
                    .await?
                    .ok_or(StoreError::NotFound("agent"))?,
            )),
            None => Ok(None),
        }
    }
}

/// Marks the ticket updated; the first write of a change, so SQLite takes its lock up front.
pub(super) async fn touch(
    tx: &mut Transaction<'_, Any>,
    ticket_row_id: i64,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE tickets SET updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(ticket_row_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// One agent's change to one ticket at one moment: what every audit event of the change shares.
#[derive(Debug, Clone, Copy)]
pub(super) struct Edit {
    pub(super) ticket_row_id: i64,
    pub(super) agent_id: i64,
    pub(super) now: i64,
}

impl Edit {
    /// Runs `update` (`$1` the new value, `$2` the ticket's row id) and records it in the audit
    /// log as `action`, from `old` to `new`, in the same transaction: the one way a ticket's field
    /// changes, so none changes without its audit event.
    pub(super) async fn set(
        self,
        tx: &mut Transaction<'_, Any>,
        update: &str,
        action: &str,
        old: Option<&str>,
        new: &str,
        note: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query(update)
            .bind(new)
            .bind(self.ticket_row_id)
            .execute(&mut **tx)
            .await?;
        self.audit(tx, action, old, Some(new), note).await
    }

    /// Records `action`, from `old` to `new` (with the transfer's note, if any), in the audit log.
    pub(super) async fn audit(
        self,
        tx: &mut Transaction<'_, Any>,
        action: &str,
        old: Option<&str>,
        new: Option<&str>,
        note: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_events (ticket_id, actor_kind, agent_id, action, old_value, \
             new_value, note, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(self.ticket_row_id)
        .bind(AuthorKind::Agent.as_str())
        .bind(self.agent_id)
        .bind(action)
        .bind(old)
        .bind(new)
        .bind(note)
        .bind(self.now)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}
