//! The typed client for the REST endpoint: the only place the app talks to the server.

use gloo_net::http::Request;
use serde::{Deserialize, Serialize};

/// `POST /api/v1/escalations`: a visitor hands the conversation to a person.
#[derive(Debug, Clone, Serialize)]
pub struct NewEscalation {
    pub site: String,
    pub message: String,
    pub transcript: Vec<TranscriptLine>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    pub page_url: String,
    pub locale: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bot: Option<BotContext>,
}

/// One line of what was said before the escalation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TranscriptLine {
    pub role: Role,
    pub text: String,
    pub at: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
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
    pub decision: String,
    pub candidates: Vec<ScoredEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScoredEntry {
    pub id: String,
    pub score: f32,
}

/// The ticket and the capability token that lets this browser read it.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Created {
    pub ticket_id: String,
    pub token: String,
}

/// A failure worth showing: the server's problem detail when it sent one.
#[derive(Debug, Clone)]
pub struct ApiError(pub String);

#[derive(Deserialize)]
struct Problem {
    #[serde(default)]
    title: String,
    #[serde(default)]
    detail: String,
}

pub async fn create_escalation(
    escalation: &NewEscalation,
    idempotency_key: &str,
) -> Result<Created, ApiError> {
    let response = Request::post("/api/v1/escalations")
        .header("Idempotency-Key", idempotency_key)
        .json(escalation)
        .map_err(|e| ApiError(e.to_string()))?
        .send()
        .await
        .map_err(|e| ApiError(e.to_string()))?;
    if response.ok() {
        return response.json().await.map_err(|e| ApiError(e.to_string()));
    }
    let status = response.status();
    Err(match response.json::<Problem>().await {
        Ok(p) if !p.detail.is_empty() => ApiError(p.detail),
        Ok(p) if !p.title.is_empty() => ApiError(p.title),
        _ => ApiError(format!("HTTP {status}")),
    })
}

/// The knowledge snapshot, fetched once; the browser's cache revalidates it.
pub async fn fetch_snapshot() -> Result<Vec<u8>, ApiError> {
    let url = crate::browser::query_param("snapshot").unwrap_or_else(|| "/kb.snapshot".into());
    let response = Request::get(&url)
        .send()
        .await
        .map_err(|e| ApiError(e.to_string()))?;
    if !response.ok() {
        return Err(ApiError(format!("{url}: HTTP {}", response.status())));
    }
    response.binary().await.map_err(|e| ApiError(e.to_string()))
}
