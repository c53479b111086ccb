//! `/api/v1/desk/contacts`: find a person, see their history, label them.
//!
//! Every agent may read contacts (the person behind a case is needed to answer it); a contact's
//! ticket list shows an agent only the tickets they could open (their groups' and ungrouped ones).

use axum::extract::State;
use protocol::{ContactDetail, ContactList, ContactPatch, SearchQuery};

use crate::http::auth::AgentSession;
use crate::http::problem::{ApiError, Json, Path, Query};
use crate::http::AppState;

/// `GET /api/v1/desk/contacts?q=&limit=`: most recently updated first (default 50, at most 200).
#[utoipa::path(
    get,
    path = "/api/v1/desk/contacts",
    operation_id = "searchContacts",
    tag = "desk",
    params(SearchQuery),
    responses((status = 200, description = "the matching contacts, most recently updated first", body = ContactList), crate::http::openapi::ProblemResponse)
)]
pub async fn search(
    State(state): State<AppState>,
    _session: AgentSession,
    Query(query): Query<SearchQuery>,
) -> Result<axum::Json<ContactList>, ApiError> {
    if query.q.chars().count() > 200 {
        return Err(ApiError::invalid("q is longer than 200 characters"));
    }
    let contacts = state
        .store
        .search_contacts(&query.q, query.limit.unwrap_or(50))
        .await?;
    Ok(axum::Json(ContactList { contacts }))
}

/// `GET /api/v1/desk/contacts/{id}`: the contact with their tickets, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/desk/contacts/{id}",
    operation_id = "getContact",
    tag = "desk",
    params(("id" = i64, Path, description = "the contact's id")),
    responses((status = 200, description = "the contact and the tickets the agent may see", body = ContactDetail), crate::http::openapi::ProblemResponse)
)]
pub async fn detail(
    State(state): State<AppState>,
    session: AgentSession,
    Path(id): Path<i64>,
) -> Result<axum::Json<ContactDetail>, ApiError> {
    Ok(axum::Json(
        state.desk.contact_for(&session.agent, id).await?,
    ))
}

/// `PATCH /api/v1/desk/contacts/{id} {tags?, attributes?}`: answers the contact.
#[utoipa::path(
    patch,
    path = "/api/v1/desk/contacts/{id}",
    operation_id = "changeContact",
    tag = "desk",
    params(("id" = i64, Path, description = "the contact's id")),
    request_body = ContactPatch,
    responses((status = 200, description = "the contact as it is now", body = ContactDetail), crate::http::openapi::ProblemResponse)
)]
pub async fn change(
    State(state): State<AppState>,
    session: AgentSession,
    Path(id): Path<i64>,
    Json(patch): Json<ContactPatch>,
) -> Result<axum::Json<ContactDetail>, ApiError> {
    Ok(axum::Json(
        state.desk.change_contact(&session.agent, id, patch).await?,
    ))
}
