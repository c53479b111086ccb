//! Agent sign-in: password check and server-side sessions.

use sqlx::Row;

use super::agents::Agent;
use super::{now_ms, Store, StoreError};
use crate::secret;

/// How long a session lasts without signing in again.
pub const SESSION_TTL_MS: i64 = 12 * 60 * 60 * 1000;

/// A verified sign-in: the agent and the session secret for its cookie.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub agent: Agent,
    pub token: String,
}

impl Store {
    /// Checks `password` against the agent's argon2id hash and opens a session.
    ///
    /// An unknown email costs the same hashing work as a wrong password, so response times do
    /// not reveal which addresses have accounts.
    pub async fn login(
        &self,
        email: &str,
        password: &str,
    ) -> Result<Option<NewSession>, StoreError> {
        let row = sqlx::query("SELECT password_hash FROM agents WHERE email = $1 AND disabled = 0")
            .bind(email.trim().to_lowercase())
            .fetch_optional(&self.pool)
            .await?;
        let stored: Option<String> = row.map(|r| r.try_get("password_hash")).transpose()?;
        let password = password.to_owned();
        let verified = tokio::task::spawn_blocking(move || match stored {
            Some(hash) => secret::verify_password(&password, &hash),
            None => {
                secret::verify_password(&password, secret::UNUSABLE_HASH);
                false
            }
        })
        .await
        .map_err(|e| StoreError::PasswordHash(e.to_string()))?;
        if !verified {
            return Ok(None);
        }
        let Some(agent) = self.agent_by_email(email).await? else {
            return Ok(None);
        };
        let token = secret::new_token();
        let now = now_ms();
        sqlx::query(
            "INSERT INTO sessions (token_hash, csrf_hash, agent_id, created_at, expires_at, \
             last_seen_at) VALUES ($1, $2, $3, $4, $5, $4)",
        )
        .bind(secret::digest(&token))
        .bind(secret::digest(&secret::csrf_token(&token)))
        .bind(agent.id)
        .bind(now)
        .bind(now + SESSION_TTL_MS)
        .execute(&self.pool)
        .await?;
        Ok(Some(NewSession { agent, token }))
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
}
