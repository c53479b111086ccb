//! `/api/v1/desk/canned-responses`: reusable replies agents insert with a `/shortcut`; who may
//! write which is [`crate::service::Desk`]'s rule.

use axum::extract::State;
use axum::http::StatusCode;
use protocol::{CannedList, CannedRequest, CannedResponse};

use crate::http::auth::AgentSession;
use crate::http::problem::{ApiError, Json, Path};
use crate::http::AppState;

/// `GET /api/v1/desk/canned-responses`: the ones this agent may insert, by shortcut.
#[utoipa::path(
    get, path = "/api/v1/desk/canned-responses", operation_id = "listCannedResponses", tag = "desk",
    responses((status = 200, description = "the responses the agent may use, by shortcut", body = CannedList), crate::http::openapi::ProblemResponse)
)]
pub async fn list(
    State(state): State<AppState>,
    session: AgentSession,
) -> Result<axum::Json<CannedList>, ApiError> {
    Ok(axum::Json(CannedList {
        canned_responses: state.desk.canned_responses(&session.agent).await?,
    }))
}

/// `POST /api/v1/desk/canned-responses {shortcut, title, body, group?}`: `201` with the response;
/// `409` when the shortcut is taken.
#[utoipa::path(
    post, path = "/api/v1/desk/canned-responses", operation_id = "createCannedResponse", tag = "desk",
    request_body = CannedRequest,
    responses((status = 201, description = "the response", body = CannedResponse), crate::http::openapi::ProblemResponse)
)]
pub async fn create(
    State(state): State<AppState>,
    session: AgentSession,
    Json(request): Json<CannedRequest>,
) -> Result<(StatusCode, axum::Json<CannedResponse>), ApiError> {
    let canned = state.desk.create_canned(&session.agent, request).await?;
    Ok((StatusCode::CREATED, axum::Json(canned)))
}

/// `PUT /api/v1/desk/canned-responses/{id} {shortcut, title, body, group?}`: replaces it.
#[utoipa::path(
    put, path = "/api/v1/desk/canned-responses/{id}", operation_id = "updateCannedResponse", tag = "desk",
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
    Ok(axum::Json(
        state
            .desk
            .update_canned(&session.agent, id, request)
            .await?,
    ))
}

/// `DELETE /api/v1/desk/canned-responses/{id}`: `204`.
#[utoipa::path(
    delete, path = "/api/v1/desk/canned-responses/{id}", operation_id = "deleteCannedResponse", tag = "desk",
    params(("id" = i64, Path, description = "the canned response's id")),
    responses((status = 204, description = "deleted"), crate::http::openapi::ProblemResponse)
)]
pub async fn delete(
    State(state): State<AppState>,
    session: AgentSession,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    state.desk.delete_canned(&session.agent, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
