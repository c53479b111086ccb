//! "Was this helpful?": a visitor's anonymous verdict on an answer.

use protocol::{FeedbackRequest, FEEDBACK_QUERY_CHARS};

use super::{Desk, ServiceError};
use crate::store::NewFeedback;

impl Desk {
    /// Counts a verdict about an entry of the served knowledge base, from a page of a site that
    /// allows `origin` (when a browser sent it). With an `idempotency_key` a resent verdict
    /// counts once.
    pub async fn record_feedback(
        &self,
        request: FeedbackRequest,
        idempotency_key: Option<String>,
        origin: Option<&str>,
    ) -> Result<(), ServiceError> {
        let feedback = validate(request, idempotency_key)?;
        self.site_for(&feedback.site_id, origin).await?;
        // Only entries of the knowledge base this server serves: the tally admins read must not
        // fill with ids anyone can make up. A site that published its own serves that one.
        if let Some(served) = self.served_kb(&feedback.site_id).await? {
            if !served.entry_ids.contains(&feedback.entry_id) {
                return Err(ServiceError::UnknownEntry(format!(
                    "the knowledge base has no entry {:?}",
                    feedback.entry_id
                )));
            }
            self.store.record_feedback(&feedback).await?;
            return Ok(());
        }
        let snapshot = self.snapshot.as_ref().ok_or_else(|| {
            ServiceError::UnknownEntry(
                "this server serves no knowledge base, so there is no entry to give feedback on"
                    .into(),
            )
        })?;
        let known = snapshot
            .has_entry(&feedback.entry_id)
            .await
            .map_err(|err| {
                tracing::error!(error = %err, "cannot read the snapshot");
                ServiceError::Unavailable("the knowledge-base snapshot cannot be read".into())
            })?;
        if !known {
            return Err(ServiceError::UnknownEntry(format!(
                "the knowledge base has no entry {:?}",
                feedback.entry_id
            )));
        }
        self.store.record_feedback(&feedback).await?;
        Ok(())
    }
}

/// The verdict as the store takes it, or why it is refused.
fn validate(
    request: FeedbackRequest,
    idempotency_key: Option<String>,
) -> Result<NewFeedback, ServiceError> {
    let entry_id = request.entry_id.trim();
    if entry_id.is_empty() || entry_id.chars().count() > 200 {
        return Err(ServiceError::Invalid(
            "entry_id must be 1 to 200 characters".into(),
        ));
    }
    // The question is cut, not refused: it is context for the tally, not the verdict.
    let query = request
        .query
        .map(|q| {
            q.trim()
                .chars()
                .take(FEEDBACK_QUERY_CHARS)
                .collect::<String>()
        })
        .filter(|q| !q.is_empty());
    let locale = request
        .locale
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty());
    if locale.as_ref().is_some_and(|l| l.len() > 35) {
        return Err(ServiceError::Invalid(
            "locale is longer than 35 characters".into(),
        ));
    }
    Ok(NewFeedback {
        site_id: request.site.to_string(),
        entry_id: entry_id.to_owned(),
        helpful: request.helpful,
        query,
        locale,
        idempotency_key,
    })
}
