//! The questions visitors asked that the assistant could not answer, and what the team decided
//! about them.
//!
//! They are read from the widgets' anonymous events (`conversation_events`): questions it had no
//! answer for, questions it could only offer choices for, answers it gave on thin evidence (the
//! widget sends their text only then) and the first messages of escalations. Marking a group marks
//! its questions (`question_marks`), which leave the list from then on.

use protocol::ClusterState;
use sqlx::Row;

use super::{now_ms, Store, StoreError};

/// One unanswered question, as the grouping reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct UnansweredQuestion {
    pub event_id: i64,
    pub text: String,
    /// The event's kind: what the assistant did.
    pub outcome: String,
    pub locale: Option<String>,
    pub at: i64,
}

/// The kinds of event whose text is an unanswered question.
const QUESTION_KINDS: &str = "('no_answer', 'clarified', 'answered', 'escalated')";

impl Store {
    /// Unmarked questions of `site` asked since `since` (Unix ms): how many there are, and the
    /// newest `limit` of them, newest first.
    pub async fn unanswered_questions(
        &self,
        site: &str,
        since: i64,
        limit: usize,
    ) -> Result<(u64, Vec<UnansweredQuestion>), StoreError> {
        let filter = format!(
            "FROM conversation_events e \
             WHERE e.site_id = $1 AND e.occurred_at >= $2 AND e.kind IN {QUESTION_KINDS} \
             AND e.text IS NOT NULL AND e.text <> '' \
             AND NOT EXISTS (SELECT 1 FROM question_marks m WHERE m.event_id = e.id)"
        );
        let total: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n {filter}"))
            .bind(site)
            .bind(since)
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
        let rows = sqlx::query(&format!(
            "SELECT e.id, e.text, e.kind, e.locale, e.occurred_at {filter} \
             ORDER BY e.occurred_at DESC, e.id DESC LIMIT $3"
        ))
        .bind(site)
        .bind(since)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        let questions = rows
            .iter()
            .map(|row| {
                Ok(UnansweredQuestion {
                    event_id: row.try_get("id")?,
                    text: row.try_get("text")?,
                    outcome: row.try_get("kind")?,
                    locale: row.try_get("locale")?,
                    at: row.try_get("occurred_at")?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok((total.max(0) as u64, questions))
    }

    /// Marks the questions `event_ids` of `site` as `state`, by `agent_id`, and records it in the
    /// audit log. Questions of another site or already marked are left as they are. Answers how
    /// many were marked.
    pub async fn mark_questions(
        &self,
        site: &str,
        event_ids: &[i64],
        state: ClusterState,
        agent_id: i64,
        title: &str,
    ) -> Result<u32, StoreError> {
        let now = now_ms();
        let mut write = self.begin_write().await?;
        let mut marked = 0;
        for &event_id in event_ids {
            let done = sqlx::query(
                "INSERT INTO question_marks (event_id, site_id, state, agent_id, created_at) \
                 SELECT id, site_id, $1, $2, $3 FROM conversation_events \
                 WHERE id = $4 AND site_id = $5 ON CONFLICT (event_id) DO NOTHING",
            )
            .bind(state.as_str())
            .bind(agent_id)
            .bind(now)
            .bind(event_id)
            .bind(site)
            .execute(&mut *write.tx)
            .await?;
            marked += done.rows_affected() as u32;
        }
        sqlx::query(
            "INSERT INTO audit_events (ticket_id, actor_kind, agent_id, action, new_value, note, \
             created_at) VALUES (NULL, 'agent', $1, 'unanswered_questions', $2, $3, $4)",
        )
        .bind(agent_id)
        .bind(state.as_str())
        .bind(format!("{site}: {marked} questions like {title:?}"))
        .bind(now)
        .execute(&mut *write.tx)
        .await?;
        write.tx.commit().await?;
        Ok(marked)
    }
}
