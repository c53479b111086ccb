//! Canned responses: reusable Markdown replies an agent inserts with a `/shortcut`.
//!
//! A response is global (`group` is `None`, every agent sees it) or belongs to one skill group
//! (only that group's agents see it). Who may write which is the HTTP layer's rule; here a
//! shortcut is unique across all responses, so `/refund` means one thing in every composer.

use protocol::CannedResponse;
use sqlx::Row;

use super::{is_unique_violation, now_ms, Store, StoreError};

/// A canned response as written.
#[derive(Debug, Clone)]
pub struct CannedDraft {
    pub shortcut: String,
    pub title: String,
    pub body: String,
    pub group: Option<String>,
}

impl CannedDraft {
    /// The draft with its shortcut normalized (no leading `/`, lower case), or why it is refused.
    fn validated(&self) -> Result<CannedDraft, StoreError> {
        let shortcut = self.shortcut.trim().trim_start_matches('/').to_lowercase();
        let valid = !shortcut.is_empty()
            && shortcut.len() <= 32
            && shortcut
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(StoreError::Invalid(
                "shortcut must be 1 to 32 letters, digits, '-' or '_'".into(),
            ));
        }
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            return Err(StoreError::Invalid(
                "title must be 1 to 200 characters".into(),
            ));
        }
        let body = self.body.trim();
        if body.is_empty() || body.chars().count() > 10_000 {
            return Err(StoreError::Invalid(
                "body must be 1 to 10000 characters".into(),
            ));
        }
        Ok(CannedDraft {
            shortcut,
            title: title.to_owned(),
            body: body.to_owned(),
            group: self.group.clone(),
        })
    }
}

const SELECT: &str = "SELECT c.id, c.shortcut, c.title, c.body, c.group_id, c.updated_at, \
     a.email AS created_by FROM canned_responses c LEFT JOIN agents a ON a.id = c.created_by";

impl Store {
    /// The canned responses an agent in `groups` sees (every one with `None`), by shortcut.
    pub async fn canned_responses(
        &self,
        groups: Option<&[String]>,
    ) -> Result<Vec<CannedResponse>, StoreError> {
        let rows = sqlx::query(&format!("{SELECT} ORDER BY c.shortcut"))
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::new();
        for row in &rows {
            let canned = canned_from_row(row)?;
            let visible = match (groups, &canned.group) {
                (None, _) | (_, None) => true,
                (Some(groups), Some(group)) => groups.contains(group),
            };
            if visible {
                out.push(canned);
            }
        }
        Ok(out)
    }

    /// The canned response with this id.
    pub async fn canned_response(&self, id: i64) -> Result<CannedResponse, StoreError> {
        let row = sqlx::query(&format!("{SELECT} WHERE c.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("canned response"))?;
        canned_from_row(&row)
    }

    /// Creates a canned response written by agent `author`.
    pub async fn create_canned(
        &self,
        draft: &CannedDraft,
        author: i64,
    ) -> Result<CannedResponse, StoreError> {
        let draft = self.checked(draft).await?;
        let now = now_ms();
        let inserted = sqlx::query(
            "INSERT INTO canned_responses (shortcut, title, body, group_id, created_by, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(&draft.shortcut)
        .bind(&draft.title)
        .bind(&draft.body)
        .bind(draft.group.as_deref())
        .bind(author)
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .map_err(|err| duplicate_shortcut(err, &draft.shortcut))?;
        self.canned_response(inserted.try_get("id")?).await
    }

    /// Replaces canned response `id` with `draft`.
    pub async fn update_canned(
        &self,
        id: i64,
        draft: &CannedDraft,
    ) -> Result<CannedResponse, StoreError> {
        let draft = self.checked(draft).await?;
        let updated = sqlx::query(
            "UPDATE canned_responses SET shortcut = $1, title = $2, body = $3, group_id = $4, \
             updated_at = $5 WHERE id = $6",
        )
        .bind(&draft.shortcut)
        .bind(&draft.title)
        .bind(&draft.body)
        .bind(draft.group.as_deref())
        .bind(now_ms())
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(|err| duplicate_shortcut(err, &draft.shortcut))?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound("canned response"));
        }
        self.canned_response(id).await
    }

    /// Deletes canned response `id`.
    pub async fn delete_canned(&self, id: i64) -> Result<(), StoreError> {
        let deleted = sqlx::query("DELETE FROM canned_responses WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        if deleted.rows_affected() == 0 {
            return Err(StoreError::NotFound("canned response"));
        }
        Ok(())
    }

    async fn checked(&self, draft: &CannedDraft) -> Result<CannedDraft, StoreError> {
        let draft = draft.validated()?;
        if let Some(group) = &draft.group {
            if !self.group_exists(group).await? {
                return Err(StoreError::UnknownGroup(group.clone()));
            }
        }
        Ok(draft)
    }
}

fn duplicate_shortcut(err: sqlx::Error, shortcut: &str) -> StoreError {
    if is_unique_violation(&err) {
        StoreError::Conflict(format!("the shortcut /{shortcut} is already taken"))
    } else {
        err.into()
    }
}

fn canned_from_row(row: &sqlx::any::AnyRow) -> Result<CannedResponse, StoreError> {
    Ok(CannedResponse {
        id: row.try_get("id")?,
        shortcut: row.try_get("shortcut")?,
        title: row.try_get("title")?,
        body: row.try_get("body")?,
        group: row.try_get("group_id")?,
        created_by: row.try_get("created_by")?,
        updated_at: row.try_get("updated_at")?,
    })
}
