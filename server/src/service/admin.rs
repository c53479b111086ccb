//! What admins change about the desk itself: skill groups, sites and their secrets, settings.

use protocol::{
    ConfigChange, DeskConfig, Group, NewGroup, NewIdentitySecret, SiteRequest, SiteView,
};

use super::{Desk, ServiceError};
use crate::events::Revocation;
use crate::origin::OriginPattern;
use crate::secret;
use crate::store::{Agent, Site, SiteDraft};

impl Desk {
    /// A new skill group; its id is taken (`Conflict`) or it is made.
    pub async fn create_group(&self, request: NewGroup) -> Result<Group, ServiceError> {
        Ok(self
            .store
            .create_named_group(&request.id, &request.name)
            .await?)
    }

    pub async fn rename_group(&self, id: &str, name: &str) -> Result<Group, ServiceError> {
        self.store.rename_group(id, name).await?;
        Ok(self.store.group(id).await?)
    }

    /// Deletes a group; not the default group nor a site's default.
    pub async fn delete_group(&self, id: &str) -> Result<(), ServiceError> {
        self.store.delete_group(id).await?;
        // Its members' open event streams must stop showing its tickets.
        self.events.revoke(Revocation::Everyone);
        Ok(())
    }

    /// Every site, ordered by id.
    pub async fn sites(&self) -> Result<Vec<SiteView>, ServiceError> {
        let sites = self.store.sites().await?;
        Ok(sites.into_iter().map(site_view).collect())
    }

    /// Registers a site; its origins may call the visitor endpoints at once.
    pub async fn create_site(&self, request: SiteRequest) -> Result<SiteView, ServiceError> {
        let id = request
            .id
            .clone()
            .ok_or_else(|| ServiceError::Invalid("id is required".into()))?;
        let draft = site_draft(request, id.to_string())?;
        let site = self.store.create_site(&draft).await?;
        self.sites.invalidate().await;
        Ok(site_view(site))
    }

    /// Replaces site `id`'s settings (not its identity secret); the CORS allow-list follows at
    /// once on this instance, and within `SiteDirectory::MAX_AGE` on others.
    pub async fn update_site(
        &self,
        id: &str,
        request: SiteRequest,
    ) -> Result<SiteView, ServiceError> {
        if request.id.as_deref().is_some_and(|body_id| body_id != id) {
            return Err(ServiceError::Invalid(
                "the id in the body differs from the path".into(),
            ));
        }
        let draft = site_draft(request, id.to_owned())?;
        let site = self.store.update_site(&draft).await?;
        self.sites.invalidate().await;
        Ok(site_view(site))
    }

    /// A new random 256-bit identity secret for site `id`, answered once; tokens signed with the
    /// old one stop verifying.
    pub async fn rotate_identity_secret(
        &self,
        admin: &Agent,
        id: &str,
    ) -> Result<NewIdentitySecret, ServiceError> {
        if self.store.site(id).await?.is_none() {
            return Err(ServiceError::NotFound(format!("no site {id}")));
        }
        // Two 128-bit tokens: HS256 wants a key as long as its hash.
        let identity_secret = format!("{}{}", secret::new_token(), secret::new_token());
        self.store
            .set_identity_secret(id, Some(&identity_secret))
            .await?;
        self.sites.invalidate().await;
        tracing::info!(site = %id, by = %admin.email, "identity secret rotated");
        Ok(NewIdentitySecret { identity_secret })
    }

    /// Validates and stores a change to the settings; turning auto-assignment on fills every
    /// queue.
    pub async fn change_config(
        &self,
        admin: &Agent,
        change: ConfigChange,
    ) -> Result<DeskConfig, ServiceError> {
        let config = self.store.change_desk_config(&change).await?;
        tracing::info!(by = %admin.email, ?config, "settings changed");
        if change.auto_assign == Some(true) {
            let groups = self.store.groups().await?;
            self.fill_queues(groups.into_iter().map(|g| g.id)).await;
        }
        Ok(config)
    }
}

/// The site as the store takes it, or why the request is refused.
fn site_draft(request: SiteRequest, id: String) -> Result<SiteDraft, ServiceError> {
    let allowed_origins = request
        .allowed_origins
        .iter()
        .map(|o| {
            o.trim().parse::<OriginPattern>().map_err(|e| {
                ServiceError::Invalid(format!("allowed_origins: {o:?} is not an origin: {e}"))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(SiteDraft {
        id,
        name: request.name,
        allowed_origins,
        default_group_id: request.default_group.filter(|g| !g.trim().is_empty()),
        visitor_groups: request.visitor_groups,
    })
}

/// A site as the admin pages show it: whether it has an identity secret, never the secret.
fn site_view(site: Site) -> SiteView {
    SiteView {
        allowed_origins: site
            .allowed_origins
            .iter()
            .map(ToString::to_string)
            .collect(),
        has_identity_secret: site.identity_secret.is_some(),
        visitor_groups: site.visitor_groups,
        default_group: site.default_group_id,
        name: site.name,
        id: site.id,
    }
}
