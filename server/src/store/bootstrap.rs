//! What a fresh database needs before anyone can use the product.

use super::sites::origins_json;
use super::{agents::NewAgent, now_ms, Store, StoreError};
use crate::domain::Role;
use crate::origin::OriginPattern;
use crate::secret;

/// The skill group every escalation falls back to.
pub const DEFAULT_GROUP: &str = "general";
/// The site the bundled demo page escalates from.
pub const DEMO_SITE: &str = "demo";
/// The first admin's login.
pub const DEFAULT_ADMIN_EMAIL: &str = "admin@answerdesk.local";

/// The admin account a first start created; its password exists only here, once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstAdmin {
    pub email: String,
    pub password: String,
}

impl Store {
    /// Creates what is missing of: the `general` group, the `demo` site, and an admin.
    ///
    /// The demo site accepts loopback origins on any port (`http://127.0.0.1:*`,
    /// `http://localhost:*`) plus `extra_demo_origins` (the server's public origin). Returns the
    /// admin's one-time credentials when this call created the admin; an existing admin, or one
    /// created at the same moment by another instance, yields `None`.
    pub async fn bootstrap(
        &self,
        extra_demo_origins: &[OriginPattern],
    ) -> Result<Option<FirstAdmin>, StoreError> {
        let now = now_ms();
        sqlx::query(
            "INSERT INTO skill_groups (id, name, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(DEFAULT_GROUP)
        .bind("General")
        .bind(now)
        .execute(&self.pool)
        .await?;

        let mut origins: Vec<OriginPattern> = ["http://127.0.0.1:*", "http://localhost:*"]
            .iter()
            .map(|o| o.parse().expect("built-in origin patterns are valid"))
            .collect();
        for extra in extra_demo_origins {
            if !origins.contains(extra) {
                origins.push(extra.clone());
            }
        }
        sqlx::query(
            "INSERT INTO sites (id, name, allowed_origins, default_group_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (id) DO NOTHING",
        )
        .bind(DEMO_SITE)
        .bind("Demo")
        .bind(origins_json(&origins))
        .bind(DEFAULT_GROUP)
        .bind(now)
        .execute(&self.pool)
        .await?;

        if self.has_admin().await? {
            return Ok(None);
        }
        let password = secret::new_password();
        let created = self
            .insert_agent(&NewAgent {
                email: DEFAULT_ADMIN_EMAIL,
                name: "Administrator",
                role: Role::Admin,
                groups: &[DEFAULT_GROUP.to_owned()],
                password: &password,
            })
            .await;
        match created {
            Ok(_) => Ok(Some(FirstAdmin {
                email: DEFAULT_ADMIN_EMAIL.to_owned(),
                password,
            })),
            // Another instance may have won the race; if not, the address is taken by an
            // account that is not an enabled admin, and guessing around that would hide it.
            Err(StoreError::Conflict(_)) if self.has_admin().await? => Ok(None),
            Err(StoreError::Conflict(_)) => Err(StoreError::Conflict(format!(
                "there is no admin and {DEFAULT_ADMIN_EMAIL} belongs to a non-admin or disabled agent"
            ))),
            Err(err) => Err(err),
        }
    }
}
