//! `/api/v1/desk`: the inbox, a case with everything about it and what agents do to it, the
//! agents' live event stream, the signed-in agent's availability, and the skill groups (which
//! every agent needs to offer transfers).

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::{Stream, StreamExt as _};
use protocol::{
    AssignRequest, AvailabilityChange, ChangeRequest, GroupList, ListQuery, MergeRequest, Message,
    NewAgentMessage, TicketDetail, TicketList, TicketSummary, TransferRequest,
};
use tokio::sync::broadcast::{self, error::RecvError};

use crate::domain::Role;
use crate::events::{Revocation, TicketEvent};
use crate::http::auth::AgentSession;
use crate::http::problem::{ApiError, Json, Path, Query};
use crate::http::{sse, AppState};
use crate::store::{Agent, Store};

/// `GET /api/v1/desk/tickets?status=&priority=&site=&group=&assignee=&tag=&q=&limit=`
#[utoipa::path(
    get, path = "/api/v1/desk/tickets", operation_id = "listDeskTickets", tag = "desk",
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
    get, path = "/api/v1/desk/tickets/{id}", operation_id = "getDeskTicket", tag = "desk",
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
    post, path = "/api/v1/desk/tickets/{id}/messages", operation_id = "postAgentMessage", tag = "desk",
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
    patch, path = "/api/v1/desk/tickets/{id}", operation_id = "changeTicket", tag = "desk",
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
    post, path = "/api/v1/desk/tickets/{id}/claim", operation_id = "claimTicket", tag = "desk",
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
    post, path = "/api/v1/desk/tickets/{id}/assign", operation_id = "assignTicket", tag = "desk",
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
    post, path = "/api/v1/desk/tickets/{id}/transfer", operation_id = "transferTicket", tag = "desk",
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
    post, path = "/api/v1/desk/tickets/{id}/merge", operation_id = "mergeTicket", tag = "desk",
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

/// `GET /api/v1/desk/me`: the signed-in agent, with availability and capacity.
#[utoipa::path(
    get, path = "/api/v1/desk/me", operation_id = "getMe", tag = "desk",
    responses((status = 200, description = "the signed-in agent", body = Agent), crate::http::openapi::ProblemResponse)
)]
pub async fn me(session: AgentSession) -> axum::Json<Agent> {
    axum::Json(session.agent)
}

/// `PATCH /api/v1/desk/me {available?, capacity?}`: away and back, or a new capacity; answers the
/// agent. Coming back or raising capacity fills the agent's groups' queues at once.
#[utoipa::path(
    patch, path = "/api/v1/desk/me", operation_id = "changeMyAvailability", tag = "desk",
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

/// `GET /api/v1/desk/groups`: every skill group with its members (any agent).
#[utoipa::path(
    get, path = "/api/v1/desk/groups", operation_id = "listGroups", tag = "desk",
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

/// `GET /api/v1/desk/events`: Server-Sent Events for every ticket change the agent may see.
///
/// Each event reaches an agent only for tickets the agent may see now (admins: all). The stream
/// re-validates its session when the hub announces a revocation for its agent and every
/// [`super::StreamLimits::recheck`]: it ends when the session was ended, expired, or the agent
/// disabled, and narrows at once when the agent is demoted or leaves a group.
#[utoipa::path(
    get, path = "/api/v1/desk/events", operation_id = "streamDeskEvents", tag = "desk",
    responses((status = 200, description = "Server-Sent Events: created, message, updated, lagged", content_type = "text/event-stream"), crate::http::openapi::ProblemResponse)
)]
pub async fn events(
    State(state): State<AppState>,
    session: AgentSession,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let every = state
        .streams
        .limits()
        .recheck
        .max(Duration::from_millis(100));
    let watch = AgentStream {
        store: state.store.clone(),
        token: session.token().to_owned(),
        agent: session.agent,
        events: state.events.subscribe(),
        revocations: state.events.subscribe_revocations(),
        recheck: tokio::time::interval_at(tokio::time::Instant::now() + every, every),
    };
    let stream = futures_util::stream::unfold(watch, |mut watch| async move {
        let event = watch.next().await?;
        Some((Ok(event), watch))
    })
    .take_until(state.shutdown.wait());
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// One agent's open stream: what it may see, re-checked as permissions change.
struct AgentStream {
    store: Store,
    token: String,
    agent: Agent,
    events: broadcast::Receiver<TicketEvent>,
    revocations: broadcast::Receiver<Revocation>,
    recheck: tokio::time::Interval,
}

impl AgentStream {
    /// The next frame for this agent; `None` when the stream must end.
    async fn next(&mut self) -> Option<Event> {
        loop {
            tokio::select! {
                // Revocations first: one published before an event must apply to it.
                biased;
                revoked = self.revocations.recv() => match revoked {
                    Ok(revocation) if !revocation.concerns(self.agent.id) => {}
                    Ok(_) | Err(RecvError::Lagged(_)) => {
                        if !self.revalidate().await {
                            return None;
                        }
                    }
                    Err(RecvError::Closed) => return None,
                },
                _ = self.recheck.tick() => {
                    if !self.revalidate().await {
                        return None;
                    }
                }
                received = self.events.recv() => match received {
                    Ok(event) => {
                        if self.may_see(&event).await {
                            return Some(sse::frame(&event));
                        }
                    }
                    // Fell behind: the client should re-read its views.
                    Err(RecvError::Lagged(_)) => {
                        return Some(sse::lagged())
                    }
                    Err(RecvError::Closed) => return None,
                },
            }
        }
    }

    /// Re-reads the session and the agent; `false` when the stream must end (the session ended
    /// or expired, the agent was disabled, or the database cannot say).
    async fn revalidate(&mut self) -> bool {
        match self.store.session_agent(&self.token).await {
            Ok(Some(agent)) => {
                self.agent = agent;
                true
            }
            Ok(None) => false,
            Err(err) => {
                tracing::warn!(error = %err, agent = %self.agent.email, "cannot re-check an event stream's session; ending it");
                false
            }
        }
    }

    /// `Updated` carries nothing but the ticket's id and goes to every agent: a case transferred
    /// out of the agent's groups must still leave her open inbox, which learns it by re-reading
    /// the ticket (and getting a 404). Messages (internal notes among them) and new cases go
    /// only to agents who may see the ticket now.
    async fn may_see(&self, event: &TicketEvent) -> bool {
        self.agent.role == Role::Admin
            || matches!(event, TicketEvent::Updated { .. })
            || self
                .store
                .agent_may_see(self.agent.id, &self.agent.groups, event.ticket_id())
                .await
                .unwrap_or(false)
    }
}
