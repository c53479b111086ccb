//! Changing passwords: the signed-in agent's own (knowing the current one), and an admin's reset
//! of someone else's to a one-time password.
//!
//! Either way the agent's other sessions end, and their open event streams with them: a password
//! change is what someone does who fears their account is in other hands.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::client_ip::ClientIp;
use super::problem::{ApiError, Json, Path};
use super::session::{AdminSession, AgentSession};
use super::AppState;
use crate::events::Revocation;
use crate::store::Agent;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    current_password: String,
    /// 12 to 1024 characters.
    new_password: String,
}

/// `POST /api/v1/session/password {current_password, new_password}`: `204`; every other session
/// of the agent is ended. A wrong current password is `403` and counts as a failed sign-in
/// (throttled alike: `429` with `Retry-After`).
#[utoipa::path(
    post,
    path = "/api/v1/session/password",
    tag = "session",
    request_body = PasswordChange,
    responses((status = 204, description = "changed; the agent's other sessions are ended"), crate::http::openapi::ProblemResponse)
)]
pub async fn change(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    session: AgentSession,
    headers: axum::http::HeaderMap,
    Json(request): Json<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    let email = session.agent.email.clone();
    if request.current_password.len() > 1024 {
        return Err(ApiError::forbidden("the current password is wrong"));
    }
    let admission = state.logins.admit(ip, &email, &headers)?;
    let changed = {
        let _slot = state.logins.hashing_slot().await?;
        state
            .store
            .change_password(
                session.agent.id,
                &request.current_password,
                &request.new_password,
                session.token(),
            )
            .await?
    };
    if !changed {
        state.logins.failed(ip, &email);
        return Err(ApiError::forbidden("the current password is wrong"));
    }
    state.logins.succeeded(&email, admission);
    state.events.revoke(Revocation::Agent(session.agent.id));
    tracing::info!(agent = %email, "password changed; other sessions ended");
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ResetPassword {
    agent: Agent,
    /// Shown once; only its argon2id hash is stored. Hand it to the agent, who should change it.
    password: String,
}

/// `POST /api/v1/admin/agents/{id}/password` (admins only): a new one-time password for the
/// agent; all its sessions end (the admin's own too, when resetting themselves) and its failed
/// sign-ins are forgotten.
#[utoipa::path(
    post,
    path = "/api/v1/admin/agents/{id}/password",
    tag = "admin",
    params(("id" = i64, Path, description = "the agent's id")),
    responses((status = 200, description = "the agent and its one-time password", body = ResetPassword), crate::http::openapi::ProblemResponse)
)]
pub async fn reset(
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
