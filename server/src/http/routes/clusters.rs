//! `/api/v1/admin/clusters` (any signed-in agent): the questions visitors asked that the
//! assistant could not answer, grouped by meaning, and marking a group dismissed or covered.
//!
//! Agents see what visitors could not find as much as admins do, so the team member who answers
//! the tickets can also clear the list; writes need the CSRF token like every agent write.

use axum::extract::State;
use protocol::{ClusterList, ClusterMark, ClusterMarked, ClusterQuery};

use crate::http::auth::AgentSession;
use crate::http::problem::{ApiError, Json, Path, Query};
use crate::http::AppState;
use crate::store::now_ms;

/// `GET /api/v1/admin/clusters?site=S[&days=30]`: the site's unanswered questions of the last
/// `days` days in groups, biggest first.
#[utoipa::path(
    get, path = "/api/v1/admin/clusters", operation_id = "listUnansweredClusters", tag = "admin",
    params(ClusterQuery),
    responses((status = 200, description = "the groups of unanswered questions, biggest first", body = ClusterList), crate::http::openapi::ProblemResponse)
)]
pub async fn list(
    State(state): State<AppState>,
    _agent: AgentSession,
    Query(query): Query<ClusterQuery>,
) -> Result<axum::Json<ClusterList>, ApiError> {
    Ok(axum::Json(
        state.desk.unanswered_clusters(query, now_ms()).await?,
    ))
}

/// `POST /api/v1/admin/clusters/{id}/mark {site, state}`: marks every question of the group
/// `id` (as the list names it) `dismissed` or `covered`; they leave the list.
#[utoipa::path(
    post, path = "/api/v1/admin/clusters/{id}/mark", operation_id = "markUnansweredCluster", tag = "admin",
    params(("id" = i64, Path, description = "the group's id, as the list gives it")),
    request_body = ClusterMark,
    responses((status = 200, description = "how many questions were marked", body = ClusterMarked), crate::http::openapi::ProblemResponse)
)]
pub async fn mark(
    State(state): State<AppState>,
    AgentSession { agent, .. }: AgentSession,
    Path(id): Path<i64>,
    Json(mark): Json<ClusterMark>,
) -> Result<axum::Json<ClusterMarked>, ApiError> {
    Ok(axum::Json(
        state.desk.mark_cluster(&agent, id, mark, now_ms()).await?,
    ))
}
