//! Agent sign-in over HTTP: the session cookie, the CSRF token, and the extractors that demand
//! them.
//!
//! The cookie is `HttpOnly` (page scripts cannot read it) and `SameSite=Strict` (other sites
//! cannot make the browser send it). Every write additionally carries the session's CSRF token in
//! `X-CSRF-Token`, which only a page of this origin can have obtained from `/api/v1/session`.

use axum::extract::{FromRequestParts, State};
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::client_ip::ClientIp;
use super::problem::{ApiError, Json};
use super::AppState;
use crate::domain::Role;
use crate::events::Revocation;
use crate::secret;
use crate::store::Agent;

/// Name of the session cookie.
pub const COOKIE: &str = "answerdesk_session";
/// Header that must carry the CSRF token on writes.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A signed-in agent; rejects with 401 without a valid session and 403 on a write without the
/// CSRF token.
pub struct AgentSession {
    pub agent: Agent,
    token: String,
}

impl FromRequestParts<AppState> for AgentSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = session_cookie(&parts.headers)
            .ok_or_else(|| ApiError::unauthorized("sign in first"))?
            .to_owned();
        let agent = state
            .store
            .session_agent(&token)
            .await?
            .ok_or_else(|| ApiError::unauthorized("the session has expired; sign in again"))?;
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if !secret::same_secret(sent, &secret::csrf_token(&token)) {
                return Err(ApiError::forbidden(
                    "writes need the session's CSRF token in X-CSRF-Token",
                ));
            }
        }
        Ok(AgentSession { agent, token })
    }
}

impl AgentSession {
    /// The session's secret, for re-validating it later (event streams).
    pub(super) fn token(&self) -> &str {
        &self.token
    }
}

/// A signed-in admin; 403 for other agents.
pub struct AdminSession(pub AgentSession);

impl FromRequestParts<AppState> for AdminSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let session = AgentSession::from_request_parts(parts, state).await?;
        if session.agent.role != Role::Admin {
            return Err(ApiError::forbidden("only admins may do this"));
        }
        Ok(AdminSession(session))
    }
}

fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Credentials {
    email: String,
    password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SessionInfo {
    agent: Agent,
    /// Send it as `X-CSRF-Token` with every write.
    csrf_token: String,
}

/// `POST /api/v1/session {email, password}`: sets the session cookie; answers the agent and the
/// CSRF token.
///
/// Failed attempts are throttled per client address and per account ([`super::login_guard`]):
/// `429` with `Retry-After` while locked, `503` when too many passwords are being checked at once.
/// A success also sets the device cookie that lets this browser past a locked account later.
#[utoipa::path(
    post,
    path = "/api/v1/session",
    tag = "session",
    request_body = Credentials,
    responses((status = 200, description = "signed in: the session cookie is set", body = SessionInfo), crate::http::openapi::ProblemResponse)
)]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Json(credentials): Json<Credentials>,
) -> Result<Response, ApiError> {
    if credentials.email.len() > 254 || credentials.password.len() > 1024 {
        return Err(ApiError::unauthorized("wrong email or password"));
    }
    let admission = state.logins.admit(ip, &credentials.email, &headers)?;
    let session = {
        let _slot = state.logins.hashing_slot().await?;
        state
            .store
            .login(&credentials.email, &credentials.password, state.session_ttl)
            .await?
    };
    let Some(session) = session else {
        state.logins.failed(ip, &credentials.email);
        tracing::info!(ip = ?ip, "failed sign-in");
        return Err(ApiError::unauthorized("wrong email or password"));
    };
    state.logins.succeeded(&credentials.email, admission);
    tracing::info!(agent = %session.agent.email, "signed in");
    let cookie = format!(
        "{COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        session.token,
        state.session_ttl.as_secs(),
        if state.secure_cookies { "; Secure" } else { "" }
    );
    let device = state
        .logins
        .device_cookie(&session.agent.email, state.secure_cookies);
    let body = SessionInfo {
        csrf_token: secret::csrf_token(&session.token),
        agent: session.agent,
    };
    let mut response = axum::Json(body).into_response();
    let headers = response.headers_mut();
    headers.append(SET_COOKIE, header_value(&cookie)?);
    headers.append(SET_COOKIE, header_value(&device)?);
    Ok(response)
}

/// `GET /api/v1/session`: who is signed in, and the CSRF token (again, e.g. after a reload).
#[utoipa::path(
    get,
    path = "/api/v1/session",
    tag = "session",
    responses((status = 200, description = "the signed-in agent", body = SessionInfo), crate::http::openapi::ProblemResponse)
)]
pub async fn current(session: AgentSession) -> axum::Json<SessionInfo> {
    axum::Json(SessionInfo {
        csrf_token: secret::csrf_token(&session.token),
        agent: session.agent,
    })
}

/// `DELETE /api/v1/session`: ends the session and clears the cookie.
#[utoipa::path(
    delete,
    path = "/api/v1/session",
    tag = "session",
    responses((status = 204, description = "signed out: the cookie is cleared"), crate::http::openapi::ProblemResponse)
)]
pub async fn logout(
    State(state): State<AppState>,
    session: AgentSession,
) -> Result<Response, ApiError> {
    state.store.logout(&session.token).await?;
    state.events.revoke(Revocation::Agent(session.agent.id));
    let cookie = format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, header_value(&cookie)?)],
    )
        .into_response())
}

pub(super) fn header_value(text: &str) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(text).map_err(|_| ApiError::internal())
}
