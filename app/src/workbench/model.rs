//! What the agent API sends, as the workbench reads it: the [`protocol`] types, and what the pages
//! ask of them.
//!
//! Times are unix milliseconds, as the server stores them.

use protocol::{AuditEvent, ContactTicket, Status, TicketDetail};

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
    /// The visitor's name: the contact record's, or what the ticket knows.
    fn visitor_name(&self) -> Option<&str>;
    /// The visitor's email: the contact record's, or what the ticket knows.
    fn visitor_email(&self) -> Option<&str>;
    /// Whether anything is known of who the visitor is.
    fn knows_visitor(&self) -> bool;
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

    fn visitor_name(&self) -> Option<&str> {
        match &self.contact {
            Some(record) => record.contact.name.as_deref(),
            None => self.ticket.contact_name.as_deref(),
        }
    }

    fn visitor_email(&self) -> Option<&str> {
        match &self.contact {
            Some(record) => record.contact.email.as_deref(),
            None => self.ticket.contact_email.as_deref(),
        }
    }

    fn knows_visitor(&self) -> bool {
        self.contact.is_some() || self.visitor_name().is_some() || self.visitor_email().is_some()
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
        let contact = case.contact.as_ref().unwrap();
        assert_eq!((contact.contact.id, contact.contact.verified), (7, true));
        assert_eq!(case.visitor_email(), Some("wang@example.com"));
        assert!(is_live(&contact.tickets[0]));
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
        assert!(case.knows_visitor());
        assert_eq!(
            (case.visitor_name(), case.contact.is_none()),
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
