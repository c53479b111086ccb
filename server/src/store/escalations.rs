//! Escalations become tickets several to a transaction (group commit).
//!
//! An escalation is a handful of rows: contact, ticket, capability token, escalation context,
//! messages. Written one transaction each, its cost was round trips, not the database. So
//! escalations go through a group-commit queue (`group_commit.rs`): whatever waits (up to
//! [`MAX_BATCH`]) is written in one transaction with one multi-row `INSERT` per table.
//!
//! Idempotency keys are looked up inside the transaction, so a retry of an escalation written
//! earlier, or earlier in the same batch, gets the same ticket and the same token: see
//! [`wrap_token`] for how the token stays recoverable by the retry (and only by it) although the
//! server keeps no usable copy of it. A retry never mints another token: tokens do not pile up
//! however often a client (or someone replaying its request) retries. When a batch
//! fails (a retry committed meanwhile by another server instance trips the key's unique index,
//! or the database refuses one escalation), each of its escalations is written again on its own:
//! one cannot fail the others.

use std::collections::HashMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::group_commit::{GroupCommit, GroupWriter, Limits};
use super::sql::{Bind, Sql};
use super::tickets::{EscalationOutcome, NewEscalation};
use super::{contacts, is_unique_violation, now_ms, Site, Store, StoreError, WriteTx};
use crate::domain::{AuthorKind, Channel, Priority, Status, TicketType};
use crate::secret;

/// Most escalations written in one transaction.
const MAX_BATCH: usize = 64;
/// Most messages (transcript turns and escalation messages) in one transaction, which keeps the
/// messages `INSERT` well below the databases' limits on bound parameters.
const MAX_BATCH_MESSAGES: usize = 2_000;

/// Escalations waiting to be written, several to a transaction.
pub(super) type Queue = GroupCommit<Pending, EscalationOutcome>;

/// How many escalations one transaction writes at most.
const LIMITS: Limits<Pending> = Limits {
    items: MAX_BATCH,
    weight: MAX_BATCH_MESSAGES,
    weigh: Pending::messages,
};

pub(super) fn queue() -> Queue {
    GroupCommit::new("escalation", LIMITS)
}

/// An escalation ready to write.
pub(super) struct Pending {
    escalation: NewEscalation,
    group_id: Option<String>,
    fingerprint: String,
    sla_ms: i64,
}

impl Pending {
    fn messages(&self) -> usize {
        self.escalation.transcript.len() + 1
    }
}

/// What a batch does with one escalation.
enum Plan {
    New { public_id: String, token: String },
    Replay { public_id: String, token: String },
    Refuse(StoreError),
}

/// A ticket written for an idempotency key, earlier or earlier in this batch.
struct Keyed {
    public_id: String,
    fingerprint: Option<String>,
    /// The token in clear, for a ticket written earlier in this batch.
    token: Option<String>,
    /// The token wrapped under the idempotency key, for a ticket read from the database; `None`
    /// for tickets written before tokens were wrapped.
    wrapped: Option<String>,
}

impl Store {
    /// Turns an escalation to `site` into a ticket: contact, ticket, capability token,
    /// escalation context, then the transcript and the escalation message as messages, all in
    /// one transaction (shared with other escalations written at the same moment).
    ///
    /// With an idempotency key, a retry for the same site returns the original ticket
    /// ([`EscalationOutcome::Replayed`]); the same key with different content is refused.
    pub async fn create_escalation(
        &self,
        site: &Site,
        escalation: NewEscalation,
    ) -> Result<EscalationOutcome, StoreError> {
        if site.id != escalation.site_id {
            return Err(StoreError::UnknownSite(escalation.site_id));
        }
        // The browser names the group: only the site's visitor groups are honoured.
        let mut group_id = site.group_for(escalation.group_id.as_deref());
        if group_id != site.default_group_id {
            if let Some(group) = &group_id {
                if !self.group_exists(group).await? {
                    group_id = site.default_group_id.clone();
                }
            }
        }
        let sla_ms = self
            .current_desk_config()
            .await?
            .sla_minutes
            .target_ms(Priority::Normal);
        let fingerprint = escalation.fingerprint();
        let pending = Pending {
            escalation,
            group_id,
            fingerprint,
            sla_ms,
        };
        self.escalations.submit(self, pending).await
    }
}

impl GroupWriter<Pending, EscalationOutcome> for Store {
    async fn write_group<'a>(
        &'a self,
        items: &'a [&'a Pending],
    ) -> Result<Vec<Result<EscalationOutcome, StoreError>>, StoreError> {
        self.insert_escalations(items).await
    }

    async fn write_one<'a>(&'a self, item: &'a Pending) -> Result<EscalationOutcome, StoreError> {
        self.write_alone(item).await
    }
}

impl Store {
    async fn write_alone(&self, pending: &Pending) -> Result<EscalationOutcome, StoreError> {
        // A unique violation is either a retry with the same idempotency key committed meanwhile
        // (the next attempt finds its ticket) or, very rarely, a public id collision (the next
        // attempt draws another).
        for _ in 0..4 {
            match self.insert_escalations(&[pending]).await {
                Ok(mut outcomes) => {
                    return outcomes.pop().unwrap_or_else(|| {
                        Err(StoreError::Interrupted("no outcome was written".into()))
                    })
                }
                Err(StoreError::Database(err)) if is_unique_violation(&err) => {}
                Err(err) => return Err(err),
            }
        }
        Err(StoreError::Conflict(
            "could not allocate a ticket id; try again".into(),
        ))
    }

    /// Writes `batch` in one transaction: an outcome per escalation, in order, or an error that
    /// rolled back all of them.
    async fn insert_escalations(
        &self,
        batch: &[&Pending],
    ) -> Result<Vec<Result<EscalationOutcome, StoreError>>, StoreError> {
        let now = now_ms();
        // On SQLite the write gate makes this the only writer until it commits.
        let WriteTx {
            mut tx,
            turn: _turn,
        } = self.begin_write().await?;

        let (mut keyed, mut row_ids) = earlier_tickets(&mut tx, batch).await?;
        let plans: Vec<Plan> = batch
            .iter()
            .map(|pending| {
                let escalation = &pending.escalation;
                let key = escalation
                    .idempotency_key
                    .as_ref()
                    .map(|key| (escalation.site_id.clone(), key_digest(key)));
                if let Some(earlier) = key.as_ref().and_then(|key| keyed.get(key)) {
                    if earlier.fingerprint.as_deref() != Some(pending.fingerprint.as_str()) {
                        return Plan::Refuse(StoreError::Invalid(
                            "this Idempotency-Key was already used for a different escalation"
                                .into(),
                        ));
                    }
                    let plain_key = escalation.idempotency_key.as_deref().unwrap_or_default();
                    let token = match (&earlier.token, &earlier.wrapped) {
                        (Some(token), _) => Some(token.clone()),
                        (None, Some(wrapped)) => unwrap_token(
                            wrapped,
                            plain_key,
                            &escalation.site_id,
                            &earlier.public_id,
                        ),
                        (None, None) => None,
                    };
                    return match token {
                        Some(token) => Plan::Replay {
                            public_id: earlier.public_id.clone(),
                            token,
                        },
                        None => Plan::Refuse(StoreError::Conflict(
                            "this escalation was recorded before retries could return its \
                             token; the first response had it"
                                .into(),
                        )),
                    };
                }
                let public_id = secret::new_ticket_id();
                let token = secret::new_token();
                if let Some(key) = key {
                    keyed.insert(
                        key,
                        Keyed {
                            public_id: public_id.clone(),
                            fingerprint: Some(pending.fingerprint.clone()),
                            token: Some(token.clone()),
                            wrapped: None,
                        },
                    );
                }
                Plan::New { public_id, token }
            })
            .collect();
        let new: Vec<(&Pending, &str)> = batch
            .iter()
            .zip(&plans)
            .filter_map(|(pending, plan)| match plan {
                Plan::New { public_id, .. } => Some((*pending, public_id.as_str())),
                _ => None,
            })
            .collect();

        if !new.is_empty() {
            let contact_ids = contacts_of(&mut tx, &new, now).await?;

            let mut tickets = Sql::new(
                "INSERT INTO tickets (public_id, site_id, subject, group_id, sla_due_at, \
                 idempotency_key, request_fingerprint, contact_id, status, priority, \
                 ticket_type, channel, created_at, updated_at) VALUES ",
            );
            let now_param = tickets.shared(Bind::Int(now));
            let constants = format!(
                ", '{}', '{}', '{}', '{}', {now_param}, {now_param}",
                Status::Open.as_str(),
                Priority::Normal.as_str(),
                TicketType::Question.as_str(),
                Channel::Widget.as_str(),
            );
            for (i, ((pending, public_id), contact_id)) in new.iter().zip(contact_ids).enumerate() {
                let escalation = &pending.escalation;
                tickets.push(if i == 0 { "" } else { ", " }).tuple(
                    [
                        Bind::Text((*public_id).to_owned()),
                        Bind::Text(escalation.site_id.clone()),
                        Bind::Text(escalation.subject()),
                        Bind::OptionalText(pending.group_id.clone()),
                        Bind::Int(now + pending.sla_ms),
                        Bind::OptionalText(escalation.idempotency_key.as_deref().map(key_digest)),
                        Bind::Text(pending.fingerprint.clone()),
                        Bind::OptionalInt(contact_id),
                    ],
                    &constants,
                );
            }
            tickets.push(" RETURNING id, public_id");
            for row in tickets.fetch_all(&mut *tx).await? {
                row_ids.insert(row.try_get("public_id")?, row.try_get("id")?);
            }
        }
        let row_id = |public_id: &str| {
            row_ids.get(public_id).copied().ok_or_else(|| {
                StoreError::Corrupt(format!("ticket {public_id} has no row after its INSERT"))
            })
        };

        // A capability token for every new ticket (a retry gets the first one back), wrapped
        // under the idempotency key when there is one.
        let mut tokens = Sql::new(
            "INSERT INTO ticket_tokens (token_hash, ticket_id, wrapped_token, created_at) VALUES ",
        );
        let now_param = tokens.shared(Bind::Int(now));
        let mut any_token = false;
        for (plan, pending) in plans.iter().zip(batch) {
            let Plan::New { public_id, token } = plan else {
                continue;
            };
            let escalation = &pending.escalation;
            let wrapped = escalation
                .idempotency_key
                .as_deref()
                .and_then(|key| wrap_token(token, key, &escalation.site_id, public_id));
            tokens.push(if any_token { ", " } else { "" }).tuple(
                [
                    Bind::Text(secret::digest(token)),
                    Bind::Int(row_id(public_id)?),
                    Bind::OptionalText(wrapped),
                ],
                &format!(", {now_param}"),
            );
            any_token = true;
        }
        if any_token {
            tokens.execute(&mut *tx).await?;
        }

        if !new.is_empty() {
            let mut contexts = Sql::new(
                "INSERT INTO escalations (ticket_id, transcript, bot_decision, bot_candidates, \
                 page_url, locale, created_at) VALUES ",
            );
            let contexts_now = format!(", {}", contexts.shared(Bind::Int(now)));
            // The transcripts and the messages of all new tickets in one statement.
            let mut messages = Sql::new(
                "INSERT INTO messages (ticket_id, body_text, author_kind, internal, created_at) \
                 VALUES ",
            );
            let messages_now = messages.shared(Bind::Int(now));
            let mut first_message = true;
            for (i, (pending, public_id)) in new.iter().enumerate() {
                let escalation = &pending.escalation;
                let ticket = row_id(public_id)?;
                let bot = escalation.bot.clone().unwrap_or_default();
                contexts.push(if i == 0 { "" } else { ", " }).tuple(
                    [
                        Bind::Int(ticket),
                        Bind::Text(to_json(&escalation.transcript)),
                        Bind::OptionalText(bot.decision),
                        Bind::Text(to_json(&bot.candidates)),
                        Bind::OptionalText(escalation.page_url.clone()),
                        Bind::OptionalText(escalation.locale.clone()),
                    ],
                    &contexts_now,
                );
                let turns = escalation
                    .transcript
                    .iter()
                    .map(|turn| (AuthorKind::from(turn.role), &turn.text))
                    .chain([(AuthorKind::Visitor, &escalation.message)]);
                for (author, text) in turns {
                    messages.push(if first_message { "" } else { ", " }).tuple(
                        [Bind::Int(ticket), Bind::Text(text.clone())],
                        &format!(", '{}', 0, {messages_now}", author.as_str()),
                    );
                    first_message = false;
                }
            }
            contexts.execute(&mut *tx).await?;
            messages.execute(&mut *tx).await?;
        }
        tx.commit().await?;

        Ok(plans
            .into_iter()
            .zip(batch)
            .map(|(plan, pending)| match plan {
                Plan::New { public_id, token } => Ok(EscalationOutcome::Created {
                    ticket_id: public_id,
                    token,
                    group_id: pending.group_id.clone(),
                }),
                Plan::Replay { public_id, token } => Ok(EscalationOutcome::Replayed {
                    ticket_id: public_id,
                    token,
                }),
                Plan::Refuse(err) => Err(err),
            })
            .collect())
    }
}

/// The tickets already written for the idempotency keys in `batch`, by `(site, key)`, and their
/// row ids by public id.
async fn earlier_tickets(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    batch: &[&Pending],
) -> Result<(HashMap<(String, String), Keyed>, HashMap<String, i64>), StoreError> {
    let mut keyed = HashMap::new();
    let mut row_ids = HashMap::new();
    let mut sql = Sql::new(
        "SELECT t.id, t.public_id, t.site_id, t.idempotency_key, t.request_fingerprint, \
         (SELECT MIN(k.wrapped_token) FROM ticket_tokens k WHERE k.ticket_id = t.id) \
         AS wrapped_token FROM tickets t WHERE ",
    );
    let mut any_key = false;
    for escalation in batch.iter().map(|pending| &pending.escalation) {
        let Some(key) = &escalation.idempotency_key else {
            continue;
        };
        // Keys written before they were hashed are found in clear.
        sql.push(if any_key {
            " OR (t.site_id = "
        } else {
            "(t.site_id = "
        })
        .bind_text(escalation.site_id.as_str())
        .push(" AND t.idempotency_key IN (")
        .bind_text(key_digest(key))
        .push(", ")
        .bind_text(key.as_str())
        .push("))");
        any_key = true;
    }
    if !any_key {
        return Ok((keyed, row_ids));
    }
    for row in sql.fetch_all(&mut **tx).await? {
        let public_id: String = row.try_get("public_id")?;
        row_ids.insert(public_id.clone(), row.try_get("id")?);
        let stored: String = row.try_get("idempotency_key")?;
        let digest = if stored.starts_with(KEY_DIGEST_PREFIX) {
            stored
        } else {
            key_digest(&stored)
        };
        keyed.insert(
            (row.try_get("site_id")?, digest),
            Keyed {
                public_id,
                fingerprint: row.try_get("request_fingerprint")?,
                token: None,
                wrapped: row.try_get("wrapped_token")?,
            },
        );
    }
    Ok((keyed, row_ids))
}

/// The contact of each new ticket: the verified one (created or refreshed), a new unverified one
/// when the visitor typed a name or email, or none.
async fn contacts_of(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    new: &[(&Pending, &str)],
    now: i64,
) -> Result<Vec<Option<i64>>, StoreError> {
    let mut ids = vec![None; new.len()];
    // Verified contacts one by one: each merges by external id, possibly twice in one batch.
    let mut unverified = Vec::new();
    for (i, (pending, _)) in new.iter().enumerate() {
        let escalation = &pending.escalation;
        match (&escalation.identity, &escalation.contact) {
            (Some(identity), _) => {
                ids[i] =
                    Some(contacts::upsert_verified(tx, &escalation.site_id, identity, now).await?);
            }
            (None, Some(contact)) if contact.name.is_some() || contact.email.is_some() => {
                unverified.push((i, &escalation.site_id, &contact.name, &contact.email));
            }
            (None, _) => {}
        }
    }
    if unverified.is_empty() {
        return Ok(ids);
    }
    // Unverified contacts in one statement: never merged, so each is a new row. Rows come back
    // in no promised order; they are matched by content, and contacts with the same content are
    // interchangeable (all new, all alike).
    let mut insert = Sql::new(
        "INSERT INTO contacts (site_id, name, email, verified, created_at, updated_at) VALUES ",
    );
    let now_param = insert.shared(Bind::Int(now));
    let constants = format!(", 0, {now_param}, {now_param}");
    for (n, (_, site, name, email)) in unverified.iter().enumerate() {
        insert.push(if n == 0 { "" } else { ", " }).tuple(
            [
                Bind::Text((*site).clone()),
                Bind::OptionalText((*name).clone()),
                Bind::OptionalText((*email).clone()),
            ],
            &constants,
        );
    }
    insert.push(" RETURNING id, site_id, name, email");
    let mut created: HashMap<(String, Option<String>, Option<String>), Vec<i64>> = HashMap::new();
    for row in insert.fetch_all(&mut **tx).await? {
        created
            .entry((
                row.try_get("site_id")?,
                row.try_get("name")?,
                row.try_get("email")?,
            ))
            .or_default()
            .push(row.try_get("id")?);
    }
    for (i, site, name, email) in unverified {
        let key = (site.clone(), name.clone(), email.clone());
        ids[i] = Some(created.get_mut(&key).and_then(Vec::pop).ok_or_else(|| {
            StoreError::Corrupt("a new contact was not returned by its INSERT".into())
        })?);
    }
    Ok(ids)
}

/// Marks an idempotency key stored as its digest (keys written earlier are in clear).
const KEY_DIGEST_PREFIX: &str = "sha256:";

/// How an idempotency key is stored: its SHA-256, so the database does not hold what unwraps
/// the token ([`wrap_token`]).
fn key_digest(key: &str) -> String {
    format!(
        "{KEY_DIGEST_PREFIX}{}",
        hex::encode(Sha256::digest(key.as_bytes()))
    )
}

/// The one-time pad a ticket's token is wrapped with: HMAC-SHA256 keyed by the idempotency key,
/// over the site and ticket id, so each key wraps exactly one token.
fn token_pad(key: &str, site: &str, public_id: &str) -> [u8; 32] {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC accepts keys of any size");
    mac.update(b"answerdesk ticket token\0");
    mac.update(site.as_bytes());
    mac.update(b"\0");
    mac.update(public_id.as_bytes());
    mac.finalize().into_bytes().into()
}

/// The ticket token XOR the pad of `key`, in hex: what a retry with the same `Idempotency-Key`
/// unwraps to get the token the first attempt got.
///
/// Why this design: the token is only ever stored hashed, so a retry whose first response was
/// lost (the very case idempotency keys exist for) could not be given it back, and minting a new
/// one per retry let tokens pile up for anyone replaying the request. The retry proves it is the
/// original requester by presenting the same key and the same body (the fingerprint), which the
/// client generated and never sent anywhere else; the server stores only the key's SHA-256 and
/// the wrapped token, so neither a database dump nor anyone without the key recovers the token.
/// `None` for a token that is not one of [`secret::new_token`]'s.
fn wrap_token(token: &str, key: &str, site: &str, public_id: &str) -> Option<String> {
    let raw = URL_SAFE_NO_PAD.decode(token).ok()?;
    let pad = token_pad(key, site, public_id);
    if raw.len() > pad.len() {
        return None;
    }
    let wrapped: Vec<u8> = raw.iter().zip(pad).map(|(b, p)| b ^ p).collect();
    Some(hex::encode(wrapped))
}

/// The token [`wrap_token`] wrapped, given the same key, site and ticket.
fn unwrap_token(wrapped: &str, key: &str, site: &str, public_id: &str) -> Option<String> {
    let raw = hex::decode(wrapped).ok()?;
    let pad = token_pad(key, site, public_id);
    if raw.len() > pad.len() {
        return None;
    }
    let token: Vec<u8> = raw.iter().zip(pad).map(|(b, p)| b ^ p).collect();
    Some(URL_SAFE_NO_PAD.encode(token))
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use super::super::group_commit;
    use super::*;

    fn pending(turns: usize) -> Pending {
        Pending {
            escalation: NewEscalation {
                transcript: (0..turns)
                    .map(|_| protocol::TranscriptTurn {
                        role: protocol::TranscriptRole::Visitor,
                        text: "hi".into(),
                        at: None,
                    })
                    .collect(),
                ..NewEscalation::message_on("demo", "help")
            },
            group_id: None,
            fingerprint: String::new(),
            sla_ms: 0,
        }
    }

    #[test]
    fn a_wrapped_token_unwraps_only_with_its_key_site_and_ticket() {
        let token = secret::new_token();
        let wrapped = wrap_token(&token, "key-1", "demo", "T-AAAA0000").unwrap();
        assert_ne!(wrapped, token);
        assert_eq!(
            unwrap_token(&wrapped, "key-1", "demo", "T-AAAA0000").as_deref(),
            Some(token.as_str())
        );
        for (key, site, ticket) in [
            ("key-2", "demo", "T-AAAA0000"),
            ("key-1", "other", "T-AAAA0000"),
            ("key-1", "demo", "T-AAAA0001"),
        ] {
            assert_ne!(
                unwrap_token(&wrapped, key, site, ticket).as_deref(),
                Some(token.as_str())
            );
        }
        assert!(key_digest("key-1").starts_with(KEY_DIGEST_PREFIX));
        assert!(!key_digest("key-1").contains("key-1"));
    }

    #[test]
    fn batches_are_bounded_by_escalations_and_messages() {
        let take_batch = |waiting: &mut VecDeque<Pending>| {
            group_commit::take_group(waiting, LIMITS.items, LIMITS.weight, LIMITS.weigh)
        };
        let mut waiting: VecDeque<Pending> = (0..100).map(|_| pending(2)).collect();
        assert_eq!(take_batch(&mut waiting).len(), MAX_BATCH);
        assert_eq!(take_batch(&mut waiting).len(), 100 - MAX_BATCH);
        assert!(take_batch(&mut waiting).is_empty());

        // 100 turns + the message = 101 messages each: 19 fit under 2,000.
        let mut waiting: VecDeque<Pending> = (0..30).map(|_| pending(100)).collect();
        assert_eq!(take_batch(&mut waiting).len(), 19);
        // One escalation larger than the limit still goes, alone.
        let mut waiting: VecDeque<Pending> = [pending(3000), pending(1)].into();
        assert_eq!(take_batch(&mut waiting).len(), 1);
    }
}
