//! What the agent API sends, as the workbench reads it.
//!
//! Times are unix milliseconds, as the server stores them. Optional parts default when absent,
//! so an older server that sends less still renders.

use serde::Deserialize;

/// The signed-in agent.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Me {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default = "yes")]
    pub available: bool,
}

fn yes() -> bool {
    true
}

impl Me {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Agent,
    Admin,
}

/// A ticket as the inbox lists it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TicketSummary {
    pub id: String,
    #[serde(default)]
    pub site: String,
    pub status: String,
    pub priority: String,
    #[serde(rename = "type", default)]
    pub ticket_type: String,
    pub subject: String,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub assignee_email: Option<String>,
    #[serde(default)]
    pub assignee_name: Option<String>,
    #[serde(default)]
    pub contact_name: Option<String>,
    #[serde(default)]
    pub contact_email: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub sla_due_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One ticket with everything an agent needs to answer it without asking again.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Case {
    pub ticket: TicketSummary,
    #[serde(default)]
    pub messages: Vec<Message>,
    #[serde(default)]
    pub escalation: Option<Escalation>,
    /// The full contact record when the server sends one; otherwise the ticket's name and email.
    #[serde(default)]
    pub contact: Option<Contact>,
    /// The audit log, oldest first.
    #[serde(default)]
    pub audit: Vec<AuditEvent>,
    #[serde(default)]
    pub rating: Option<Rating>,
}

impl Case {
    /// The note of the latest transfer, shown to the receiving agent above everything else.
    pub fn transfer_note(&self) -> Option<&AuditEvent> {
        self.audit
            .iter()
            .rev()
            .find(|e| e.action == "transfer" && e.note.as_deref().is_some_and(|n| !n.is_empty()))
    }

    /// The visitor's most recent message: what smart assist looks up.
    pub fn latest_visitor_message(&self) -> Option<&str> {
        self.messages
            .iter()
            .rev()
            .find(|m| m.author == Author::Visitor)
            .map(|m| m.body_text.as_str())
    }

    /// Who the visitor is: the contact record, or what the ticket knows of them.
    pub fn contact(&self) -> Option<Contact> {
        self.contact.clone().or_else(|| {
            let (name, email) = (
                self.ticket.contact_name.clone(),
                self.ticket.contact_email.clone(),
            );
            (name.is_some() || email.is_some()).then(|| Contact {
                name,
                email,
                ..Contact::default()
            })
        })
    }
}

/// The visitor's satisfaction rating, 1 to 5.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Rating {
    pub score: i64,
    #[serde(default)]
    pub comment: Option<String>,
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Author {
    Visitor,
    Bot,
    Agent,
    System,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Message {
    pub id: i64,
    pub author: Author,
    #[serde(default)]
    pub author_name: Option<String>,
    #[serde(default)]
    pub internal: bool,
    pub body_text: String,
    /// Sanitized HTML the server rendered from an agent's Markdown.
    #[serde(default)]
    pub body_html: Option<String>,
    pub created_at: i64,
}

/// What the visitor's browser knew when it escalated.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Escalation {
    #[serde(default)]
    pub page_url: Option<String>,
    #[serde(default)]
    pub locale: Option<String>,
    /// What the bot last decided: `answer`, `clarify` or `escalate`.
    #[serde(default)]
    pub bot_decision: Option<String>,
    /// The entries the bot ranked for the visitor's last question, best first.
    #[serde(default)]
    pub bot_candidates: Vec<BotCandidate>,
}

/// A knowledge-base entry the bot ranked: its id in the snapshot and its confidence.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BotCandidate {
    pub id: String,
    pub score: f64,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Contact {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// Whether the site vouched for this identity; `None` when the server did not say.
    #[serde(default)]
    pub verified: Option<bool>,
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub attributes: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// The contact's other tickets, newest first.
    #[serde(default)]
    pub tickets: Vec<PastTicket>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PastTicket {
    pub id: String,
    pub subject: String,
    pub status: String,
    #[serde(default)]
    pub created_at: i64,
}

/// One entry of a ticket's audit log: who changed what, when, and why.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AuditEvent {
    pub action: String,
    #[serde(default)]
    pub old_value: Option<String>,
    #[serde(default)]
    pub new_value: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// The agent who did it (none for system and visitor actions).
    #[serde(default)]
    pub agent_email: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CannedResponse {
    pub id: i64,
    pub shortcut: String,
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub group: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Group {
    pub id: String,
    pub name: String,
}

/// An agent as colleagues and admins see it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AdminAgent {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default = "yes")]
    pub available: bool,
}

/// The answer to an invitation: the new agent's one-time password.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct NewAgentPassword {
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Site {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    #[serde(default)]
    pub default_group: Option<String>,
    /// Whether an identity secret is set; the secret itself is only shown when created.
    #[serde(default)]
    pub has_identity_secret: bool,
}
