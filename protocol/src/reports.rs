//! `GET /api/v1/admin/reports`: what the assistant and the desk did over a range of days.
//!
//! Days are UTC calendar days written `YYYY-MM-DD`; a range is `from` to `to`, both included, at
//! most [`MAX_REPORT_DAYS`] long. Conversation figures come from the widget's anonymous events
//! (`POST /api/v1/events`) and follow the `site` filter only (a conversation has no group until it
//! becomes a ticket); ticket figures come from the tickets created in the range and follow both
//! `site` and `group`.
//!
//! **How a conversation is counted**, once, by every figure and CSV: a conversation is one
//! widget conversation id, placed on the day (UTC) of its first event, and it counts when it has
//! at least one `answered`, `clarified`, `chose`, `no_answer` or `escalated` event. It is then
//! exactly one of, in this order:
//! - **escalated**: it has an `escalated` event;
//! - **self-served**: no `escalated`, and an `answered` or `chose` event;
//! - **clarified**: neither, and a `clarified` event (the visitor saw choices and left);
//! - **no answer**: none of these, so only `no_answer` events.
//!
//! The self-service rate is self-served ÷ counted conversations; the escalation rate of a reason
//! is the conversations escalated for it (the reason of their first `escalated` event) ÷ counted
//! conversations.

use serde::{Deserialize, Serialize};

use crate::{EscalationReason, Priority};

/// Longest range a report covers, in days.
pub const MAX_REPORT_DAYS: i64 = 366;
/// The range a report covers when `from` is not given: the last 30 days up to `to` (or today).
pub const DEFAULT_REPORT_DAYS: i64 = 30;
/// Milliseconds in a UTC day.
pub const DAY_MS: i64 = 86_400_000;
/// Most entries in [`Report::top_entries`].
pub const TOP_ENTRIES: usize = 20;
/// Most comments in [`CsatReport::comments`].
pub const CSAT_COMMENTS: usize = 50;

/// A UTC calendar day, as a count of days since 1970-01-01; written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub i64);

impl Day {
    /// The day holding the instant `ms` (Unix milliseconds).
    pub fn of_ms(ms: i64) -> Day {
        Day(ms.div_euclid(DAY_MS))
    }

    /// The first millisecond of the day.
    pub fn start_ms(self) -> i64 {
        self.0 * DAY_MS
    }

    /// Parses `YYYY-MM-DD` (a real date between years 1970 and 9999).
    pub fn parse(text: &str) -> Option<Day> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let number = |range: std::ops::Range<usize>| -> Option<i64> {
            let part = &text[range];
            part.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| part.parse().ok())
                .flatten()
        };
        let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
        if year < 1970 || !(1..=12).contains(&month) || day < 1 || day > days_in(year, month) {
            return None;
        }
        Some(Day(days_from_civil(year, month, day)))
    }

    /// `(year, month, day)` of this day.
    pub fn civil(self) -> (i64, i64, i64) {
        // Howard Hinnant's civil_from_days.
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        (year, month, day)
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (year, month, day) = self.civil();
        write!(f, "{year:04}-{month:02}-{day:02}")
    }
}

fn days_in(year: i64, month: i64) -> i64 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The filters of a report and of its CSV tables; every one is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// First day, `YYYY-MM-DD` (UTC); default: 29 days before `to`.
    pub from: Option<String>,
    /// Last day, included, `YYYY-MM-DD` (UTC); default: today.
    pub to: Option<String>,
    /// Only this site's conversations and tickets.
    pub site: Option<String>,
    /// Only tickets in this skill group (conversation figures are not by group).
    pub group: Option<String>,
}

/// `GET /api/v1/admin/reports`: every figure of the range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    /// First day covered, `YYYY-MM-DD`.
    pub from: String,
    /// Last day covered (included), `YYYY-MM-DD`.
    pub to: String,
    pub site: Option<String>,
    pub group: Option<String>,
    pub conversations: ConversationReport,
    /// Escalated conversations by the reason the widget gave, every reason listed.
    pub escalation_reasons: Vec<ReasonRow>,
    /// First response time and resolution time of the tickets created in the range.
    pub response_times: Vec<DurationRow>,
    pub csat: CsatReport,
    /// Tickets by tag (a ticket with two tags counts under both; `null`: no tag).
    pub tickets_by_category: Vec<CountRow>,
    pub tickets_by_type: Vec<CountRow>,
    /// `null`: no group.
    pub tickets_by_group: Vec<CountRow>,
    /// By the assignee's email; `null`: unassigned.
    pub tickets_by_agent: Vec<CountRow>,
    pub sla: SlaReport,
    /// The most answered entries, most first, with what visitors said of them.
    pub top_entries: Vec<EntryRow>,
}

/// Conversations in the range, classified as the module documentation says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationReport {
    /// One row per day of the range, oldest first, days without conversations included.
    pub days: Vec<ConversationDay>,
    /// The whole range.
    pub total: ConversationDay,
    /// Self-served ÷ counted conversations, 0 to 1; `null` without conversations.
    pub self_service_rate: Option<f64>,
}

/// Conversations of one day (or of the range, in [`ConversationReport::total`], where `day` is
/// the first day).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationDay {
    pub day: String,
    pub self_served: i64,
    pub clarified: i64,
    pub escalated: i64,
    pub no_answer: i64,
    /// The sum of the four.
    pub total: i64,
}

/// Conversations escalated for one reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReasonRow {
    pub reason: EscalationReason,
    pub conversations: i64,
    /// Of all counted conversations, 0 to 1; `null` without conversations.
    pub rate: Option<f64>,
}

/// Which time a [`DurationRow`] measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TimeMeasure {
    /// From the ticket's creation to the first agent reply to the visitor.
    FirstResponse,
    /// From the ticket's creation to its (last) resolution.
    Resolution,
}

impl TimeMeasure {
    pub fn as_str(self) -> &'static str {
        match self {
            TimeMeasure::FirstResponse => "first_response",
            TimeMeasure::Resolution => "resolution",
        }
    }
}

/// Median and 90th percentile (nearest rank) of one time over the tickets that have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DurationRow {
    pub measure: TimeMeasure,
    /// Tickets that have this time.
    pub tickets: i64,
    /// Milliseconds; `null` without tickets.
    pub median_ms: Option<i64>,
    /// Milliseconds; `null` without tickets.
    pub p90_ms: Option<i64>,
}

/// Where a rating was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RatingSource {
    /// A visitor rated their ticket.
    Ticket,
    /// A visitor rated a conversation in the widget (a `rated` event).
    Widget,
}

impl RatingSource {
    pub fn as_str(self) -> &'static str {
        match self {
            RatingSource::Ticket => "ticket",
            RatingSource::Widget => "widget",
        }
    }
}

/// Satisfaction: the ratings of tickets (by when they were given, for tickets of the site and
/// group) and the widget's `rated` events (by when they happened, for the site), 1 to 5.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CsatReport {
    pub ratings: i64,
    /// Mean score; `null` without ratings.
    pub average: Option<f64>,
    /// Ratings of 4 or 5 ÷ ratings, 0 to 1; `null` without ratings.
    pub satisfied_share: Option<f64>,
    /// Scores 1 to 5, each listed.
    pub distribution: Vec<ScoreRow>,
    /// The newest comments first, at most [`CSAT_COMMENTS`].
    pub comments: Vec<CsatComment>,
}

/// How many ratings gave one score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoreRow {
    pub score: i64,
    pub tickets: i64,
    pub widget: i64,
    pub total: i64,
}

/// A rating's comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CsatComment {
    /// Unix milliseconds.
    pub at: i64,
    pub score: i64,
    pub comment: String,
    pub source: RatingSource,
    /// The ticket's id, for a ticket's rating.
    pub ticket: Option<String>,
}

/// Tickets under one value of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountRow {
    /// The tag, type, group or agent; `null` for none.
    pub key: Option<String>,
    pub tickets: i64,
}

/// First-response SLA of the tickets created in the range that have a target.
///
/// Attained: the first agent reply came at or before the due time. Breached: it came after, or
/// has not come and the due time has passed. Pending: not yet answered, still in time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlaReport {
    pub attained: i64,
    pub breached: i64,
    pub pending: i64,
    /// Attained ÷ (attained + breached), 0 to 1; `null` when none is decided.
    pub attainment_rate: Option<f64>,
    /// Every priority, most urgent first.
    pub by_priority: Vec<SlaRow>,
}

/// SLA outcomes of one priority (the ticket's priority now).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlaRow {
    pub priority: Priority,
    pub attained: i64,
    pub breached: i64,
    pub pending: i64,
}

/// One knowledge-base entry: in how many conversations the assistant answered with it (the
/// engine answered a typed question with it, an `answered` event, or the visitor picked it from
/// the offered questions, a `chose` event; a conversation that got it several times, either way,
/// counts once) and the `helpful` verdicts on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EntryRow {
    pub entry: String,
    pub answered: i64,
    pub helpful_yes: i64,
    pub helpful_no: i64,
    /// Yes ÷ (yes + no), 0 to 1; `null` without verdicts.
    pub helpful_rate: Option<f64>,
}

/// A report table, exported as CSV at `GET /api/v1/admin/reports/{table}.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportTable {
    Conversations,
    EscalationReasons,
    ResponseTimes,
    CsatScores,
    CsatComments,
    TicketsByCategory,
    TicketsByType,
    TicketsByGroup,
    TicketsByAgent,
    Sla,
    TopEntries,
}

impl ReportTable {
    pub const ALL: [ReportTable; 11] = [
        ReportTable::Conversations,
        ReportTable::EscalationReasons,
        ReportTable::ResponseTimes,
        ReportTable::CsatScores,
        ReportTable::CsatComments,
        ReportTable::TicketsByCategory,
        ReportTable::TicketsByType,
        ReportTable::TicketsByGroup,
        ReportTable::TicketsByAgent,
        ReportTable::Sla,
        ReportTable::TopEntries,
    ];

    /// The name in the CSV's path, `conversations` in `conversations.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportTable::Conversations => "conversations",
            ReportTable::EscalationReasons => "escalation-reasons",
            ReportTable::ResponseTimes => "response-times",
            ReportTable::CsatScores => "csat-scores",
            ReportTable::CsatComments => "csat-comments",
            ReportTable::TicketsByCategory => "tickets-by-category",
            ReportTable::TicketsByType => "tickets-by-type",
            ReportTable::TicketsByGroup => "tickets-by-group",
            ReportTable::TicketsByAgent => "tickets-by-agent",
            ReportTable::Sla => "sla",
            ReportTable::TopEntries => "top-entries",
        }
    }

    /// The table a CSV file name (`conversations.csv`) names.
    pub fn from_file(file: &str) -> Option<ReportTable> {
        let name = file.strip_suffix(".csv")?;
        ReportTable::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_read_and_write_as_iso_dates() {
        assert_eq!(Day::parse("1970-01-01"), Some(Day(0)));
        assert_eq!(Day::parse("2024-02-29").unwrap().to_string(), "2024-02-29");
        assert_eq!(
            Day::parse("2024-03-01").unwrap().0 - Day::parse("2024-02-28").unwrap().0,
            2
        );
        assert_eq!(
            Day::parse("2023-03-01").unwrap().0 - Day::parse("2023-02-28").unwrap().0,
            1
        );
        assert_eq!(Day::of_ms(1_700_000_000_000).to_string(), "2023-11-14");
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-1-01",
            "24-01-01",
            "2024/01/01",
            "1969-12-31",
            "2024-01-0a",
            "",
        ] {
            assert_eq!(Day::parse(bad), None, "{bad}");
        }
        for day in [0, 59, 365, 10_000, 19_000, 2_932_896] {
            assert_eq!(Day::parse(&Day(day).to_string()), Some(Day(day)));
        }
    }

    #[test]
    fn tables_are_named_by_their_file() {
        for table in ReportTable::ALL {
            assert_eq!(
                ReportTable::from_file(&format!("{}.csv", table.as_str())),
                Some(table)
            );
        }
        assert_eq!(ReportTable::from_file("sla"), None);
        assert_eq!(ReportTable::from_file("nope.csv"), None);
    }
}
