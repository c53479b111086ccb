//! `/api/v1/session`: agents sign in and out, and change their own password.
//!
//! The cookie is `HttpOnly` (page scripts cannot read it) and `SameSite=Strict` (other sites
//! cannot make the browser send it). Every write additionally carries the session's CSRF token in
//! `X-CSRF-Token`, which only a page of this origin can have obtained from `/api/v1/session`
//! (checked by [`crate::http::auth::AgentSession`]).
//!
//! A password change ends the agent's other sessions, and their open event streams with them: it
//! is what someone does who fears their account is in other hands.

use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use protocol::{Credentials, PasswordChange, SessionInfo};

use crate::events::Revocation;
use crate::http::auth::{AgentSession, COOKIE};
use crate::http::client_ip::ClientIp;
use crate::http::problem::{ApiError, Json};
use crate::http::AppState;
use crate::secret;

/// `POST /api/v1/session {email, password}`: sets the session cookie; answers the agent and the
/// CSRF token.
///
/// Failed attempts are throttled per client address and per account ([`super::login_guard`]):
/// `429` with `Retry-After` while locked, `503` when too many passwords are being checked at once.
/// A success also sets the device cookie that lets this browser past a locked account later.
#[utoipa::path(
    post,
    path = "/api/v1/session",
    operation_id = "signIn",
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
    operation_id = "getSession",
    tag = "session",
    responses((status = 200, description = "the signed-in agent", body = SessionInfo), crate::http::openapi::ProblemResponse)
)]
pub async fn current(session: AgentSession) -> axum::Json<SessionInfo> {
    axum::Json(SessionInfo {
        csrf_token: secret::csrf_token(session.token()),
        agent: session.agent,
    })
}

/// `DELETE /api/v1/session`: ends the session and clears the cookie.
#[utoipa::path(
    delete,
    path = "/api/v1/session",
    operation_id = "signOut",
    tag = "session",
    responses((status = 204, description = "signed out: the cookie is cleared"), crate::http::openapi::ProblemResponse)
)]
pub async fn logout(
    State(state): State<AppState>,
    session: AgentSession,
) -> Result<Response, ApiError> {
    state.store.logout(session.token()).await?;
    state.events.revoke(Revocation::Agent(session.agent.id));
    let cookie = format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, header_value(&cookie)?)],
    )
        .into_response())
}

/// `POST /api/v1/session/password {current_password, new_password}`: `204`; every other session
/// of the agent is ended. A wrong current password is `403` and counts as a failed sign-in
/// (throttled alike: `429` with `Retry-After`).
#[utoipa::path(
    post,
    path = "/api/v1/session/password",
    operation_id = "changePassword",
    tag = "session",
    request_body = PasswordChange,
    responses((status = 204, description = "changed; the agent's other sessions are ended"), crate::http::openapi::ProblemResponse)
)]
pub async fn change_password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    session: AgentSession,
    headers: axum::http::HeaderMap,
    Json(request): Json<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    let email = session.agent.email.clone();
    if request.current_password.len() > 1024 {
        return Err(ApiError::forbidden("the current password is wrong"));
    }
    let admission = state.logins.admit(ip, &email, &headers)?;
    let changed = {
        let _slot = state.logins.hashing_slot().await?;
        state
            .store
            .change_password(
                session.agent.id,
                &request.current_password,
                &request.new_password,
                session.token(),
            )
            .await?
    };
    if !changed {
        state.logins.failed(ip, &email);
        return Err(ApiError::forbidden("the current password is wrong"));
    }
    state.logins.succeeded(&email, admission);
    state.events.revoke(Revocation::Agent(session.agent.id));
    tracing::info!(agent = %email, "password changed; other sessions ended");
    Ok(StatusCode::NO_CONTENT)
}

fn header_value(text: &str) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(text).map_err(|_| ApiError::internal())
}
