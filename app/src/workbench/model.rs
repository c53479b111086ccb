//! What the agent API sends, as the workbench reads it: the [`protocol`] types, and what the pages
//! ask of them.
//!
//! Times are unix milliseconds, as the server stores them.

use protocol::{AuditEvent, ContactDetail, ContactTicket, Status, TicketDetail};

pub use protocol::{
    Agent, AuthorKind as Author, CannedResponse, DeskConfig, EscalationContext as Escalation,
    Group, Message, Role, SiteView as Site, TicketDetail as Case, TicketSummary,
};

/// What the pages ask of a case.
pub trait CaseExt {
    /// The note of the latest transfer, shown to the receiving agent above everything else.
    fn transfer_note(&self) -> Option<&AuditEvent>;
    /// The visitor's most recent message: what smart assist looks up.
    fn latest_visitor_message(&self) -> Option<&str>;
    /// Who the visitor is: the contact record, or what the ticket knows of them.
    fn contact(&self) -> Option<Visitor>;
}

impl CaseExt for TicketDetail {
    fn transfer_note(&self) -> Option<&AuditEvent> {
        self.audit
            .iter()
            .rev()
            .find(|e| e.action == "transfer" && e.note.as_deref().is_some_and(|n| !n.is_empty()))
    }

    fn latest_visitor_message(&self) -> Option<&str> {
        self.messages
            .iter()
            .rev()
            .find(|m| m.author == Author::Visitor)
            .map(|m| m.body_text.as_str())
    }

    fn contact(&self) -> Option<Visitor> {
        if let Some(record) = &self.contact {
            return Some(Visitor {
                name: record.contact.name.clone(),
                email: record.contact.email.clone(),
                verified: Some(record.contact.verified),
                record: Some(record.clone()),
            });
        }
        let (name, email) = (
            self.ticket.contact_name.clone(),
            self.ticket.contact_email.clone(),
        );
        (name.is_some() || email.is_some()).then_some(Visitor {
            name,
            email,
            verified: None,
            record: None,
        })
    }
}

/// The visitor of a case as the contact panel shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct Visitor {
    pub name: Option<String>,
    pub email: Option<String>,
    /// Whether the site vouched for this identity; `None` without a contact record.
    pub verified: Option<bool>,
    /// The full contact record (attributes, tags, earlier tickets), when there is one.
    pub record: Option<ContactDetail>,
}

impl Visitor {
    /// The contact's tickets, newest first; none without a record.
    pub fn tickets(&self) -> &[ContactTicket] {
        self.record.as_ref().map_or(&[], |r| &r.tickets)
    }
}

/// Whether a contact's earlier ticket may still be merged: a closed ticket is already done with.
pub fn is_live(ticket: &ContactTicket) -> bool {
    ticket.status != Status::Closed
}

/// What the pages ask of an agent.
pub trait AgentExt {
    fn is_admin(&self) -> bool;
}

impl AgentExt for Agent {
    fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_servers_ticket_detail() {
        let detail = r#"{
            "ticket": {"id": "T-1", "site": "demo", "status": "open", "priority": "normal",
                "type": "question", "channel": "widget", "subject": "退货", "group": "general",
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
        assert_eq!(
            (
                contact.record.as_ref().map(|r| r.contact.id),
                contact.verified
            ),
            (Some(7), Some(true))
        );
        assert!(is_live(&contact.tickets()[0]));
        assert_eq!(case.rating.unwrap().score, 5);
    }

    #[test]
    fn without_a_contact_record_the_ticket_names_the_visitor() {
        let case: Case = serde_json::from_str(
            r#"{"ticket": {"id": "T-1", "site": "demo", "status": "open", "priority": "low",
                "type": "question", "channel": "widget", "subject": "s", "group": "general",
                "assignee_email": null, "assignee_name": null, "contact_name": "Ann",
                "contact_email": null, "tags": [], "sla_due_at": null, "created_at": 1,
                "updated_at": 1},
                "escalation": null, "messages": [], "audit": [], "rating": null,
                "contact": null}"#,
        )
        .unwrap();
        let contact = case.contact().unwrap();
        assert_eq!(
            (contact.name.as_deref(), contact.record.is_none()),
            (Some("Ann"), true)
        );
    }

    #[test]
    fn reads_agents_and_groups() {
        let agent: Agent = serde_json::from_str(
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
