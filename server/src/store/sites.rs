//! Sites: the host websites that embed the widget, each with its origin allow-list.

use protocol::Slug;
use sqlx::Row;

use super::{is_unique_violation, now_ms, Store, StoreError};
use crate::origin::OriginPattern;

/// A host website that may escalate to the desk.
#[derive(Debug, Clone)]
pub struct Site {
    pub id: String,
    pub name: String,
    pub allowed_origins: Vec<OriginPattern>,
    /// Key for verifying visitor identity tokens; `None` means identities are never verified.
    pub identity_secret: Option<String>,
    /// Where escalations go when they name no group, or one the site does not offer.
    pub default_group_id: Option<String>,
    /// The skill groups an escalation to this site may name. The visitor's browser sends the
    /// group, so without this list anyone could route a ticket into any queue (say, a VIP
    /// group's); a group not listed here routes to [`Site::default_group_id`].
    pub visitor_groups: Vec<String>,
}

impl Site {
    /// Whether a browser at `origin` may call this site's visitor endpoints.
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.allowed_origins.iter().any(|p| p.matches(origin))
    }

    /// The group an escalation that asked for `requested` goes to: the requested one when this
    /// site offers it to visitors, else the site's default.
    pub fn group_for(&self, requested: Option<&str>) -> Option<String> {
        match requested {
            Some(group) if self.visitor_groups.iter().any(|g| g == group) => Some(group.to_owned()),
            _ => self.default_group_id.clone(),
        }
    }
}

impl Store {
    /// Every site, ordered by id.
    pub async fn sites(&self) -> Result<Vec<Site>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, allowed_origins, identity_secret, default_group_id, visitor_groups \
             FROM sites ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(site_from_row).collect()
    }

    /// The site with this id, if any.
    pub async fn site(&self, id: &str) -> Result<Option<Site>, StoreError> {
        let row = sqlx::query(
            "SELECT id, name, allowed_origins, identity_secret, default_group_id, visitor_groups \
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

/// A site as an admin writes it.
#[derive(Debug, Clone)]
pub struct SiteDraft {
    pub id: String,
    pub name: String,
    pub allowed_origins: Vec<OriginPattern>,
    pub default_group_id: Option<String>,
    /// The groups visitors may name ([`Site::visitor_groups`]); `None` keeps the current list
    /// when updating (an admin page that does not know the field leaves it alone).
    pub visitor_groups: Option<Vec<String>>,
}

impl Store {
    /// Registers a new site (no identity secret yet).
    pub async fn create_site(&self, draft: &SiteDraft) -> Result<Site, StoreError> {
        let (id, name) = self.checked_site(draft).await?;
        let now = now_ms();
        let inserted = sqlx::query(
            "INSERT INTO sites (id, name, allowed_origins, default_group_id, visitor_groups, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(&id)
        .bind(&name)
        .bind(origins_json(&draft.allowed_origins))
        .bind(draft.default_group_id.as_deref())
        .bind(groups_json(
            draft.visitor_groups.as_deref().unwrap_or_default(),
        ))
        .bind(now)
        .execute(&self.pool)
        .await;
        match inserted {
            Ok(_) => {}
            Err(err) if is_unique_violation(&err) => {
                return Err(StoreError::Conflict(format!(
                    "the site {id} already exists"
                )))
            }
            Err(err) => return Err(err.into()),
        }
        self.site(&id).await?.ok_or(StoreError::NotFound("site"))
    }

    /// Replaces an existing site's name, origins and default group (its secret stays).
    pub async fn update_site(&self, draft: &SiteDraft) -> Result<Site, StoreError> {
        let (id, name) = self.checked_site(draft).await?;
        let updated = sqlx::query(
            "UPDATE sites SET name = $1, allowed_origins = $2, default_group_id = $3, \
             updated_at = $4 WHERE id = $5",
        )
        .bind(&name)
        .bind(origins_json(&draft.allowed_origins))
        .bind(draft.default_group_id.as_deref())
        .bind(now_ms())
        .bind(&id)
        .execute(&self.pool)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound("site"));
        }
        if let Some(groups) = &draft.visitor_groups {
            sqlx::query("UPDATE sites SET visitor_groups = $1 WHERE id = $2")
                .bind(groups_json(groups))
                .bind(&id)
                .execute(&self.pool)
                .await?;
        }
        self.site(&id).await?.ok_or(StoreError::NotFound("site"))
    }

    async fn checked_site(&self, draft: &SiteDraft) -> Result<(String, String), StoreError> {
        let id = Slug::parse(&draft.id).map_err(|_| {
            StoreError::Invalid(format!(
                "{:?} is not a site id (1 to 64 lower-case letters, digits and '-')",
                draft.id.trim()
            ))
        })?;
        let id = id.as_str();
        let name = draft.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(StoreError::Invalid(
                "a site's name must be 1 to 200 characters".into(),
            ));
        }
        if draft.allowed_origins.len() > 100 {
            return Err(StoreError::Invalid(
                "at most 100 allowed origins per site".into(),
            ));
        }
        if let Some(group) = &draft.default_group_id {
            if !self.group_exists(group).await? {
                return Err(StoreError::UnknownGroup(group.clone()));
            }
        }
        let visitor_groups = draft.visitor_groups.as_deref().unwrap_or_default();
        if visitor_groups.len() > 100 {
            return Err(StoreError::Invalid(
                "at most 100 visitor groups per site".into(),
            ));
        }
        for group in visitor_groups {
            if !self.group_exists(group).await? {
                return Err(StoreError::UnknownGroup(group.clone()));
            }
        }
        Ok((id.to_owned(), name.to_owned()))
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
    let groups: String = row.try_get("visitor_groups")?;
    let visitor_groups = serde_json::from_str(&groups)
        .map_err(|e| StoreError::Corrupt(format!("site {id}: visitor_groups: {e}")))?;
    Ok(Site {
        visitor_groups,
        name: row.try_get("name")?,
        allowed_origins,
        identity_secret: row.try_get("identity_secret")?,
        default_group_id: row.try_get("default_group_id")?,
        id,
    })
}

/// The JSON stored in `sites.visitor_groups`.
fn groups_json(groups: &[String]) -> String {
    serde_json::Value::from(groups.to_vec()).to_string()
}

/// The JSON stored in `sites.allowed_origins`.
pub(super) fn origins_json(origins: &[OriginPattern]) -> String {
    let texts: Vec<String> = origins.iter().map(ToString::to_string).collect();
    serde_json::Value::from(texts).to_string()
}
