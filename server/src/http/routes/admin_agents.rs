//! `/api/v1/admin/agents` (admins only): agents' accounts, roles, groups and passwords.
//!
//! A password reset ends all the agent's sessions (the admin's own too, when resetting
//! themselves), and their open event streams with them.

use axum::extract::State;
use axum::http::StatusCode;
use protocol::{AgentList, AgentUpdate, CreatedAgent, NewAgentRequest, ResetPassword};

use crate::events::Revocation;
use crate::http::auth::AdminSession;
use crate::http::problem::{ApiError, Json, Path};
use crate::http::AppState;
use crate::store::Agent;

/// `GET /api/v1/admin/agents` (admins only).
#[utoipa::path(
    get,
    path = "/api/v1/admin/agents",
    operation_id = "listAgents",
    tag = "admin",
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
    post,
    path = "/api/v1/admin/agents",
    operation_id = "createAgent",
    tag = "admin",
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
    put,
    path = "/api/v1/admin/agents/{id}",
    operation_id = "updateAgent",
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
    Ok(axum::Json(
        state.desk.update_agent(&admin.agent, id, request).await?,
    ))
}

/// `POST /api/v1/admin/agents/{id}/password` (admins only): a new one-time password for the
/// agent; all its sessions end (the admin's own too, when resetting themselves) and its failed
/// sign-ins are forgotten.
#[utoipa::path(
    post,
    path = "/api/v1/admin/agents/{id}/password",
    operation_id = "resetAgentPassword",
    tag = "admin",
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
