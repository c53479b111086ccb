//! The reports' figures, computed by SQL on both databases, and the roll-ups they read.
//!
//! Conversation figures read `report_conversations`, `report_entry_days` and
//! `report_rating_days` (migration 0009), which [`Store::refresh_report_rollups`] keeps up to date
//! from `conversation_events`: a report over a million events then sums a few hundred thousand
//! index rows instead of grouping the raw events by conversation. Ticket figures read `tickets`
//! directly (by their creation time, indexed): tickets are fewer and change after they are made.
//! How conversations are classified is defined once, in `protocol::reports`.

use protocol::{
    ConversationDay, ConversationReport, CountRow, CsatComment, CsatReport, Day, DurationRow,
    EntryRow, EscalationReason, Priority, RatingSource, ReasonRow, Report, ScoreRow, SlaReport,
    SlaRow, TimeMeasure, CSAT_COMMENTS, DAY_MS, TOP_ENTRIES,
};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::sql::{Bind, Sql, MAX_STATEMENT_BINDS};
use super::{now_ms, Backend, Store, StoreError, WriteTx};

/// What one report covers: validated days and filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRange {
    pub from: Day,
    /// Included.
    pub to: Day,
    pub site: Option<String>,
    pub group: Option<String>,
}

impl ReportRange {
    fn start_ms(&self) -> i64 {
        self.from.start_ms()
    }

    /// The first millisecond after the range.
    fn end_ms(&self) -> i64 {
        self.to.start_ms() + DAY_MS
    }

    /// ` AND …` for tickets `t` created in the range, of the site and group.
    fn tickets(&self, sql: &mut Sql) {
        sql.push(" t.created_at >= ")
            .bind_int(self.start_ms())
            .push(" AND t.created_at < ")
            .bind_int(self.end_ms());
        self.ticket_filters(sql);
    }

    fn ticket_filters(&self, sql: &mut Sql) {
        if let Some(site) = &self.site {
            sql.push(" AND t.site_id = ").bind_text(site.as_str());
        }
        if let Some(group) = &self.group {
            sql.push(" AND t.group_id = ").bind_text(group.as_str());
        }
    }

    /// `day` between the range's days, of the site: for the roll-up tables.
    fn days(&self, sql: &mut Sql) {
        sql.push(" day >= ")
            .bind_int(self.from.0)
            .push(" AND day <= ")
            .bind_int(self.to.0);
        if let Some(site) = &self.site {
            sql.push(" AND site_id = ").bind_text(site.as_str());
        }
    }
}

/// Events younger than this are left for the next roll-up: a batch whose transaction is still
/// open has ids below ones already committed, and the roll-up reads by id.
const SETTLE_MS: i64 = 2_000;

/// Most events one roll-up run folds in, so a report that refreshes first waits a second or two
/// at most, even after a bulk import; the background job runs again until it has caught up.
pub const ROLL_UP_EVENTS: u64 = 100_000;

/// The event kinds that classify a conversation (`helpful` and `rated` do not).
const CLASSIFYING: &str = "('answered', 'clarified', 'chose', 'no_answer', 'escalated')";

impl Store {
    /// Folds the conversation events stored since the last run (at most [`ROLL_UP_EVENTS`]) into
    /// the roll-ups; answers how many events it read. Concurrent runs (two instances) take turns on the state row, and
    /// each event is folded in exactly once.
    pub async fn refresh_report_rollups(&self) -> Result<u64, StoreError> {
        let settled = now_ms() - SETTLE_MS;
        // Most runs find nothing new: they answer from a read, without taking the writer's turn.
        let pending = sqlx::query(
            "SELECT 1 AS pending FROM conversation_events WHERE id > \
             (SELECT last_event_id FROM report_rollup_state WHERE id = 1) AND received_at <= $1 \
             LIMIT 1",
        )
        .bind(settled)
        .fetch_optional(&self.pool)
        .await?;
        if pending.is_none() {
            return Ok(0);
        }
        let WriteTx {
            mut tx,
            turn: _turn,
        } = self.begin_write().await?;
        // Writing the row first takes its lock on PostgreSQL: a second instance waits here and
        // then reads the watermark this run leaves.
        sqlx::query("UPDATE report_rollup_state SET last_event_id = last_event_id WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        let last: i64 = sqlx::query("SELECT last_event_id FROM report_rollup_state WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?
            .try_get("last_event_id")?;
        let row = sqlx::query(&format!(
            "SELECT MAX(id) AS upper, COUNT(*) AS events FROM (SELECT id FROM conversation_events \
             WHERE id > $1 AND received_at <= $2 ORDER BY id LIMIT {ROLL_UP_EVENTS}) AS next"
        ))
        .bind(last)
        .bind(settled)
        .fetch_one(&mut *tx)
        .await?;
        let Some(upper) = row.try_get::<Option<i64>, _>("upper")? else {
            return Ok(0);
        };
        let events: i64 = row.try_get("events")?;

        // The reason of the earliest `escalated` event rides along in one aggregate (its time
        // times ten plus a digit for the reason), so the roll-up is one pass over the new events
        // with no lookup per conversation.
        sqlx::query(&format!(
            "INSERT INTO report_conversations (site_id, conversation, first_at, day, answered, \
             clarified, no_answer, escalated, reason) \
             SELECT e.site_id, e.conversation, MIN(e.occurred_at), MIN(e.occurred_at) / {DAY_MS}, \
             MAX(CASE WHEN e.kind IN ('answered', 'chose') THEN 1 ELSE 0 END), \
             MAX(CASE WHEN e.kind = 'clarified' THEN 1 ELSE 0 END), \
             MAX(CASE WHEN e.kind = 'no_answer' THEN 1 ELSE 0 END), \
             MAX(CASE WHEN e.kind = 'escalated' THEN 1 ELSE 0 END), \
             CASE MIN(CASE WHEN e.kind = 'escalated' THEN e.occurred_at * 10 + CASE e.reason \
               WHEN 'requested' THEN 1 WHEN 'no_answer' THEN 2 WHEN 'no_choice_fitted' THEN 3 \
               WHEN 'not_helpful' THEN 4 ELSE 0 END END) % 10 \
               WHEN 1 THEN 'requested' WHEN 2 THEN 'no_answer' WHEN 3 THEN 'no_choice_fitted' \
               WHEN 4 THEN 'not_helpful' END \
             FROM conversation_events e \
             WHERE e.id > $1 AND e.id <= $2 AND e.kind IN {CLASSIFYING} \
             GROUP BY e.site_id, e.conversation \
             ON CONFLICT (site_id, conversation) DO UPDATE SET \
             first_at = CASE WHEN excluded.first_at < report_conversations.first_at \
               THEN excluded.first_at ELSE report_conversations.first_at END, \
             day = CASE WHEN excluded.first_at < report_conversations.first_at \
               THEN excluded.day ELSE report_conversations.day END, \
             answered = CASE WHEN excluded.answered = 1 THEN 1 ELSE report_conversations.answered END, \
             clarified = CASE WHEN excluded.clarified = 1 THEN 1 ELSE report_conversations.clarified END, \
             no_answer = CASE WHEN excluded.no_answer = 1 THEN 1 ELSE report_conversations.no_answer END, \
             escalated = CASE WHEN excluded.escalated = 1 THEN 1 ELSE report_conversations.escalated END, \
             reason = COALESCE(report_conversations.reason, excluded.reason)"
        ))
        .bind(last)
        .bind(upper)
        .execute(&mut *tx)
        .await?;

        // An entry counts once per conversation that was answered with it, whether the engine
        // answered a typed question (`answered`) or the visitor picked it from the offered ones
        // (`chose`), and however often: a conversation that got it both ways, or twice, is one
        // visitor helped once. A pair already counted by an earlier run (its first event has an
        // id up to `$1`) is not counted again; it lands on the day of its first event in the run.
        sqlx::query(&format!(
            "INSERT INTO report_entry_days (site_id, day, entry_id, answered, helpful_yes, \
             helpful_no) \
             SELECT site_id, first_at / {DAY_MS}, entry_id, CAST(COUNT(*) AS BIGINT), 0, 0 \
             FROM (SELECT e.site_id, e.entry_id, MIN(e.occurred_at) AS first_at \
               FROM conversation_events e \
               WHERE e.id > $1 AND e.id <= $2 AND e.entry_id IS NOT NULL \
               AND e.kind IN ('answered', 'chose') \
               AND NOT EXISTS (SELECT 1 FROM conversation_events p \
                 WHERE p.conversation = e.conversation AND p.site_id = e.site_id \
                 AND p.entry_id = e.entry_id AND p.kind IN ('answered', 'chose') AND p.id <= $1) \
               GROUP BY e.site_id, e.conversation, e.entry_id) AS firsts \
             GROUP BY site_id, first_at / {DAY_MS}, entry_id \
             ON CONFLICT (day, site_id, entry_id) DO UPDATE SET \
             answered = report_entry_days.answered + excluded.answered"
        ))
        .bind(last)
        .bind(upper)
        .execute(&mut *tx)
        .await?;

        sqlx::query(&format!(
            "INSERT INTO report_entry_days (site_id, day, entry_id, answered, helpful_yes, \
             helpful_no) \
             SELECT site_id, occurred_at / {DAY_MS}, entry_id, 0, \
             CAST(SUM(CASE WHEN helpful = 1 THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN helpful = 0 THEN 1 ELSE 0 END) AS BIGINT) \
             FROM conversation_events \
             WHERE id > $1 AND id <= $2 AND entry_id IS NOT NULL AND kind = 'helpful' \
             GROUP BY site_id, occurred_at / {DAY_MS}, entry_id \
             ON CONFLICT (day, site_id, entry_id) DO UPDATE SET \
             helpful_yes = report_entry_days.helpful_yes + excluded.helpful_yes, \
             helpful_no = report_entry_days.helpful_no + excluded.helpful_no"
        ))
        .bind(last)
        .bind(upper)
        .execute(&mut *tx)
        .await?;

        sqlx::query(&format!(
            "INSERT INTO report_rating_days (site_id, day, score, ratings) \
             SELECT site_id, occurred_at / {DAY_MS}, score, COUNT(*) FROM conversation_events \
             WHERE id > $1 AND id <= $2 AND kind = 'rated' AND score IS NOT NULL \
             GROUP BY site_id, occurred_at / {DAY_MS}, score \
             ON CONFLICT (day, site_id, score) DO UPDATE SET \
             ratings = report_rating_days.ratings + excluded.ratings"
        ))
        .bind(last)
        .bind(upper)
        .execute(&mut *tx)
        .await?;

        sqlx::query("UPDATE report_rollup_state SET last_event_id = $1 WHERE id = 1")
            .bind(upper)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(events as u64)
    }

    /// Every figure of the reports over `range`, as of `now`, from the roll-ups as they are
    /// (callers refresh them first).
    pub async fn report(&self, range: &ReportRange, now: i64) -> Result<Report, StoreError> {
        // The figures are independent reads: run them at once, each on a connection of its own,
        // so a report takes about as long as its slowest figure on both databases.
        let (
            (conversations, reasons, first_response, resolution, csat),
            (by_category, (by_type, by_group, by_agent, sla), top_entries),
        ) = tokio::try_join!(
            async {
                tokio::try_join!(
                    self.conversation_report(range),
                    self.escalation_reasons(range),
                    self.duration(range, TimeMeasure::FirstResponse, "t.first_response_at"),
                    self.duration(range, TimeMeasure::Resolution, "t.resolved_at"),
                    self.csat(range),
                )
            },
            async {
                tokio::try_join!(
                    self.tickets_by_tag(range),
                    self.ticket_breakdown(range, now),
                    self.top_entries(range),
                )
            },
        )?;
        let total = conversations.total.total;
        Ok(Report {
            from: range.from.to_string(),
            to: range.to.to_string(),
            site: range.site.clone(),
            group: range.group.clone(),
            conversations,
            escalation_reasons: EscalationReason::ALL
                .into_iter()
                .zip(reasons)
                .map(|(reason, n)| ReasonRow {
                    reason,
                    conversations: n,
                    rate: share(n, total),
                })
                .collect(),
            response_times: vec![first_response, resolution],
            csat,
            tickets_by_category: by_category,
            tickets_by_type: by_type,
            tickets_by_group: by_group,
            tickets_by_agent: by_agent,
            sla,
            top_entries,
        })
    }

    async fn conversation_report(
        &self,
        range: &ReportRange,
    ) -> Result<ConversationReport, StoreError> {
        // The classification of protocol::reports, in its order: escalated, then self-served
        // (answered or chose), then clarified, then no answer.
        let mut sql = Sql::new(
            "SELECT day, \
             CAST(SUM(CASE WHEN escalated = 0 AND answered = 1 THEN 1 ELSE 0 END) AS BIGINT) \
               AS self_served, \
             CAST(SUM(CASE WHEN escalated = 0 AND answered = 0 AND clarified = 1 THEN 1 ELSE 0 END) \
               AS BIGINT) AS clarified, \
             CAST(SUM(escalated) AS BIGINT) AS escalated, \
             CAST(SUM(CASE WHEN escalated = 0 AND answered = 0 AND clarified = 0 THEN 1 ELSE 0 END) \
               AS BIGINT) AS no_answer \
             FROM report_conversations WHERE",
        );
        range.days(&mut sql);
        sql.push(" GROUP BY day");
        let rows = sql.fetch_all(&self.pool).await?;
        let mut days: Vec<ConversationDay> = (range.from.0..=range.to.0)
            .map(|day| ConversationDay {
                day: Day(day).to_string(),
                ..ConversationDay::default()
            })
            .collect();
        let mut total = ConversationDay {
            day: range.from.to_string(),
            ..ConversationDay::default()
        };
        for row in &rows {
            let day: i64 = row.try_get("day")?;
            let Some(slot) = days.get_mut((day - range.from.0) as usize) else {
                continue;
            };
            slot.self_served = row.try_get("self_served")?;
            slot.clarified = row.try_get("clarified")?;
            slot.escalated = row.try_get("escalated")?;
            slot.no_answer = row.try_get("no_answer")?;
            slot.total = slot.self_served + slot.clarified + slot.escalated + slot.no_answer;
            total.self_served += slot.self_served;
            total.clarified += slot.clarified;
            total.escalated += slot.escalated;
            total.no_answer += slot.no_answer;
            total.total += slot.total;
        }
        Ok(ConversationReport {
            days,
            self_service_rate: share(total.self_served, total.total),
            total,
        })
    }

    /// Escalated conversations per reason, in the order of `EscalationReason::ALL`.
    async fn escalation_reasons(
        &self,
        range: &ReportRange,
    ) -> Result<[i64; EscalationReason::ALL.len()], StoreError> {
        let mut sql = Sql::new(
            "SELECT reason, COUNT(*) AS conversations FROM report_conversations \
             WHERE escalated = 1 AND",
        );
        range.days(&mut sql);
        sql.push(" GROUP BY reason");
        let rows = sql.fetch_all(&self.pool).await?;
        let mut counts = [0i64; EscalationReason::ALL.len()];
        for row in &rows {
            let reason: Option<String> = row.try_get("reason")?;
            let at = EscalationReason::ALL
                .iter()
                .position(|r| Some(r.as_str()) == reason.as_deref());
            if let Some(at) = at {
                counts[at] += row.try_get::<i64, _>("conversations")?;
            }
        }
        Ok(counts)
    }

    /// Median and p90 (nearest rank: the smallest value with at least p·n values at or below
    /// it) of `column - created_at` over the range's tickets that have `column`.
    async fn duration(
        &self,
        range: &ReportRange,
        measure: TimeMeasure,
        column: &str,
    ) -> Result<DurationRow, StoreError> {
        let mut sql = Sql::new(&format!(
            "SELECT MAX(n) AS n, \
             MAX(CASE WHEN rn = (n + 1) / 2 THEN v END) AS p50, \
             MAX(CASE WHEN rn = (9 * n + 9) / 10 THEN v END) AS p90 \
             FROM (SELECT v, ROW_NUMBER() OVER (ORDER BY v) AS rn, COUNT(*) OVER () AS n \
             FROM (SELECT {column} - t.created_at AS v{} \
             WHERE {column} IS NOT NULL AND",
            self.tickets_source()
        ));
        range.tickets(&mut sql);
        sql.push(") AS measured) AS ranked");
        let row = sql.fetch_all(&self.pool).await?.pop();
        let get = |name: &str| -> Result<Option<i64>, StoreError> {
            Ok(match &row {
                Some(row) => row.try_get(name)?,
                None => None,
            })
        };
        Ok(DurationRow {
            measure,
            tickets: get("n")?.unwrap_or(0),
            median_ms: get("p50")?,
            p90_ms: get("p90")?,
        })
    }

    async fn csat(&self, range: &ReportRange) -> Result<CsatReport, StoreError> {
        let mut distribution: Vec<ScoreRow> = (1..=5)
            .map(|score| ScoreRow {
                score,
                tickets: 0,
                widget: 0,
                total: 0,
            })
            .collect();
        let mut sql = Sql::new("SELECT r.score, COUNT(*) AS ratings FROM csat_ratings r");
        sql.push(self.join_rated_tickets())
            .push(" WHERE r.created_at >= ")
            .bind_int(range.start_ms())
            .push(" AND r.created_at < ")
            .bind_int(range.end_ms());
        range.ticket_filters(&mut sql);
        sql.push(" GROUP BY r.score");
        for row in sql.fetch_all(&self.pool).await? {
            if let Some(slot) = score_slot(&mut distribution, &row)? {
                slot.tickets += row.try_get::<i64, _>("ratings")?;
            }
        }
        let mut comments = self.ticket_comments(range).await?;
        // Widget ratings have no group: a report for one group counts its tickets' alone.
        if range.group.is_none() {
            let mut sql = Sql::new(
                "SELECT score, CAST(SUM(ratings) AS BIGINT) AS ratings FROM report_rating_days \
                 WHERE",
            );
            range.days(&mut sql);
            sql.push(" GROUP BY score");
            for row in sql.fetch_all(&self.pool).await? {
                if let Some(slot) = score_slot(&mut distribution, &row)? {
                    slot.widget += row.try_get::<i64, _>("ratings")?;
                }
            }
            comments.extend(self.widget_comments(range).await?);
            comments.sort_by_key(|c| std::cmp::Reverse(c.at));
            comments.truncate(CSAT_COMMENTS);
        }
        let (mut ratings, mut sum, mut satisfied) = (0, 0, 0);
        for row in &mut distribution {
            row.total = row.tickets + row.widget;
            ratings += row.total;
            sum += row.total * row.score;
            if row.score >= 4 {
                satisfied += row.total;
            }
        }
        Ok(CsatReport {
            ratings,
            average: (ratings > 0).then(|| sum as f64 / ratings as f64),
            satisfied_share: share(satisfied, ratings),
            distribution,
            comments,
        })
    }

    async fn ticket_comments(&self, range: &ReportRange) -> Result<Vec<CsatComment>, StoreError> {
        let mut sql =
            Sql::new("SELECT r.created_at, r.score, r.comment, t.public_id FROM csat_ratings r");
        sql.push(self.join_rated_tickets())
            .push(" WHERE r.comment IS NOT NULL AND r.comment <> '' AND r.created_at >= ")
            .bind_int(range.start_ms())
            .push(" AND r.created_at < ")
            .bind_int(range.end_ms());
        range.ticket_filters(&mut sql);
        sql.push(&format!(
            " ORDER BY r.created_at DESC, r.ticket_id DESC LIMIT {CSAT_COMMENTS}"
        ));
        sql.fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                Ok(CsatComment {
                    at: row.try_get("created_at")?,
                    score: row.try_get("score")?,
                    comment: row.try_get("comment")?,
                    source: RatingSource::Ticket,
                    ticket: row.try_get("public_id")?,
                })
            })
            .collect()
    }

    async fn widget_comments(&self, range: &ReportRange) -> Result<Vec<CsatComment>, StoreError> {
        let mut sql = Sql::new(
            "SELECT occurred_at, score, text FROM conversation_events \
             WHERE kind = 'rated' AND text IS NOT NULL AND text <> '' AND occurred_at >= ",
        );
        sql.bind_int(range.start_ms())
            .push(" AND occurred_at < ")
            .bind_int(range.end_ms());
        if let Some(site) = &range.site {
            sql.push(" AND site_id = ").bind_text(site.as_str());
        }
        sql.push(&format!(
            " ORDER BY occurred_at DESC, id DESC LIMIT {CSAT_COMMENTS}"
        ));
        sql.fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                Ok(CsatComment {
                    at: row.try_get("occurred_at")?,
                    score: row.try_get("score")?,
                    comment: row.try_get("text")?,
                    source: RatingSource::Widget,
                    ticket: None,
                })
            })
            .collect()
    }

    /// `FROM tickets t`, on SQLite through the covering index `tickets_report` (migration
    /// 0015): without statistics its planner prefers any index with an equality on the site
    /// (the idempotency key's) and then reads every ticket row of the site.
    fn tickets_source(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => " FROM tickets t INDEXED BY tickets_report",
            Backend::Postgres => " FROM tickets t",
        }
    }

    /// ` JOIN tickets t` to the ratings `r`, by the ticket's id. On SQLite the tickets are read by
    /// id alone: with a site or group filter its planner would otherwise walk every ticket of
    /// the group through `tickets_group_queue` and look each one's rating up, instead of reading
    /// the range's ratings by time (0.5 s instead of 10 ms for 100,000 tickets).
    fn join_rated_tickets(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => " JOIN tickets t NOT INDEXED ON t.id = r.ticket_id",
            Backend::Postgres => " JOIN tickets t ON t.id = r.ticket_id",
        }
    }

    /// Tickets of the range by tag, most first; untagged ones under `null`, last among equals.
    async fn tickets_by_tag(&self, range: &ReportRange) -> Result<Vec<CountRow>, StoreError> {
        let mut sql = Sql::new("SELECT tt.tag AS key, COUNT(*) AS tickets");
        sql.push(self.tickets_source())
            .push(" LEFT JOIN ticket_tags tt ON tt.ticket_id = t.id WHERE");
        range.tickets(&mut sql);
        sql.push(" GROUP BY tt.tag");
        let mut counts = Counts::default();
        for row in sql.fetch_all(&self.pool).await? {
            counts.add(row.try_get("key")?, row.try_get("tickets")?);
        }
        Ok(counts.rows())
    }

    /// The tickets by type, by group, by agent and the SLA, from one pass over the range's
    /// tickets: grouped by all four keys at once (a few hundred rows at most), then summed up
    /// here, where four queries read the same index rows four times.
    async fn ticket_breakdown(
        &self,
        range: &ReportRange,
        now: i64,
    ) -> Result<(Vec<CountRow>, Vec<CountRow>, Vec<CountRow>, SlaReport), StoreError> {
        // The definitions of protocol::SlaReport, which the inbox's flags share; a ticket
        // without an SLA target counts in none of them (comparisons with NULL are not true).
        let mut sql = Sql::new(
            "SELECT g.*, a.email FROM (SELECT t.ticket_type, t.group_id, t.assignee_id, \
             t.priority, COUNT(*) AS tickets, \
             CAST(SUM(CASE WHEN t.first_response_at <= t.sla_due_at THEN 1 ELSE 0 END) AS BIGINT) \
               AS attained, \
             CAST(SUM(CASE WHEN t.first_response_at > t.sla_due_at THEN 1 ELSE 0 END) AS BIGINT) \
               AS late, \
             CAST(SUM(CASE WHEN t.first_response_at IS NULL AND t.sla_due_at IS NOT NULL \
               THEN 1 ELSE 0 END) AS BIGINT) AS waiting, \
             CAST(SUM(CASE WHEN t.first_response_at IS NULL AND t.sla_due_at < ",
        );
        sql.bind_int(now)
            .push(" THEN 1 ELSE 0 END) AS BIGINT) AS overdue")
            .push(self.tickets_source())
            .push(" WHERE");
        range.tickets(&mut sql);
        sql.push(
            " GROUP BY t.ticket_type, t.group_id, t.assignee_id, t.priority) AS g \
             LEFT JOIN agents a ON a.id = g.assignee_id",
        );
        let rows = sql.fetch_all(&self.pool).await?;
        let (mut by_type, mut by_group, mut by_agent) =
            (Counts::default(), Counts::default(), Counts::default());
        let order = [
            Priority::Urgent,
            Priority::High,
            Priority::Normal,
            Priority::Low,
        ];
        let mut by_priority: Vec<SlaRow> = order
            .into_iter()
            .map(|priority| SlaRow {
                priority,
                attained: 0,
                breached: 0,
                pending: 0,
            })
            .collect();
        for row in &rows {
            let tickets: i64 = row.try_get("tickets")?;
            by_type.add(row.try_get("ticket_type")?, tickets);
            by_group.add(row.try_get("group_id")?, tickets);
            by_agent.add(row.try_get("email")?, tickets);
            let priority: String = row.try_get("priority")?;
            let Some(slot) = by_priority
                .iter_mut()
                .find(|r| r.priority.as_str() == priority)
            else {
                return Err(StoreError::Corrupt(format!("priority {priority:?}")));
            };
            let overdue: i64 = row.try_get("overdue")?;
            slot.attained += row.try_get::<i64, _>("attained")?;
            slot.breached += row.try_get::<i64, _>("late")? + overdue;
            slot.pending += row.try_get::<i64, _>("waiting")? - overdue;
        }
        let sum = |f: fn(&SlaRow) -> i64| by_priority.iter().map(f).sum::<i64>();
        let (attained, breached, pending) =
            (sum(|r| r.attained), sum(|r| r.breached), sum(|r| r.pending));
        let sla = SlaReport {
            attained,
            breached,
            pending,
            attainment_rate: share(attained, attained + breached),
            by_priority,
        };
        Ok((by_type.rows(), by_group.rows(), by_agent.rows(), sla))
    }

    async fn top_entries(&self, range: &ReportRange) -> Result<Vec<EntryRow>, StoreError> {
        let mut sql = Sql::new(
            "SELECT entry_id, CAST(SUM(answered) AS BIGINT) AS answered, \
             CAST(SUM(helpful_yes) AS BIGINT) AS yes, CAST(SUM(helpful_no) AS BIGINT) AS no \
             FROM report_entry_days WHERE",
        );
        range.days(&mut sql);
        sql.push(&format!(
            " GROUP BY entry_id ORDER BY answered DESC, entry_id LIMIT {TOP_ENTRIES}"
        ));
        sql.fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                let (yes, no): (i64, i64) = (row.try_get("yes")?, row.try_get("no")?);
                Ok(EntryRow {
                    entry: row.try_get("entry_id")?,
                    answered: row.try_get("answered")?,
                    helpful_yes: yes,
                    helpful_no: no,
                    helpful_rate: share(yes, yes + no),
                })
            })
            .collect()
    }
}

/// Tickets summed by key (`None`: no tag, group or assignee).
#[derive(Default)]
struct Counts(std::collections::HashMap<Option<String>, i64>);

impl Counts {
    fn add(&mut self, key: Option<String>, tickets: i64) {
        *self.0.entry(key).or_default() += tickets;
    }

    /// Most tickets first; among equals `null` last, then by key.
    fn rows(self) -> Vec<CountRow> {
        let mut rows: Vec<CountRow> = self
            .0
            .into_iter()
            .map(|(key, tickets)| CountRow { key, tickets })
            .collect();
        rows.sort_by_key(|r| (std::cmp::Reverse(r.tickets), r.key.is_none(), r.key.clone()));
        rows
    }
}

/// `part ÷ whole`, or `None` when there is no whole.
fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The distribution's row for the row's `score`.
fn score_slot<'a>(
    distribution: &'a mut [ScoreRow],
    row: &AnyRow,
) -> Result<Option<&'a mut ScoreRow>, StoreError> {
    let score: i64 = row.try_get("score")?;
    Ok(distribution.iter_mut().find(|r| r.score == score))
}

/// A conversation event as a test or a benchmark seeds it, before event ingest exists on this
/// server: the same table and columns `POST /api/v1/events` writes.
#[derive(Debug, Clone, Default)]
pub struct SeedEvent {
    pub site_id: String,
    pub conversation: String,
    /// `answered`, `clarified`, `chose`, `no_answer`, `escalated`, `helpful` or `rated`.
    pub kind: &'static str,
    pub entry_id: Option<String>,
    pub reason: Option<&'static str>,
    pub helpful: Option<bool>,
    pub score: Option<i64>,
    pub text: Option<String>,
    pub occurred_at: i64,
}

/// A ticket as a test or a benchmark seeds it, with the times reports read.
#[derive(Debug, Clone)]
pub struct SeedTicket {
    pub public_id: String,
    pub site_id: String,
    pub group_id: Option<String>,
    pub assignee_id: Option<i64>,
    pub priority: Priority,
    pub ticket_type: &'static str,
    pub tags: Vec<String>,
    pub created_at: i64,
    pub sla_due_at: Option<i64>,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    /// A CSAT rating `(score, comment, at)`.
    pub rating: Option<(i64, Option<String>, i64)>,
}

/// Rows per multi-row `INSERT` when seeding: events bind 10 values a row, tickets (half as many
/// rows a statement) 11.
const SEED_ROWS: usize = MAX_STATEMENT_BINDS / 10;

impl Store {
    /// How many conversation events are stored: what an ingest benchmark checks against what it
    /// sent.
    pub async fn count_conversation_events(&self) -> Result<i64, StoreError> {
        Ok(
            sqlx::query("SELECT COUNT(*) AS events FROM conversation_events")
                .fetch_one(&self.pool)
                .await?
                .try_get("events")?,
        )
    }

    /// Writes `events` as if widgets had sent them, in bulk (multi-row inserts, one
    /// transaction): for tests and `cargo xtask bench reports`.
    pub async fn seed_conversation_events(&self, events: &[SeedEvent]) -> Result<(), StoreError> {
        let WriteTx {
            mut tx,
            turn: _turn,
        } = self.begin_write().await?;
        for chunk in events.chunks(SEED_ROWS) {
            let mut sql = Sql::new(
                "INSERT INTO conversation_events (site_id, conversation, kind, entry_id, reason, \
                 helpful, score, text, occurred_at, received_at) VALUES ",
            );
            for (i, event) in chunk.iter().enumerate() {
                sql.push(if i == 0 { "" } else { ", " }).tuple(
                    [
                        Bind::Text(event.site_id.clone()),
                        Bind::Text(event.conversation.clone()),
                        Bind::Text(event.kind.to_owned()),
                        Bind::OptionalText(event.entry_id.clone()),
                        Bind::OptionalText(event.reason.map(str::to_owned)),
                        Bind::OptionalInt(event.helpful.map(i64::from)),
                        Bind::OptionalInt(event.score),
                        Bind::OptionalText(event.text.clone()),
                        Bind::Int(event.occurred_at),
                        Bind::Int(event.occurred_at),
                    ],
                    "",
                );
            }
            sql.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Writes `tickets` (with their tags and ratings) in bulk, one transaction: for tests and
    /// `cargo xtask bench reports`.
    pub async fn seed_tickets(&self, tickets: &[SeedTicket]) -> Result<(), StoreError> {
        let WriteTx {
            mut tx,
            turn: _turn,
        } = self.begin_write().await?;
        for chunk in tickets.chunks(SEED_ROWS / 2) {
            let mut sql = Sql::new(
                "INSERT INTO tickets (public_id, site_id, group_id, assignee_id, priority, \
                 ticket_type, sla_due_at, created_at, updated_at, first_response_at, \
                 resolved_at, status, channel, subject) VALUES ",
            );
            for (i, ticket) in chunk.iter().enumerate() {
                let status = if ticket.resolved_at.is_some() {
                    "'resolved'"
                } else {
                    "'open'"
                };
                sql.push(if i == 0 { "" } else { ", " }).tuple(
                    [
                        Bind::Text(ticket.public_id.clone()),
                        Bind::Text(ticket.site_id.clone()),
                        Bind::OptionalText(ticket.group_id.clone()),
                        Bind::OptionalInt(ticket.assignee_id),
                        Bind::Text(ticket.priority.as_str().to_owned()),
                        Bind::Text(ticket.ticket_type.to_owned()),
                        Bind::OptionalInt(ticket.sla_due_at),
                        Bind::Int(ticket.created_at),
                        Bind::Int(ticket.resolved_at.unwrap_or(ticket.created_at)),
                        Bind::OptionalInt(ticket.first_response_at),
                        Bind::OptionalInt(ticket.resolved_at),
                    ],
                    &format!(", {status}, 'widget', 'seeded'"),
                );
            }
            sql.push(" RETURNING id, public_id");
            let rows = sql.fetch_all(&mut *tx).await?;
            let mut row_ids = std::collections::HashMap::new();
            for row in &rows {
                row_ids.insert(
                    row.try_get::<String, _>("public_id")?,
                    row.try_get::<i64, _>("id")?,
                );
            }
            let mut tags = Sql::new("INSERT INTO ticket_tags (ticket_id, tag) VALUES ");
            let mut ratings = Sql::new(
                "INSERT INTO csat_ratings (ticket_id, score, comment, created_at, updated_at) \
                 VALUES ",
            );
            let (mut any_tag, mut any_rating) = (false, false);
            for ticket in chunk {
                let id = row_ids[&ticket.public_id];
                for tag in &ticket.tags {
                    tags.push(if any_tag { ", " } else { "" })
                        .tuple([Bind::Int(id), Bind::Text(tag.clone())], "");
                    any_tag = true;
                }
                if let Some((score, comment, at)) = &ticket.rating {
                    ratings.push(if any_rating { ", " } else { "" }).tuple(
                        [
                            Bind::Int(id),
                            Bind::Int(*score),
                            Bind::OptionalText(comment.clone()),
                            Bind::Int(*at),
                            Bind::Int(*at),
                        ],
                        "",
                    );
                    any_rating = true;
                }
            }
            if any_tag {
                tags.execute(&mut *tx).await?;
            }
            if any_rating {
                ratings.execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}
