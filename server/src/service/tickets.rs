//! What agents do to a ticket: read it whole, change its fields, claim, assign, transfer, merge.
//!
//! Every change is followed by an `updated` event and, since it may have freed capacity or queued
//! the case, by a queue run for the groups involved ([`Desk::fill_queues`]).

use protocol::{ChangeRequest, ListQuery, TicketDetail, TicketSummary, TransferRequest};

use super::contacts::visible_to;
use super::{Desk, ServiceError};
use crate::domain::Role;
use crate::events::TicketEvent;
use crate::store::{Agent, Assignee, Stored, TicketChanges, TicketFilter};

impl Desk {
    /// The ticket if `agent` may see it: admins see every ticket; agents those of their groups,
    /// those without a group, and those assigned to them. Others are `NotFound`, like a ticket
    /// that does not exist, so ids of other groups' cases cannot be probed.
    pub async fn ticket_for(
        &self,
        agent: &Agent,
        id: &str,
    ) -> Result<Stored<TicketSummary>, ServiceError> {
        let ticket = self.ticket(id).await?;
        let visible = agent.role == Role::Admin
            || ticket.assignee_email.as_deref() == Some(agent.email.as_str())
            || ticket
                .group
                .as_ref()
                .is_none_or(|group| agent.groups.contains(group));
        if visible {
            Ok(ticket)
        } else {
            Err(no_ticket(id))
        }
    }

    /// The inbox: the tickets matching `query` that `agent` may see, most recently updated first.
    pub async fn inbox(
        &self,
        agent: &Agent,
        query: ListQuery,
    ) -> Result<Vec<TicketSummary>, ServiceError> {
        let assignee = query.assignee.map(|a| match a.as_str() {
            "none" => Assignee::Nobody,
            "me" => Assignee::Agent(agent.email.clone()),
            _ => Assignee::Agent(a),
        });
        let filter = TicketFilter {
            status: query.status,
            priority: query.priority,
            site: query.site,
            group: query.group,
            assignee,
            tag: query.tag,
            text: query.q,
            limit: query.limit,
            visible_to: (agent.role != Role::Admin).then_some(agent.id),
        };
        Ok(self.store.list_tickets(&filter).await?)
    }

    /// The ticket, its escalation context, every message (internal notes included), its audit
    /// log and rating, and its contact with the other tickets `agent` may see.
    pub async fn ticket_detail(
        &self,
        agent: &Agent,
        id: &str,
    ) -> Result<TicketDetail, ServiceError> {
        let ticket = self.ticket_for(agent, id).await?;
        let contact = match self.store.ticket_contact(&ticket.id).await? {
            Some(contact) => {
                let mut detail = self.store.contact(contact.id).await?;
                detail.tickets.retain(|t| t.id != ticket.id);
                Some(visible_to(detail, agent))
            }
            None => None,
        };
        Ok(TicketDetail {
            contact,
            escalation: self.store.escalation_context(&ticket).await?,
            messages: self.store.messages(ticket.row_id, 0, true).await?,
            audit: self.store.audit_events(&ticket).await?,
            rating: self.store.rating(ticket.row_id).await?,
            ticket: ticket.into_inner(),
        })
    }

    /// Changes status, priority, type or tags; answers the ticket as it is now.
    pub async fn change_ticket(
        &self,
        agent: &Agent,
        id: &str,
        request: ChangeRequest,
    ) -> Result<TicketSummary, ServiceError> {
        let ticket = self.ticket_for(agent, id).await?;
        let changes = TicketChanges {
            status: request.status,
            priority: request.priority,
            ticket_type: request.ticket_type,
            tags: request.tags,
        };
        self.store
            .change_ticket(&ticket, agent.id, &changes)
            .await?;
        self.after_change(ticket).await
    }

    /// Assigns the ticket to `agent` themselves.
    pub async fn claim(&self, agent: &Agent, id: &str) -> Result<TicketSummary, ServiceError> {
        self.assign(agent, id, Some(&agent.email)).await
    }

    /// Assigns the ticket to the agent with email `to`; `None` unassigns it.
    pub async fn assign(
        &self,
        agent: &Agent,
        id: &str,
        to: Option<&str>,
    ) -> Result<TicketSummary, ServiceError> {
        let ticket = self.ticket_for(agent, id).await?;
        self.store.assign(&ticket, agent.id, to).await?;
        self.after_change(ticket).await
    }

    /// Moves the case to another group's queue, to an agent, or both, with the note the next
    /// agent reads first.
    pub async fn transfer(
        &self,
        agent: &Agent,
        id: &str,
        request: TransferRequest,
    ) -> Result<TicketSummary, ServiceError> {
        if request.note.chars().count() > 2000 {
            return Err(ServiceError::Invalid(
                "note is longer than 2000 characters".into(),
            ));
        }
        let ticket = self.ticket_for(agent, id).await?;
        self.store
            .transfer(
                &ticket,
                agent.id,
                request.group.as_deref(),
                request.agent.as_deref(),
                &request.note,
            )
            .await?;
        self.after_change(ticket).await
    }

    /// Closes ticket `id` as a duplicate of `into` (same contact only) and copies its
    /// conversation there; answers the surviving ticket.
    pub async fn merge(
        &self,
        agent: &Agent,
        id: &str,
        into: &str,
    ) -> Result<TicketSummary, ServiceError> {
        let duplicate = self.ticket_for(agent, id).await?;
        let into = self.ticket_for(agent, into).await?;
        self.store
            .merge_tickets(&duplicate, &into, agent.id)
            .await?;
        tracing::info!(duplicate = %duplicate.id, into = %into.id, by = %agent.email, "tickets merged");
        self.after_change(duplicate).await?;
        self.after_change(into).await
    }

    async fn ticket(&self, id: &str) -> Result<Stored<TicketSummary>, ServiceError> {
        self.store.ticket(id).await?.ok_or_else(|| no_ticket(id))
    }

    /// After a change that may have freed capacity or queued the case (resolved, closed,
    /// transferred, unassigned): tells the streams, then lets automatic assignment fill the
    /// queues of the groups involved; answers the ticket as it is now.
    async fn after_change(
        &self,
        before: Stored<TicketSummary>,
    ) -> Result<TicketSummary, ServiceError> {
        self.events.publish(TicketEvent::Updated {
            ticket_id: before.id.clone(),
        });
        let now = self.ticket(&before.id).await?;
        let mut groups: Vec<String> = before.group.iter().chain(&now.group).cloned().collect();
        if let Some(email) = &before.assignee_email {
            if let Some(agent) = self.store.agent_by_email(email).await? {
                groups.extend(agent.groups);
            }
        }
        self.fill_queues(groups).await;
        Ok(self.ticket(&before.id).await?.into_inner())
    }
}

fn no_ticket(id: &str) -> ServiceError {
    ServiceError::NotFound(format!("no ticket {id}"))
}
