//! `/api/v1/escalations`: a visitor hands the conversation to a person.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use protocol::{EscalationCreated, EscalationRequest};

use crate::http::headers::{idempotency_key, origin};
use crate::http::problem::{ApiError, Json};
use crate::http::AppState;

/// Creates a ticket from an escalation: `201 {ticket_id, token}`, or `200` with the same
/// `ticket_id` and the same token when an `Idempotency-Key` repeats an earlier escalation with
/// the same body (the token is unwrapped with the key; no new token is minted).
#[utoipa::path(
    post,
    path = "/api/v1/escalations",
    operation_id = "createEscalation",
    tag = "visitor",
    request_body = EscalationRequest,
    responses((status = 201, description = "a new ticket", body = EscalationCreated), (status = 200, description = "a retry with the same Idempotency-Key and body: the same ticket and token", body = EscalationCreated), crate::http::openapi::ProblemResponse)
)]
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(request): Json<EscalationRequest>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    let escalated = state
        .desk
        .create_escalation(request, key, origin(&headers))
        .await?;
    let status = if escalated.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let location = protocol::paths::visitor_ticket(&escalated.ticket_id);
    Ok((
        status,
        [(header::LOCATION, location)],
        axum::Json(EscalationCreated {
            ticket_id: escalated.ticket_id,
            token: escalated.token,
        }),
    )
        .into_response())
}
