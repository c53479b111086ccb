//! `/api/v1/desk/me`: the signed-in agent, away and back, and how many cases they take.

use axum::extract::State;
use protocol::AvailabilityChange;

use crate::http::auth::AgentSession;
use crate::http::problem::{ApiError, Json};
use crate::http::AppState;
use crate::store::Agent;

/// `GET /api/v1/desk/me`: the signed-in agent, with availability and capacity.
#[utoipa::path(
    get,
    path = "/api/v1/desk/me",
    operation_id = "getMe",
    tag = "desk",
    responses((status = 200, description = "the signed-in agent", body = Agent), crate::http::openapi::ProblemResponse)
)]
pub async fn me(session: AgentSession) -> axum::Json<Agent> {
    axum::Json(session.agent)
}

/// `PATCH /api/v1/desk/me {available?, capacity?}`: away and back, or a new capacity; answers the
/// agent. Coming back or raising capacity fills the agent's groups' queues at once.
#[utoipa::path(
    patch,
    path = "/api/v1/desk/me",
    operation_id = "changeMyAvailability",
    tag = "desk",
    request_body = AvailabilityChange,
    responses((status = 200, description = "the agent as it is now", body = Agent), crate::http::openapi::ProblemResponse)
)]
pub async fn change_me(
    State(state): State<AppState>,
    session: AgentSession,
    Json(change): Json<AvailabilityChange>,
) -> Result<axum::Json<Agent>, ApiError> {
    Ok(axum::Json(
        state
            .desk
            .change_availability(&session.agent, change)
            .await?,
    ))
}
