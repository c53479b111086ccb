//! Agent sign-in: password check and server-side sessions.
//!
//! A session is a random secret in the agent's cookie; only its digest is stored, with a fixed
//! expiry. Ending sessions (sign-out, password change or reset, disabling) deletes their rows, so
//! the next request or event-stream re-check with that cookie is refused.

use std::time::Duration;

use sqlx::Row;

use super::Agent;
use super::{now_ms, Store, StoreError};
use crate::secret;

/// How long a session lasts without signing in again, unless the server is configured otherwise.
pub const SESSION_TTL_MS: i64 = 12 * 60 * 60 * 1000;

/// A verified sign-in: the agent and the session secret for its cookie.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub agent: Agent,
    pub token: String,
}

impl Store {
    /// Checks `password` against the agent's argon2id hash and opens a session lasting `ttl`.
    ///
    /// An unknown email costs the same hashing work as a wrong password, so response times do
    /// not reveal which addresses have accounts. The hashing runs on a blocking thread; callers
    /// bound how many run at once (each takes about 19 MiB).
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        ttl: Duration,
    ) -> Result<Option<NewSession>, StoreError> {
        let row = sqlx::query("SELECT password_hash FROM agents WHERE email = $1 AND disabled = 0")
            .bind(email.trim().to_lowercase())
            .fetch_optional(&self.pool)
            .await?;
        let stored: Option<String> = row.map(|r| r.try_get("password_hash")).transpose()?;
        if !verify_off_thread(password, stored).await? {
            return Ok(None);
        }
        let Some(agent) = self.agent_by_email(email).await? else {
            return Ok(None);
        };
        let token = self.open_session(agent.id, ttl).await?;
        Ok(Some(NewSession { agent, token }))
    }

    /// A new session for agent `agent_id`; answers its secret.
    async fn open_session(&self, agent_id: i64, ttl: Duration) -> Result<String, StoreError> {
        let token = secret::new_token();
        let now = now_ms();
        let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(SESSION_TTL_MS);
        sqlx::query(
            "INSERT INTO sessions (token_hash, csrf_hash, agent_id, created_at, expires_at, \
             last_seen_at) VALUES ($1, $2, $3, $4, $5, $4)",
        )
        .bind(secret::digest(&token))
        .bind(secret::digest(&secret::csrf_token(&token)))
        .bind(agent_id)
        .bind(now)
        .bind(now.saturating_add(ttl_ms))
        .execute(&self.pool)
        .await?;
        Ok(token)
    }

    /// The agent signed in with session `token`, if the session exists and has not expired.
    pub async fn session_agent(&self, token: &str) -> Result<Option<Agent>, StoreError> {
        let row = sqlx::query(
            "SELECT a.email FROM sessions s JOIN agents a ON a.id = s.agent_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.disabled = 0",
        )
        .bind(secret::digest(token))
        .bind(now_ms())
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(row) => {
                self.agent_by_email(&row.try_get::<String, _>("email")?)
                    .await
            }
            None => Ok(None),
        }
    }

    /// Ends the session `token` (nothing happens if it does not exist).
    pub async fn logout(&self, token: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1 OR expires_at <= $2")
            .bind(secret::digest(token))
            .bind(now_ms())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends every session of agent `agent_id` except `keep` (the one making the change, if any);
    /// answers how many ended.
    pub async fn end_sessions(&self, agent_id: i64, keep: Option<&str>) -> Result<u64, StoreError> {
        let keep = keep.map(secret::digest).unwrap_or_default();
        let done = sqlx::query("DELETE FROM sessions WHERE agent_id = $1 AND token_hash <> $2")
            .bind(agent_id)
            .bind(keep)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// Deletes the sessions that have expired; answers how many. Expired sessions already grant
    /// nothing; purging keeps the table (and what a stolen database copy holds) small.
    pub async fn purge_expired_sessions(&self) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now_ms())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// How many sessions of agent `agent_id` are still valid (for the admin pages and tests).
    pub async fn live_sessions(&self, agent_id: i64) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM sessions WHERE agent_id = $1 AND expires_at > $2",
        )
        .bind(agent_id)
        .bind(now_ms())
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("n")?)
    }
}

/// Verifies `password` against `stored` (or, without one, against a hash nothing matches, to
/// spend the same time) on a blocking thread.
pub(super) async fn verify_off_thread(
    password: &str,
    stored: Option<String>,
) -> Result<bool, StoreError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || match stored {
        Some(hash) => secret::verify_password(&password, &hash),
        None => {
            secret::verify_password(&password, secret::UNUSABLE_HASH);
            false
        }
    })
    .await
    .map_err(|e| StoreError::PasswordHash(e.to_string()))
}
