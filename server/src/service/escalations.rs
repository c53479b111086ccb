//! A visitor escalates: the conversation becomes a ticket in a group's queue.

use std::sync::Arc;

use protocol::{EscalationRequest, NewContact, MAX_TRANSCRIPT_TURNS};

use super::validate::{check_length, check_text, optional, web_url};
use super::{Desk, ServiceError};
use crate::events::TicketEvent;
use crate::identity::VerifyClaim as _;
use crate::store::{EscalationOutcome, NewEscalation, Site, StoreError};

/// Most knowledge-base candidates kept with an escalation.
const MAX_CANDIDATES: usize = 50;

/// The ticket an escalation made, and the token that lets the visitor follow it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escalated {
    pub ticket_id: String,
    pub token: String,
    /// `false` when an earlier escalation with the same idempotency key and content made it: the
    /// same ticket and token are answered, nothing new was written.
    pub created: bool,
}

impl Desk {
    /// Creates a ticket from `request` for the site it names.
    ///
    /// `origin` is the page's origin when a browser sent it; the site must allow it. Then the
    /// site's escalation quota, the host-signed identity (if any), the write, and after it the
    /// streams' `created` event, the metric and the group's queue. With an `idempotency_key`, a
    /// retry of the same escalation answers the first one's ticket and token.
    pub async fn create_escalation(
        &self,
        request: EscalationRequest,
        idempotency_key: Option<String>,
        origin: Option<&str>,
    ) -> Result<Escalated, ServiceError> {
        let identity_claim = request.identity_token.clone();
        let mut escalation = validate(request, idempotency_key, self.max_message_chars)?;
        let site = self.site_for(&escalation.site_id, origin).await?;
        self.limiter
            .site_wait(&site.id)
            .map_err(|retry_after| ServiceError::RateLimited {
                retry_after,
                detail: format!(
                    "site {:?} is escalating faster than its limit; retry after the time in \
                     Retry-After",
                    site.id
                ),
            })?;
        if let Some(claim) = identity_claim {
            let now = crate::store::now_ms() / 1000;
            let identity = claim
                .verify_with(site.identity_secret.as_deref(), &self.visitor.identity, now)
                .map_err(|err| ServiceError::InvalidIdentity(err.to_string()))?;
            escalation.identity = Some(identity);
        }
        match self.store.create_escalation(&site, escalation).await? {
            EscalationOutcome::Created {
                ticket_id,
                token,
                group_id,
            } => {
                tracing::info!(ticket = %ticket_id, site = %site.id, "escalation created");
                self.metrics.ticket_created();
                self.events.publish(TicketEvent::Created {
                    ticket_id: ticket_id.clone(),
                });
                if let Some(group) = group_id {
                    self.after_escalation(group).await;
                }
                Ok(Escalated {
                    ticket_id,
                    token,
                    created: true,
                })
            }
            EscalationOutcome::Replayed { ticket_id, token } => Ok(Escalated {
                ticket_id,
                token,
                created: false,
            }),
        }
    }

    /// The site `site_id`, if a browser at `origin` (when one sent the request) may speak for it.
    pub(super) async fn site_for(
        &self,
        site_id: &str,
        origin: Option<&str>,
    ) -> Result<Arc<Site>, ServiceError> {
        let site = self
            .sites
            .get(site_id)
            .await?
            .ok_or_else(|| StoreError::UnknownSite(site_id.to_owned()))?;
        if let Some(origin) = origin {
            if !self.sites.site_allows(&site, origin) {
                return Err(ServiceError::Forbidden(format!(
                    "origin {origin:?} is not allowed for site {:?}",
                    site.id
                )));
            }
        }
        Ok(site)
    }
}

/// The escalation as the store takes it, or why it is refused.
fn validate(
    request: EscalationRequest,
    idempotency_key: Option<String>,
    max_chars: usize,
) -> Result<NewEscalation, ServiceError> {
    let message = request.message.trim();
    check_text("message", message, max_chars)?;
    if request.transcript.len() > MAX_TRANSCRIPT_TURNS {
        return Err(ServiceError::Invalid(format!(
            "transcript has {} turns; at most {MAX_TRANSCRIPT_TURNS} are accepted",
            request.transcript.len()
        )));
    }
    for (i, turn) in request.transcript.iter().enumerate() {
        check_length(&format!("transcript[{i}].text"), &turn.text, max_chars)?;
    }
    let contact = match request.contact {
        Some(contact) => Some(NewContact {
            name: optional("contact.name", contact.name, 200)?,
            email: optional("contact.email", contact.email, 254)?,
        }),
        None => None,
    };
    if let Some(email) = contact.as_ref().and_then(|c| c.email.as_deref()) {
        if !email.contains('@') {
            return Err(ServiceError::Invalid(
                "contact.email is not an email address".into(),
            ));
        }
    }
    if let Some(bot) = &request.bot {
        check_length("bot.decision", bot.decision.as_deref().unwrap_or(""), 64)?;
        if bot.candidates.len() > MAX_CANDIDATES {
            return Err(ServiceError::Invalid(format!(
                "bot.candidates: at most {MAX_CANDIDATES} are accepted"
            )));
        }
        for candidate in &bot.candidates {
            check_length("bot.candidates[].id", &candidate.id, 200)?;
            if !candidate.score.is_finite() {
                return Err(ServiceError::Invalid(
                    "bot.candidates[].score must be finite".into(),
                ));
            }
        }
    }
    Ok(NewEscalation {
        site_id: request.site.to_string(),
        message: message.to_owned(),
        transcript: request.transcript,
        contact,
        page_url: optional("page_url", request.page_url, 2048)?
            .map(|url| web_url("page_url", url))
            .transpose()?,
        locale: optional("locale", request.locale, 35)?,
        bot: request.bot,
        group_id: optional("group", request.group, 64)?,
        identity: None,
        idempotency_key,
    })
}
