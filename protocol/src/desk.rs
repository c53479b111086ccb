//! What the agents' workbench sends and reads: the session, the inbox, a case and what agents
//! do to it, skill groups, canned responses and contacts.

use serde::{Deserialize, Serialize};

use crate::{AuthorKind, BotCandidate, Channel, Message, Priority, Rating, Role, Status};
use crate::{TicketType, TranscriptTurn};

// `POST /api/v1/session` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

// Who is signed in, and the token that must accompany their writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    pub agent: Agent,
    /// Send it as `X-CSRF-Token` with every write.
    pub csrf_token: String,
}

// `POST /api/v1/session/password` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    /// 12 to 1024 characters.
    pub new_password: String,
}

/// An agent account as the rest of the server sees it (never with its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Agent {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// Away (`false`): no automatic assignment.
    pub available: bool,
    /// How many open or pending cases automatic assignment gives the agent at most.
    pub capacity: i64,
    /// Ids of the skill groups the agent works in.
    pub groups: Vec<String>,
    /// A disabled agent cannot sign in and gets no cases; kept for the history they wrote.
    pub disabled: bool,
}

/// A ticket as shown in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketSummary {
    pub id: String,
    /// The site the escalation came from.
    pub site: String,
    pub status: Status,
    pub priority: Priority,
    #[serde(rename = "type")]
    pub ticket_type: TicketType,
    pub channel: Channel,
    pub subject: String,
    /// The skill group whose queue holds the case.
    pub group: Option<String>,
    pub assignee_email: Option<String>,
    pub assignee_name: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub tags: Vec<String>,
    /// When the first response is due (Unix milliseconds), from the priority's SLA target.
    pub sla_due_at: Option<i64>,
    /// When an agent first replied to the visitor (Unix milliseconds): the moment the SLA clock
    /// stopped. `None` while nobody has; notes and system messages do not count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_response_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

// `GET /api/v1/desk/tickets`: the inbox, most recently updated first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketList {
    pub tickets: Vec<TicketSummary>,
}

/// The inbox filters; every one is optional and they combine.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
pub struct ListQuery {
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub site: Option<String>,
    /// A skill group's id.
    pub group: Option<String>,
    /// An agent's email, `me`, or `none`.
    pub assignee: Option<String>,
    pub tag: Option<String>,
    /// Text in the subject or any message.
    pub q: Option<String>,
    /// Most tickets to answer.
    pub limit: Option<u32>,
}

// `GET /api/v1/desk/tickets/{id}`: a case with everything about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketDetail {
    pub ticket: TicketSummary,
    /// What the visitor did before escalating; `None` for tickets from other channels.
    pub escalation: Option<EscalationContext>,
    /// The whole conversation, internal notes included.
    pub messages: Vec<Message>,
    pub audit: Vec<AuditEvent>,
    pub rating: Option<Rating>,
    /// Who the visitor is, with their other tickets (newest first).
    pub contact: Option<ContactDetail>,
}

/// The escalation context an agent sees beside the conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EscalationContext {
    /// The conversation with the bot before the visitor escalated.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<TranscriptTurn>))]
    pub transcript: serde_json::Value,
    /// What the engine decided before the visitor escalated, as the widget reported it.
    pub bot_decision: Option<String>,
    /// The knowledge-base entries the engine ranked, with their scores.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<BotCandidate>))]
    pub bot_candidates: serde_json::Value,
    pub page_url: Option<String>,
    pub locale: Option<String>,
}

impl EscalationContext {
    /// The transcript as turns; a turn the stored JSON does not describe is left out.
    pub fn transcript_turns(&self) -> Vec<TranscriptTurn> {
        parse_list(&self.transcript)
    }

    /// The ranked entries as candidates; one the stored JSON does not describe is left out.
    pub fn candidates(&self) -> Vec<BotCandidate> {
        parse_list(&self.bot_candidates)
    }
}

fn parse_list<T: serde::de::DeserializeOwned>(value: &serde_json::Value) -> Vec<T> {
    match value {
        serde_json::Value::Array(items) => items
            .iter()
            .filter_map(|item| T::deserialize(item).ok())
            .collect(),
        _ => Vec::new(),
    }
}

/// One entry of a ticket's audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEvent {
    pub id: i64,
    pub actor: AuthorKind,
    /// The agent who made the change; `None` for the system and visitors.
    pub agent_email: Option<String>,
    /// What changed: `status`, `priority`, `type`, `tags`, `assign`, `transfer`, `merge`, …
    pub action: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub note: Option<String>,
    pub created_at: i64,
}

// `POST /api/v1/desk/tickets/{id}/messages` body: a reply or an internal note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewAgentMessage {
    /// Markdown.
    pub body: String,
    /// An internal note, never shown to the visitor.
    #[serde(default)]
    pub internal: bool,
}

// `PATCH /api/v1/desk/tickets/{id}` body; an absent field stays as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeRequest {
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    #[serde(rename = "type")]
    pub ticket_type: Option<TicketType>,
    /// Replaces the tags.
    pub tags: Option<Vec<String>>,
}

// `POST /api/v1/desk/tickets/{id}/assign` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignRequest {
    /// The assignee's email; `null` unassigns.
    pub agent: Option<String>,
}

// `POST /api/v1/desk/tickets/{id}/transfer` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransferRequest {
    /// Another skill group: the case goes to its queue, unassigned.
    pub group: Option<String>,
    /// An agent's email: the case goes to that agent (with `group`, in that group).
    pub agent: Option<String>,
    /// Required: what the next agent needs to know; shown to them at the top of the case.
    pub note: String,
}

// `POST /api/v1/desk/tickets/{id}/merge` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MergeRequest {
    /// The ticket that carries on.
    pub into: String,
}

/// `PATCH /api/v1/desk/me` body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AvailabilityChange {
    /// `false` is away: no automatic assignment.
    pub available: Option<bool>,
    /// Open cases before automatic assignment skips this agent.
    pub capacity: Option<i64>,
}

/// A skill group and who is in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Group {
    pub id: String,
    pub name: String,
    /// Emails of the group's enabled agents.
    pub members: Vec<String>,
}

// `GET /api/v1/desk/groups`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupList {
    pub groups: Vec<Group>,
}

/// A canned response as agents see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CannedResponse {
    pub id: i64,
    /// Typed after `/` in the composer: lower case, 1–32 of `a-z0-9-_`, unique.
    pub shortcut: String,
    pub title: String,
    /// Markdown, with `{{contact.name}}`-style variables the composer fills in.
    pub body: String,
    /// The skill group it belongs to; `None` for everyone.
    pub group: Option<String>,
    /// The email of the agent who wrote it.
    pub created_by: Option<String>,
    pub updated_at: i64,
}

// `GET /api/v1/desk/canned-responses`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CannedList {
    pub canned_responses: Vec<CannedResponse>,
}

// A canned response as written: `POST` and `PUT /api/v1/desk/canned-responses`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CannedRequest {
    /// Typed after `/` in the composer: 1–32 of `a-z0-9-_` (a leading `/` and upper case are
    /// dropped); unique.
    pub shortcut: String,
    pub title: String,
    /// Markdown.
    pub body: String,
    /// A skill group; absent or `null` for everyone.
    pub group: Option<String>,
}

/// A contact as agents see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contact {
    pub id: i64,
    /// The host site the contact came from; external ids are unique per site.
    pub site: String,
    /// The host's user id; only verified contacts have one.
    pub external_id: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    /// Vouched for by the host site's signed identity.
    pub verified: bool,
    /// Free-form facts about the person (`plan`, `order_count`): the host site's for verified
    /// contacts, the agents' otherwise.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub attributes: serde_json::Map<String, serde_json::Value>,
    /// Agents' labels for the person (`vip`, `reseller`), lower case.
    pub tags: Vec<String>,
    pub created_at: i64,
}

/// A ticket in a contact's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactTicket {
    pub id: String,
    pub subject: String,
    pub status: Status,
    pub group: Option<String>,
    pub created_at: i64,
}

/// A contact with their tickets, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactDetail {
    #[serde(flatten)]
    pub contact: Contact,
    pub tickets: Vec<ContactTicket>,
}

// `GET /api/v1/desk/contacts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactList {
    pub contacts: Vec<Contact>,
}

// The query string of `GET /api/v1/desk/contacts`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
pub struct SearchQuery {
    /// Text in the name, email or external id (case-insensitive), at most 200 characters.
    #[serde(default)]
    pub q: String,
    /// Most contacts to answer: 50 unless given, at most 200.
    pub limit: Option<u32>,
}

// `PATCH /api/v1/desk/contacts/{id}` body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    /// Replaces the contact's tags.
    pub tags: Option<Vec<String>>,
    /// Merged into the attributes; `null` removes one. A verified contact's attributes come from
    /// its host, whose next signed identity replaces them.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub attributes: Option<serde_json::Map<String, serde_json::Value>>,
}
