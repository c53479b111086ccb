//! Merging a duplicate ticket into the ticket that carries on, as Zendesk does: the duplicate is
//! closed with a message telling its visitor where the conversation went, and its conversation
//! is copied into the surviving ticket (after an internal note naming the duplicate), so the agent
//! reads one history while the duplicate's own record stays intact for its visitor.
//!
//! Only tickets of the same contact merge: merging strangers' tickets would show one person's
//! conversation in another's case.

use sqlx::Row;

use super::desk::{audit, touch};
use super::Stored;
use super::{now_ms, Store, StoreError, WriteTx};
use crate::domain::{AuthorKind, Status};
use protocol::TicketSummary;

impl Store {
    /// Merges `duplicate` into `into` on behalf of agent `agent_id`.
    pub async fn merge_tickets(
        &self,
        duplicate: &Stored<TicketSummary>,
        into: &Stored<TicketSummary>,
        agent_id: i64,
    ) -> Result<(), StoreError> {
        if duplicate.row_id == into.row_id {
            return Err(StoreError::Invalid(
                "a ticket cannot be merged into itself".into(),
            ));
        }
        if duplicate.status == Status::Closed || into.status == Status::Closed {
            return Err(StoreError::Conflict(
                "closed tickets cannot be merged".into(),
            ));
        }
        let contacts = sqlx::query("SELECT id, contact_id FROM tickets WHERE id IN ($1, $2)")
            .bind(duplicate.row_id)
            .bind(into.row_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| row.try_get::<Option<i64>, _>("contact_id"))
            .collect::<Result<Vec<_>, _>>()?;
        let same_contact =
            contacts.len() == 2 && contacts[0].is_some() && contacts[0] == contacts[1];
        if !same_contact {
            return Err(StoreError::Conflict(
                "only tickets of the same contact can be merged".into(),
            ));
        }

        let now = now_ms();
        let WriteTx {
            mut tx,
            turn: _turn,
        } = self.begin_write().await?;
        touch(&mut tx, into.row_id, now).await?;
        touch(&mut tx, duplicate.row_id, now).await?;
        system_message(
            &mut tx,
            into.row_id,
            true,
            &format!(
                "Merged {} into this ticket: its conversation follows.",
                duplicate.id
            ),
            now,
        )
        .await?;
        sqlx::query(
            "INSERT INTO messages (ticket_id, author_kind, agent_id, internal, body_text, \
             body_html, created_at) SELECT $1, author_kind, agent_id, internal, body_text, \
             body_html, created_at FROM messages WHERE ticket_id = $2 ORDER BY id",
        )
        .bind(into.row_id)
        .bind(duplicate.row_id)
        .execute(&mut *tx)
        .await?;
        system_message(
            &mut tx,
            duplicate.row_id,
            false,
            &format!("This request continues in {}.", into.id),
            now,
        )
        .await?;
        sqlx::query("UPDATE tickets SET status = $1, closed_at = $2 WHERE id = $3")
            .bind(Status::Closed.as_str())
            .bind(now)
            .bind(duplicate.row_id)
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            duplicate.row_id,
            agent_id,
            "merge",
            Some(&duplicate.id),
            Some(&into.id),
            None,
            now,
        )
        .await?;
        audit(
            &mut tx,
            into.row_id,
            agent_id,
            "merged",
            Some(&duplicate.id),
            Some(&into.id),
            None,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn system_message(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    ticket_row_id: i64,
    internal: bool,
    text: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO messages (ticket_id, author_kind, internal, body_text, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(ticket_row_id)
    .bind(AuthorKind::System.as_str())
    .bind(i64::from(internal))
    .bind(text)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
