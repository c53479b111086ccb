//! Tickets, their messages, and the escalations that create them.

use protocol::{BotContext, Message, NewContact, TicketSummary, TranscriptTurn, VisitorTicket};
use serde::ser::SerializeStruct as _;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::sql::{contains_pattern, Sql};
use super::{is_unique_violation, now_ms, Store, StoreError, Stored, WriteTx};
use crate::domain::{AuthorKind, Priority, Status};
use crate::identity::VerifiedIdentity;
use crate::secret;

/// A validated escalation, ready to become a ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEscalation {
    pub site_id: String,
    pub message: String,
    pub transcript: Vec<TranscriptTurn>,
    pub contact: Option<NewContact>,
    pub page_url: Option<String>,
    pub locale: Option<String>,
    pub bot: Option<BotContext>,
    /// The skill group to route to; the site's default when `None`.
    pub group_id: Option<String>,
    /// The visitor as verified by the host; the contact is then the verified one, and the
    /// unverified `contact` fields are ignored.
    pub identity: Option<VerifiedIdentity>,
    pub idempotency_key: Option<String>,
}

/// The escalation's content as JSON, the input of its [`NewEscalation::fingerprint`]: every field
/// but the idempotency key, in declaration order. Written out rather than derived because these
/// bytes are stored with the key: they must not change when a field is added for another reason.
impl serde::Serialize for NewEscalation {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut json = serializer.serialize_struct("NewEscalation", 9)?;
        json.serialize_field("site_id", &self.site_id)?;
        json.serialize_field("message", &self.message)?;
        json.serialize_field("transcript", &self.transcript)?;
        json.serialize_field("contact", &self.contact)?;
        json.serialize_field("page_url", &self.page_url)?;
        json.serialize_field("locale", &self.locale)?;
        json.serialize_field("bot", &self.bot)?;
        json.serialize_field("group_id", &self.group_id)?;
        json.serialize_field("identity", &self.identity)?;
        json.end()
    }
}

#[cfg(test)]
impl NewEscalation {
    /// Only a message on a site: the smallest escalation, for unit tests.
    pub(crate) fn message_on(site_id: &str, message: &str) -> NewEscalation {
        NewEscalation {
            site_id: site_id.into(),
            message: message.into(),
            transcript: vec![],
            contact: None,
            page_url: None,
            locale: None,
            bot: None,
            group_id: None,
            identity: None,
            idempotency_key: None,
        }
    }
}

impl NewEscalation {
    /// Identifies the request's content, so a reused idempotency key with a different request is
    /// caught instead of answered with the wrong ticket.
    pub(super) fn fingerprint(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        hex::encode(Sha256::digest(json))
    }

    /// The ticket's subject: the message's first line, shortened.
    pub(super) fn subject(&self) -> String {
        const MAX: usize = 120;
        let line = self
            .message
            .trim()
            .lines()
            .next()
            .unwrap_or_default()
            .trim();
        match line.char_indices().nth(MAX) {
            Some((cut, _)) => format!("{}…", &line[..cut]),
            None => line.to_owned(),
        }
    }
}

/// The result of an escalation: the ticket and a capability token for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EscalationOutcome {
    /// A new ticket, waiting in skill group `group_id` (if any).
    Created {
        ticket_id: String,
        token: String,
        group_id: Option<String>,
    },
    /// A retry of an earlier escalation (same site, idempotency key and body): the same ticket
    /// and the same token, unwrapped with the idempotency key (no new token is minted).
    Replayed { ticket_id: String, token: String },
}

/// Which tickets to list.
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub site: Option<String>,
    pub group: Option<String>,
    pub assignee: Option<Assignee>,
    pub tag: Option<String>,
    /// Case-insensitive substring of the subject or any message.
    pub text: Option<String>,
    /// At most this many (default 100, capped at 1000).
    pub limit: Option<u32>,
    /// Only tickets this agent (by id) may see: those of their groups, those without a group,
    /// and those assigned to them. `None` for admins and tools.
    pub visible_to: Option<i64>,
}

/// An assignee filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assignee {
    Nobody,
    /// The agent with this email.
    Agent(String),
}

impl Store {
    /// The ticket `public_id` if `token` is one of its capability tokens.
    ///
    /// An unknown ticket and a token for another ticket look the same to the caller, so a token
    /// holder learns nothing about tickets that are not theirs.
    pub async fn visitor_ticket(
        &self,
        public_id: &str,
        token: &str,
    ) -> Result<Option<Stored<VisitorTicket>>, StoreError> {
        let row = sqlx::query(
            "SELECT t.id, t.public_id, t.status, t.subject, t.created_at, t.updated_at, \
             a.name AS assignee_name \
             FROM tickets t LEFT JOIN agents a ON a.id = t.assignee_id WHERE t.public_id = $1",
        )
        .bind(public_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let row_id: i64 = row.try_get("id")?;
        let digests = sqlx::query("SELECT token_hash FROM ticket_tokens WHERE ticket_id = $1")
            .bind(row_id)
            .fetch_all(&self.pool)
            .await?;
        let mut authorized = false;
        for digest in &digests {
            // Check every digest: the time taken does not depend on which one matches.
            authorized |=
                secret::matches_digest(token, &digest.try_get::<String, _>("token_hash")?);
        }
        if !authorized {
            return Ok(None);
        }
        Ok(Some(Stored::new(
            row_id,
            VisitorTicket {
                id: row.try_get("public_id")?,
                status: row.try_get::<String, _>("status")?.parse()?,
                subject: row.try_get("subject")?,
                assignee_name: row.try_get("assignee_name")?,
                created_at: row.try_get("created_at")?,
                updated_at: row.try_get("updated_at")?,
            },
        )))
    }

    /// A ticket's messages in order, after message id `after` (0 for all); internal notes only
    /// when `include_internal`.
    pub async fn messages(
        &self,
        ticket_row_id: i64,
        after: i64,
        include_internal: bool,
    ) -> Result<Vec<Message>, StoreError> {
        let mut sql = Sql::new(
            "SELECT m.id, m.author_kind, a.name AS author_name, m.internal, m.body_text, \
             m.body_html, m.created_at FROM messages m LEFT JOIN agents a ON a.id = m.agent_id \
             WHERE m.ticket_id = ",
        );
        sql.bind_int(ticket_row_id)
            .push(" AND m.id > ")
            .bind_int(after);
        if !include_internal {
            sql.push(" AND m.internal = 0");
        }
        sql.push(" ORDER BY m.id");
        sql.fetch_all(&self.pool)
            .await?
            .iter()
            .map(message_from_row)
            .collect()
    }

    /// One message by id: another server instance announced it by id alone (NOTIFY payloads are
    /// small), so this instance re-reads it before delivering it to its own event streams.
    pub async fn message(&self, message_id: i64) -> Result<Option<Message>, StoreError> {
        sqlx::query(
            "SELECT m.id, m.author_kind, a.name AS author_name, m.internal, m.body_text, \
             m.body_html, m.created_at FROM messages m LEFT JOIN agents a ON a.id = m.agent_id \
             WHERE m.id = $1",
        )
        .bind(message_id)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(message_from_row)
        .transpose()
    }

    /// Adds a visitor's message. A pending or resolved ticket reopens; a closed one refuses, and
    /// so does a ticket that already holds `max_messages` messages from the visitor's browser
    /// (visitor and bot turns): one token must not fill the database or an agent's screen.
    pub async fn add_visitor_message(
        &self,
        ticket: &Stored<VisitorTicket>,
        text: &str,
        max_messages: u32,
    ) -> Result<Message, StoreError> {
        self.write_visitor_message(ticket, text, max_messages, None)
            .await?
            .ok_or(StoreError::NotFound("message"))
    }

    /// Adds a visitor's message; with `claim` (idempotency key, fingerprint of the text), also
    /// records the key with the message it made, in the same transaction, so that a server
    /// killed midway leaves either both or neither. `None` when an earlier request holds the key.
    /// A refusal (closed ticket, `max_messages` reached) rolls the claim back with the message.
    pub(super) async fn write_visitor_message(
        &self,
        ticket: &Stored<VisitorTicket>,
        text: &str,
        max_messages: u32,
        claim: Option<(&str, &str)>,
    ) -> Result<Option<Message>, StoreError> {
        let now = now_ms();
        let WriteTx {
            mut tx,
            turn: _turn,
        } = self.begin_write().await?;
        if let Some((key, fingerprint)) = claim {
            let claimed = sqlx::query(
                "INSERT INTO visitor_message_keys (ticket_id, idempotency_key, fingerprint, \
                 created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(ticket.row_id)
            .bind(key)
            .bind(fingerprint)
            .bind(now)
            .execute(&mut *tx)
            .await;
            match claimed {
                Ok(_) => {}
                Err(err) if is_unique_violation(&err) => return Ok(None),
                Err(err) => return Err(err.into()),
            }
        }
        let updated = sqlx::query(
            "UPDATE tickets SET updated_at = $1, status = CASE WHEN status IN ($2, $3) THEN $4 \
             ELSE status END WHERE id = $5 AND status <> $6",
        )
        .bind(now)
        .bind(Status::Pending.as_str())
        .bind(Status::Resolved.as_str())
        .bind(Status::Open.as_str())
        .bind(ticket.row_id)
        .bind(Status::Closed.as_str())
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "this ticket is closed; start a new conversation".into(),
            ));
        }
        // Counted after the UPDATE: its row lock (PostgreSQL) or the write gate (SQLite) makes
        // concurrent replies to the same ticket take turns, so the count is exact.
        let sent: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM messages WHERE ticket_id = $1 AND author_kind IN ($2, $3)",
        )
        .bind(ticket.row_id)
        .bind(AuthorKind::Visitor.as_str())
        .bind(AuthorKind::Bot.as_str())
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        if sent >= i64::from(max_messages) {
            return Err(StoreError::Invalid(format!(
                "this ticket already holds {sent} messages from the visitor, the most one ticket \
                 accepts ({max_messages}); start a new conversation"
            )));
        }
        if ticket.status.reopens_on_visitor_message() {
            sqlx::query(
                "INSERT INTO audit_events (ticket_id, actor_kind, action, old_value, new_value, \
                 created_at) VALUES ($1, $2, 'status', $3, $4, $5)",
            )
            .bind(ticket.row_id)
            .bind(AuthorKind::Visitor.as_str())
            .bind(ticket.status.as_str())
            .bind(Status::Open.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let row = sqlx::query(
            "INSERT INTO messages (ticket_id, author_kind, internal, body_text, created_at) \
             VALUES ($1, $2, 0, $3, $4) RETURNING id",
        )
        .bind(ticket.row_id)
        .bind(AuthorKind::Visitor.as_str())
        .bind(text)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        if let Some((key, _)) = claim {
            sqlx::query(
                "UPDATE visitor_message_keys SET message_id = $3 \
                 WHERE ticket_id = $1 AND idempotency_key = $2",
            )
            .bind(ticket.row_id)
            .bind(key)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Some(Message {
            id,
            author: AuthorKind::Visitor,
            author_name: None,
            internal: false,
            body_text: text.to_owned(),
            body_html: None,
            created_at: now,
        }))
    }

    /// Tickets matching `filter`, most recently updated first.
    pub async fn list_tickets(
        &self,
        filter: &TicketFilter,
    ) -> Result<Vec<TicketSummary>, StoreError> {
        let tickets = self.summaries(None, filter).await?;
        Ok(tickets.into_iter().map(Stored::into_inner).collect())
    }

    /// Tickets matching `filter` (and `public_id`, when given).
    pub(super) async fn summaries(
        &self,
        public_id: Option<&str>,
        filter: &TicketFilter,
    ) -> Result<Vec<Stored<TicketSummary>>, StoreError> {
        let mut sql = Sql::new(
            "SELECT t.id, t.public_id, t.site_id, t.status, t.priority, t.ticket_type, t.channel, \
             t.subject, t.group_id, t.sla_due_at, t.first_response_at, t.created_at, t.updated_at, \
             a.email AS assignee_email, a.name AS assignee_name, \
             c.name AS contact_name, c.email AS contact_email \
             FROM tickets t LEFT JOIN agents a ON a.id = t.assignee_id \
             LEFT JOIN contacts c ON c.id = t.contact_id WHERE 1 = 1",
        );
        if let Some(public_id) = public_id {
            sql.push(" AND t.public_id = ").bind_text(public_id);
        }
        if let Some(status) = filter.status {
            sql.push(" AND t.status = ").bind_text(status.as_str());
        }
        if let Some(priority) = filter.priority {
            sql.push(" AND t.priority = ").bind_text(priority.as_str());
        }
        if let Some(site) = &filter.site {
            sql.push(" AND t.site_id = ").bind_text(site);
        }
        if let Some(group) = &filter.group {
            sql.push(" AND t.group_id = ").bind_text(group);
        }
        match &filter.assignee {
            Some(Assignee::Nobody) => {
                sql.push(" AND t.assignee_id IS NULL");
            }
            Some(Assignee::Agent(email)) => {
                sql.push(" AND a.email = ")
                    .bind_text(email.trim().to_lowercase());
            }
            None => {}
        }
        if let Some(agent) = filter.visible_to {
            sql.push(" AND (t.group_id IS NULL OR t.assignee_id = ")
                .bind_int(agent)
                .push(" OR t.group_id IN (SELECT group_id FROM agent_groups WHERE agent_id = ")
                .bind_int(agent)
                .push("))");
        }
        if let Some(tag) = &filter.tag {
            sql.push(
                " AND EXISTS (SELECT 1 FROM ticket_tags tt WHERE tt.ticket_id = t.id AND tt.tag = ",
            )
            .bind_text(tag)
            .push(")");
        }
        if let Some(text) = filter
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let pattern = contains_pattern(&text.to_lowercase());
            sql.push(" AND (LOWER(t.subject) LIKE ")
                .bind_text(pattern.clone())
                .push(" ESCAPE '\\' OR EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = t.id AND LOWER(m.body_text) LIKE ")
                .bind_text(pattern)
                .push(" ESCAPE '\\'))");
        }
        let limit = filter.limit.unwrap_or(100).clamp(1, 1000);
        sql.push(" ORDER BY t.updated_at DESC, t.id DESC LIMIT ")
            .bind_int(i64::from(limit));

        let rows = sql.fetch_all(&self.pool).await?;
        let mut tickets = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            tickets.push(Stored::new(
                id,
                TicketSummary {
                    id: row.try_get("public_id")?,
                    site: row.try_get("site_id")?,
                    status: row.try_get::<String, _>("status")?.parse()?,
                    priority: row.try_get::<String, _>("priority")?.parse()?,
                    ticket_type: row.try_get::<String, _>("ticket_type")?.parse()?,
                    channel: row.try_get::<String, _>("channel")?.parse()?,
                    subject: row.try_get("subject")?,
                    group: row.try_get("group_id")?,
                    assignee_email: row.try_get("assignee_email")?,
                    assignee_name: row.try_get("assignee_name")?,
                    contact_name: row.try_get("contact_name")?,
                    contact_email: row.try_get("contact_email")?,
                    tags: self.ticket_tags(id).await?,
                    sla_due_at: row.try_get("sla_due_at")?,
                    first_response_at: row.try_get("first_response_at")?,
                    created_at: row.try_get("created_at")?,
                    updated_at: row.try_get("updated_at")?,
                },
            ));
        }
        Ok(tickets)
    }

    async fn ticket_tags(&self, ticket_row_id: i64) -> Result<Vec<String>, StoreError> {
        sqlx::query("SELECT tag FROM ticket_tags WHERE ticket_id = $1 ORDER BY tag")
            .bind(ticket_row_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| row.try_get("tag").map_err(StoreError::from))
            .collect()
    }
}

pub(super) fn message_from_row(row: &AnyRow) -> Result<Message, StoreError> {
    Ok(Message {
        id: row.try_get("id")?,
        author: row.try_get::<String, _>("author_kind")?.parse()?,
        author_name: row.try_get("author_name")?,
        internal: row.try_get::<i64, _>("internal")? != 0,
        body_text: row.try_get("body_text")?,
        body_html: row.try_get("body_html")?,
        created_at: row.try_get("created_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escalation(message: &str) -> NewEscalation {
        NewEscalation::message_on("demo", message)
    }

    #[test]
    fn subject_is_the_first_line_shortened() {
        assert_eq!(escalation("  Refund?\nI paid twice").subject(), "Refund?");
        let long = "长".repeat(200);
        let subject = escalation(&long).subject();
        assert_eq!(subject.chars().count(), 121);
        assert!(subject.ends_with('…'));
    }

    #[test]
    fn fingerprint_ignores_the_key_but_not_the_content() {
        let mut a = escalation("hello");
        let b = escalation("hello");
        a.idempotency_key = Some("k".into());
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.fingerprint(), escalation("hello!").fingerprint());
    }
}
