//! `/healthz` and `/readyz`: liveness and readiness for load balancers and orchestrators.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use crate::http::problem::ApiError;
use crate::http::AppState;

/// `GET /healthz`: the process is up and answering.
#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "checkHealth",
    tag = "operations",
    responses((status = 200, description = "`{\"status\": \"ok\"}`", body = Object), crate::http::openapi::ProblemResponse)
)]
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// `GET /readyz`: the database answers too; `503` otherwise.
#[utoipa::path(
    get,
    path = "/readyz",
    operation_id = "checkReadiness",
    tag = "operations",
    responses((status = 200, description = "`{\"status\": \"ready\", \"database\": \"ok\"}`", body = Object), (status = 503, description = "the database is not reachable", body = protocol::Problem, content_type = "application/problem+json"), crate::http::openapi::ProblemResponse)
)]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    state.store.ping().await.map_err(|err| {
        tracing::warn!(error = %err, "readiness check failed");
        ApiError::unavailable("the database is not reachable")
    })?;
    Ok(Json(json!({ "status": "ready", "database": "ok" })))
}
