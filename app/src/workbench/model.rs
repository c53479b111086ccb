//! What the agent API sends, as the workbench reads it.
//!
//! Times are unix milliseconds, as the server stores them. Optional parts default when absent,
//! so an older server that sends less still renders.

use serde::{Deserialize, Serialize};

/// The signed-in agent.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Me {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    #[serde(default)]
    pub groups: Vec<String>,
    /// `false` is away: automatic assignment passes this agent by.
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
    /// The contact record's id; `None` when only the ticket's name and email are known.
    #[serde(default)]
    pub id: Option<i64>,
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
    pub group: Option<String>,
    #[serde(default)]
    pub created_at: i64,
}

impl PastTicket {
    /// Whether it may still be merged: a closed ticket is already done with.
    pub fn is_live(&self) -> bool {
        self.status != "closed"
    }
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
    /// The emails of its enabled agents: whom a case can be transferred to within the group.
    #[serde(default)]
    pub members: Vec<String>,
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
    /// Open cases before automatic assignment skips this agent.
    #[serde(default)]
    pub capacity: i64,
    /// A disabled agent cannot sign in and gets no cases.
    #[serde(default)]
    pub disabled: bool,
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

/// The desk's settings, as `GET /api/v1/admin/config` sends them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeskConfig {
    pub auto_assign: bool,
    pub default_capacity: i64,
    pub sla_minutes: SlaMinutes,
}

/// Minutes to the first answer, by priority: where a case's SLA due time comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaMinutes {
    pub low: i64,
    pub normal: i64,
    pub high: i64,
    pub urgent: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_servers_ticket_detail() {
        let detail = r#"{
            "ticket": {"id": "T-1", "site": "demo", "status": "open", "priority": "normal",
                "type": "question", "channel": "chat", "subject": "退货", "group": "general",
                "assignee_email": null, "assignee_name": null, "contact_name": "王小明",
                "contact_email": null, "tags": [], "sla_due_at": null,
                "created_at": 1, "updated_at": 2},
            "escalation": {"transcript": [], "bot_decision": "answer",
                "bot_candidates": [{"id": "returns", "score": 0.8}],
                "page_url": "https://shop.example/", "locale": "zh-CN"},
            "messages": [{"id": 1, "author": "visitor", "author_name": null, "internal": false,
                "body_text": "我想退货", "body_html": null, "created_at": 1}],
            "audit": [{"id": 1, "actor": "agent", "agent_email": "a@example.com",
                "action": "transfer", "old_value": "general", "new_value": "billing",
                "note": "请核对", "created_at": 3}],
            "rating": {"score": 5, "comment": null, "created_at": 4},
            "contact": {"id": 7, "site": "demo", "external_id": "u-1", "name": "王小明",
                "email": "wang@example.com", "verified": true, "attributes": {"plan": "pro"},
                "tags": ["vip"], "created_at": 1, "updated_at": 1,
                "tickets": [{"id": "T-0", "subject": "old", "status": "resolved",
                    "group": "general", "created_at": 0}]}
        }"#;
        let case: Case = serde_json::from_str(detail).unwrap();
        assert_eq!(
            case.transfer_note().unwrap().note.as_deref(),
            Some("请核对")
        );
        assert_eq!(case.latest_visitor_message(), Some("我想退货"));
        let contact = case.contact().unwrap();
        assert_eq!((contact.id, contact.verified), (Some(7), Some(true)));
        assert!(contact.tickets[0].is_live());
        assert_eq!(case.rating.unwrap().score, 5);
    }

    #[test]
    fn without_a_contact_record_the_ticket_names_the_visitor() {
        let case: Case = serde_json::from_str(
            r#"{"ticket": {"id": "T-1", "status": "open", "priority": "low", "subject": "s",
                "contact_name": "Ann", "created_at": 1, "updated_at": 1}}"#,
        )
        .unwrap();
        let contact = case.contact().unwrap();
        assert_eq!((contact.name.as_deref(), contact.id), (Some("Ann"), None));
    }

    #[test]
    fn reads_agents_and_groups() {
        let agent: AdminAgent = serde_json::from_str(
            r#"{"id": 2, "email": "m@example.com", "name": "Ming", "role": "agent",
                "available": false, "capacity": 5, "groups": ["billing"], "disabled": false}"#,
        )
        .unwrap();
        assert_eq!((agent.capacity, agent.available), (5, false));
        let group: Group = serde_json::from_str(
            r#"{"id": "billing", "name": "Billing", "members": ["m@example.com"]}"#,
        )
        .unwrap();
        assert_eq!(group.members, ["m@example.com"]);
    }
}
