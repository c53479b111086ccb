//! `/api/v1/admin/kb` (admins only): each site's knowledge base, edited and published from the
//! app: entries (list, read, create, update, retire), a Markdown preview rendered and sanitized
//! here (no Markdown parser in any browser), lint warnings for a draft, publishing with its
//! live status, and the kept versions with rollback.
//!
//! Every handler takes [`AdminSession`]: agents get `403`, writes without the CSRF token are
//! refused before anything is read. Every change is in the audit log (`audit_events`, by site).

use axum::extract::State;
use axum::http::StatusCode;
use protocol::{
    KbEntriesQuery, KbEntry, KbEntryDraft, KbEntryList, KbEntryLocale, KbLint, KbLintRequest,
    KbPreview, KbPreviewRequest, KbPublishStatus, KbVersion, KbVersionList,
};

use crate::http::auth::AdminSession;
use crate::http::problem::{ApiError, Json, Path, Query};
use crate::http::AppState;

/// `GET /api/v1/admin/kb/{site}/entries?q=`.
#[utoipa::path(
    get, path = "/api/v1/admin/kb/{site}/entries", operation_id = "listKbEntries", tag = "admin",
    params(("site" = String, Path, description = "the site's id"), KbEntriesQuery),
    responses((status = 200, description = "the site's entries in build order", body = KbEntryList), crate::http::openapi::ProblemResponse)
)]
pub async fn list(
    State(state): State<AppState>,
    _admin: AdminSession,
    Path(site): Path<String>,
    Query(query): Query<KbEntriesQuery>,
) -> Result<axum::Json<KbEntryList>, ApiError> {
    Ok(axum::Json(
        state.desk.kb_entries(&site, query.q.as_deref()).await?,
    ))
}

/// `POST /api/v1/admin/kb/{site}/entries`: `201`; the entry gets a Markdown file of its own.
#[utoipa::path(
    post, path = "/api/v1/admin/kb/{site}/entries", operation_id = "createKbEntry", tag = "admin",
    params(("site" = String, Path, description = "the site's id")),
    request_body = KbEntryDraft,
    responses((status = 201, description = "the entry as stored", body = KbEntry), crate::http::openapi::ProblemResponse)
)]
pub async fn create(
    State(state): State<AppState>,
    AdminSession(admin): AdminSession,
    Path(site): Path<String>,
    Json(draft): Json<KbEntryDraft>,
) -> Result<(StatusCode, axum::Json<KbEntry>), ApiError> {
    let entry = state
        .desk
        .create_kb_entry(&admin.agent, &site, &draft)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(entry)))
}

/// `GET /api/v1/admin/kb/{site}/entries/{id}?locale=`.
#[utoipa::path(
    get, path = "/api/v1/admin/kb/{site}/entries/{id}", operation_id = "getKbEntry", tag = "admin",
    params(("site" = String, Path, description = "the site's id"), ("id" = String, Path, description = "the entry's id"), KbEntryLocale),
    responses((status = 200, description = "the entry as written", body = KbEntry), crate::http::openapi::ProblemResponse)
)]
pub async fn read(
    State(state): State<AppState>,
    _admin: AdminSession,
    Path((site, id)): Path<(String, String)>,
    Query(locale): Query<KbEntryLocale>,
) -> Result<axum::Json<KbEntry>, ApiError> {
    Ok(axum::Json(
        state
            .desk
            .kb_entry(&site, &id, locale.locale.as_deref().unwrap_or_default())
            .await?,
    ))
}

/// `PUT /api/v1/admin/kb/{site}/entries/{id}?locale=`: rewrites the entry's file (see
/// `knowledge::write` for what that does to a file of several entries).
#[utoipa::path(
    put, path = "/api/v1/admin/kb/{site}/entries/{id}", operation_id = "updateKbEntry", tag = "admin",
    params(("site" = String, Path, description = "the site's id"), ("id" = String, Path, description = "the entry's id"), KbEntryLocale),
    request_body = KbEntryDraft,
    responses((status = 200, description = "the entry as stored", body = KbEntry), crate::http::openapi::ProblemResponse)
)]
pub async fn update(
    State(state): State<AppState>,
    AdminSession(admin): AdminSession,
    Path((site, id)): Path<(String, String)>,
    Query(locale): Query<KbEntryLocale>,
    Json(draft): Json<KbEntryDraft>,
) -> Result<axum::Json<KbEntry>, ApiError> {
    let locale = locale.locale.unwrap_or_default();
    Ok(axum::Json(
        state
            .desk
            .update_kb_entry(&admin.agent, &site, &id, &locale, &draft)
            .await?,
    ))
}

/// `DELETE /api/v1/admin/kb/{site}/entries/{id}?locale=`: retires the entry; `204`.
#[utoipa::path(
    delete, path = "/api/v1/admin/kb/{site}/entries/{id}", operation_id = "retireKbEntry", tag = "admin",
    params(("site" = String, Path, description = "the site's id"), ("id" = String, Path, description = "the entry's id"), KbEntryLocale),
    responses((status = 204, description = "retired; the audit log keeps it"), crate::http::openapi::ProblemResponse)
)]
pub async fn retire(
    State(state): State<AppState>,
    AdminSession(admin): AdminSession,
    Path((site, id)): Path<(String, String)>,
    Query(locale): Query<KbEntryLocale>,
) -> Result<StatusCode, ApiError> {
    let locale = locale.locale.unwrap_or_default();
    state
        .desk
        .retire_kb_entry(&admin.agent, &site, &id, &locale)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/admin/kb/preview {markdown}`: the answer's HTML as visitors will see it.
#[utoipa::path(
    post, path = "/api/v1/admin/kb/preview", operation_id = "previewKbAnswer", tag = "admin",
    request_body = KbPreviewRequest,
    responses((status = 200, description = "sanitized HTML", body = KbPreview), crate::http::openapi::ProblemResponse)
)]
pub async fn preview(
    State(state): State<AppState>,
    _admin: AdminSession,
    Json(request): Json<KbPreviewRequest>,
) -> Result<axum::Json<KbPreview>, ApiError> {
    Ok(axum::Json(state.desk.kb_preview(&request.markdown)?))
}

/// `POST /api/v1/admin/kb/{site}/lint {draft, replaces?}`: what `kb lint` says of the draft.
#[utoipa::path(
    post, path = "/api/v1/admin/kb/{site}/lint", operation_id = "lintKbEntry", tag = "admin",
    params(("site" = String, Path, description = "the site's id")),
    request_body = KbLintRequest,
    responses((status = 200, description = "findings about the draft; none when it is fine", body = KbLint), crate::http::openapi::ProblemResponse)
)]
pub async fn lint(
    State(state): State<AppState>,
    _admin: AdminSession,
    Path(site): Path<String>,
    Json(request): Json<KbLintRequest>,
) -> Result<axum::Json<KbLint>, ApiError> {
    Ok(axum::Json(state.desk.kb_lint(&site, &request).await?))
}

/// `POST /api/v1/admin/kb/{site}/publish`: `202`; the build runs in the background.
#[utoipa::path(
    post, path = "/api/v1/admin/kb/{site}/publish", operation_id = "publishKb", tag = "admin",
    params(("site" = String, Path, description = "the site's id")),
    responses((status = 202, description = "started; follow it with GET", body = KbPublishStatus), crate::http::openapi::ProblemResponse)
)]
pub async fn publish(
    State(state): State<AppState>,
    AdminSession(admin): AdminSession,
    Path(site): Path<String>,
) -> Result<(StatusCode, axum::Json<KbPublishStatus>), ApiError> {
    let status = state.desk.publish_kb(&admin.agent, &site).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(status)))
}

/// `GET /api/v1/admin/kb/{site}/publish`: the latest publish's stage, result or error.
#[utoipa::path(
    get, path = "/api/v1/admin/kb/{site}/publish", operation_id = "kbPublishStatus", tag = "admin",
    params(("site" = String, Path, description = "the site's id")),
    responses((status = 200, description = "the latest publish on this server", body = KbPublishStatus), crate::http::openapi::ProblemResponse)
)]
pub async fn publish_status(
    State(state): State<AppState>,
    _admin: AdminSession,
    Path(site): Path<String>,
) -> Result<axum::Json<KbPublishStatus>, ApiError> {
    Ok(axum::Json(state.desk.kb_publish_status(&site).await?))
}

/// `GET /api/v1/admin/kb/{site}/versions`.
#[utoipa::path(
    get, path = "/api/v1/admin/kb/{site}/versions", operation_id = "listKbVersions", tag = "admin",
    params(("site" = String, Path, description = "the site's id")),
    responses((status = 200, description = "the kept versions, newest first", body = KbVersionList), crate::http::openapi::ProblemResponse)
)]
pub async fn versions(
    State(state): State<AppState>,
    _admin: AdminSession,
    Path(site): Path<String>,
) -> Result<axum::Json<KbVersionList>, ApiError> {
    Ok(axum::Json(state.desk.kb_versions(&site).await?))
}

/// `POST /api/v1/admin/kb/{site}/versions/{version}/rollback`: serves that version again.
#[utoipa::path(
    post, path = "/api/v1/admin/kb/{site}/versions/{version}/rollback", operation_id = "rollbackKb", tag = "admin",
    params(("site" = String, Path, description = "the site's id"), ("version" = i64, Path, description = "a kept version's id")),
    responses((status = 200, description = "the version now served", body = KbVersion), crate::http::openapi::ProblemResponse)
)]
pub async fn rollback(
    State(state): State<AppState>,
    AdminSession(admin): AdminSession,
    Path((site, version)): Path<(String, i64)>,
) -> Result<axum::Json<KbVersion>, ApiError> {
    Ok(axum::Json(
        state.desk.rollback_kb(&admin.agent, &site, version).await?,
    ))
}
