//! Automatic assignment: a group's waiting cases go round-robin to its available agents, each up
//! to their capacity of open cases.
//!
//! A case waits in its group's queue (open, unassigned) oldest first. [`Store::fill_queue`] hands
//! out as many waiting cases as the group's agents have room for; the HTTP layer calls it whenever
//! room may have appeared (a new case, a case resolved, closed, transferred or unassigned, an agent
//! back from away, a capacity raised).
//!
//! Concurrency: each run is one transaction that first locks every member of the group — `SELECT
//! … FOR UPDATE` in agent-id order on PostgreSQL (so two runs over overlapping groups cannot
//! deadlock), the database write lock on SQLite (by writing first) — and only then counts open
//! cases. Two runs that could give the same agent a case therefore never both see the agent below
//! capacity, and the conditional `UPDATE … WHERE assignee_id IS NULL` keeps a case that an agent
//! claimed by hand meanwhile from being taken twice.

use sqlx::Row;

use super::{now_ms, Backend, Store, StoreError};
use crate::domain::{AuthorKind, Status};

/// Most cases one run hands out; the rest wait for the next run.
const MAX_PER_RUN: usize = 500;

/// A case that a run assigned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoAssigned {
    pub ticket_id: String,
    pub agent_email: String,
}

impl Store {
    /// Assigns `group`'s waiting cases, oldest first, round-robin (least recently assigned first)
    /// among its available, enabled agents below capacity. Does nothing while auto-assignment is
    /// off. Answers what it assigned, so the caller can tell the streams.
    pub async fn fill_queue(&self, group: &str) -> Result<Vec<AutoAssigned>, StoreError> {
        if !self.current_desk_config().await?.auto_assign || !self.may_assign(group).await? {
            return Ok(Vec::new());
        }
        let super::WriteTx {
            mut tx,
            turn: _turn,
        } = self.begin_write().await?;
        let lock_members = match self.backend {
            Backend::Postgres => {
                "SELECT id FROM agents WHERE id IN \
                 (SELECT agent_id FROM agent_groups WHERE group_id = $1) ORDER BY id FOR UPDATE"
            }
            // A write first: the transaction takes SQLite's single write lock now (waiting on
            // busy_timeout), so every later read in it is already serialized with other writers.
            Backend::Sqlite => {
                "UPDATE agents SET last_assigned_at = last_assigned_at WHERE id IN \
                 (SELECT agent_id FROM agent_groups WHERE group_id = $1)"
            }
        };
        sqlx::query(lock_members)
            .bind(group)
            .execute(&mut *tx)
            .await?;

        // Round-robin needs strictly increasing stamps even within one millisecond.
        let latest: i64 = sqlx::query(
            "SELECT COALESCE(MAX(a.last_assigned_at), 0) AS latest FROM agents a \
             JOIN agent_groups g ON g.agent_id = a.id WHERE g.group_id = $1",
        )
        .bind(group)
        .fetch_one(&mut *tx)
        .await?
        .try_get("latest")?;
        let mut stamp = (latest + 1).max(now_ms());

        let mut assigned = Vec::new();
        while assigned.len() < MAX_PER_RUN {
            let waiting = sqlx::query(
                "SELECT id, public_id FROM tickets WHERE group_id = $1 AND assignee_id IS NULL \
                 AND status = $2 ORDER BY created_at, id LIMIT 1",
            )
            .bind(group)
            .bind(Status::Open.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            let Some(waiting) = waiting else { break };
            let agent = sqlx::query(
                "SELECT a.id, a.email FROM agents a \
                 JOIN agent_groups g ON g.agent_id = a.id AND g.group_id = $1 \
                 WHERE a.available = 1 AND a.disabled = 0 AND a.capacity > \
                 (SELECT COUNT(*) FROM tickets t WHERE t.assignee_id = a.id \
                  AND t.status IN ($2, $3)) \
                 ORDER BY a.last_assigned_at, a.id LIMIT 1",
            )
            .bind(group)
            .bind(Status::Open.as_str())
            .bind(Status::Pending.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            let Some(agent) = agent else { break };
            let ticket_row: i64 = waiting.try_get("id")?;
            let agent_id: i64 = agent.try_get("id")?;
            let agent_email: String = agent.try_get("email")?;
            let now = now_ms();
            let taken = sqlx::query(
                "UPDATE tickets SET assignee_id = $1, updated_at = $2 \
                 WHERE id = $3 AND assignee_id IS NULL",
            )
            .bind(agent_id)
            .bind(now)
            .bind(ticket_row)
            .execute(&mut *tx)
            .await?;
            if taken.rows_affected() == 0 {
                continue; // claimed by hand meanwhile; the next waiting case is another one
            }
            sqlx::query("UPDATE agents SET last_assigned_at = $1 WHERE id = $2")
                .bind(stamp)
                .bind(agent_id)
                .execute(&mut *tx)
                .await?;
            stamp += 1;
            sqlx::query(
                "INSERT INTO audit_events (ticket_id, actor_kind, action, new_value, note, \
                 created_at) VALUES ($1, $2, 'assign', $3, $4, $5)",
            )
            .bind(ticket_row)
            .bind(AuthorKind::System.as_str())
            .bind(&agent_email)
            .bind("auto-assigned")
            .bind(now)
            .execute(&mut *tx)
            .await?;
            assigned.push(AutoAssigned {
                ticket_id: waiting.try_get("public_id")?,
                agent_email,
            });
        }
        tx.commit().await?;
        Ok(assigned)
    }

    /// Whether a run over `group` could assign anything: a case waits and an agent has room.
    /// Read without the write lock, so that runs with nothing to do (the usual outcome after an
    /// escalation while every agent is busy or away) write nothing; the run itself checks again.
    async fn may_assign(&self, group: &str) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT 1 AS yes WHERE EXISTS (SELECT 1 FROM tickets WHERE group_id = $1 \
             AND assignee_id IS NULL AND status = $2) \
             AND EXISTS (SELECT 1 FROM agents a \
             JOIN agent_groups g ON g.agent_id = a.id AND g.group_id = $1 \
             WHERE a.available = 1 AND a.disabled = 0 AND a.capacity > \
             (SELECT COUNT(*) FROM tickets t WHERE t.assignee_id = a.id \
              AND t.status IN ($2, $3)))",
        )
        .bind(group)
        .bind(Status::Open.as_str())
        .bind(Status::Pending.as_str())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    /// Whether agent `agent_id` in `groups` may see ticket `public_id`: it is theirs, has no
    /// group, or is in one of their groups (the rule the desk API applies to every ticket).
    pub async fn agent_may_see(
        &self,
        agent_id: i64,
        groups: &[String],
        public_id: &str,
    ) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT group_id, assignee_id FROM tickets WHERE public_id = $1")
            .bind(public_id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(false) };
        let group: Option<String> = row.try_get("group_id")?;
        let assignee: Option<i64> = row.try_get("assignee_id")?;
        Ok(assignee == Some(agent_id) || group.is_none_or(|g| groups.contains(&g)))
    }

    /// The skill groups of agent `agent_id`.
    pub async fn groups_of_agent(&self, agent_id: i64) -> Result<Vec<String>, StoreError> {
        sqlx::query("SELECT group_id FROM agent_groups WHERE agent_id = $1 ORDER BY group_id")
            .bind(agent_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| row.try_get("group_id").map_err(StoreError::from))
            .collect()
    }
}
