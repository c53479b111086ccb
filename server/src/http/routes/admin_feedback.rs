//! `/api/v1/admin/feedback` (admins only): what visitors thought of the answers.

use axum::extract::State;
use protocol::{FeedbackSummary, SummaryQuery};

use crate::http::auth::AdminSession;
use crate::http::problem::{ApiError, Query};
use crate::http::AppState;

/// `GET /api/v1/admin/feedback[?site=ID]`: `{entries: [{site, entry_id, up, down}]}`, the most
/// disliked first (admins only).
#[utoipa::path(
    get,
    path = "/api/v1/admin/feedback",
    operation_id = "getFeedbackSummary",
    tag = "admin",
    params(SummaryQuery),
    responses((status = 200, description = "the tally per entry, the most disliked first", body = FeedbackSummary), crate::http::openapi::ProblemResponse)
)]
pub async fn summary(
    State(state): State<AppState>,
    _admin: AdminSession,
    Query(query): Query<SummaryQuery>,
) -> Result<axum::Json<FeedbackSummary>, ApiError> {
    let entries = state
        .store
        .feedback_summary(query.site.as_deref().map(str::trim))
        .await?;
    Ok(axum::Json(FeedbackSummary { entries }))
}
