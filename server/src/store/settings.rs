//! Desk-wide settings an admin changes at run time, kept in the `settings` table.
//!
//! Each top-level field of [`DeskConfig`] is one row (`key`, JSON `value`), so a new setting is a
//! new row, not a migration. A missing row means the built-in default; a row that no longer
//! parses (edited by hand) is ignored with a warning rather than taking the desk down.
//!
//! Escalations and queue runs read the settings on every request, so they use
//! [`Store::current_desk_config`]: the settings as last read, at most [`CachedConfig::MAX_AGE`]
//! old. A change made through this store replaces them at once; one made through another server
//! instance shows up within `MAX_AGE`.

use std::sync::Mutex;
use std::time::{Duration, Instant};

#[cfg(test)]
use protocol::SlaMinutes;
use protocol::MAX_EVENT_RETENTION_DAYS;
pub use protocol::{ConfigChange, DeskConfig};
use sqlx::Row;

use super::{now_ms, Store, StoreError, WriteTx};
#[cfg(test)]
use crate::domain::Priority;

/// Largest capacity an agent can be given: more open cases than anyone can hold is a typo.
pub const MAX_CAPACITY: i64 = 100;
/// Longest first-response target, in minutes (30 days).
const MAX_SLA_MINUTES: i64 = 30 * 24 * 60;

/// Refuses a change outside the ranges the desk works with.
fn validate(change: &ConfigChange) -> Result<(), StoreError> {
    if let Some(capacity) = change.default_capacity {
        if !(0..=MAX_CAPACITY).contains(&capacity) {
            return Err(StoreError::Invalid(format!(
                "default_capacity must be 0 to {MAX_CAPACITY}"
            )));
        }
    }
    if let Some(sla) = &change.sla_minutes {
        for (name, minutes) in [
            ("low", sla.low),
            ("normal", sla.normal),
            ("high", sla.high),
            ("urgent", sla.urgent),
        ] {
            if !(1..=MAX_SLA_MINUTES).contains(&minutes) {
                return Err(StoreError::Invalid(format!(
                    "sla_minutes.{name} must be 1 to {MAX_SLA_MINUTES}"
                )));
            }
        }
    }
    if let Some(days) = change.event_retention_days {
        if !(1..=MAX_EVENT_RETENTION_DAYS).contains(&days) {
            return Err(StoreError::Invalid(format!(
                "event_retention_days must be 1 to {MAX_EVENT_RETENTION_DAYS}"
            )));
        }
    }
    Ok(())
}

/// The settings as last read, and when.
#[derive(Debug, Default)]
pub(super) struct CachedConfig {
    state: Mutex<CacheState>,
}

#[derive(Debug, Default)]
struct CacheState {
    config: Option<(Instant, DeskConfig)>,
    /// Bumped by every change, so a read that began before a change cannot store what it read.
    generation: u64,
}

impl CachedConfig {
    /// How long settings read from the database are used without reading them again.
    pub(super) const MAX_AGE: Duration = Duration::from_secs(5);

    fn lock(&self) -> std::sync::MutexGuard<'_, CacheState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Store {
    /// The settings, from memory when they were read less than [`CachedConfig::MAX_AGE`] ago.
    pub(crate) async fn current_desk_config(&self) -> Result<DeskConfig, StoreError> {
        if let Some((read_at, config)) = &self.settings.lock().config {
            if read_at.elapsed() < CachedConfig::MAX_AGE {
                return Ok(config.clone());
            }
        }
        self.desk_config().await
    }

    /// The current settings: stored values over the defaults, read from the database.
    pub async fn desk_config(&self) -> Result<DeskConfig, StoreError> {
        let generation = self.settings.lock().generation;
        let config = self.read_desk_config().await?;
        let mut cache = self.settings.lock();
        if cache.generation == generation {
            cache.config = Some((Instant::now(), config.clone()));
        }
        Ok(config)
    }

    async fn read_desk_config(&self) -> Result<DeskConfig, StoreError> {
        let rows = sqlx::query("SELECT key, value FROM settings")
            .fetch_all(&self.pool)
            .await?;
        let mut config = DeskConfig::default();
        for row in &rows {
            let key: String = row.try_get("key")?;
            let value: String = row.try_get("value")?;
            let applied = match key.as_str() {
                "auto_assign" => serde_json::from_str(&value).map(|v| config.auto_assign = v),
                "default_capacity" => {
                    serde_json::from_str(&value).map(|v| config.default_capacity = v)
                }
                "sla_minutes" => serde_json::from_str(&value).map(|v| config.sla_minutes = v),
                "event_retention_days" => {
                    serde_json::from_str(&value).map(|v| config.event_retention_days = v)
                }
                _ => Ok(()), // a setting of another version; not ours to judge
            };
            if let Err(err) = applied {
                tracing::warn!(%key, error = %err, "ignoring an unreadable setting");
            }
        }
        Ok(config)
    }

    /// Validates and stores `change`; answers the settings after it.
    pub async fn change_desk_config(
        &self,
        change: &ConfigChange,
    ) -> Result<DeskConfig, StoreError> {
        validate(change)?;
        let mut values: Vec<(&str, String)> = Vec::new();
        if let Some(v) = change.auto_assign {
            values.push(("auto_assign", v.to_string()));
        }
        if let Some(v) = change.default_capacity {
            values.push(("default_capacity", v.to_string()));
        }
        if let Some(v) = &change.sla_minutes {
            values.push(("sla_minutes", serde_json::to_string(v).unwrap_or_default()));
        }
        if let Some(v) = change.event_retention_days {
            values.push(("event_retention_days", v.to_string()));
        }
        let now = now_ms();
        let WriteTx {
            mut tx,
            turn: _turn,
        } = self.begin_write().await?;
        for (key, value) in values {
            sqlx::query(
                "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, \
                 updated_at = excluded.updated_at",
            )
            .bind(key)
            .bind(value)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        {
            let mut cache = self.settings.lock();
            cache.generation += 1;
            cache.config = None;
        }
        self.desk_config().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_priorities() {
        let config = DeskConfig::default();
        assert_eq!(config.sla_minutes.urgent, 60);
        assert_eq!(config.sla_minutes.low, 72 * 60);
        assert_eq!(
            config.sla_minutes.target_ms(Priority::Normal),
            Priority::Normal.first_response_target_ms()
        );
    }

    #[test]
    fn out_of_range_values_are_refused() {
        let change = ConfigChange {
            default_capacity: Some(-1),
            ..Default::default()
        };
        assert!(validate(&change).is_err());
        let change = ConfigChange {
            sla_minutes: Some(SlaMinutes {
                low: 0,
                normal: 1,
                high: 1,
                urgent: 1,
            }),
            ..Default::default()
        };
        assert!(validate(&change).is_err());
        for days in [0, 3651] {
            let change = ConfigChange {
                event_retention_days: Some(days),
                ..Default::default()
            };
            assert!(validate(&change).is_err(), "{days} days");
        }
    }
}
