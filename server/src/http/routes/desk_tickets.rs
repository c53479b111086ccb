//! `/api/v1/desk/tickets`: the inbox, a case with everything about it, and what agents do to it.

use axum::extract::State;
use axum::http::StatusCode;
use protocol::{
    AssignRequest, ChangeRequest, ListQuery, MergeRequest, Message, NewAgentMessage, TicketDetail,
    TicketList, TicketSummary, TransferRequest,
};

use crate::http::auth::AgentSession;
use crate::http::problem::{ApiError, Json, Path, Query};
use crate::http::AppState;

/// `GET /api/v1/desk/tickets?status=&priority=&site=&group=&assignee=&tag=&q=&limit=`
#[utoipa::path(
    get,
    path = "/api/v1/desk/tickets",
    operation_id = "listDeskTickets",
    tag = "desk",
    params(ListQuery),
    responses((status = 200, description = "the tickets the agent may see", body = TicketList), crate::http::openapi::ProblemResponse)
)]
pub async fn list(
    State(state): State<AppState>,
    session: AgentSession,
    Query(query): Query<ListQuery>,
) -> Result<axum::Json<TicketList>, ApiError> {
    let tickets = state.desk.inbox(&session.agent, query).await?;
    Ok(axum::Json(TicketList { tickets }))
}

/// `GET /api/v1/desk/tickets/{id}`: the ticket, its escalation context, every message
/// (internal notes included), its audit log and rating.
#[utoipa::path(
    get,
    path = "/api/v1/desk/tickets/{id}",
    operation_id = "getDeskTicket",
    tag = "desk",
    params(("id" = String, Path, description = "the ticket's public id")),
    responses((status = 200, description = "the ticket and everything about it", body = TicketDetail), crate::http::openapi::ProblemResponse)
)]
pub async fn detail(
    State(state): State<AppState>,
    session: AgentSession,
    Path(id): Path<String>,
) -> Result<axum::Json<TicketDetail>, ApiError> {
    Ok(axum::Json(
        state.desk.ticket_detail(&session.agent, &id).await?,
    ))
}

/// `POST /api/v1/desk/tickets/{id}/messages {body, internal}`: a reply or an internal note.
#[utoipa::path(
    post,
    path = "/api/v1/desk/tickets/{id}/messages",
    operation_id = "postAgentMessage",
    tag = "desk",
    params(("id" = String, Path, description = "the ticket's public id")),
    request_body = NewAgentMessage,
    responses((status = 201, description = "the message, its Markdown rendered", body = Message), crate::http::openapi::ProblemResponse)
)]
pub async fn post_message(
    State(state): State<AppState>,
    session: AgentSession,
    Path(id): Path<String>,
    Json(request): Json<NewAgentMessage>,
) -> Result<(StatusCode, axum::Json<Message>), ApiError> {
    let message = state
        .desk
        .post_agent_message(&session.agent, &id, request)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(message)))
}

/// `PATCH /api/v1/desk/tickets/{id} {status?, priority?, type?, tags?}`: the updated ticket.
#[utoipa::path(
    patch,
    path = "/api/v1/desk/tickets/{id}",
    operation_id = "changeTicket",
    tag = "desk",
    params(("id" = String, Path, description = "the ticket's public id")),
    request_body = ChangeRequest,
    responses((status = 200, description = "the ticket as it is now", body = TicketSummary), crate::http::openapi::ProblemResponse)
)]
pub async fn change(
    State(state): State<AppState>,
    session: AgentSession,
    Path(id): Path<String>,
    Json(request): Json<ChangeRequest>,
) -> Result<axum::Json<TicketSummary>, ApiError> {
    Ok(axum::Json(
        state
            .desk
            .change_ticket(&session.agent, &id, request)
            .await?,
    ))
}

/// `POST /api/v1/desk/tickets/{id}/claim`: assigns the ticket to the signed-in agent.
#[utoipa::path(
    post,
    path = "/api/v1/desk/tickets/{id}/claim",
    operation_id = "claimTicket",
    tag = "desk",
    params(("id" = String, Path, description = "the ticket's public id")),
    responses((status = 200, description = "the ticket as it is now", body = TicketSummary), crate::http::openapi::ProblemResponse)
)]
pub async fn claim(
    State(state): State<AppState>,
    session: AgentSession,
    Path(id): Path<String>,
) -> Result<axum::Json<TicketSummary>, ApiError> {
    Ok(axum::Json(state.desk.claim(&session.agent, &id).await?))
}

/// `POST /api/v1/desk/tickets/{id}/assign {agent}`.
#[utoipa::path(
    post,
    path = "/api/v1/desk/tickets/{id}/assign",
    operation_id = "assignTicket",
    tag = "desk",
    params(("id" = String, Path, description = "the ticket's public id")),
    request_body = AssignRequest,
    responses((status = 200, description = "the ticket as it is now", body = TicketSummary), crate::http::openapi::ProblemResponse)
)]
pub async fn assign(
    State(state): State<AppState>,
    session: AgentSession,
    Path(id): Path<String>,
    Json(request): Json<AssignRequest>,
) -> Result<axum::Json<TicketSummary>, ApiError> {
    let ticket = state
        .desk
        .assign(&session.agent, &id, request.agent.as_deref())
        .await?;
    Ok(axum::Json(ticket))
}

/// `POST /api/v1/desk/tickets/{id}/transfer {group?, agent?, note}`: to another group's queue,
/// to an agent, or both.
#[utoipa::path(
    post,
    path = "/api/v1/desk/tickets/{id}/transfer",
    operation_id = "transferTicket",
    tag = "desk",
    params(("id" = String, Path, description = "the ticket's public id")),
    request_body = TransferRequest,
    responses((status = 200, description = "the ticket as it is now", body = TicketSummary), crate::http::openapi::ProblemResponse)
)]
pub async fn transfer(
    State(state): State<AppState>,
    session: AgentSession,
    Path(id): Path<String>,
    Json(request): Json<TransferRequest>,
) -> Result<axum::Json<TicketSummary>, ApiError> {
    Ok(axum::Json(
        state.desk.transfer(&session.agent, &id, request).await?,
    ))
}

/// `POST /api/v1/desk/tickets/{id}/merge {into}`: closes ticket `id` as a duplicate of `into`
/// (same contact only) and copies its conversation there; answers the surviving ticket.
#[utoipa::path(
    post,
    path = "/api/v1/desk/tickets/{id}/merge",
    operation_id = "mergeTicket",
    tag = "desk",
    params(("id" = String, Path, description = "the duplicate, which is closed")),
    request_body = MergeRequest,
    responses((status = 200, description = "the ticket that carries on", body = TicketSummary), crate::http::openapi::ProblemResponse)
)]
pub async fn merge(
    State(state): State<AppState>,
    session: AgentSession,
    Path(id): Path<String>,
    Json(request): Json<MergeRequest>,
) -> Result<axum::Json<TicketSummary>, ApiError> {
    Ok(axum::Json(
        state.desk.merge(&session.agent, &id, &request.into).await?,
    ))
}
