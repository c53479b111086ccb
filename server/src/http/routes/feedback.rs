//! `/api/v1/feedback`: "Was this helpful?" from the widget.
//!
//! Anonymous and cookie-free: CORS like escalations (the site's allowed origins), the per-address
//! rate limit of every visitor endpoint, and an optional `Idempotency-Key` so a verdict the widget
//! queued offline and resent counts once. The site owner turns it off in the embed
//! (`data-analytics="off"`), in which case nothing is sent.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use protocol::FeedbackRequest;

use crate::http::headers::{idempotency_key, origin};
use crate::http::problem::{ApiError, Json};
use crate::http::AppState;

/// `POST /api/v1/feedback {site, entry_id, helpful, query, locale}`: `204`, also for a resend;
/// `422 unknown-entry` for an entry the served snapshot does not have.
#[utoipa::path(
    post,
    path = "/api/v1/feedback",
    operation_id = "recordFeedback",
    tag = "visitor",
    request_body = FeedbackRequest,
    responses((status = 204, description = "counted; a resend with the same Idempotency-Key counts once"), crate::http::openapi::ProblemResponse)
)]
pub async fn record(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(request): Json<FeedbackRequest>,
) -> Result<StatusCode, ApiError> {
    let key = idempotency_key(&headers)?;
    state
        .desk
        .record_feedback(request, key, origin(&headers))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
