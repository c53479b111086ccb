//! `/api/v1/desk/groups`: the skill groups, which every agent needs to offer transfers.

use axum::extract::State;
use protocol::GroupList;

use crate::http::auth::AgentSession;
use crate::http::problem::ApiError;
use crate::http::AppState;

/// `GET /api/v1/desk/groups`: every skill group with its members (any agent).
#[utoipa::path(
    get,
    path = "/api/v1/desk/groups",
    operation_id = "listGroups",
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
