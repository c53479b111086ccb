//! `/api/v1/desk/canned-responses`: reusable replies agents insert with a `/shortcut`.
//!
//! Who may write: admins write every canned response; an agent writes those of their own groups
//! (a team keeps its own replies up to date without an admin), never the global ones, which every
//! agent inserts and only admins curate. Agents read the global ones and their groups'.

use axum::extract::State;
use axum::http::StatusCode;
use protocol::{CannedList, CannedRequest};

use crate::domain::Role;
use crate::http::auth::AgentSession;
use crate::http::problem::{ApiError, Json, Path};
use crate::http::AppState;
use crate::store::{Agent, CannedDraft};
use protocol::CannedResponse;

/// `GET /api/v1/desk/canned-responses`: the ones this agent may insert, by shortcut.
#[utoipa::path(
    get,
    path = "/api/v1/desk/canned-responses",
    operation_id = "listCannedResponses",
    tag = "desk",
    responses((status = 200, description = "the responses the agent may use, by shortcut", body = CannedList), crate::http::openapi::ProblemResponse)
)]
pub async fn list(
    State(state): State<AppState>,
    session: AgentSession,
) -> Result<axum::Json<CannedList>, ApiError> {
    let groups = (session.agent.role != Role::Admin).then_some(session.agent.groups.as_slice());
    Ok(axum::Json(CannedList {
        canned_responses: state.store.canned_responses(groups).await?,
    }))
}

impl From<CannedRequest> for CannedDraft {
    fn from(request: CannedRequest) -> Self {
        CannedDraft {
            shortcut: request.shortcut,
            title: request.title,
            body: request.body,
            group: request.group.filter(|g| !g.trim().is_empty()),
        }
    }
}

/// Whether `agent` may write a canned response of `group`.
fn may_write(agent: &Agent, group: Option<&String>) -> Result<(), ApiError> {
    match group {
        _ if agent.role == Role::Admin => Ok(()),
        Some(group) if agent.groups.contains(group) => Ok(()),
        Some(group) => Err(ApiError::forbidden(format!(
            "only admins and members of {group} may write its canned responses"
        ))),
        None => Err(ApiError::forbidden(
            "only admins may write canned responses for everyone",
        )),
    }
}

/// `POST /api/v1/desk/canned-responses {shortcut, title, body, group?}`: `201` with the response;
/// `409` when the shortcut is taken.
#[utoipa::path(
    post,
    path = "/api/v1/desk/canned-responses",
    operation_id = "createCannedResponse",
    tag = "desk",
    request_body = CannedRequest,
    responses((status = 201, description = "the response", body = CannedResponse), crate::http::openapi::ProblemResponse)
)]
pub async fn create(
    State(state): State<AppState>,
    session: AgentSession,
    Json(request): Json<CannedRequest>,
) -> Result<(StatusCode, axum::Json<CannedResponse>), ApiError> {
    let draft = CannedDraft::from(request);
    may_write(&session.agent, draft.group.as_ref())?;
    let canned = state.store.create_canned(&draft, session.agent.id).await?;
    Ok((StatusCode::CREATED, axum::Json(canned)))
}

/// `PUT /api/v1/desk/canned-responses/{id} {shortcut, title, body, group?}`: replaces it.
#[utoipa::path(
    put,
    path = "/api/v1/desk/canned-responses/{id}",
    operation_id = "updateCannedResponse",
    tag = "desk",
    params(("id" = i64, Path, description = "the canned response's id")),
    request_body = CannedRequest,
    responses((status = 200, description = "the response", body = CannedResponse), crate::http::openapi::ProblemResponse)
)]
pub async fn update(
    State(state): State<AppState>,
    session: AgentSession,
    Path(id): Path<i64>,
    Json(request): Json<CannedRequest>,
) -> Result<axum::Json<CannedResponse>, ApiError> {
    let current = state.store.canned_response(id).await?;
    may_write(&session.agent, current.group.as_ref())?;
    let draft = CannedDraft::from(request);
    may_write(&session.agent, draft.group.as_ref())?;
    Ok(axum::Json(state.store.update_canned(id, &draft).await?))
}

/// `DELETE /api/v1/desk/canned-responses/{id}`: `204`.
#[utoipa::path(
    delete,
    path = "/api/v1/desk/canned-responses/{id}",
    operation_id = "deleteCannedResponse",
    tag = "desk",
    params(("id" = i64, Path, description = "the canned response's id")),
    responses((status = 204, description = "deleted"), crate::http::openapi::ProblemResponse)
)]
pub async fn delete(
    State(state): State<AppState>,
    session: AgentSession,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let current = state.store.canned_response(id).await?;
    may_write(&session.agent, current.group.as_ref())?;
    state.store.delete_canned(id).await?;
    Ok(StatusCode::NO_CONTENT)
}
