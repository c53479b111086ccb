//! Sites: the host websites that embed the widget, each with its origin allow-list.

use sqlx::Row;

use super::{Store, StoreError};
use crate::origin::OriginPattern;

/// A host website that may escalate to the desk.
#[derive(Debug, Clone)]
pub struct Site {
    pub id: String,
    pub name: String,
    pub allowed_origins: Vec<OriginPattern>,
    /// Key for verifying visitor identity tokens; `None` means identities are never verified.
    pub identity_secret: Option<String>,
    /// Where escalations go when they name no group.
    pub default_group_id: Option<String>,
}

impl Site {
    /// Whether a browser at `origin` may call this site's visitor endpoints.
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.allowed_origins.iter().any(|p| p.matches(origin))
    }
}

impl Store {
    /// Every site, ordered by id.
    pub async fn sites(&self) -> Result<Vec<Site>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, allowed_origins, identity_secret, default_group_id \
             FROM sites ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(site_from_row).collect()
    }

    /// The site with this id, if any.
    pub async fn site(&self, id: &str) -> Result<Option<Site>, StoreError> {
        let row = sqlx::query(
            "SELECT id, name, allowed_origins, identity_secret, default_group_id \
             FROM sites WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(site_from_row).transpose()
    }

    /// Sets or clears the key visitor identities of `site` are signed with.
    pub async fn set_identity_secret(
        &self,
        site: &str,
        secret: Option<&str>,
    ) -> Result<(), StoreError> {
        let updated = sqlx::query("UPDATE sites SET identity_secret = $1 WHERE id = $2")
            .bind(secret)
            .bind(site)
            .execute(&self.pool)
            .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::UnknownSite(site.to_owned()));
        }
        Ok(())
    }
}

fn site_from_row(row: &sqlx::any::AnyRow) -> Result<Site, StoreError> {
    let id: String = row.try_get("id")?;
    let origins: String = row.try_get("allowed_origins")?;
    let origins: Vec<String> = serde_json::from_str(&origins)
        .map_err(|e| StoreError::Corrupt(format!("site {id}: allowed_origins: {e}")))?;
    let allowed_origins = origins
        .iter()
        .map(|o| o.parse())
        .collect::<Result<_, _>>()
        .map_err(|e| StoreError::Corrupt(format!("site {id}: {e}")))?;
    Ok(Site {
        name: row.try_get("name")?,
        allowed_origins,
        identity_secret: row.try_get("identity_secret")?,
        default_group_id: row.try_get("default_group_id")?,
        id,
    })
}

/// The JSON stored in `sites.allowed_origins`.
pub(super) fn origins_json(origins: &[OriginPattern]) -> String {
    let texts: Vec<String> = origins.iter().map(ToString::to_string).collect();
    serde_json::Value::from(texts).to_string()
}
