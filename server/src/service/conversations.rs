//! The conversation of a ticket: the visitor's side (a token, messages, a rating) and the agent's
//! replies and notes.

use protocol::{Message, NewAgentMessage, Rating, RatingRequest, VisitorTicket};

use super::validate::{check_text, optional};
use super::{Desk, ServiceError};
use crate::events::TicketEvent;
use crate::store::{Agent, Stored};

/// A message written, or the one an earlier attempt with the same idempotency key wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    pub message: Message,
    /// `false` for a retry: nothing new was written or announced.
    pub created: bool,
}

impl Desk {
    /// The ticket `ticket_id` if `token` is one of its tokens and has not expired.
    ///
    /// Only a token that matched learns that it expired ([`ServiceError::TokenExpired`]); any
    /// other gets the same `NotFound` as a ticket that does not exist.
    pub async fn visitor_ticket(
        &self,
        ticket_id: &str,
        token: &str,
    ) -> Result<Stored<VisitorTicket>, ServiceError> {
        let ticket = self
            .store
            .visitor_ticket(ticket_id, token)
            .await?
            .ok_or_else(|| {
                ServiceError::NotFound("no ticket with this id for this token".into())
            })?;
        let ttl = self.visitor.token_ttl;
        let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
        if crate::store::now_ms().saturating_sub(ticket.updated_at) > ttl_ms {
            return Err(ServiceError::TokenExpired(format!(
                "this ticket's token expired after {} days without activity; start a new \
                 conversation",
                ttl.as_secs() / 86_400
            )));
        }
        Ok(ticket)
    }

    /// The visitor writes in their ticket (reopening it when pending or resolved); with an
    /// `idempotency_key`, a retry answers the message the first attempt wrote.
    pub async fn post_visitor_message(
        &self,
        ticket: &Stored<VisitorTicket>,
        text: &str,
        idempotency_key: Option<&str>,
    ) -> Result<Posted, ServiceError> {
        let text = text.trim();
        check_text("text", text, self.max_message_chars)?;
        let cap = self.visitor.max_messages_per_ticket;
        let (message, created) = match idempotency_key {
            Some(key) => {
                self.store
                    .add_visitor_message_once(ticket, text, key, cap)
                    .await?
            }
            None => (
                self.store.add_visitor_message(ticket, text, cap).await?,
                true,
            ),
        };
        if created {
            self.events.publish(TicketEvent::Message {
                ticket_id: ticket.id.clone(),
                message: message.clone(),
            });
        }
        Ok(Posted { message, created })
    }

    /// The visitor's satisfaction rating; a second one replaces the first.
    pub async fn rate(
        &self,
        ticket: &Stored<VisitorTicket>,
        request: RatingRequest,
    ) -> Result<Rating, ServiceError> {
        let comment = optional("comment", request.comment, 2000)?;
        let rating = self
            .store
            .rate(ticket.row_id, request.score, comment.as_deref())
            .await?;
        // The agent's open case re-reads itself and shows the rating.
        self.events.publish(TicketEvent::Updated {
            ticket_id: ticket.id.clone(),
        });
        Ok(rating)
    }

    /// An agent's reply (Markdown, rendered and sanitized) or internal note in a ticket they may
    /// see.
    pub async fn post_agent_message(
        &self,
        agent: &Agent,
        ticket_id: &str,
        request: NewAgentMessage,
    ) -> Result<Message, ServiceError> {
        let body = request.body.trim();
        if body.is_empty() || body.chars().count() > self.max_message_chars {
            return Err(ServiceError::Invalid(format!(
                "body must be 1 to {} characters",
                self.max_message_chars
            )));
        }
        let ticket = self.ticket_for(agent, ticket_id).await?;
        let message = self
            .store
            .add_agent_message(&ticket, agent.id, body, request.internal)
            .await?;
        self.events.publish(TicketEvent::Message {
            ticket_id: ticket.id.clone(),
            message: message.clone(),
        });
        Ok(message)
    }
}
