//! The typed client for the REST endpoint: the only place the app talks to the server.
//!
//! Plain `fetch` through web-sys rather than an HTTP crate: every byte of this module is
//! downloaded by every visitor, and the browser already has an HTTP client.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast as _, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::browser;

/// `POST /api/v1/escalations`: a visitor hands the conversation to a person.
#[derive(Debug, Clone, Serialize)]
pub struct NewEscalation {
    pub site: String,
    pub message: String,
    pub transcript: Vec<TranscriptLine>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    /// The host page's signed statement of who the visitor is (`answerdesk('identify', {token})`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_token: Option<String>,
    pub page_url: String,
    pub locale: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bot: Option<BotContext>,
}

/// One line of what was said before the escalation.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TranscriptLine {
    pub role: Role,
    pub text: String,
    pub at: String,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Visitor,
    Bot,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Contact {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// What the bot last decided, so the agent sees what it tried.
#[derive(Debug, Clone, Serialize)]
pub struct BotContext {
    pub decision: &'static str,
    pub candidates: Vec<ScoredEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScoredEntry {
    pub id: String,
    pub score: f32,
}

/// The ticket and the capability token that lets this browser follow it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct TicketSession {
    pub ticket_id: String,
    pub token: String,
}

/// Where a ticket is in its life, as the server names it.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum TicketStatus {
    Open,
    Pending,
    Resolved,
    Closed,
}

/// `GET /api/v1/tickets/{id}`, the parts the widget shows.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct TicketState {
    pub status: TicketStatus,
    #[serde(default)]
    pub assignee_name: Option<String>,
}

/// Who wrote a message of a ticket.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Author {
    Visitor,
    Bot,
    Agent,
    System,
}

/// One message of a ticket's conversation. `body_html` was sanitized by the server.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct TicketMessage {
    pub id: i64,
    pub author: Author,
    #[serde(default)]
    pub author_name: Option<String>,
    pub body_text: String,
    #[serde(default)]
    pub body_html: Option<String>,
}

#[derive(Deserialize)]
struct MessageList {
    messages: Vec<TicketMessage>,
}

/// Why a request did not give what was asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The request never reached the server: offline, server down, or blocked. Worth retrying.
    Unreachable,
    /// The server answered no; its problem detail when it sent one.
    Refused { status: u16, detail: String },
    /// The server answered something this client does not understand.
    Malformed(String),
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Unreachable => f.write_str("the server cannot be reached"),
            ApiError::Refused { status, detail } if detail.is_empty() => write!(f, "HTTP {status}"),
            ApiError::Refused { detail, .. } => f.write_str(detail),
            ApiError::Malformed(reason) => f.write_str(reason),
        }
    }
}

#[derive(Deserialize)]
struct Problem {
    #[serde(default)]
    title: String,
    #[serde(default)]
    detail: String,
}

/// The API's address: same origin unless the embed passed `?api=`.
fn endpoint(path: &str) -> String {
    let base = browser::query_param("api").unwrap_or_default();
    format!("{}/api/v1{path}", base.trim_end_matches('/'))
}

fn auth(session: &TicketSession) -> String {
    format!("Bearer {}", session.token)
}

async fn fetch(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Result<web_sys::Response, ApiError> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let request_headers = web_sys::Headers::new().map_err(|_| ApiError::Unreachable)?;
    for (name, value) in headers {
        let _ = request_headers.set(name, value);
    }
    if let Some(body) = body {
        let _ = request_headers.set("Content-Type", "application/json");
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&request_headers);
    let window = web_sys::window().ok_or(ApiError::Unreachable)?;
    // `fetch` rejects only when no response arrived at all.
    let response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| ApiError::Unreachable)?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|_| ApiError::Malformed("fetch gave no Response".into()))?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let problem = text(&response)
        .await
        .ok()
        .and_then(|t| serde_json::from_str::<Problem>(&t).ok());
    Err(ApiError::Refused {
        status,
        detail: problem
            .map(|p| {
                if p.detail.is_empty() {
                    p.title
                } else {
                    p.detail
                }
            })
            .unwrap_or_default(),
    })
}

async fn text(response: &web_sys::Response) -> Result<String, ApiError> {
    let promise = response.text().map_err(|_| ApiError::Unreachable)?;
    JsFuture::from(promise)
        .await
        .map_err(|_| ApiError::Unreachable)?
        .as_string()
        .ok_or_else(|| ApiError::Malformed("response body is not text".into()))
}

async fn json<T: DeserializeOwned>(response: web_sys::Response) -> Result<T, ApiError> {
    let body = text(&response).await?;
    serde_json::from_str(&body).map_err(|e| ApiError::Malformed(e.to_string()))
}

impl NewEscalation {
    /// The request body, serialized once: a queued escalation is resent byte for byte, so its
    /// idempotency key never meets a different body.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// `POST /api/v1/escalations` with a body from [`NewEscalation::to_json`].
pub async fn create_escalation(
    body: &str,
    idempotency_key: &str,
) -> Result<TicketSession, ApiError> {
    let response = fetch(
        "POST",
        &endpoint("/escalations"),
        &[("Idempotency-Key", idempotency_key)],
        Some(body),
    )
    .await?;
    json(response).await
}

/// `GET /api/v1/tickets/{id}`.
pub async fn ticket(session: &TicketSession) -> Result<TicketState, ApiError> {
    let url = endpoint(&format!("/tickets/{}", session.ticket_id));
    json(fetch("GET", &url, &[("Authorization", &auth(session))], None).await?).await
}

/// `GET /api/v1/tickets/{id}/messages?after=ID`: messages newer than `after`, oldest first.
pub async fn messages(session: &TicketSession, after: i64) -> Result<Vec<TicketMessage>, ApiError> {
    let url = endpoint(&format!(
        "/tickets/{}/messages?after={after}",
        session.ticket_id
    ));
    let list: MessageList =
        json(fetch("GET", &url, &[("Authorization", &auth(session))], None).await?).await?;
    Ok(list.messages)
}

/// `POST /api/v1/tickets/{id}/messages`: the visitor writes to the team.
pub async fn post_message(session: &TicketSession, text: &str) -> Result<TicketMessage, ApiError> {
    #[derive(Serialize)]
    struct Body<'a> {
        text: &'a str,
    }
    let url = endpoint(&format!("/tickets/{}/messages", session.ticket_id));
    let body = serde_json::to_string(&Body { text }).unwrap_or_default();
    json(
        fetch(
            "POST",
            &url,
            &[("Authorization", &auth(session))],
            Some(&body),
        )
        .await?,
    )
    .await
}

/// `GET /api/v1/tickets/{id}/events?token=…&after=ID`: the ticket's Server-Sent Events.
/// The token travels in the query because `EventSource` cannot send headers.
pub fn events_url(session: &TicketSession, after: i64) -> String {
    let token = js_sys::encode_uri_component(&session.token);
    endpoint(&format!(
        "/tickets/{}/events?token={token}&after={after}",
        session.ticket_id
    ))
}

/// `POST /api/v1/tickets/{id}/rating`: how the visitor rates a resolved conversation (1 to 5).
pub async fn rate(session: &TicketSession, score: u8) -> Result<(), ApiError> {
    let url = endpoint(&format!("/tickets/{}/rating", session.ticket_id));
    let body = format!("{{\"score\":{score}}}");
    fetch(
        "POST",
        &url,
        &[("Authorization", &auth(session))],
        Some(&body),
    )
    .await
    .map(drop)
}

/// The knowledge snapshot. The service worker serves it network-first, so a new version on the
/// server is picked up and the last one still answers offline.
pub async fn fetch_snapshot() -> Result<Vec<u8>, String> {
    let url = browser::query_param("snapshot").unwrap_or_else(|| "/kb.snapshot".into());
    let response = fetch("GET", &url, &[], None)
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    let buffer = response
        .array_buffer()
        .map_err(|_| format!("{url}: unreadable body"))?;
    let buffer = JsFuture::from(buffer)
        .await
        .map_err(|_| format!("{url}: the download was interrupted"))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}
