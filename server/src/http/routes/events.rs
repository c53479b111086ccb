//! `/api/v1/events`: anonymous conversation events from the widget.
//!
//! CORS, origin check and the per-address rate limit like every visitor endpoint. The body may
//! come as `text/plain`: the widget sends its last batch with `navigator.sendBeacon` as the page
//! closes, and a string beacon is `text/plain`, which needs no CORS preflight. A batch resent
//! (the beacon, then the offline queue) answers `204` again and is stored once, by its id.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use protocol::EventBatch;

use crate::http::headers::origin;
use crate::http::problem::{ApiError, BeaconJson};
use crate::http::AppState;

/// `POST /api/v1/events {batch_id, site, events}`: `204`, also for a resend; a batch with any
/// invalid event is refused whole and nothing of it is stored.
#[utoipa::path(
    post, path = "/api/v1/events", operation_id = "recordConversationEvents", tag = "visitor",
    request_body(
        description = "One batch; sent as application/json, or as text/plain by navigator.sendBeacon",
        content(
            (EventBatch = "application/json"),
            (EventBatch = "text/plain")
        )
    ),
    responses((status = 204, description = "stored; a resend with the same batch_id is stored once"), crate::http::openapi::ProblemResponse)
)]
pub async fn record(
    State(state): State<AppState>,
    headers: HeaderMap,
    BeaconJson(batch): BeaconJson<EventBatch>,
) -> Result<StatusCode, ApiError> {
    state
        .desk
        .record_events(batch, origin(&headers), crate::store::now_ms())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
