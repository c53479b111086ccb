//! The public API a visitor's browser calls: escalate, then follow the ticket with its token.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::{Stream, StreamExt as _};
use serde::{Deserialize, Serialize};
use tokio_stream::wrappers::BroadcastStream;

use super::problem::{ApiError, Json, Path, Query};
use super::AppState;
use crate::events::TicketEvent;
use crate::identity::{IdentityClaim, IdentityPolicy};
use crate::store::{
    BotContext, EscalationOutcome, Message, NewContact, NewEscalation, Rating, TranscriptTurn,
    VisitorTicket,
};

/// Longest message a visitor, the bot or an agent may write, in characters, unless configured
/// otherwise ([`crate::Config::max_message_chars`]).
pub const MAX_MESSAGE_CHARS: usize = 10_000;
/// Most transcript turns kept with an escalation.
pub const MAX_TRANSCRIPT_TURNS: usize = 100;
const MAX_CANDIDATES: usize = 50;
const MAX_IDEMPOTENCY_KEY: usize = 255;

/// What a visitor's browser may do with a ticket, and for how long: the caps on what one token
/// can write, and when tokens stop working.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisitorPolicy {
    /// A ticket's tokens are refused (`401`) once the ticket has seen no activity (a message,
    /// an agent's change) for this long. A stolen or leaked token, say from a shared computer's
    /// local storage, does not open a conversation forever.
    pub token_ttl: Duration,
    /// Most messages the visitor's browser may put in one ticket, transcript turns included;
    /// beyond it a reply is refused (`422`) and the visitor starts a new conversation.
    pub max_messages_per_ticket: u32,
    /// The expiry of the older HMAC identity form ([`crate::identity`]).
    pub identity: IdentityPolicy,
}

impl VisitorPolicy {
    /// 90 days: generous, so a visitor coming back to a slow case still can.
    pub const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(90 * 24 * 3600);
    /// Far more than a real conversation needs, small enough that one token cannot bury a desk.
    pub const DEFAULT_MAX_MESSAGES_PER_TICKET: u32 = 1_000;
}

impl Default for VisitorPolicy {
    fn default() -> Self {
        VisitorPolicy {
            token_ttl: Self::DEFAULT_TOKEN_TTL,
            max_messages_per_ticket: Self::DEFAULT_MAX_MESSAGES_PER_TICKET,
            identity: IdentityPolicy::default(),
        }
    }
}

/// `POST /api/v1/escalations` body. Only `site` and `message` are required.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct EscalationRequest {
    site: String,
    message: String,
    #[serde(default)]
    transcript: Vec<TranscriptTurn>,
    contact: Option<NewContact>,
    /// A host-signed visitor identity: an HS256 JWT, or the older `{"id", "hmac"}` pair (see
    /// [`crate::identity`]). One that fails verification refuses the escalation with `401`.
    #[schema(value_type = Option<Object>)]
    identity_token: Option<IdentityClaim>,
    page_url: Option<String>,
    locale: Option<String>,
    bot: Option<BotContext>,
    /// Skill group to route to; the site's default when absent.
    group: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct EscalationCreated {
    ticket_id: String,
    token: String,
}

/// Creates a ticket from an escalation: `201 {ticket_id, token}`, or `200` with the same
/// `ticket_id` and the same token when an `Idempotency-Key` repeats an earlier escalation with
/// the same body (the token is unwrapped with the key; no new token is minted).
#[utoipa::path(
    post,
    path = "/api/v1/escalations",
    tag = "visitor",
    request_body = EscalationRequest,
    responses((status = 201, description = "a new ticket", body = EscalationCreated), (status = 200, description = "a retry with the same Idempotency-Key and body: the same ticket and token", body = EscalationCreated), crate::http::openapi::ProblemResponse)
)]
pub async fn create_escalation(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(request): Json<EscalationRequest>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    let identity_claim = request.identity_token.clone();
    let mut escalation = request.validate(key, state.max_message_chars)?;
    let site = state
        .sites
        .get(&escalation.site_id)
        .await?
        .ok_or_else(|| crate::store::StoreError::UnknownSite(escalation.site_id.clone()))?;
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or_default();
        if !state.sites.site_allows(&site, origin) {
            return Err(ApiError::forbidden(format!(
                "origin {origin:?} is not allowed for site {:?}",
                site.id
            )));
        }
    }
    state.limiter.check_site(&site.id)?;
    if let Some(claim) = identity_claim {
        let now = crate::store::now_ms() / 1000;
        let identity = claim
            .verify_with(
                site.identity_secret.as_deref(),
                &state.visitor.identity,
                now,
            )
            .map_err(|err| {
                ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "invalid-identity",
                    err.to_string(),
                )
            })?;
        escalation.identity = Some(identity);
    }
    let (status, ticket_id, token) = match state.store.create_escalation(&site, escalation).await? {
        EscalationOutcome::Created {
            ticket_id,
            token,
            group_id,
        } => {
            tracing::info!(ticket = %ticket_id, site = %site.id, "escalation created");
            state.metrics.ticket_created();
            state.events.publish(TicketEvent::Created {
                ticket_id: ticket_id.clone(),
            });
            if let Some(group) = group_id {
                super::assignment::after_escalation(&state, group).await;
            }
            (StatusCode::CREATED, ticket_id, token)
        }
        EscalationOutcome::Replayed { ticket_id, token } => (StatusCode::OK, ticket_id, token),
    };
    Ok((
        status,
        [(header::LOCATION, format!("/api/v1/tickets/{ticket_id}"))],
        axum::Json(EscalationCreated { ticket_id, token }),
    )
        .into_response())
}

impl EscalationRequest {
    fn validate(
        self,
        idempotency_key: Option<String>,
        max_chars: usize,
    ) -> Result<NewEscalation, ApiError> {
        let site = self.site.trim();
        if site.is_empty() || site.len() > 64 {
            return Err(ApiError::invalid("site must be 1 to 64 characters"));
        }
        let message = self.message.trim();
        check_text("message", message, max_chars)?;
        if self.transcript.len() > MAX_TRANSCRIPT_TURNS {
            return Err(ApiError::invalid(format!(
                "transcript has {} turns; at most {MAX_TRANSCRIPT_TURNS} are accepted",
                self.transcript.len()
            )));
        }
        for (i, turn) in self.transcript.iter().enumerate() {
            check_length(&format!("transcript[{i}].text"), &turn.text, max_chars)?;
        }
        let contact = match self.contact {
            Some(contact) => Some(NewContact {
                name: optional("contact.name", contact.name, 200)?,
                email: optional("contact.email", contact.email, 254)?,
            }),
            None => None,
        };
        if let Some(email) = contact.as_ref().and_then(|c| c.email.as_deref()) {
            if !email.contains('@') {
                return Err(ApiError::invalid("contact.email is not an email address"));
            }
        }
        if let Some(bot) = &self.bot {
            check_length("bot.decision", bot.decision.as_deref().unwrap_or(""), 64)?;
            if bot.candidates.len() > MAX_CANDIDATES {
                return Err(ApiError::invalid(format!(
                    "bot.candidates: at most {MAX_CANDIDATES} are accepted"
                )));
            }
            for candidate in &bot.candidates {
                check_length("bot.candidates[].id", &candidate.id, 200)?;
                if !candidate.score.is_finite() {
                    return Err(ApiError::invalid("bot.candidates[].score must be finite"));
                }
            }
        }
        Ok(NewEscalation {
            site_id: site.to_owned(),
            message: message.to_owned(),
            transcript: self.transcript,
            contact,
            page_url: optional("page_url", self.page_url, 2048)?
                .map(|url| web_url("page_url", url))
                .transpose()?,
            locale: optional("locale", self.locale, 35)?,
            bot: self.bot,
            group_id: optional("group", self.group, 64)?,
            identity: None,
            idempotency_key,
        })
    }
}

/// The `Idempotency-Key` header, if sent: 1 to 255 visible ASCII characters.
pub(super) fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .filter(|k| !k.is_empty() && k.len() <= MAX_IDEMPOTENCY_KEY)
        .filter(|k| k.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| {
            ApiError::bad_request("Idempotency-Key must be 1 to 255 visible ASCII characters")
        })?;
    Ok(Some(key.to_owned()))
}

fn check_text(field: &str, text: &str, max_chars: usize) -> Result<(), ApiError> {
    if text.trim().is_empty() {
        return Err(ApiError::invalid(format!("{field} must not be empty")));
    }
    check_length(field, text, max_chars)
}

fn check_length(field: &str, text: &str, max_chars: usize) -> Result<(), ApiError> {
    if text.chars().count() > max_chars {
        return Err(ApiError::invalid(format!(
            "{field} is longer than {max_chars} characters"
        )));
    }
    Ok(())
}

/// A trimmed optional field; blank counts as absent.
fn optional(
    field: &str,
    value: Option<String>,
    max_chars: usize,
) -> Result<Option<String>, ApiError> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => {
            check_length(field, text, max_chars)?;
            Ok(Some(text.to_owned()))
        }
    }
}

/// `url` if it is an absolute `http:` or `https:` URL with a host, else `422`.
///
/// The workbench shows the page a visitor escalated from as a link an agent clicks: a
/// `javascript:` or `data:` URL there would run in the agent's session.
fn web_url(field: &str, url: String) -> Result<String, ApiError> {
    let refuse = |why: &str| ApiError::invalid(format!("{field} {why}"));
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(refuse("must not contain spaces or control characters"));
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(refuse("must be an absolute http:// or https:// URL"));
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        let shown: String = url
            .split(':')
            .next()
            .unwrap_or_default()
            .chars()
            .take(20)
            .collect();
        return Err(refuse(&format!(
            "must be an http:// or https:// URL, not {shown:?}"
        )));
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || host.starts_with('@') {
        return Err(refuse("must name a host"));
    }
    Ok(url)
}

/// The ticket named in the path, authorized by the bearer token in the request.
async fn authorized_ticket(
    state: &AppState,
    headers: &HeaderMap,
    ticket_id: &str,
) -> Result<VisitorTicket, ApiError> {
    ticket_for_token(state, ticket_id, bearer_token(headers)?).await
}

/// The ticket `ticket_id` if `token` is one of its tokens and has not expired.
///
/// Only a token that matched learns that it expired (`401 token-expired`); any other gets the
/// same `404` as a ticket that does not exist.
async fn ticket_for_token(
    state: &AppState,
    ticket_id: &str,
    token: &str,
) -> Result<VisitorTicket, ApiError> {
    let ticket = state
        .store
        .visitor_ticket(ticket_id, token)
        .await?
        .ok_or_else(|| ApiError::not_found("no ticket with this id for this token"))?;
    let ttl_ms = i64::try_from(state.visitor.token_ttl.as_millis()).unwrap_or(i64::MAX);
    if crate::store::now_ms().saturating_sub(ticket.updated_at) > ttl_ms {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "token-expired",
            format!(
                "this ticket's token expired after {} days without activity; start a new \
                 conversation",
                state.visitor.token_ttl.as_secs() / 86_400
            ),
        ));
    }
    Ok(ticket)
}

/// The token of `Authorization: Bearer TOKEN`.
fn bearer_token(headers: &HeaderMap) -> Result<&str, ApiError> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::unauthorized("send the ticket's token as Authorization: Bearer TOKEN")
        })
}

/// `GET /api/v1/tickets/{id}`: the ticket as its visitor sees it.
#[utoipa::path(
    get,
    path = "/api/v1/tickets/{id}",
    tag = "visitor",
    params(("id" = String, Path, description = "the id in the path")),
    responses((status = 200, description = "the ticket as its visitor sees it", body = VisitorTicket), crate::http::openapi::ProblemResponse)
)]
pub async fn ticket(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(ticket_id): Path<String>,
) -> Result<axum::Json<VisitorTicket>, ApiError> {
    Ok(axum::Json(
        authorized_ticket(&state, &headers, &ticket_id).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessagesQuery {
    /// Only messages with a larger id (for polling).
    #[serde(default)]
    after: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MessageList {
    messages: Vec<Message>,
}

/// `GET /api/v1/tickets/{id}/messages[?after=ID]`: the conversation without internal notes.
#[utoipa::path(
    get,
    path = "/api/v1/tickets/{id}/messages",
    tag = "visitor",
    params(("id" = String, Path, description = "the id in the path"), MessagesQuery),
    responses((status = 200, description = "the conversation without internal notes", body = MessageList), crate::http::openapi::ProblemResponse)
)]
pub async fn messages(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(ticket_id): Path<String>,
    Query(query): Query<MessagesQuery>,
) -> Result<axum::Json<MessageList>, ApiError> {
    let ticket = authorized_ticket(&state, &headers, &ticket_id).await?;
    let messages = state
        .store
        .messages(ticket.row_id, query.after, false)
        .await?;
    Ok(axum::Json(MessageList { messages }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewVisitorMessage {
    text: String,
}

/// `POST /api/v1/tickets/{id}/messages {text}`: the visitor writes; `201` with the message.
/// With an `Idempotency-Key`, a retry returns `200` with the message the first attempt made.
#[utoipa::path(
    post,
    path = "/api/v1/tickets/{id}/messages",
    tag = "visitor",
    params(("id" = String, Path, description = "the id in the path")),
    request_body = NewVisitorMessage,
    responses((status = 201, description = "the message", body = Message), (status = 200, description = "a retry with the same Idempotency-Key: the message the first attempt made", body = Message), crate::http::openapi::ProblemResponse)
)]
pub async fn post_message(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(ticket_id): Path<String>,
    Json(body): Json<NewVisitorMessage>,
) -> Result<(StatusCode, axum::Json<Message>), ApiError> {
    let key = idempotency_key(&headers)?;
    let ticket = authorized_ticket(&state, &headers, &ticket_id).await?;
    let text = body.text.trim();
    check_text("text", text, state.max_message_chars)?;
    let cap = state.visitor.max_messages_per_ticket;
    let (message, created) = match &key {
        Some(key) => {
            state
                .store
                .add_visitor_message_once(&ticket, text, key, cap)
                .await?
        }
        None => (
            state.store.add_visitor_message(&ticket, text, cap).await?,
            true,
        ),
    };
    if !created {
        return Ok((StatusCode::OK, axum::Json(message)));
    }
    state.events.publish(TicketEvent::Message {
        ticket_id: ticket.id,
        message: message.clone(),
    });
    Ok((StatusCode::CREATED, axum::Json(message)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// The ticket's token: `EventSource` cannot send an `Authorization` header. This is the only
    /// endpoint that reads a token from the query string (query strings end up in logs and
    /// histories); every other one takes it only as `Authorization: Bearer`.
    token: Option<String>,
    /// Replay messages with a larger id first (also taken from `Last-Event-ID` on reconnect).
    after: Option<i64>,
}

/// `GET /api/v1/tickets/{id}/events?token=…`: Server-Sent Events of the ticket's new public
/// messages (`message`, with the message id as event id) and field changes (`updated`).
#[utoipa::path(
    get,
    path = "/api/v1/tickets/{id}/events",
    tag = "visitor",
    params(("id" = String, Path, description = "the id in the path"), EventsQuery),
    responses((status = 200, description = "Server-Sent Events: message, updated, lagged", content_type = "text/event-stream"), crate::http::openapi::ProblemResponse)
)]
pub async fn events(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(ticket_id): Path<String>,
    Query(query): Query<EventsQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let token = match &query.token {
        Some(token) => token.as_str(),
        None => bearer_token(&headers)?,
    };
    let ticket = ticket_for_token(&state, &ticket_id, token).await?;
    let last_event_id = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok());
    // Subscribe before reading the backlog, so nothing falls between the two.
    let live = BroadcastStream::new(state.events.subscribe());
    let backlog = match query.after.or(last_event_id) {
        Some(after) => state.store.messages(ticket.row_id, after, false).await?,
        None => Vec::new(),
    };
    let replayed_up_to = backlog.last().map_or(i64::MIN, |m| m.id);
    let backlog: Vec<Event> = backlog
        .into_iter()
        .map(|message| {
            super::desk::sse_event(&TicketEvent::Message {
                ticket_id: ticket.id.clone(),
                message,
            })
        })
        .collect();
    let id = ticket.id.clone();
    let live = live.filter_map(move |received| {
        let event = match received {
            Ok(event) if event.ticket_id() == id && event.visible_to_visitor() => match &event {
                TicketEvent::Message { message, .. } if message.id <= replayed_up_to => None,
                _ => Some(super::desk::sse_event(&event)),
            },
            Ok(_) => None,
            Err(_) => Some(Event::default().event("lagged").data("{}")),
        };
        std::future::ready(event)
    });
    let stream = futures_util::stream::iter(backlog)
        .chain(live)
        .map(Ok)
        .take_until(state.shutdown.wait());
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RatingRequest {
    /// 1 (bad) to 5 (great).
    score: i64,
    comment: Option<String>,
}

/// `POST /api/v1/tickets/{id}/rating {score, comment}`: the visitor's CSAT; a second rating
/// replaces the first. `201` with the rating.
#[utoipa::path(
    post,
    path = "/api/v1/tickets/{id}/rating",
    tag = "visitor",
    params(("id" = String, Path, description = "the id in the path")),
    request_body = RatingRequest,
    responses((status = 201, description = "the rating", body = Rating), crate::http::openapi::ProblemResponse)
)]
pub async fn rate(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(ticket_id): Path<String>,
    Json(request): Json<RatingRequest>,
) -> Result<(StatusCode, axum::Json<Rating>), ApiError> {
    let ticket = authorized_ticket(&state, &headers, &ticket_id).await?;
    let comment = optional("comment", request.comment, 2000)?;
    let rating = state
        .store
        .rate(ticket.row_id, request.score, comment.as_deref())
        .await?;
    // The agent's open case re-reads itself and shows the rating.
    state.events.publish(TicketEvent::Updated {
        ticket_id: ticket.id.clone(),
    });
    Ok((StatusCode::CREATED, axum::Json(rating)))
}
