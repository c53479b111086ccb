//! Each site's knowledge base: its source files, byte for byte, and its published snapshots.
//!
//! The files are the truth (`kb import` stores a folder as it is, `kb export` writes it back);
//! the editor rewrites one file per change, compare-and-swap on the file's bytes, so two admins
//! saving at once cannot lose each other's edit silently. Every change writes an audit event
//! (`audit_events` with the site and no ticket) in the same transaction.

use std::collections::BTreeMap;

use protocol::KbVersion;
use sqlx::Row;

use super::{now_ms, Store, StoreError};

/// Snapshots kept per site for rollback; the served one is never dropped.
pub const KEPT_VERSIONS: i64 = 10;

/// Who changed a knowledge base and what, for the audit log.
#[derive(Debug, Clone)]
pub struct KbAudit {
    /// The admin; `None` for the command line (`kb import`).
    pub agent_id: Option<i64>,
    /// `kb.create`, `kb.update`, `kb.retire`, `kb.import`, `kb.publish`, `kb.rollback`.
    pub action: &'static str,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    /// What was changed, in words (`en/orders.yaml: returns-window (en)`).
    pub note: Option<String>,
}

/// One file's change: its bytes before (`None`: a new file) and after (`None`: removed).
#[derive(Debug, Clone)]
pub struct KbFileChange {
    pub path: String,
    pub before: Option<Vec<u8>>,
    pub after: Option<Vec<u8>>,
}

/// A snapshot to store as a site's served version.
#[derive(Debug, Clone)]
pub struct NewKbVersion {
    pub snapshot: Vec<u8>,
    pub brotli: Vec<u8>,
    pub gzip: Vec<u8>,
    pub digest: String,
    pub entry_count: i64,
    pub published_by: String,
}

/// A stored version's bytes, as `GET /kb.snapshot?site=` sends them.
#[derive(Debug, Clone)]
pub struct KbVersionBytes {
    pub id: i64,
    pub digest: String,
    pub snapshot: Vec<u8>,
    pub brotli: Vec<u8>,
    pub gzip: Vec<u8>,
}

impl Store {
    /// Every file of the site's knowledge base, by path (empty when none was imported).
    pub async fn kb_files(&self, site: &str) -> Result<BTreeMap<String, Vec<u8>>, StoreError> {
        let rows = sqlx::query("SELECT path, content FROM kb_files WHERE site_id = $1")
            .bind(site)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("path")?, row.try_get("content")?)))
            .collect()
    }

    /// Replaces the site's whole knowledge base with `files` (`kb import`), in one transaction.
    pub async fn replace_kb_files(
        &self,
        site: &str,
        files: &BTreeMap<String, Vec<u8>>,
        audit: KbAudit,
    ) -> Result<(), StoreError> {
        self.known_site(site).await?;
        let now = now_ms();
        let mut write = self.begin_write().await?;
        sqlx::query("DELETE FROM kb_files WHERE site_id = $1")
            .bind(site)
            .execute(&mut *write.tx)
            .await?;
        for (path, content) in files {
            sqlx::query(
                "INSERT INTO kb_files (site_id, path, content, updated_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(site)
            .bind(path)
            .bind(content.as_slice())
            .bind(now)
            .execute(&mut *write.tx)
            .await?;
        }
        record(&mut write.tx, site, &audit, now).await?;
        write.tx.commit().await?;
        Ok(())
    }

    /// Applies `change` if the file still holds `change.before`; a file changed meanwhile is a
    /// [`StoreError::Conflict`] and nothing is written.
    pub async fn change_kb_file(
        &self,
        site: &str,
        change: &KbFileChange,
        audit: KbAudit,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        let mut write = self.begin_write().await?;
        let current: Option<Vec<u8>> =
            sqlx::query("SELECT content FROM kb_files WHERE site_id = $1 AND path = $2")
                .bind(site)
                .bind(&change.path)
                .fetch_optional(&mut *write.tx)
                .await?
                .map(|row| row.try_get("content"))
                .transpose()?;
        if current != change.before {
            return Err(StoreError::Conflict(format!(
                "{} was changed by someone else meanwhile; reload and try again",
                change.path
            )));
        }
        match (&change.before, &change.after) {
            (_, None) => {
                sqlx::query("DELETE FROM kb_files WHERE site_id = $1 AND path = $2")
                    .bind(site)
                    .bind(&change.path)
                    .execute(&mut *write.tx)
                    .await?;
            }
            (None, Some(after)) => {
                sqlx::query(
                    "INSERT INTO kb_files (site_id, path, content, updated_at) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(site)
                .bind(&change.path)
                .bind(after.as_slice())
                .bind(now)
                .execute(&mut *write.tx)
                .await?;
            }
            (Some(_), Some(after)) => {
                sqlx::query(
                    "UPDATE kb_files SET content = $1, updated_at = $2 \
                     WHERE site_id = $3 AND path = $4",
                )
                .bind(after.as_slice())
                .bind(now)
                .bind(site)
                .bind(&change.path)
                .execute(&mut *write.tx)
                .await?;
            }
        }
        record(&mut write.tx, site, &audit, now).await?;
        write.tx.commit().await?;
        Ok(())
    }

    /// Stores `version` as the site's served snapshot and drops the oldest beyond
    /// [`KEPT_VERSIONS`]; answers the new version's id.
    pub async fn publish_kb_version(
        &self,
        site: &str,
        version: &NewKbVersion,
        audit: KbAudit,
    ) -> Result<i64, StoreError> {
        self.known_site(site).await?;
        let now = now_ms();
        let mut write = self.begin_write().await?;
        sqlx::query("UPDATE kb_versions SET served = 0 WHERE site_id = $1 AND served = 1")
            .bind(site)
            .execute(&mut *write.tx)
            .await?;
        let id: i64 = sqlx::query(
            "INSERT INTO kb_versions (site_id, snapshot, brotli, gzip, digest, size, entry_count, \
             published_by, published_at, served) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1) \
             RETURNING id",
        )
        .bind(site)
        .bind(version.snapshot.as_slice())
        .bind(version.brotli.as_slice())
        .bind(version.gzip.as_slice())
        .bind(&version.digest)
        .bind(version.snapshot.len() as i64)
        .bind(version.entry_count)
        .bind(&version.published_by)
        .bind(now)
        .fetch_one(&mut *write.tx)
        .await?
        .try_get("id")?;
        sqlx::query(
            "DELETE FROM kb_versions WHERE site_id = $1 AND served = 0 AND id NOT IN \
             (SELECT id FROM kb_versions WHERE site_id = $1 ORDER BY id DESC LIMIT $2)",
        )
        .bind(site)
        .bind(KEPT_VERSIONS)
        .execute(&mut *write.tx)
        .await?;
        let audit = KbAudit {
            new_value: Some(id.to_string()),
            ..audit
        };
        record(&mut write.tx, site, &audit, now).await?;
        write.tx.commit().await?;
        Ok(id)
    }

    /// Serves the kept version `id` of `site` again.
    pub async fn serve_kb_version(
        &self,
        site: &str,
        id: i64,
        audit: KbAudit,
    ) -> Result<KbVersion, StoreError> {
        let now = now_ms();
        let mut write = self.begin_write().await?;
        let previous: Option<i64> =
            sqlx::query("SELECT id FROM kb_versions WHERE site_id = $1 AND served = 1")
                .bind(site)
                .fetch_optional(&mut *write.tx)
                .await?
                .map(|row| row.try_get("id"))
                .transpose()?;
        let exists = sqlx::query("SELECT id FROM kb_versions WHERE site_id = $1 AND id = $2")
            .bind(site)
            .bind(id)
            .fetch_optional(&mut *write.tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound("knowledge-base version"));
        }
        sqlx::query("UPDATE kb_versions SET served = CASE WHEN id = $1 THEN 1 ELSE 0 END WHERE site_id = $2")
            .bind(id)
            .bind(site)
            .execute(&mut *write.tx)
            .await?;
        let audit = KbAudit {
            old_value: previous.map(|p| p.to_string()),
            new_value: Some(id.to_string()),
            ..audit
        };
        record(&mut write.tx, site, &audit, now).await?;
        write.tx.commit().await?;
        self.kb_versions(site)
            .await?
            .into_iter()
            .find(|v| v.id == id)
            .ok_or(StoreError::NotFound("knowledge-base version"))
    }

    /// The site's kept versions, newest first.
    pub async fn kb_versions(&self, site: &str) -> Result<Vec<KbVersion>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, published_by, published_at, size, entry_count, served FROM kb_versions \
             WHERE site_id = $1 ORDER BY id DESC",
        )
        .bind(site)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(KbVersion {
                    id: row.try_get("id")?,
                    published_by: row.try_get("published_by")?,
                    published_at: row.try_get("published_at")?,
                    size: row.try_get("size")?,
                    entry_count: row.try_get("entry_count")?,
                    served: row.try_get::<i64, _>("served")? == 1,
                })
            })
            .collect()
    }

    /// The id and digest of the version the site serves, if it published one: cheap, asked on
    /// every snapshot request so that every instance serves the same version.
    pub async fn served_kb_version(&self, site: &str) -> Result<Option<(i64, String)>, StoreError> {
        let row =
            sqlx::query("SELECT id, digest FROM kb_versions WHERE site_id = $1 AND served = 1")
                .bind(site)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|row| Ok((row.try_get("id")?, row.try_get("digest")?)))
            .transpose()
    }

    /// A kept version's bytes.
    pub async fn kb_version_bytes(&self, id: i64) -> Result<KbVersionBytes, StoreError> {
        let row =
            sqlx::query("SELECT id, digest, snapshot, brotli, gzip FROM kb_versions WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound("knowledge-base version"))?;
        Ok(KbVersionBytes {
            id: row.try_get("id")?,
            digest: row.try_get("digest")?,
            snapshot: row.try_get("snapshot")?,
            brotli: row.try_get("brotli")?,
            gzip: row.try_get("gzip")?,
        })
    }

    /// The knowledge-base audit events of a site, newest first: (action, agent's email or
    /// `None` for the command line, note, unix ms).
    pub async fn kb_audit(
        &self,
        site: &str,
    ) -> Result<Vec<(String, Option<String>, Option<String>, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.action, a.email, e.note, e.created_at FROM audit_events e \
             LEFT JOIN agents a ON a.id = e.agent_id WHERE e.site_id = $1 ORDER BY e.id DESC",
        )
        .bind(site)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get("action")?,
                    row.try_get("email")?,
                    row.try_get("note")?,
                    row.try_get("created_at")?,
                ))
            })
            .collect()
    }

    async fn known_site(&self, site: &str) -> Result<(), StoreError> {
        match self.site(site).await? {
            Some(_) => Ok(()),
            None => Err(StoreError::UnknownSite(site.to_owned())),
        }
    }
}

async fn record(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    site: &str,
    audit: &KbAudit,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_events (site_id, actor_kind, agent_id, action, old_value, new_value, \
         note, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(site)
    .bind(if audit.agent_id.is_some() {
        "agent"
    } else {
        "system"
    })
    .bind(audit.agent_id)
    .bind(audit.action)
    .bind(audit.old_value.as_deref())
    .bind(audit.new_value.as_deref())
    .bind(audit.note.as_deref())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
