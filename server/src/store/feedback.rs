//! "Was this helpful?": visitors' anonymous verdicts on answers, and their tally per entry.
//!
//! The widget sends a verdict as soon as it is given, or later from its outbox when the visitor
//! was offline; the idempotency key it carries makes a resent verdict count once. Nothing here
//! names the visitor: the site, the entry, the verdict, and (truncated) the question asked.

use protocol::FeedbackTally;
use sqlx::Row;

use super::{now_ms, Store, StoreError};

/// One verdict, validated by the HTTP layer.
#[derive(Debug, Clone)]
pub struct NewFeedback {
    pub site_id: String,
    /// The knowledge base's stable entry id (the same in every locale).
    pub entry_id: String,
    pub helpful: bool,
    /// The question the answer was for, already truncated.
    pub query: Option<String>,
    pub locale: Option<String>,
    pub idempotency_key: Option<String>,
}

impl Store {
    /// Stores a verdict. Returns `false` when its idempotency key was already recorded for the
    /// site, i.e. this is a resend and nothing changed.
    pub async fn record_feedback(&self, feedback: &NewFeedback) -> Result<bool, StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO feedback (site_id, entry_id, helpful, query, locale, idempotency_key, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (site_id, idempotency_key) DO NOTHING",
        )
        .bind(&feedback.site_id)
        .bind(&feedback.entry_id)
        .bind(i64::from(feedback.helpful))
        .bind(feedback.query.as_deref())
        .bind(feedback.locale.as_deref())
        .bind(feedback.idempotency_key.as_deref())
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(inserted.rows_affected() == 1)
    }

    /// Up and down votes per entry, the most disliked first: what to rewrite next.
    pub async fn feedback_summary(
        &self,
        site: Option<&str>,
    ) -> Result<Vec<FeedbackTally>, StoreError> {
        // CAST: PostgreSQL sums BIGINT into NUMERIC, which the Any driver does not decode.
        // Verdicts come two ways: `POST /feedback` (widgets of earlier versions) and `helpful`
        // conversation events (this version's widget); both count.
        let rows = sqlx::query(
            "SELECT site_id, entry_id, CAST(SUM(helpful) AS BIGINT) AS up, \
             CAST(COUNT(*) - SUM(helpful) AS BIGINT) AS down FROM \
             (SELECT site_id, entry_id, helpful FROM feedback UNION ALL \
              SELECT site_id, entry_id, helpful FROM conversation_events \
              WHERE kind = 'helpful') AS verdicts \
             WHERE $1 = '' OR site_id = $1 GROUP BY site_id, entry_id \
             ORDER BY down DESC, up ASC, site_id, entry_id",
        )
        .bind(site.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(FeedbackTally {
                    site: row.try_get("site_id")?,
                    entry_id: row.try_get("entry_id")?,
                    up: row.try_get("up")?,
                    down: row.try_get("down")?,
                })
            })
            .collect()
    }
}
