//! The agents' API: the inbox, a ticket with everything about it, and what agents do to it.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::{Stream, StreamExt as _};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast::{self, error::RecvError};

use super::problem::{ApiError, Json, Path, Query};
use super::session::{AdminSession, AgentSession};
use super::AppState;
use crate::domain::{Priority, Role, Status, TicketType};
use crate::events::{Revocation, TicketEvent};
use crate::store::{
    Agent, Assignee, AuditEvent, ContactDetail, EscalationContext, Message, Rating, Store,
    TicketChanges, TicketFilter, TicketSummary,
};

/// The inbox filters; every one is optional and they combine.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    status: Option<Status>,
    priority: Option<Priority>,
    site: Option<String>,
    /// A skill group's id.
    group: Option<String>,
    /// An agent's email, `me`, or `none`.
    assignee: Option<String>,
    tag: Option<String>,
    /// Text in the subject or any message.
    q: Option<String>,
    /// Most tickets to answer.
    limit: Option<u32>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TicketList {
    tickets: Vec<TicketSummary>,
}

/// `GET /api/v1/desk/tickets?status=&priority=&site=&group=&assignee=&tag=&q=&limit=`
#[utoipa::path(
    get,
    path = "/api/v1/desk/tickets",
    tag = "desk",
    params(ListQuery),
    responses((status = 200, description = "the tickets the agent may see", body = TicketList), crate::http::openapi::ProblemResponse)
)]
pub async fn list(
    State(state): State<AppState>,
    session: AgentSession,
    Query(query): Query<ListQuery>,
) -> Result<axum::Json<TicketList>, ApiError> {
    let assignee = query.assignee.map(|a| match a.as_str() {
        "none" => Assignee::Nobody,
        "me" => Assignee::Agent(session.agent.email.clone()),
        _ => Assignee::Agent(a),
    });
    let filter = TicketFilter {
        status: query.status,
        priority: query.priority,
        site: query.site,
        group: query.group,
        assignee,
        tag: query.tag,
        text: query.q,
        limit: query.limit,
        visible_to: (session.agent.role != Role::Admin).then_some(session.agent.id),
    };
    let tickets = state.store.list_tickets(&filter).await?;
    Ok(axum::Json(TicketList { tickets }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TicketDetail {
    ticket: TicketSummary,
    /// What the visitor did before escalating; `None` for tickets from other channels.
    escalation: Option<EscalationContext>,
    /// The whole conversation, internal notes included.
    messages: Vec<Message>,
    audit: Vec<AuditEvent>,
    rating: Option<Rating>,
    /// Who the visitor is, with their other tickets (newest first).
    contact: Option<ContactDetail>,
}

async fn find(state: &AppState, id: &str) -> Result<TicketSummary, ApiError> {
    state
        .store
        .ticket(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no ticket {id}")))
}

/// The ticket if `agent` may see it: admins see every ticket; agents those of their groups, those
/// without a group, and those assigned to them. Others answer 404, like a ticket that does not
/// exist, so ids of other groups' cases cannot be probed.
pub(super) async fn find_visible(
    state: &AppState,
    agent: &Agent,
    id: &str,
) -> Result<TicketSummary, ApiError> {
    let ticket = find(state, id).await?;
    let visible = agent.role == Role::Admin
        || ticket.assignee_email.as_deref() == Some(agent.email.as_str())
        || ticket
            .group
            .as_ref()
            .is_none_or(|group| agent.groups.contains(group));
    if visible {
        Ok(ticket)
    } else {
        Err(ApiError::not_found(format!("no ticket {id}")))
    }
}

/// `GET /api/v1/desk/tickets/{id}`: the ticket, its escalation context, every message
/// (internal notes included), its audit log and rating.
#[utoipa::path(
    get,
    path = "/api/v1/desk/tickets/{id}",
    tag = "desk",
    params(("id" = String, Path, description = "the ticket's public id")),
    responses((status = 200, description = "the ticket and everything about it", body = TicketDetail), crate::http::openapi::ProblemResponse)
)]
pub async fn detail(
    State(state): State<AppState>,
    session: AgentSession,
    Path(id): Path<String>,
) -> Result<axum::Json<TicketDetail>, ApiError> {
    let ticket = find_visible(&state, &session.agent, &id).await?;
    let contact = match state.store.ticket_contact(&ticket.id).await? {
        Some(contact) => {
            let mut detail = state.store.contact(contact.id).await?;
            detail.tickets.retain(|t| t.id != ticket.id);
            Some(contact_tickets_visible_to(detail, &session.agent))
        }
        None => None,
    };
    Ok(axum::Json(TicketDetail {
        contact,
        escalation: state.store.escalation_context(&ticket).await?,
        messages: state.store.messages(ticket.row_id, 0, true).await?,
        audit: state.store.audit_events(&ticket).await?,
        rating: state.store.rating(ticket.row_id).await?,
        ticket,
    }))
}

/// The contact's other tickets the agent may know of: all for admins, otherwise those without a
/// group or of the agent's groups, the rule `GET /api/v1/desk/contacts/{id}` applies, so a
/// ticket's page does not reveal the subjects of other groups' cases.
fn contact_tickets_visible_to(mut detail: ContactDetail, agent: &Agent) -> ContactDetail {
    if agent.role != Role::Admin {
        detail.tickets.retain(|t| {
            t.group
                .as_ref()
                .is_none_or(|group| agent.groups.contains(group))
        });
    }
    detail
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewAgentMessage {
    /// Markdown.
    body: String,
    /// An internal note, never shown to the visitor.
    #[serde(default)]
    internal: bool,
}

/// `POST /api/v1/desk/tickets/{id}/messages {body, internal}`: a reply or an internal note.
#[utoipa::path(
    post,
    path = "/api/v1/desk/tickets/{id}/messages",
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
    let body = request.body.trim();
    if body.is_empty() || body.chars().count() > state.max_message_chars {
        return Err(ApiError::invalid(format!(
            "body must be 1 to {} characters",
            state.max_message_chars
        )));
    }
    let ticket = find_visible(&state, &session.agent, &id).await?;
    let message = state
        .store
        .add_agent_message(&ticket, session.agent.id, body, request.internal)
        .await?;
    state.events.publish(TicketEvent::Message {
        ticket_id: ticket.id,
        message: message.clone(),
    });
    Ok((StatusCode::CREATED, axum::Json(message)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ChangeRequest {
    status: Option<Status>,
    priority: Option<Priority>,
    #[serde(rename = "type")]
    ticket_type: Option<TicketType>,
    /// Replaces the tags.
    tags: Option<Vec<String>>,
}

/// `PATCH /api/v1/desk/tickets/{id} {status?, priority?, type?, tags?}`: the updated ticket.
#[utoipa::path(
    patch,
    path = "/api/v1/desk/tickets/{id}",
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
    let ticket = find_visible(&state, &session.agent, &id).await?;
    let changes = TicketChanges {
        status: request.status,
        priority: request.priority,
        ticket_type: request.ticket_type,
        tags: request.tags,
    };
    state
        .store
        .change_ticket(&ticket, session.agent.id, &changes)
        .await?;
    after_change(&state, ticket).await
}

/// `POST /api/v1/desk/tickets/{id}/claim`: assigns the ticket to the signed-in agent.
#[utoipa::path(
    post,
    path = "/api/v1/desk/tickets/{id}/claim",
    tag = "desk",
    params(("id" = String, Path, description = "the ticket's public id")),
    responses((status = 200, description = "the ticket as it is now", body = TicketSummary), crate::http::openapi::ProblemResponse)
)]
pub async fn claim(
    State(state): State<AppState>,
    session: AgentSession,
    Path(id): Path<String>,
) -> Result<axum::Json<TicketSummary>, ApiError> {
    let ticket = find_visible(&state, &session.agent, &id).await?;
    state
        .store
        .assign(&ticket, session.agent.id, Some(&session.agent.email))
        .await?;
    after_change(&state, ticket).await
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct AssignRequest {
    /// The assignee's email; `null` unassigns.
    agent: Option<String>,
}

/// `POST /api/v1/desk/tickets/{id}/assign {agent}`.
#[utoipa::path(
    post,
    path = "/api/v1/desk/tickets/{id}/assign",
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
    let ticket = find_visible(&state, &session.agent, &id).await?;
    state
        .store
        .assign(&ticket, session.agent.id, request.agent.as_deref())
        .await?;
    after_change(&state, ticket).await
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct TransferRequest {
    /// Another skill group: the case goes to its queue, unassigned.
    group: Option<String>,
    /// An agent's email: the case goes to that agent (with `group`, in that group).
    agent: Option<String>,
    /// Required: what the next agent needs to know; shown to them at the top of the case.
    note: String,
}

/// `POST /api/v1/desk/tickets/{id}/transfer {group?, agent?, note}`: to another group's queue,
/// to an agent, or both.
#[utoipa::path(
    post,
    path = "/api/v1/desk/tickets/{id}/transfer",
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
    if request.note.chars().count() > 2000 {
        return Err(ApiError::invalid("note is longer than 2000 characters"));
    }
    let ticket = find_visible(&state, &session.agent, &id).await?;
    state
        .store
        .transfer(
            &ticket,
            session.agent.id,
            request.group.as_deref(),
            request.agent.as_deref(),
            &request.note,
        )
        .await?;
    after_change(&state, ticket).await
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct MergeRequest {
    /// The ticket that carries on.
    into: String,
}

/// `POST /api/v1/desk/tickets/{id}/merge {into}`: closes ticket `id` as a duplicate of `into`
/// (same contact only) and copies its conversation there; answers the surviving ticket.
#[utoipa::path(
    post,
    path = "/api/v1/desk/tickets/{id}/merge",
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
    let duplicate = find_visible(&state, &session.agent, &id).await?;
    let into = find_visible(&state, &session.agent, &request.into).await?;
    state
        .store
        .merge_tickets(&duplicate, &into, session.agent.id)
        .await?;
    tracing::info!(duplicate = %duplicate.id, into = %into.id, by = %session.agent.email, "tickets merged");
    let _closed = after_change(&state, duplicate).await?;
    after_change(&state, into).await
}

/// After a change that may have freed capacity or queued the case (resolved, closed,
/// transferred, unassigned): tells the streams, then lets automatic assignment fill the queues
/// of the groups involved; answers the ticket as it is now.
async fn after_change(
    state: &AppState,
    before: TicketSummary,
) -> Result<axum::Json<TicketSummary>, ApiError> {
    let now = updated(state, before.clone()).await?;
    let mut groups: Vec<String> = before.group.iter().chain(&now.0.group).cloned().collect();
    if let Some(email) = &before.assignee_email {
        if let Some(agent) = state.store.agent_by_email(email).await? {
            groups.extend(agent.groups);
        }
    }
    super::assignment::fill_queues(state, groups).await;
    Ok(axum::Json(find(state, &before.id).await?))
}

/// Re-reads a changed ticket and tells the streams about it.
async fn updated(
    state: &AppState,
    ticket: TicketSummary,
) -> Result<axum::Json<TicketSummary>, ApiError> {
    state.events.publish(TicketEvent::Updated {
        ticket_id: ticket.id.clone(),
    });
    Ok(axum::Json(find(state, &ticket.id).await?))
}

/// `GET /api/v1/desk/events`: Server-Sent Events for every ticket change the agent may see.
///
/// Each event reaches an agent only for tickets the agent may see now (admins: all). The stream
/// re-validates its session when the hub announces a revocation for its agent and every
/// [`super::StreamLimits::recheck`]: it ends when the session was ended, expired, or the agent
/// disabled, and narrows at once when the agent is demoted or leaves a group.
#[utoipa::path(
    get,
    path = "/api/v1/desk/events",
    tag = "desk",
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
                            return Some(sse_event(&event));
                        }
                    }
                    // Fell behind: the client should re-read its views.
                    Err(RecvError::Lagged(_)) => {
                        return Some(Event::default().event("lagged").data("{}"))
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

/// An SSE frame for `event`: its name, and its JSON as data.
pub fn sse_event(event: &TicketEvent) -> Event {
    let data = serde_json::to_string(event).unwrap_or_else(|_| "{}".to_owned());
    let event_frame = Event::default().event(event.name()).data(data);
    match event {
        TicketEvent::Message { message, .. } => event_frame.id(message.id.to_string()),
        _ => event_frame,
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AgentList {
    agents: Vec<Agent>,
}

/// `GET /api/v1/admin/agents` (admins only).
#[utoipa::path(
    get,
    path = "/api/v1/admin/agents",
    tag = "admin",
    responses((status = 200, description = "every agent, disabled ones included", body = AgentList), crate::http::openapi::ProblemResponse)
)]
pub async fn list_agents(
    State(state): State<AppState>,
    _admin: AdminSession,
) -> Result<axum::Json<AgentList>, ApiError> {
    Ok(axum::Json(AgentList {
        agents: state.store.all_agents().await?,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewAgentRequest {
    email: String,
    name: String,
    /// `agent` unless given.
    #[serde(default = "default_role")]
    role: Role,
    /// Skill group ids; none means the default group.
    #[serde(default)]
    groups: Vec<String>,
}

fn default_role() -> Role {
    Role::Agent
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedAgent {
    agent: Agent,
    /// Shown once; only its argon2id hash is stored.
    password: String,
}

/// `POST /api/v1/admin/agents {email, name, role, groups}` (admins only): `201` with the
/// one-time password.
#[utoipa::path(
    post,
    path = "/api/v1/admin/agents",
    tag = "admin",
    request_body = NewAgentRequest,
    responses((status = 201, description = "the agent and its one-time password", body = CreatedAgent), crate::http::openapi::ProblemResponse)
)]
pub async fn create_agent(
    State(state): State<AppState>,
    AdminSession(admin): AdminSession,
    Json(request): Json<NewAgentRequest>,
) -> Result<(StatusCode, axum::Json<CreatedAgent>), ApiError> {
    let password = {
        let _slot = state.logins.hashing_slot().await?;
        state
            .store
            .create_agent(&request.email, &request.name, request.role, &request.groups)
            .await?
    };
    let agent = state
        .store
        .agent_by_email(&request.email)
        .await?
        .ok_or_else(ApiError::internal)?;
    tracing::info!(by = %admin.agent.email, agent = %agent.email, role = %agent.role, "agent created");
    super::assignment::fill_queues(&state, agent.groups.clone()).await;
    Ok((
        StatusCode::CREATED,
        axum::Json(CreatedAgent { agent, password }),
    ))
}
