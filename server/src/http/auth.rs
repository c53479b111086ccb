//! Who is calling the agents' endpoints: the extractors that demand a signed-in agent or admin,
//! from the session cookie and, on writes, the CSRF token.
//!
//! The cookie is `HttpOnly` (page scripts cannot read it) and `SameSite=Strict` (other sites
//! cannot make the browser send it). Every write additionally carries the session's CSRF token in
//! `X-CSRF-Token`, which only a page of this origin can have obtained from `/api/v1/session`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};

use super::problem::ApiError;
use super::AppState;
use crate::domain::Role;
use crate::secret;
use crate::store::Agent;

/// Header that must carry the CSRF token on writes.
pub use protocol::CSRF_HEADER;
/// Name of the session cookie.
pub use protocol::SESSION_COOKIE as COOKIE;

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
    /// The session's secret, for re-validating it later (event streams) and ending it.
    pub fn token(&self) -> &str {
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

/// The session cookie's value, if the request carries one.
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
