//! `/api/v1/desk/events`: the agents' live view of the desk.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::{Stream, StreamExt as _};
use tokio::sync::broadcast::{self, error::RecvError};

use crate::domain::Role;
use crate::events::{Revocation, TicketEvent};
use crate::http::auth::AgentSession;
use crate::http::{sse, AppState};
use crate::store::{Agent, Store};

/// `GET /api/v1/desk/events`: Server-Sent Events for every ticket change the agent may see.
///
/// Each event reaches an agent only for tickets the agent may see now (admins: all). The stream
/// re-validates its session when the hub announces a revocation for its agent and every
/// [`super::StreamLimits::recheck`]: it ends when the session was ended, expired, or the agent
/// disabled, and narrows at once when the agent is demoted or leaves a group.
#[utoipa::path(
    get,
    path = "/api/v1/desk/events",
    operation_id = "streamDeskEvents",
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
