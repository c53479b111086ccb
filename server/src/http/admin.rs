//! The admin API: skill groups, agents' roles and groups, sites, and desk settings.
//!
//! Every handler takes [`AdminSession`], so agents get `403` and writes without the CSRF token
//! are refused before anything is read. `GET /api/v1/desk/groups` is the one read here open to
//! every agent: the workbench needs the groups to offer transfers.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::assignment::fill_queues;
use super::problem::{ApiError, Json, Path};
use super::session::{AdminSession, AgentSession};
use super::AppState;
use crate::domain::Role;
use crate::origin::OriginPattern;
use crate::secret;
use crate::store::{Agent, AgentChange, ConfigChange, DeskConfig, Group, Site, SiteDraft};

#[derive(Serialize, utoipa::ToSchema)]
pub struct GroupList {
    groups: Vec<Group>,
}

/// `GET /api/v1/desk/groups`: every skill group with its members (any agent).
#[utoipa::path(
    get,
    path = "/api/v1/desk/groups",
    tag = "desk",
    responses((status = 200, description = "every skill group and its members", body = GroupList), crate::http::openapi::ProblemResponse)
)]
pub async fn groups(
    State(state): State<AppState>,
    _session: AgentSession,
) -> Result<axum::Json<GroupList>, ApiError> {
    Ok(axum::Json(GroupList {
        groups: state.store.groups().await?,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGroup {
    /// The slug tickets and sites refer to: lower-case letters, digits, `-`.
    id: String,
    name: String,
}

/// `POST /api/v1/admin/groups {id, name}`: `201` with the group; `409` when the id is taken.
#[utoipa::path(
    post,
    path = "/api/v1/admin/groups",
    tag = "admin",
    request_body = NewGroup,
    responses((status = 201, description = "the group", body = Group), crate::http::openapi::ProblemResponse)
)]
pub async fn create_group(
    State(state): State<AppState>,
    _admin: AdminSession,
    Json(request): Json<NewGroup>,
) -> Result<(StatusCode, axum::Json<Group>), ApiError> {
    let group = state
        .store
        .create_named_group(request.id.trim(), &request.name)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(group)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupRename {
    name: String,
}

/// `PUT /api/v1/admin/groups/{id} {name}`: renames the group.
#[utoipa::path(
    put,
    path = "/api/v1/admin/groups/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "the group's id")),
    request_body = GroupRename,
    responses((status = 200, description = "the renamed group", body = Group), crate::http::openapi::ProblemResponse)
)]
pub async fn rename_group(
    State(state): State<AppState>,
    _admin: AdminSession,
    Path(id): Path<String>,
    Json(request): Json<GroupRename>,
) -> Result<axum::Json<Group>, ApiError> {
    state.store.rename_group(&id, &request.name).await?;
    Ok(axum::Json(state.store.group(&id).await?))
}

/// `DELETE /api/v1/admin/groups/{id}`: `204`; `409` for the default group or a site's default.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/groups/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "the group's id")),
    responses((status = 204, description = "deleted"), crate::http::openapi::ProblemResponse)
)]
pub async fn delete_group(
    State(state): State<AppState>,
    _admin: AdminSession,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.store.delete_group(&id).await?;
    // Its members' open event streams must stop showing its tickets.
    state.events.revoke(crate::events::Revocation::Everyone);
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentUpdate {
    name: Option<String>,
    role: Option<Role>,
    /// Replaces the agent's groups: at least one, each must exist.
    groups: Option<Vec<String>>,
    /// Open cases before automatic assignment skips this agent, 0–100.
    capacity: Option<i64>,
    available: Option<bool>,
    /// Ends the agent's sessions and returns their open cases to the queue.
    disabled: Option<bool>,
}

/// `PUT /api/v1/admin/agents/{id} {name?, role?, groups?, capacity?, available?, disabled?}`:
/// answers the agent. Refuses (`409`) to demote or disable the last enabled admin.
#[utoipa::path(
    put,
    path = "/api/v1/admin/agents/{id}",
    tag = "admin",
    params(("id" = i64, Path, description = "the agent's id")),
    request_body = AgentUpdate,
    responses((status = 200, description = "the agent as it is now", body = Agent), crate::http::openapi::ProblemResponse)
)]
pub async fn update_agent(
    State(state): State<AppState>,
    AdminSession(admin): AdminSession,
    Path(id): Path<i64>,
    Json(request): Json<AgentUpdate>,
) -> Result<axum::Json<Agent>, ApiError> {
    let before = state.store.agent(id).await?;
    let agent = state
        .store
        .change_agent(
            id,
            &AgentChange {
                name: request.name,
                role: request.role,
                groups: request.groups,
                capacity: request.capacity,
                available: request.available,
                disabled: request.disabled,
            },
        )
        .await?;
    tracing::info!(by = %admin.agent.email, agent = %agent.email, "agent changed");
    // Disabled, demoted or moved: the agent's open event streams re-check at once.
    state
        .events
        .revoke(crate::events::Revocation::Agent(agent.id));
    // New groups, more capacity, back from away, or (disabled) cases back in the queue.
    fill_queues(
        &state,
        before.groups.into_iter().chain(agent.groups.clone()),
    )
    .await;
    Ok(axum::Json(agent))
}

/// A site as the admin pages show it; the identity secret itself is shown only when created.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SiteView {
    id: String,
    name: String,
    /// Origin patterns allowed to call the visitor endpoints (CORS) for this site.
    allowed_origins: Vec<String>,
    /// The skill group of escalations that name none.
    default_group: Option<String>,
    /// Whether signed visitor identities can be verified; the secret itself is never shown again.
    has_identity_secret: bool,
    /// Skill groups an escalation may name; any other goes to `default_group`.
    visitor_groups: Vec<String>,
}

impl From<Site> for SiteView {
    fn from(site: Site) -> Self {
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
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SiteList {
    sites: Vec<SiteView>,
}

/// `GET /api/v1/admin/sites`.
#[utoipa::path(
    get,
    path = "/api/v1/admin/sites",
    tag = "admin",
    responses((status = 200, description = "every site", body = SiteList), crate::http::openapi::ProblemResponse)
)]
pub async fn sites(
    State(state): State<AppState>,
    _admin: AdminSession,
) -> Result<axum::Json<SiteList>, ApiError> {
    let sites = state.store.sites().await?;
    Ok(axum::Json(SiteList {
        sites: sites.into_iter().map(SiteView::from).collect(),
    }))
}

/// A site as an admin writes it. In `PUT` the path names the site; an `id` in the body, as the
/// workbench sends it, must agree.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteRequest {
    /// Required to create; when updating, it must match the path if present.
    id: Option<String>,
    name: String,
    /// Origin patterns: `https://shop.example`, `https://*.example.com`, `http://localhost:*`.
    #[serde(default)]
    allowed_origins: Vec<String>,
    /// The skill group of escalations that name none.
    default_group: Option<String>,
    /// Skill groups an escalation may name (`group`); absent keeps the current list.
    visitor_groups: Option<Vec<String>>,
}

impl SiteRequest {
    fn into_draft(self, id: String) -> Result<SiteDraft, ApiError> {
        let allowed_origins = self
            .allowed_origins
            .iter()
            .map(|o| {
                o.trim().parse::<OriginPattern>().map_err(|e| {
                    ApiError::invalid(format!("allowed_origins: {o:?} is not an origin: {e}"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SiteDraft {
            id,
            name: self.name,
            allowed_origins,
            default_group_id: self.default_group.filter(|g| !g.trim().is_empty()),
            visitor_groups: self.visitor_groups,
        })
    }
}

/// `POST /api/v1/admin/sites {id, name, allowed_origins, default_group?}`: `201` with the site;
/// its origins may call the visitor API at once.
#[utoipa::path(
    post,
    path = "/api/v1/admin/sites",
    tag = "admin",
    request_body = SiteRequest,
    responses((status = 201, description = "the site", body = SiteView), crate::http::openapi::ProblemResponse)
)]
pub async fn create_site(
    State(state): State<AppState>,
    _admin: AdminSession,
    Json(request): Json<SiteRequest>,
) -> Result<(StatusCode, axum::Json<SiteView>), ApiError> {
    let id = request
        .id
        .clone()
        .ok_or_else(|| ApiError::invalid("id is required"))?;
    let draft = request.into_draft(id)?;
    let site = state.store.create_site(&draft).await?;
    state.sites.invalidate().await;
    Ok((StatusCode::CREATED, axum::Json(site.into())))
}

/// `PUT /api/v1/admin/sites/{id} {name, allowed_origins, default_group?}`: replaces the site's
/// settings (not its identity secret); the CORS allow-list follows at once on this instance, and
/// within [`super::SiteDirectory::MAX_AGE`] on others.
#[utoipa::path(
    put,
    path = "/api/v1/admin/sites/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "the site's id")),
    request_body = SiteRequest,
    responses((status = 200, description = "the site", body = SiteView), crate::http::openapi::ProblemResponse)
)]
pub async fn update_site(
    State(state): State<AppState>,
    _admin: AdminSession,
    Path(id): Path<String>,
    Json(request): Json<SiteRequest>,
) -> Result<axum::Json<SiteView>, ApiError> {
    if request.id.as_deref().is_some_and(|body_id| body_id != id) {
        return Err(ApiError::invalid(
            "the id in the body differs from the path",
        ));
    }
    let draft = request.into_draft(id)?;
    let site = state.store.update_site(&draft).await?;
    state.sites.invalidate().await;
    Ok(axum::Json(site.into()))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct NewIdentitySecret {
    /// Shown this once: the host's backend signs visitor identities with it.
    identity_secret: String,
}

/// `POST /api/v1/admin/sites/{id}/identity-secret`: a new random 256-bit secret replaces the old
/// one (tokens signed with the old one stop verifying) and is answered once.
#[utoipa::path(
    post,
    path = "/api/v1/admin/sites/{id}/identity-secret",
    tag = "admin",
    params(("id" = String, Path, description = "the site's id")),
    responses((status = 201, description = "the new secret; tokens signed with the old one stop verifying", body = NewIdentitySecret), crate::http::openapi::ProblemResponse)
)]
pub async fn rotate_identity_secret(
    State(state): State<AppState>,
    AdminSession(admin): AdminSession,
    Path(id): Path<String>,
) -> Result<(StatusCode, axum::Json<NewIdentitySecret>), ApiError> {
    if state.store.site(&id).await?.is_none() {
        return Err(ApiError::not_found(format!("no site {id}")));
    }
    // Two 128-bit tokens: HS256 wants a key as long as its hash.
    let identity_secret = format!("{}{}", secret::new_token(), secret::new_token());
    state
        .store
        .set_identity_secret(&id, Some(&identity_secret))
        .await?;
    state.sites.invalidate().await;
    tracing::info!(site = %id, by = %admin.agent.email, "identity secret rotated");
    Ok((
        StatusCode::CREATED,
        axum::Json(NewIdentitySecret { identity_secret }),
    ))
}

/// `GET /api/v1/admin/config`: `{auto_assign, default_capacity, sla_minutes: {low, normal, high,
/// urgent}}`.
#[utoipa::path(
    get,
    path = "/api/v1/admin/config",
    tag = "admin",
    responses((status = 200, description = "the settings", body = DeskConfig), crate::http::openapi::ProblemResponse)
)]
pub async fn config(
    State(state): State<AppState>,
    _admin: AdminSession,
) -> Result<axum::Json<DeskConfig>, ApiError> {
    Ok(axum::Json(state.store.desk_config().await?))
}

/// `PUT /api/v1/admin/config` with any of the fields: validated (`422` on an unknown field or a
/// value out of range), stored, answered in full. Turning auto-assignment on fills every queue.
#[utoipa::path(
    put,
    path = "/api/v1/admin/config",
    tag = "admin",
    request_body = ConfigChange,
    responses((status = 200, description = "the settings after the change", body = DeskConfig), crate::http::openapi::ProblemResponse)
)]
pub async fn change_config(
    State(state): State<AppState>,
    AdminSession(admin): AdminSession,
    Json(change): Json<ConfigChange>,
) -> Result<axum::Json<DeskConfig>, ApiError> {
    let config = state.store.change_desk_config(&change).await?;
    tracing::info!(by = %admin.agent.email, ?config, "settings changed");
    if change.auto_assign == Some(true) {
        let groups = state.store.groups().await?;
        fill_queues(&state, groups.into_iter().map(|g| g.id)).await;
    }
    Ok(axum::Json(config))
}
