//! Skill groups and the admin's changes to agents: membership, role, capacity, availability.

use protocol::Group;
use sqlx::Row;

use super::settings::MAX_CAPACITY;
use super::{now_ms, Agent, Store, StoreError, WriteTx, DEFAULT_GROUP};
use crate::domain::Role;

/// An admin's change to an agent; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct AgentChange {
    pub name: Option<String>,
    pub role: Option<Role>,
    /// Replaces the agent's groups (at least one).
    pub groups: Option<Vec<String>>,
    pub capacity: Option<i64>,
    pub available: Option<bool>,
    pub disabled: Option<bool>,
}

impl Store {
    /// Every skill group with its members, by id.
    pub async fn groups(&self) -> Result<Vec<Group>, StoreError> {
        let groups = sqlx::query("SELECT id, name FROM skill_groups ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        let members = sqlx::query(
            "SELECT g.group_id, a.email FROM agent_groups g JOIN agents a ON a.id = g.agent_id \
             WHERE a.disabled = 0 ORDER BY a.email",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(groups.len());
        for row in &groups {
            let id: String = row.try_get("id")?;
            let mut emails = Vec::new();
            for m in &members {
                if m.try_get::<String, _>("group_id")? == id {
                    emails.push(m.try_get("email")?);
                }
            }
            out.push(Group {
                name: row.try_get("name")?,
                members: emails,
                id,
            });
        }
        Ok(out)
    }

    /// The group with this id.
    pub async fn group(&self, id: &str) -> Result<Group, StoreError> {
        self.groups()
            .await?
            .into_iter()
            .find(|g| g.id == id)
            .ok_or(StoreError::NotFound("group"))
    }

    /// Renames a group (its id, which tickets and sites refer to, stays).
    pub async fn rename_group(&self, id: &str, name: &str) -> Result<(), StoreError> {
        let name = group_name(name)?;
        let updated = sqlx::query("UPDATE skill_groups SET name = $1 WHERE id = $2")
            .bind(name)
            .bind(id)
            .execute(&self.pool)
            .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound("group"));
        }
        Ok(())
    }

    /// Deletes a group: its tickets lose their group (and wait for an admin to route them), its
    /// canned responses and memberships go. The default group, and a group a site routes to, stay.
    pub async fn delete_group(&self, id: &str) -> Result<(), StoreError> {
        if id == DEFAULT_GROUP {
            return Err(StoreError::Conflict(format!(
                "{DEFAULT_GROUP} is the default group and cannot be deleted"
            )));
        }
        let used_by: Option<String> =
            sqlx::query("SELECT id FROM sites WHERE default_group_id = $1 ORDER BY id LIMIT 1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .map(|row| row.try_get("id"))
                .transpose()?;
        if let Some(site) = used_by {
            return Err(StoreError::Conflict(format!(
                "site {site} routes to this group; give it another default group first"
            )));
        }
        let deleted = sqlx::query("DELETE FROM skill_groups WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        if deleted.rows_affected() == 0 {
            return Err(StoreError::NotFound("group"));
        }
        Ok(())
    }

    /// The agent with this id, disabled or not.
    pub async fn agent(&self, id: i64) -> Result<Agent, StoreError> {
        let row = sqlx::query(
            "SELECT id, email, name, role, available, capacity, disabled FROM agents \
             WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("agent"))?;
        self.agent_from_row(&row).await
    }

    /// Every agent, disabled ones included (an admin may enable them again), by email.
    pub async fn all_agents(&self) -> Result<Vec<Agent>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, email, name, role, available, capacity, disabled FROM agents \
             ORDER BY email",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut agents = Vec::with_capacity(rows.len());
        for row in &rows {
            agents.push(self.agent_from_row(row).await?);
        }
        Ok(agents)
    }

    /// Applies an admin's change to agent `id`. Refuses to leave the desk without an enabled
    /// admin. Disabling an agent ends their sessions and returns their open cases to the queue.
    pub async fn change_agent(&self, id: i64, change: &AgentChange) -> Result<Agent, StoreError> {
        let before = self.agent(id).await?;
        if let Some(capacity) = change.capacity {
            check_capacity(capacity)?;
        }
        let name = change
            .name
            .as_deref()
            .map(|n| {
                let n = n.trim();
                if n.is_empty() || n.chars().count() > 200 {
                    Err(StoreError::Invalid(
                        "an agent's name must be 1 to 200 characters".into(),
                    ))
                } else {
                    Ok(n.to_owned())
                }
            })
            .transpose()?;
        if let Some(groups) = &change.groups {
            if groups.is_empty() {
                return Err(StoreError::Invalid(
                    "an agent needs at least one group".into(),
                ));
            }
            for group in groups {
                if !self.group_exists(group).await? {
                    return Err(StoreError::UnknownGroup(group.clone()));
                }
            }
        }
        let stays_admin = change.role.unwrap_or(before.role) == Role::Admin
            && !change.disabled.unwrap_or(before.disabled);
        let now = now_ms();
        let WriteTx {
            mut tx,
            turn: _turn,
        } = self.begin_write().await?;
        sqlx::query(
            "UPDATE agents SET name = COALESCE($1, name), role = COALESCE($2, role), \
             capacity = COALESCE($3, capacity), available = COALESCE($4, available), \
             disabled = COALESCE($5, disabled), updated_at = $6 WHERE id = $7",
        )
        .bind(name)
        .bind(change.role.map(Role::as_str))
        .bind(change.capacity)
        .bind(change.available.map(i64::from))
        .bind(change.disabled.map(i64::from))
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if before.role == Role::Admin && !before.disabled && !stays_admin {
            let admins: i64 =
                sqlx::query("SELECT COUNT(*) AS n FROM agents WHERE role = $1 AND disabled = 0")
                    .bind(Role::Admin.as_str())
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get("n")?;
            if admins == 0 {
                return Err(StoreError::Conflict(
                    "this is the last enabled admin; make another admin first".into(),
                ));
            }
        }
        if let Some(groups) = &change.groups {
            sqlx::query("DELETE FROM agent_groups WHERE agent_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            for group in groups {
                sqlx::query(
                    "INSERT INTO agent_groups (agent_id, group_id) VALUES ($1, $2) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(id)
                .bind(group.as_str())
                .execute(&mut *tx)
                .await?;
            }
        }
        if change.disabled == Some(true) && !before.disabled {
            sqlx::query("DELETE FROM sessions WHERE agent_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO audit_events (ticket_id, actor_kind, action, old_value, note, \
                 created_at) SELECT id, 'system', 'assign', $1, 'agent disabled', $2 \
                 FROM tickets WHERE assignee_id = $3 AND status IN ('open', 'pending')",
            )
            .bind(&before.email)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE tickets SET assignee_id = NULL, updated_at = $1 \
                 WHERE assignee_id = $2 AND status IN ('open', 'pending')",
            )
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.agent(id).await
    }

    /// An agent's own availability (away = `false`) and, optionally, capacity.
    pub async fn set_availability(
        &self,
        id: i64,
        available: Option<bool>,
        capacity: Option<i64>,
    ) -> Result<Agent, StoreError> {
        if let Some(capacity) = capacity {
            check_capacity(capacity)?;
        }
        sqlx::query(
            "UPDATE agents SET available = COALESCE($1, available), \
             capacity = COALESCE($2, capacity), updated_at = $3 WHERE id = $4",
        )
        .bind(available.map(i64::from))
        .bind(capacity)
        .bind(now_ms())
        .bind(id)
        .execute(&self.pool)
        .await?;
        self.agent(id).await
    }

    /// Creates a group with a display name; `id` is its slug.
    pub async fn create_named_group(&self, id: &str, name: &str) -> Result<Group, StoreError> {
        let name = group_name(name)?;
        self.create_group(id, name).await?;
        self.group(id).await
    }
}

fn group_name(name: &str) -> Result<&str, StoreError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(StoreError::Invalid(
            "a group's name must be 1 to 100 characters".into(),
        ));
    }
    Ok(name)
}

fn check_capacity(capacity: i64) -> Result<(), StoreError> {
    if (0..=MAX_CAPACITY).contains(&capacity) {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "capacity must be 0 to {MAX_CAPACITY}"
        )))
    }
}
