//! `/api/v1/admin` (admins only): agents' accounts, roles, groups and passwords; the skill
//! groups cases are queued in; the sites that embed the widget, with their allowed origins and
//! identity secrets; the desk settings; and what visitors thought of the answers.
//!
//! Every handler takes [`AdminSession`], so agents get `403` and writes without the CSRF token
//! are refused before anything is read. A password reset ends all the agent's sessions (the
//! admin's own too, when resetting themselves), and their open event streams with them.

use axum::extract::State;
use axum::http::StatusCode;
use protocol::{
    AgentList, AgentUpdate, ConfigChange, CreatedAgent, DeskConfig, FeedbackSummary, Group,
    GroupRename, NewAgentRequest, NewGroup, NewIdentitySecret, ResetPassword, SiteList,
    SiteRequest, SiteView, SummaryQuery,
};

use crate::events::Revocation;
use crate::http::auth::AdminSession;
use crate::http::problem::{ApiError, Json, Path, Query};
use crate::http::AppState;
use crate::store::Agent;

/// `GET /api/v1/admin/agents` (admins only).
#[utoipa::path(
    get, path = "/api/v1/admin/agents", operation_id = "listAgents", tag = "admin",
    responses((status = 200, description = "every agent, disabled ones included", body = AgentList), crate::http::openapi::ProblemResponse)
)]
pub async fn list_agents(
    State(state): State<AppState>,
    _admin: AdminSession,
) -> Result<axum::Json<AgentList>, ApiError> {
    Ok(axum::Json(AgentList {
        agents: state.store.all_agents().await?,
    }))
}

/// `POST /api/v1/admin/agents {email, name, role, groups}` (admins only): `201` with the
/// one-time password.
#[utoipa::path(
    post, path = "/api/v1/admin/agents", operation_id = "createAgent", tag = "admin",
    request_body = NewAgentRequest,
    responses((status = 201, description = "the agent and its one-time password", body = CreatedAgent), crate::http::openapi::ProblemResponse)
)]
pub async fn create_agent(
    State(state): State<AppState>,
    AdminSession(admin): AdminSession,
    Json(request): Json<NewAgentRequest>,
) -> Result<(StatusCode, axum::Json<CreatedAgent>), ApiError> {
    // The new password is hashed: take a turn among the password checks.
    let _slot = state.logins.hashing_slot().await?;
    let created = state.desk.create_agent(&admin.agent, request).await?;
    Ok((StatusCode::CREATED, axum::Json(created)))
}

/// `PUT /api/v1/admin/agents/{id} {name?, role?, groups?, capacity?, available?, disabled?}`:
/// answers the agent. Refuses (`409`) to demote or disable the last enabled admin.
#[utoipa::path(
    put, path = "/api/v1/admin/agents/{id}", operation_id = "updateAgent", tag = "admin",
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
    Ok(axum::Json(
        state.desk.update_agent(&admin.agent, id, request).await?,
    ))
}

/// `POST /api/v1/admin/agents/{id}/password` (admins only): a new one-time password for the
/// agent; all its sessions end (the admin's own too, when resetting themselves) and its failed
/// sign-ins are forgotten.
#[utoipa::path(
    post, path = "/api/v1/admin/agents/{id}/password", operation_id = "resetAgentPassword", tag = "admin",
    params(("id" = i64, Path, description = "the agent's id")),
    responses((status = 200, description = "the agent and its one-time password", body = ResetPassword), crate::http::openapi::ProblemResponse)
)]
pub async fn reset_password(
    State(state): State<AppState>,
    AdminSession(admin): AdminSession,
    Path(id): Path<i64>,
) -> Result<axum::Json<ResetPassword>, ApiError> {
    let (agent, password) = {
        let _slot = state.logins.hashing_slot().await?;
        state.store.reset_password(id).await?
    };
    state.logins.forget_account(&agent.email);
    state.events.revoke(Revocation::Agent(agent.id));
    tracing::info!(by = %admin.agent.email, agent = %agent.email, "password reset; sessions ended");
    Ok(axum::Json(ResetPassword { agent, password }))
}

/// `POST /api/v1/admin/groups {id, name}`: `201` with the group; `409` when the id is taken.
#[utoipa::path(
    post, path = "/api/v1/admin/groups", operation_id = "createGroup", tag = "admin",
    request_body = NewGroup,
    responses((status = 201, description = "the group", body = Group), crate::http::openapi::ProblemResponse)
)]
pub async fn create_group(
    State(state): State<AppState>,
    _admin: AdminSession,
    Json(request): Json<NewGroup>,
) -> Result<(StatusCode, axum::Json<Group>), ApiError> {
    let group = state.desk.create_group(request).await?;
    Ok((StatusCode::CREATED, axum::Json(group)))
}

/// `PUT /api/v1/admin/groups/{id} {name}`: renames the group.
#[utoipa::path(
    put, path = "/api/v1/admin/groups/{id}", operation_id = "renameGroup", tag = "admin",
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
    Ok(axum::Json(
        state.desk.rename_group(&id, &request.name).await?,
    ))
}

/// `DELETE /api/v1/admin/groups/{id}`: `204`; `409` for the default group or a site's default.
#[utoipa::path(
    delete, path = "/api/v1/admin/groups/{id}", operation_id = "deleteGroup", tag = "admin",
    params(("id" = String, Path, description = "the group's id")),
    responses((status = 204, description = "deleted"), crate::http::openapi::ProblemResponse)
)]
pub async fn delete_group(
    State(state): State<AppState>,
    _admin: AdminSession,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.desk.delete_group(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/admin/sites`.
#[utoipa::path(
    get, path = "/api/v1/admin/sites", operation_id = "listSites", tag = "admin",
    responses((status = 200, description = "every site", body = SiteList), crate::http::openapi::ProblemResponse)
)]
pub async fn sites(
    State(state): State<AppState>,
    _admin: AdminSession,
) -> Result<axum::Json<SiteList>, ApiError> {
    Ok(axum::Json(SiteList {
        sites: state.desk.sites().await?,
    }))
}

/// `POST /api/v1/admin/sites {id, name, allowed_origins, default_group?}`: `201` with the site;
/// its origins may call the visitor API at once.
#[utoipa::path(
    post, path = "/api/v1/admin/sites", operation_id = "createSite", tag = "admin",
    request_body = SiteRequest,
    responses((status = 201, description = "the site", body = SiteView), crate::http::openapi::ProblemResponse)
)]
pub async fn create_site(
    State(state): State<AppState>,
    _admin: AdminSession,
    Json(request): Json<SiteRequest>,
) -> Result<(StatusCode, axum::Json<SiteView>), ApiError> {
    let site = state.desk.create_site(request).await?;
    Ok((StatusCode::CREATED, axum::Json(site)))
}

/// `PUT /api/v1/admin/sites/{id} {name, allowed_origins, default_group?}`: replaces the site's
/// settings (not its identity secret); the CORS allow-list follows at once on this instance, and
/// within [`super::SiteDirectory::MAX_AGE`] on others.
#[utoipa::path(
    put, path = "/api/v1/admin/sites/{id}", operation_id = "updateSite", tag = "admin",
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
    Ok(axum::Json(state.desk.update_site(&id, request).await?))
}

/// `POST /api/v1/admin/sites/{id}/identity-secret`: a new random 256-bit secret replaces the old
/// one (tokens signed with the old one stop verifying) and is answered once.
#[utoipa::path(
    post, path = "/api/v1/admin/sites/{id}/identity-secret", operation_id = "rotateSiteIdentitySecret", tag = "admin",
    params(("id" = String, Path, description = "the site's id")),
    responses((status = 201, description = "the new secret; tokens signed with the old one stop verifying", body = NewIdentitySecret), crate::http::openapi::ProblemResponse)
)]
pub async fn rotate_identity_secret(
    State(state): State<AppState>,
    AdminSession(admin): AdminSession,
    Path(id): Path<String>,
) -> Result<(StatusCode, axum::Json<NewIdentitySecret>), ApiError> {
    let secret = state.desk.rotate_identity_secret(&admin.agent, &id).await?;
    Ok((StatusCode::CREATED, axum::Json(secret)))
}

/// `GET /api/v1/admin/config`: `{auto_assign, default_capacity, sla_minutes: {low, normal, high,
/// urgent}}`.
#[utoipa::path(
    get, path = "/api/v1/admin/config", operation_id = "getDeskConfig", tag = "admin",
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
    put, path = "/api/v1/admin/config", operation_id = "changeDeskConfig", tag = "admin",
    request_body = ConfigChange,
    responses((status = 200, description = "the settings after the change", body = DeskConfig), crate::http::openapi::ProblemResponse)
)]
pub async fn change_config(
    State(state): State<AppState>,
    AdminSession(admin): AdminSession,
    Json(change): Json<ConfigChange>,
) -> Result<axum::Json<DeskConfig>, ApiError> {
    Ok(axum::Json(
        state.desk.change_config(&admin.agent, change).await?,
    ))
}

/// `GET /api/v1/admin/feedback[?site=ID]`: `{entries: [{site, entry_id, up, down}]}`, the most
/// disliked first (admins only).
#[utoipa::path(
    get, path = "/api/v1/admin/feedback", operation_id = "getFeedbackSummary", tag = "admin",
    params(SummaryQuery),
    responses((status = 200, description = "the tally per entry, the most disliked first", body = FeedbackSummary), crate::http::openapi::ProblemResponse)
)]
pub async fn feedback_summary(
    State(state): State<AppState>,
    _admin: AdminSession,
    Query(query): Query<SummaryQuery>,
) -> Result<axum::Json<FeedbackSummary>, ApiError> {
    let entries = state
        .store
        .feedback_summary(query.site.as_deref().map(str::trim))
        .await?;
    Ok(axum::Json(FeedbackSummary { entries }))
}
