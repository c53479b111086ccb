//! `/api/v1/admin/config` (admins only): the desk settings that shape routing and SLAs.

use axum::extract::State;
use protocol::{ConfigChange, DeskConfig};

use crate::http::auth::AdminSession;
use crate::http::problem::{ApiError, Json};
use crate::http::AppState;

/// `GET /api/v1/admin/config`: `{auto_assign, default_capacity, sla_minutes: {low, normal, high,
/// urgent}}`.
#[utoipa::path(
    get,
    path = "/api/v1/admin/config",
    operation_id = "getDeskConfig",
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
    operation_id = "changeDeskConfig",
    tag = "admin",
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
