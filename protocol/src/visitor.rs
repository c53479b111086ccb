//! What a visitor's browser sends and reads: escalations, the visitor's ticket, feedback.
//!
//! These endpoints are public (CORS per site) and authorized by a ticket's token, never a
//! session, so nothing here names an agent beyond the display name the visitor is shown.

use serde::{Deserialize, Serialize};

use crate::{AuthorKind, Slug, Status, TranscriptRole};

/// `POST /api/v1/escalations` body. Only `site` and `message` are required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EscalationRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub site: Slug,
    pub message: String,
    #[serde(default)]
    pub transcript: Vec<TranscriptTurn>,
    pub contact: Option<NewContact>,
    /// A host-signed visitor identity: an HS256 JWT, or the older `{"id", "hmac"}` pair (see
    /// [`crate::identity`]). One that fails verification refuses the escalation with `401`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub identity_token: Option<IdentityClaim>,
    pub page_url: Option<String>,
    pub locale: Option<String>,
    pub bot: Option<BotContext>,
    /// Skill group to route to; the site's default when absent.
    pub group: Option<String>,
}

// The answer to an escalation: the ticket, and the capability token that lets this browser
// follow it (128 random bits, stored only as a hash, so it is shown once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EscalationCreated {
    pub ticket_id: String,
    pub token: String,
}

/// What the escalation carries as `identity_token`: a JWT, or the older id and HMAC.
///
/// The host site's backend signs it with the site's identity secret; the server verifies it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IdentityClaim {
    Token(String),
    /// `ts` (Unix seconds) is part of the signed text; `None` is the original untimed pair.
    Hmac {
        id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ts: Option<i64>,
        hmac: String,
    },
}

/// One turn of the conversation the visitor had with the bot before escalating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TranscriptTurn {
    pub role: TranscriptRole,
    pub text: String,
    /// When the browser says the turn happened, as it sent it (unix milliseconds or RFC 3339);
    /// kept for the record, never trusted for ordering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub at: Option<serde_json::Value>,
}

/// Who the visitor says they are (unverified unless an identity token vouched for it).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewContact {
    pub name: Option<String>,
    pub email: Option<String>,
}

/// What the engine decided before the visitor escalated, and what it considered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BotContext {
    pub decision: Option<String>,
    #[serde(default)]
    pub candidates: Vec<BotCandidate>,
}

/// A knowledge-base entry the engine ranked, with its score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BotCandidate {
    pub id: String,
    pub score: f64,
}

/// A ticket as its visitor sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitorTicket {
    #[serde(rename = "ticket_id")]
    pub id: String,
    pub status: Status,
    pub subject: String,
    /// The answering agent's display name, once someone has the case.
    pub assignee_name: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One message of a ticket's conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Message {
    pub id: i64,
    pub author: AuthorKind,
    /// The agent's display name for agent messages.
    pub author_name: Option<String>,
    pub internal: bool,
    pub body_text: String,
    pub body_html: Option<String>,
    pub created_at: i64,
}

// `GET /api/v1/tickets/{id}/messages`: the conversation, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageList {
    pub messages: Vec<Message>,
}

// The query string of `GET /api/v1/tickets/{id}/messages`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
pub struct MessagesQuery {
    /// Only messages with a larger id (for polling).
    #[serde(default)]
    pub after: i64,
}

// `POST /api/v1/tickets/{id}/messages` body: the visitor writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewVisitorMessage {
    pub text: String,
}

// The query string of `GET /api/v1/tickets/{id}/events`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
pub struct EventsQuery {
    /// The ticket's token: `EventSource` cannot send an `Authorization` header. This is the only
    /// endpoint that reads a token from the query string (query strings end up in logs and
    /// histories); every other one takes it only as `Authorization: Bearer`.
    pub token: Option<String>,
    /// Replay messages with a larger id first (also taken from `Last-Event-ID` on reconnect).
    pub after: Option<i64>,
}

// `POST /api/v1/tickets/{id}/rating` body: the visitor's CSAT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RatingRequest {
    /// 1 (bad) to 5 (great).
    pub score: i64,
    pub comment: Option<String>,
}

/// A visitor's satisfaction rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rating {
    /// 1 (bad) to 5 (great).
    pub score: i64,
    pub comment: Option<String>,
    pub created_at: i64,
}

/// `POST /api/v1/feedback` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedbackRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub site: Slug,
    /// The knowledge-base entry that answered.
    pub entry_id: String,
    pub helpful: bool,
    /// The question the answer was for; truncated to [`MAX_QUERY_CHARS`].
    pub query: Option<String>,
    pub locale: Option<String>,
}
