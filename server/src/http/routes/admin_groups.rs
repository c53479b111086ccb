//! `/api/v1/admin/groups` (admins only): the skill groups cases are queued in.

use axum::extract::State;
use axum::http::StatusCode;
use protocol::{Group, GroupRename, NewGroup};

use crate::http::auth::AdminSession;
use crate::http::problem::{ApiError, Json, Path};
use crate::http::AppState;

/// `POST /api/v1/admin/groups {id, name}`: `201` with the group; `409` when the id is taken.
#[utoipa::path(
    post,
    path = "/api/v1/admin/groups",
    operation_id = "createGroup",
    tag = "admin",
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
    put,
    path = "/api/v1/admin/groups/{id}",
    operation_id = "renameGroup",
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
    Ok(axum::Json(
        state.desk.rename_group(&id, &request.name).await?,
    ))
}

/// `DELETE /api/v1/admin/groups/{id}`: `204`; `409` for the default group or a site's default.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/groups/{id}",
    operation_id = "deleteGroup",
    tag = "admin",
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
