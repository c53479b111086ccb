//! Contacts over HTTP: find a person, see their history, label them.
//!
//! Every agent may read contacts (the person behind a case is needed to answer it); a contact's
//! ticket list shows an agent only the tickets they could open (their groups' and ungrouped ones).

use axum::extract::State;
use serde::{Deserialize, Serialize};

use super::problem::{ApiError, Json, Path, Query};
use super::session::AgentSession;
use super::AppState;
use crate::domain::Role;
use crate::store::{Agent, Contact, ContactChange, ContactDetail};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Text in the name, email or external id (case-insensitive), at most 200 characters.
    #[serde(default)]
    q: String,
    /// Most contacts to answer: 50 unless given, at most 200.
    limit: Option<u32>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ContactList {
    contacts: Vec<Contact>,
}

/// `GET /api/v1/desk/contacts?q=&limit=`: most recently updated first (default 50, at most 200).
#[utoipa::path(
    get,
    path = "/api/v1/desk/contacts",
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
    tag = "desk",
    params(("id" = i64, Path, description = "the contact's id")),
    responses((status = 200, description = "the contact and the tickets the agent may see", body = ContactDetail), crate::http::openapi::ProblemResponse)
)]
pub async fn detail(
    State(state): State<AppState>,
    session: AgentSession,
    Path(id): Path<i64>,
) -> Result<axum::Json<ContactDetail>, ApiError> {
    let detail = state.store.contact(id).await?;
    Ok(axum::Json(visible_part(detail, &session.agent)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    /// Replaces the contact's tags.
    tags: Option<Vec<String>>,
    /// Merged into the attributes; `null` removes one. A verified contact's attributes come from
    /// its host, whose next signed identity replaces them.
    #[schema(value_type = Option<Object>)]
    attributes: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `PATCH /api/v1/desk/contacts/{id} {tags?, attributes?}`: answers the contact.
#[utoipa::path(
    patch,
    path = "/api/v1/desk/contacts/{id}",
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
    let detail = state
        .store
        .change_contact(
            id,
            &ContactChange {
                tags: patch.tags,
                attributes: patch.attributes,
            },
        )
        .await?;
    Ok(axum::Json(visible_part(detail, &session.agent)))
}

fn visible_part(mut detail: ContactDetail, agent: &Agent) -> ContactDetail {
    if agent.role != Role::Admin {
        detail.tickets.retain(|t| {
            t.group
                .as_ref()
                .is_none_or(|group| agent.groups.contains(group))
        });
    }
    detail
}
