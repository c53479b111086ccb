//! Reports: the figures of a range of days, and each of their tables as rows for CSV.

use protocol::{Day, Report, ReportQuery, ReportTable, DEFAULT_REPORT_DAYS, MAX_REPORT_DAYS};

use super::{Desk, ServiceError};
use crate::store::{now_ms, ReportRange};

impl Desk {
    /// The reports over `query`'s days and filters, from roll-ups brought up to date first (so
    /// an event stored two seconds ago counts).
    pub async fn report(&self, query: ReportQuery) -> Result<Report, ServiceError> {
        let now = now_ms();
        let range = range(query, Day::of_ms(now))?;
        if let Some(site) = &range.site {
            if self.store.site(site).await?.is_none() {
                return Err(ServiceError::Invalid(format!("there is no site {site:?}")));
            }
        }
        if let Some(group) = &range.group {
            if !self.store.group_exists(group).await? {
                return Err(ServiceError::Invalid(format!(
                    "there is no skill group {group:?}"
                )));
            }
        }
        self.store.refresh_report_rollups().await?;
        Ok(self.store.report(&range, now).await?)
    }
}

/// The days and filters `query` asks for, on `today`, or why they are refused.
fn range(query: ReportQuery, today: Day) -> Result<ReportRange, ServiceError> {
    let day = |name: &str, text: Option<String>| -> Result<Option<Day>, ServiceError> {
        text.map(|text| {
            Day::parse(text.trim()).ok_or_else(|| {
                ServiceError::Invalid(format!(
                    "{name} must be a day written YYYY-MM-DD (UTC), not {text:?}"
                ))
            })
        })
        .transpose()
    };
    let to = day("to", query.to)?.unwrap_or(today);
    let from = day("from", query.from)?.unwrap_or(Day(to.0 - (DEFAULT_REPORT_DAYS - 1)));
    if from > to {
        return Err(ServiceError::Invalid(format!(
            "from ({from}) is after to ({to})"
        )));
    }
    if to.0 - from.0 + 1 > MAX_REPORT_DAYS {
        return Err(ServiceError::Invalid(format!(
            "a report covers at most {MAX_REPORT_DAYS} days; {from} to {to} is {}",
            to.0 - from.0 + 1
        )));
    }
    let filter = |text: Option<String>| text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    Ok(ReportRange {
        from,
        to,
        site: filter(query.site),
        group: filter(query.group),
    })
}

/// Milliseconds as whole seconds, for a spreadsheet.
fn seconds(ms: Option<i64>) -> String {
    ms.map(|ms| (ms / 1000).to_string()).unwrap_or_default()
}

fn rate(value: Option<f64>) -> String {
    value.map(|v| format!("{v:.4}")).unwrap_or_default()
}

fn count(n: i64) -> String {
    n.to_string()
}

/// One table of `report` as CSV rows, the header first: what `GET
/// /api/v1/admin/reports/{table}.csv` sends (the same figures as the JSON, times in seconds,
/// rates 0 to 1).
pub fn table_rows(report: &Report, table: ReportTable) -> Vec<Vec<String>> {
    let header = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
    let mut rows = Vec::new();
    match table {
        ReportTable::Conversations => {
            rows.push(header(&[
                "day",
                "self_served",
                "clarified",
                "escalated",
                "no_answer",
                "total",
            ]));
            for d in &report.conversations.days {
                rows.push(vec![
                    d.day.clone(),
                    count(d.self_served),
                    count(d.clarified),
                    count(d.escalated),
                    count(d.no_answer),
                    count(d.total),
                ]);
            }
        }
        ReportTable::EscalationReasons => {
            rows.push(header(&["reason", "conversations", "rate"]));
            for r in &report.escalation_reasons {
                rows.push(vec![
                    r.reason.as_str().to_owned(),
                    count(r.conversations),
                    rate(r.rate),
                ]);
            }
        }
        ReportTable::ResponseTimes => {
            rows.push(header(&[
                "measure",
                "tickets",
                "median_seconds",
                "p90_seconds",
            ]));
            for r in &report.response_times {
                rows.push(vec![
                    r.measure.as_str().to_owned(),
                    count(r.tickets),
                    seconds(r.median_ms),
                    seconds(r.p90_ms),
                ]);
            }
        }
        ReportTable::CsatScores => {
            rows.push(header(&["score", "tickets", "widget", "total"]));
            for r in &report.csat.distribution {
                rows.push(vec![
                    count(r.score),
                    count(r.tickets),
                    count(r.widget),
                    count(r.total),
                ]);
            }
        }
        ReportTable::CsatComments => {
            rows.push(header(&["at", "score", "source", "ticket", "comment"]));
            for c in &report.csat.comments {
                rows.push(vec![
                    iso_time(c.at),
                    count(c.score),
                    c.source.as_str().to_owned(),
                    c.ticket.clone().unwrap_or_default(),
                    c.comment.clone(),
                ]);
            }
        }
        ReportTable::TicketsByCategory
        | ReportTable::TicketsByType
        | ReportTable::TicketsByGroup
        | ReportTable::TicketsByAgent => {
            let (name, list) = match table {
                ReportTable::TicketsByCategory => ("tag", &report.tickets_by_category),
                ReportTable::TicketsByType => ("type", &report.tickets_by_type),
                ReportTable::TicketsByGroup => ("group", &report.tickets_by_group),
                _ => ("agent", &report.tickets_by_agent),
            };
            rows.push(header(&[name, "tickets"]));
            for r in list {
                rows.push(vec![r.key.clone().unwrap_or_default(), count(r.tickets)]);
            }
        }
        ReportTable::Sla => {
            rows.push(header(&["priority", "attained", "breached", "pending"]));
            for r in &report.sla.by_priority {
                rows.push(vec![
                    r.priority.as_str().to_owned(),
                    count(r.attained),
                    count(r.breached),
                    count(r.pending),
                ]);
            }
            let sla = &report.sla;
            rows.push(vec![
                "all".into(),
                count(sla.attained),
                count(sla.breached),
                count(sla.pending),
            ]);
        }
        ReportTable::TopEntries => {
            rows.push(header(&[
                "entry",
                "answered",
                "helpful_yes",
                "helpful_no",
                "helpful_rate",
            ]));
            for e in &report.top_entries {
                rows.push(vec![
                    e.entry.clone(),
                    count(e.answered),
                    count(e.helpful_yes),
                    count(e.helpful_no),
                    rate(e.helpful_rate),
                ]);
            }
        }
    }
    rows
}

/// Unix milliseconds as `YYYY-MM-DDTHH:MM:SSZ`.
fn iso_time(ms: i64) -> String {
    let day = Day::of_ms(ms);
    let seconds = (ms - day.start_ms()) / 1000;
    format!(
        "{day}T{:02}:{:02}:{:02}Z",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_default_to_the_last_30_days_and_are_bounded() {
        let today = Day::parse("2024-03-10").unwrap();
        let r = range(ReportQuery::default(), today).unwrap();
        assert_eq!(
            (r.from.to_string(), r.to.to_string()),
            ("2024-02-10".into(), "2024-03-10".into())
        );
        let q = |from: &str, to: &str| ReportQuery {
            from: Some(from.into()),
            to: Some(to.into()),
            ..ReportQuery::default()
        };
        assert!(range(q("2023-03-11", "2024-03-10"), today).is_ok());
        assert!(range(q("2023-03-09", "2024-03-10"), today).is_err());
        assert!(range(q("2024-03-11", "2024-03-10"), today).is_err());
        assert!(range(q("2024-02-30", "2024-03-10"), today).is_err());
    }

    #[test]
    fn times_are_written_in_utc() {
        assert_eq!(iso_time(1_700_000_000_000), "2023-11-14T22:13:20Z");
    }
}
