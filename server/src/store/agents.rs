//! Agents: the people who answer escalated cases, and their skill groups.

use protocol::{Agent, Slug};
use sqlx::Row;

use super::{is_unique_violation, now_ms, Store, StoreError, WriteTx};
use crate::domain::Role;
use crate::secret;

/// What it takes to create an agent.
#[derive(Debug, Clone)]
pub struct NewAgent<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub groups: &'a [String],
    pub password: &'a str,
}

impl Store {
    /// Creates an agent with a fresh random password and returns that password, the only time it
    /// exists in clear. Every named group must exist; no groups means the default group.
    pub async fn create_agent(
        &self,
        email: &str,
        name: &str,
        role: Role,
        groups: &[String],
    ) -> Result<String, StoreError> {
        let password = secret::new_password();
        let default_groups = [super::DEFAULT_GROUP.to_owned()];
        self.insert_agent(&NewAgent {
            email,
            name,
            role,
            groups: if groups.is_empty() {
                &default_groups
            } else {
                groups
            },
            password: &password,
        })
        .await?;
        Ok(password)
    }

    /// Creates an agent with the given password; returns its id.
    pub async fn insert_agent(&self, agent: &NewAgent<'_>) -> Result<i64, StoreError> {
        let email = normalize_email(agent.email)?;
        let name = agent.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(StoreError::Invalid(
                "an agent's name must be 1 to 200 characters".into(),
            ));
        }
        for group in agent.groups {
            if !self.group_exists(group).await? {
                return Err(StoreError::UnknownGroup(group.clone()));
            }
        }
        let hash = hash_off_thread(agent.password).await?;

        let capacity = self.desk_config().await?.default_capacity;
        let now = now_ms();
        let WriteTx {
            mut tx,
            turn: _turn,
        } = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO agents (email, name, role, password_hash, capacity, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(&email)
        .bind(name)
        .bind(agent.role.as_str())
        .bind(&hash)
        .bind(capacity)
        .bind(now)
        .fetch_one(&mut *tx)
        .await;
        let id: i64 = match inserted {
            Ok(row) => row.try_get("id")?,
            Err(err) if is_unique_violation(&err) => {
                return Err(StoreError::Conflict(format!(
                    "an agent with email {email} already exists"
                )))
            }
            Err(err) => return Err(err.into()),
        };
        for group in agent.groups {
            sqlx::query(
                "INSERT INTO agent_groups (agent_id, group_id) VALUES ($1, $2) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(group.as_str())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// Replaces the password of agent `agent_id` after checking `current`, and ends every other
    /// session of the agent (`keep` is the session making the change). Answers `false`, changing
    /// nothing, when `current` is wrong.
    pub async fn change_password(
        &self,
        agent_id: i64,
        current: &str,
        new: &str,
        keep: &str,
    ) -> Result<bool, StoreError> {
        check_new_password(new)?;
        let row = sqlx::query("SELECT password_hash FROM agents WHERE id = $1 AND disabled = 0")
            .bind(agent_id)
            .fetch_optional(&self.pool)
            .await?;
        let stored: Option<String> = row.map(|r| r.try_get("password_hash")).transpose()?;
        if !super::sessions::verify_off_thread(current, stored).await? {
            return Ok(false);
        }
        self.set_password(agent_id, new).await?;
        self.end_sessions(agent_id, Some(keep)).await?;
        Ok(true)
    }

    /// Gives agent `agent_id` a fresh random password and ends all its sessions; answers the
    /// password, the only time it exists in clear. Disabled agents may be reset too (they still
    /// cannot sign in until enabled).
    pub async fn reset_password(&self, agent_id: i64) -> Result<(Agent, String), StoreError> {
        let agent = self.agent(agent_id).await?;
        let password = secret::new_password();
        self.set_password(agent_id, &password).await?;
        self.end_sessions(agent_id, None).await?;
        Ok((agent, password))
    }

    /// [`Store::reset_password`] by email, for the command line.
    pub async fn reset_password_by_email(
        &self,
        email: &str,
    ) -> Result<(Agent, String), StoreError> {
        let row = sqlx::query("SELECT id FROM agents WHERE email = $1")
            .bind(email.trim().to_lowercase())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("agent"))?;
        self.reset_password(row.try_get("id")?).await
    }

    async fn set_password(&self, agent_id: i64, password: &str) -> Result<(), StoreError> {
        let hash = hash_off_thread(password).await?;
        let done =
            sqlx::query("UPDATE agents SET password_hash = $1, updated_at = $2 WHERE id = $3")
                .bind(hash)
                .bind(now_ms())
                .bind(agent_id)
                .execute(&self.pool)
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("agent"));
        }
        Ok(())
    }

    /// The agent with this email, if any.
    pub async fn agent_by_email(&self, email: &str) -> Result<Option<Agent>, StoreError> {
        let row = sqlx::query(
            "SELECT id, email, name, role, available, capacity, disabled FROM agents \
             WHERE email = $1 AND disabled = 0",
        )
        .bind(email.trim().to_lowercase())
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(row) => Ok(Some(self.agent_from_row(&row).await?)),
            None => Ok(None),
        }
    }

    /// Every enabled agent, by email.
    pub async fn agents(&self) -> Result<Vec<Agent>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, email, name, role, available, capacity, disabled FROM agents \
             WHERE disabled = 0 ORDER BY email",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut agents = Vec::with_capacity(rows.len());
        for row in &rows {
            agents.push(self.agent_from_row(row).await?);
        }
        Ok(agents)
    }

    /// Whether any enabled admin exists.
    pub async fn has_admin(&self) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM agents WHERE role = $1 AND disabled = 0")
            .bind(Role::Admin.as_str())
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }

    /// Creates a skill group; `id` is its slug (lower-case letters, digits, `-`).
    pub async fn create_group(&self, id: &str, name: &str) -> Result<(), StoreError> {
        let id = Slug::parse(id).map_err(|_| {
            StoreError::Invalid(format!(
                "{id:?} is not a group id (lower-case letters, digits and '-')"
            ))
        })?;
        let id = id.as_str();
        let inserted =
            sqlx::query("INSERT INTO skill_groups (id, name, created_at) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(name.trim())
                .bind(now_ms())
                .execute(&self.pool)
                .await;
        match inserted {
            Ok(_) => Ok(()),
            Err(err) if is_unique_violation(&err) => Err(StoreError::Conflict(format!(
                "the group {id} already exists"
            ))),
            Err(err) => Err(err.into()),
        }
    }

    pub(crate) async fn group_exists(&self, id: &str) -> Result<bool, StoreError> {
        Ok(
            sqlx::query("SELECT 1 AS one FROM skill_groups WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .is_some(),
        )
    }

    pub(super) async fn agent_from_row(
        &self,
        row: &sqlx::any::AnyRow,
    ) -> Result<Agent, StoreError> {
        let id: i64 = row.try_get("id")?;
        let groups =
            sqlx::query("SELECT group_id FROM agent_groups WHERE agent_id = $1 ORDER BY group_id")
                .bind(id)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| r.try_get("group_id"))
                .collect::<Result<_, _>>()?;
        Ok(Agent {
            id,
            email: row.try_get("email")?,
            name: row.try_get("name")?,
            role: row.try_get::<String, _>("role")?.parse()?,
            available: row.try_get::<i64, _>("available")? != 0,
            capacity: row.try_get("capacity")?,
            groups,
            disabled: row.try_get::<i64, _>("disabled")? != 0,
        })
    }
}

/// Shortest password an agent may choose: long enough that the login throttle, not luck, is what
/// stands between a guesser and the account.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted anywhere (the login endpoint refuses longer ones before hashing).
pub const MAX_PASSWORD_CHARS: usize = 1024;

fn check_new_password(password: &str) -> Result<(), StoreError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS || password.len() > MAX_PASSWORD_CHARS {
        return Err(StoreError::Invalid(format!(
            "a password must be {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters"
        )));
    }
    if password.trim().is_empty() {
        return Err(StoreError::Invalid(
            "a password cannot be only spaces".into(),
        ));
    }
    Ok(())
}

/// An argon2id hash of `password`, computed on a blocking thread.
async fn hash_off_thread(password: &str) -> Result<String, StoreError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || secret::hash_password(&password))
        .await
        .map_err(|e| StoreError::PasswordHash(e.to_string()))?
        .map_err(|e| StoreError::PasswordHash(e.to_string()))
}

/// Lower-cased, trimmed, and plausibly an address (one `@` with text on both sides).
fn normalize_email(email: &str) -> Result<String, StoreError> {
    let email = email.trim().to_lowercase();
    let plausible = email.len() <= 254
        && matches!(email.split_once('@'), Some((local, domain))
            if !local.is_empty() && !domain.is_empty() && !domain.contains('@'))
        && !email.chars().any(char::is_whitespace);
    if plausible {
        Ok(email)
    } else {
        Err(StoreError::Invalid(format!(
            "{email:?} is not an email address"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalized_or_refused() {
        assert_eq!(
            normalize_email(" Ann@Example.COM ").unwrap(),
            "ann@example.com"
        );
        for bad in [
            "",
            "ann",
            "@example.com",
            "ann@",
            "a@b@c",
            "an n@example.com",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad}");
        }
    }
}
