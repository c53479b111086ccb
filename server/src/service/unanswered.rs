//! Unanswered questions, grouped by meaning: what the knowledge base should answer next.
//!
//! The questions come from the store; the grouping is the site's own engine
//! ([`engine::Engine::cluster`]), run natively on a blocking thread over the snapshot the site's
//! visitors get, so questions meet where the widget's engine would make them meet. Groups are
//! computed on each request (a thousand questions take tens of milliseconds) rather than stored:
//! what the team marks is the questions, so a group never goes stale.

use std::collections::HashMap;
use std::sync::Arc;

use engine::{ClusterOptions, Engine};
use protocol::{
    Cluster, ClusterList, ClusterMark, ClusterMarked, ClusterQuery, ClusterQuestion,
    CLUSTER_EXAMPLES, MAX_CLUSTERED_QUESTIONS,
};
use tokio::sync::Mutex;

use super::{Desk, ServiceError};
use crate::store::{Agent, UnansweredQuestion};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
const WEEK_MS: i64 = 7 * DAY_MS;

/// The engine of the server's snapshot file (`--snapshot`) and the digest it was loaded from, for
/// sites that published no knowledge base of their own (a published one's engine lives in its
/// [`ServedKb`](super::ServedKb)): loading one derives every phrasing's vector, which is not per-request work.
#[derive(Default)]
pub struct Engines(Mutex<Option<(String, Arc<Engine>)>>);

impl Desk {
    /// The groups of `query.site`'s unmarked questions of the last `query.days` days, biggest
    /// first, as of `now` (Unix ms).
    pub async fn unanswered_clusters(
        &self,
        query: ClusterQuery,
        now: i64,
    ) -> Result<ClusterList, ServiceError> {
        let (total, grouped) = self.grouped(&query, now).await?;
        Ok(ClusterList {
            site: query.site.to_string(),
            days: query.days,
            questions: total,
            clusters: grouped.into_iter().map(|g| g.cluster).collect(),
        })
    }

    async fn grouped(
        &self,
        query: &ClusterQuery,
        now: i64,
    ) -> Result<(u64, Vec<Grouped>), ServiceError> {
        let site = query.site.as_str();
        if !(1..=365).contains(&query.days) {
            return Err(ServiceError::Invalid("days must be 1 to 365".into()));
        }
        if self.store.site(site).await?.is_none() {
            return Err(ServiceError::NotFound(format!("no site {site:?}")));
        }
        let since = now - i64::from(query.days) * DAY_MS;
        let (total, questions) = self
            .store
            .unanswered_questions(site, since, MAX_CLUSTERED_QUESTIONS)
            .await?;
        if questions.is_empty() {
            return Ok((total, Vec::new()));
        }
        let engine = self.site_engine(site).await?;
        let grouped = tokio::task::spawn_blocking(move || group(&engine, &questions, now))
            .await
            .map_err(|err| ServiceError::Unavailable(format!("grouping stopped: {err}")))?;
        Ok((total, grouped))
    }

    /// Marks every question of the group named `id` (as the list shows it now) dismissed or
    /// covered; `NotFound` when the list of the same window has no group of that name any more.
    pub async fn mark_cluster(
        &self,
        agent: &Agent,
        id: i64,
        mark: ClusterMark,
        now: i64,
    ) -> Result<ClusterMarked, ServiceError> {
        let query = ClusterQuery {
            site: mark.site.clone(),
            days: mark.days,
        };
        let (_, grouped) = self.grouped(&query, now).await?;
        let group = grouped
            .into_iter()
            .find(|g| g.cluster.id == id)
            .ok_or_else(|| {
                ServiceError::NotFound(format!(
                    "no group of unanswered questions {id} (marked already, or its questions regrouped: reload the list)"
                ))
            })?;
        let questions = self
            .store
            .mark_questions(
                mark.site.as_str(),
                &group.member_ids,
                mark.state,
                agent.id,
                &group.cluster.title,
            )
            .await?;
        Ok(ClusterMarked { questions })
    }

    /// The engine over the knowledge base `site`'s visitors get: its published snapshot's (the
    /// one [`ServedKb`](super::ServedKb) decoded), or the server's snapshot file's when it has published none.
    async fn site_engine(&self, site: &str) -> Result<Arc<Engine>, ServiceError> {
        if let Some(served) = self.served_kb(site).await? {
            return served.engine.clone().ok_or_else(|| {
                ServiceError::Unavailable("the served snapshot does not load".into())
            });
        }
        let Some(snapshot) = self.snapshot.as_ref() else {
            return Err(ServiceError::Unavailable(
                "this site has no knowledge base to group questions with".into(),
            ));
        };
        let (bytes, digest) = snapshot.current_bytes().await.map_err(|err| {
            tracing::error!(error = %err, "cannot read the snapshot");
            ServiceError::Unavailable("the knowledge-base snapshot cannot be read".into())
        })?;
        let mut cached = self.engines.0.lock().await;
        if let Some((seen, engine)) = &*cached {
            if *seen == digest {
                return Ok(engine.clone());
            }
        }
        let engine = tokio::task::spawn_blocking(move || Engine::from_bytes(&bytes))
            .await
            .map_err(|err| ServiceError::Unavailable(format!("loading stopped: {err}")))?
            .map_err(|err| {
                ServiceError::Unavailable(format!("the snapshot file does not load: {err}"))
            })?;
        let engine = Arc::new(engine);
        *cached = Some((digest, engine.clone()));
        Ok(engine)
    }
}

/// A group as listed, with every member's event id for marking.
struct Grouped {
    cluster: Cluster,
    member_ids: Vec<i64>,
}

/// Groups `questions` (newest first) with `engine`.
fn group(engine: &Engine, questions: &[UnansweredQuestion], now: i64) -> Vec<Grouped> {
    let texts: Vec<&str> = questions.iter().map(|q| q.text.as_str()).collect();
    engine
        .cluster(&texts, ClusterOptions::default())
        .into_iter()
        .map(|group| {
            // Members ascend by position, and positions are newest first.
            let members: Vec<&UnansweredQuestion> =
                group.members.iter().map(|&i| &questions[i]).collect();
            let title = &questions[group.representative];
            let mut examples: Vec<ClusterQuestion> = members
                .iter()
                .take(CLUSTER_EXAMPLES)
                .map(|q| example(q))
                .collect();
            if !examples.iter().any(|e| e.event_id == title.event_id) {
                examples.pop();
                examples.push(example(title));
            }
            let mut wordings: Vec<String> = vec![title.text.clone()];
            for q in &members {
                if !wordings.iter().any(|w| same_wording(w, &q.text)) {
                    wordings.push(q.text.clone());
                }
            }
            let in_week = |from: i64, to: i64| {
                members.iter().filter(|q| q.at > from && q.at <= to).count() as u32
            };
            let mut locales: HashMap<&str, usize> = HashMap::new();
            for q in &members {
                if let Some(l) = q.locale.as_deref() {
                    *locales.entry(l).or_default() += 1;
                }
            }
            let locale = locales
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
                .map(|(l, _)| l.to_owned());
            Grouped {
                member_ids: members.iter().map(|q| q.event_id).collect(),
                cluster: Cluster {
                    id: title.event_id,
                    title: title.text.clone(),
                    size: members.len() as u32,
                    last_week: in_week(now - WEEK_MS, i64::MAX),
                    week_before: in_week(now - 2 * WEEK_MS, now - WEEK_MS),
                    first_seen: members.iter().map(|q| q.at).min().unwrap_or(now),
                    last_seen: members.iter().map(|q| q.at).max().unwrap_or(now),
                    examples,
                    wordings,
                    locale,
                },
            }
        })
        .collect()
}

fn example(q: &UnansweredQuestion) -> ClusterQuestion {
    ClusterQuestion {
        event_id: q.event_id,
        text: q.text.clone(),
        outcome: q.outcome.clone(),
        at: q.at,
    }
}

/// Whether two questions are the same wording, but for case, spacing and end punctuation.
fn same_wording(a: &str, b: &str) -> bool {
    let key = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    key(a) == key(b)
}
