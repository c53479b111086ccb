//! "Was this helpful?" from the widget, and its tally for admins.
//!
//! `POST /api/v1/feedback` is anonymous and cookie-free: CORS like escalations (the site's
//! allowed origins), the per-address rate limit of every visitor endpoint, and an optional
//! `Idempotency-Key` so a verdict the widget queued offline and resent counts once. The site
//! owner turns it off in the embed (`data-analytics="off"`), in which case nothing is sent.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};

use super::problem::{ApiError, Json, Query};
use super::session::AdminSession;
use super::visitor::idempotency_key;
use super::AppState;
use crate::store::{FeedbackTally, NewFeedback, StoreError};

/// Longest question kept with a verdict, in characters; the rest is cut, not refused.
pub const MAX_QUERY_CHARS: usize = 200;

/// `POST /api/v1/feedback` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct FeedbackRequest {
    site: String,
    /// The knowledge-base entry that answered.
    entry_id: String,
    helpful: bool,
    /// The question the answer was for; truncated to [`MAX_QUERY_CHARS`].
    query: Option<String>,
    locale: Option<String>,
}

/// `POST /api/v1/feedback {site, entry_id, helpful, query, locale}`: `204`, also for a resend;
/// `422 unknown-entry` for an entry the served snapshot does not have.
#[utoipa::path(
    post,
    path = "/api/v1/feedback",
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
    let feedback = request.validate(key)?;
    let site = state
        .sites
        .get(&feedback.site_id)
        .await?
        .ok_or_else(|| StoreError::UnknownSite(feedback.site_id.clone()))?;
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or_default();
        if !state.sites.site_allows(&site, origin) {
            return Err(ApiError::forbidden(format!(
                "origin {origin:?} is not allowed for site {:?}",
                site.id
            )));
        }
    }
    // Only entries of the knowledge base this server serves: the tally admins read must not
    // fill with ids anyone can make up.
    let snapshot = state.snapshot.as_ref().ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown-entry",
            "this server serves no knowledge base, so there is no entry to give feedback on",
        )
    })?;
    let known = snapshot
        .has_entry(&feedback.entry_id)
        .await
        .map_err(|err| {
            tracing::error!(error = %err, "cannot read the snapshot");
            ApiError::unavailable("the knowledge-base snapshot cannot be read")
        })?;
    if !known {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown-entry",
            format!("the knowledge base has no entry {:?}", feedback.entry_id),
        ));
    }
    state.store.record_feedback(&feedback).await?;
    Ok(StatusCode::NO_CONTENT)
}

impl FeedbackRequest {
    fn validate(self, idempotency_key: Option<String>) -> Result<NewFeedback, ApiError> {
        let site = self.site.trim();
        if site.is_empty() || site.len() > 64 {
            return Err(ApiError::invalid("site must be 1 to 64 characters"));
        }
        let entry_id = self.entry_id.trim();
        if entry_id.is_empty() || entry_id.chars().count() > 200 {
            return Err(ApiError::invalid("entry_id must be 1 to 200 characters"));
        }
        let query = self
            .query
            .map(|q| q.trim().chars().take(MAX_QUERY_CHARS).collect::<String>())
            .filter(|q| !q.is_empty());
        let locale = self
            .locale
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty());
        if locale.as_ref().is_some_and(|l| l.len() > 35) {
            return Err(ApiError::invalid("locale is longer than 35 characters"));
        }
        Ok(NewFeedback {
            site_id: site.to_owned(),
            entry_id: entry_id.to_owned(),
            helpful: self.helpful,
            query,
            locale,
            idempotency_key,
        })
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// Only this site's entries.
    site: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FeedbackSummary {
    entries: Vec<FeedbackTally>,
}

/// `GET /api/v1/admin/feedback[?site=ID]`: `{entries: [{site, entry_id, up, down}]}`, the most
/// disliked first (admins only).
#[utoipa::path(
    get,
    path = "/api/v1/admin/feedback",
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
