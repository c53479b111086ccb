//! `/api/v1/tickets/{id}`: the visitor follows their ticket with its token.
//!
//! The token is the only credential, sent as `Authorization: Bearer` (the event stream alone may
//! take it from the query string, which `EventSource` needs).

use std::convert::Infallible;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::{Stream, StreamExt as _};
use protocol::{
    EventsQuery, Message, MessageList, MessagesQuery, NewVisitorMessage, Rating, RatingRequest,
    VisitorTicket,
};
use tokio_stream::wrappers::BroadcastStream;

use crate::events::TicketEvent;
use crate::http::headers::idempotency_key;
use crate::http::problem::{ApiError, Json, Path, Query};
use crate::http::{sse, AppState};
use crate::store::Stored;

/// The ticket named in the path, authorized by the bearer token in the request.
async fn authorized_ticket(
    state: &AppState,
    headers: &HeaderMap,
    ticket_id: &str,
) -> Result<Stored<VisitorTicket>, ApiError> {
    Ok(state
        .desk
        .visitor_ticket(ticket_id, bearer_token(headers)?)
        .await?)
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
    operation_id = "getVisitorTicket",
    tag = "visitor",
    params(("id" = String, Path, description = "the id in the path")),
    responses((status = 200, description = "the ticket as its visitor sees it", body = VisitorTicket), crate::http::openapi::ProblemResponse)
)]
pub async fn ticket(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(ticket_id): Path<String>,
) -> Result<axum::Json<VisitorTicket>, ApiError> {
    let ticket = authorized_ticket(&state, &headers, &ticket_id).await?;
    Ok(axum::Json(ticket.into_inner()))
}

/// `GET /api/v1/tickets/{id}/messages[?after=ID]`: the conversation without internal notes.
#[utoipa::path(
    get,
    path = "/api/v1/tickets/{id}/messages",
    operation_id = "listTicketMessages",
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

/// `POST /api/v1/tickets/{id}/messages {text}`: the visitor writes; `201` with the message.
/// With an `Idempotency-Key`, a retry returns `200` with the message the first attempt made.
#[utoipa::path(
    post,
    path = "/api/v1/tickets/{id}/messages",
    operation_id = "postVisitorMessage",
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
    let posted = state
        .desk
        .post_visitor_message(&ticket, &body.text, key.as_deref())
        .await?;
    let status = if posted.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(posted.message)))
}

/// `GET /api/v1/tickets/{id}/events?token=…`: Server-Sent Events of the ticket's new public
/// messages (`message`, with the message id as event id) and field changes (`updated`).
#[utoipa::path(
    get,
    path = "/api/v1/tickets/{id}/events",
    operation_id = "streamTicketEvents",
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
    let ticket = state.desk.visitor_ticket(&ticket_id, token).await?;
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
            sse::frame(&TicketEvent::Message {
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
                _ => Some(sse::frame(&event)),
            },
            Ok(_) => None,
            Err(_) => Some(sse::lagged()),
        };
        std::future::ready(event)
    });
    let stream = futures_util::stream::iter(backlog)
        .chain(live)
        .map(Ok)
        .take_until(state.shutdown.wait());
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// `POST /api/v1/tickets/{id}/rating {score, comment}`: the visitor's CSAT; a second rating
/// replaces the first. `201` with the rating.
#[utoipa::path(
    post,
    path = "/api/v1/tickets/{id}/rating",
    operation_id = "rateTicket",
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
    let rating = state.desk.rate(&ticket, request).await?;
    Ok((StatusCode::CREATED, axum::Json(rating)))
}
