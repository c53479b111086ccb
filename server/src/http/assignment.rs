//! Automatic assignment seen from HTTP: when to fill the queues, and the agent's own availability.
//!
//! Queues are filled after whatever may have made room or queued a case, once that change is
//! committed: a new escalation, a case resolved, closed, transferred or unassigned, an agent back
//! from away or given more capacity. Filling is best effort: the change the request made already
//! happened, so a failure here is logged and the case waits for the next run.

use axum::extract::State;
use serde::Deserialize;

use super::problem::{ApiError, Json};
use super::session::AgentSession;
use super::AppState;
use crate::events::TicketEvent;
use crate::store::Agent;

/// Fills the queues of `groups` (duplicates ignored) and tells the streams which cases moved.
pub async fn fill_queues(state: &AppState, groups: impl IntoIterator<Item = String>) {
    let mut groups: Vec<String> = groups.into_iter().collect();
    groups.sort();
    groups.dedup();
    for group in groups {
        match state.store.fill_queue(&group).await {
            Ok(assigned) => {
                for case in assigned {
                    tracing::info!(ticket = %case.ticket_id, agent = %case.agent_email, "auto-assigned");
                    state.events.publish(TicketEvent::Updated {
                        ticket_id: case.ticket_id,
                    });
                }
            }
            Err(err) => tracing::warn!(%group, error = %err, "automatic assignment failed"),
        }
    }
}

/// After an escalation created a ticket in `group`: fills that group's queue. Checks the cached
/// settings first, so while auto-assignment is off an escalation costs no database work here.
pub async fn after_escalation(state: &AppState, group: String) {
    match state.store.current_desk_config().await {
        Ok(config) if config.auto_assign => fill_queues(state, [group]).await,
        Ok(_) => {}
        Err(err) => tracing::warn!(error = %err, "cannot read the settings; the case waits"),
    }
}

/// `GET /api/v1/desk/me`: the signed-in agent, with availability and capacity.
#[utoipa::path(
    get,
    path = "/api/v1/desk/me",
    tag = "desk",
    responses((status = 200, description = "the signed-in agent", body = Agent), crate::http::openapi::ProblemResponse)
)]
pub async fn me(session: AgentSession) -> axum::Json<Agent> {
    axum::Json(session.agent)
}

/// `PATCH /api/v1/desk/me` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityChange {
    /// `false` is away: no automatic assignment.
    available: Option<bool>,
    /// Open cases before automatic assignment skips this agent.
    capacity: Option<i64>,
}

/// `PATCH /api/v1/desk/me {available?, capacity?}`: away and back, or a new capacity; answers the
/// agent. Coming back or raising capacity fills the agent's groups' queues at once.
#[utoipa::path(
    patch,
    path = "/api/v1/desk/me",
    tag = "desk",
    request_body = AvailabilityChange,
    responses((status = 200, description = "the agent as it is now", body = Agent), crate::http::openapi::ProblemResponse)
)]
pub async fn change_me(
    State(state): State<AppState>,
    session: AgentSession,
    Json(change): Json<AvailabilityChange>,
) -> Result<axum::Json<Agent>, ApiError> {
    let agent = state
        .store
        .set_availability(session.agent.id, change.available, change.capacity)
        .await?;
    fill_queues(&state, agent.groups.clone()).await;
    Ok(axum::Json(agent))
}
