//! `/api/v1/admin/sites` (admins only): the host websites that embed the widget, their allowed
//! origins and identity secrets.

use axum::extract::State;
use axum::http::StatusCode;
use protocol::{NewIdentitySecret, SiteList, SiteRequest, SiteView};

use crate::http::auth::AdminSession;
use crate::http::problem::{ApiError, Json, Path};
use crate::http::AppState;

/// `GET /api/v1/admin/sites`.
#[utoipa::path(
    get,
    path = "/api/v1/admin/sites",
    operation_id = "listSites",
    tag = "admin",
    responses((status = 200, description = "every site", body = SiteList), crate::http::openapi::ProblemResponse)
)]
pub async fn sites(
    State(state): State<AppState>,
    _admin: AdminSession,
) -> Result<axum::Json<SiteList>, ApiError> {
    Ok(axum::Json(SiteList {
        sites: state.desk.sites().await?,
    }))
}

/// `POST /api/v1/admin/sites {id, name, allowed_origins, default_group?}`: `201` with the site;
/// its origins may call the visitor API at once.
#[utoipa::path(
    post,
    path = "/api/v1/admin/sites",
    operation_id = "createSite",
    tag = "admin",
    request_body = SiteRequest,
    responses((status = 201, description = "the site", body = SiteView), crate::http::openapi::ProblemResponse)
)]
pub async fn create_site(
    State(state): State<AppState>,
    _admin: AdminSession,
    Json(request): Json<SiteRequest>,
) -> Result<(StatusCode, axum::Json<SiteView>), ApiError> {
    let site = state.desk.create_site(request).await?;
    Ok((StatusCode::CREATED, axum::Json(site)))
}

/// `PUT /api/v1/admin/sites/{id} {name, allowed_origins, default_group?}`: replaces the site's
/// settings (not its identity secret); the CORS allow-list follows at once on this instance, and
/// within [`super::SiteDirectory::MAX_AGE`] on others.
#[utoipa::path(
    put,
    path = "/api/v1/admin/sites/{id}",
    operation_id = "updateSite",
    tag = "admin",
    params(("id" = String, Path, description = "the site's id")),
    request_body = SiteRequest,
    responses((status = 200, description = "the site", body = SiteView), crate::http::openapi::ProblemResponse)
)]
pub async fn update_site(
    State(state): State<AppState>,
    _admin: AdminSession,
    Path(id): Path<String>,
    Json(request): Json<SiteRequest>,
) -> Result<axum::Json<SiteView>, ApiError> {
    Ok(axum::Json(state.desk.update_site(&id, request).await?))
}

/// `POST /api/v1/admin/sites/{id}/identity-secret`: a new random 256-bit secret replaces the old
/// one (tokens signed with the old one stop verifying) and is answered once.
#[utoipa::path(
    post,
    path = "/api/v1/admin/sites/{id}/identity-secret",
    operation_id = "rotateSiteIdentitySecret",
    tag = "admin",
    params(("id" = String, Path, description = "the site's id")),
    responses((status = 201, description = "the new secret; tokens signed with the old one stop verifying", body = NewIdentitySecret), crate::http::openapi::ProblemResponse)
)]
pub async fn rotate_identity_secret(
    State(state): State<AppState>,
    AdminSession(admin): AdminSession,
    Path(id): Path<String>,
) -> Result<(StatusCode, axum::Json<NewIdentitySecret>), ApiError> {
    let secret = state.desk.rotate_identity_secret(&admin.agent, &id).await?;
    Ok((StatusCode::CREATED, axum::Json(secret)))
}
