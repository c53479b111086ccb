//! Reports: what the assistant and the desk did over a range of days, with the filters, a chart
//! and a table per figure and a CSV download of each table.
//!
//! Charts are inline SVG drawn here (no chart library, nothing sent elsewhere); each has a title
//! for screen readers and its numbers are in the table beside it.

use leptos::prelude::*;
use protocol::{Day, Report, ReportQuery, ReportTable, DEFAULT_REPORT_DAYS};

use super::i18n::t;
use crate::agent::clock;
use crate::workbench::client::report_query_string;
use crate::workbench::workspace;

#[derive(Clone, PartialEq)]
enum State {
    Loading,
    Ready(Box<Report>),
    Failed(String),
}

#[component]
pub fn Reports() -> impl IntoView {
    let ws = workspace();
    let today = Day::of_ms(clock::now_ms());
    let from = RwSignal::new(Day(today.0 - (DEFAULT_REPORT_DAYS - 1)).to_string());
    let to = RwSignal::new(today.to_string());
    let site = RwSignal::new(String::new());
    let group = RwSignal::new(String::new());
    let sites = RwSignal::new(Vec::<String>::new());
    let groups = RwSignal::new(Vec::<String>::new());
    let state = RwSignal::new(State::Loading);
    // The filters of the figures shown, so CSV links always match the page.
    let shown = RwSignal::new(ReportQuery::default());

    let ws_lists = ws.clone();
    leptos::task::spawn_local(async move {
        if let Ok(list) = ws_lists.desk.sites().await {
            sites.set(list.into_iter().map(|s| s.id.to_string()).collect());
        }
        if let Ok(list) = ws_lists.desk.groups().await {
            groups.set(list.into_iter().map(|g| g.id).collect());
        }
    });

    let load = move || {
        let nonempty = |s: String| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let query = ReportQuery {
            from: nonempty(from.get_untracked()),
            to: nonempty(to.get_untracked()),
            site: nonempty(site.get_untracked()),
            group: nonempty(group.get_untracked()),
        };
        let ws = ws.clone();
        state.set(State::Loading);
        leptos::task::spawn_local(async move {
            state.set(match ws.desk.report(&query).await {
                Ok(report) => {
                    shown.set(query);
                    State::Ready(Box::new(report))
                }
                Err(err) => State::Failed(ws.failed(err)),
            });
        });
    };
    load();
    let submit = {
        let load = load.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            load();
        }
    };

    view! {
        <form class="wb-report-filters" data-testid="report-filters" on:submit=submit>
            <label>{t().report_from}
                <input type="date" data-testid="report-from" prop:value=from on:change=move |ev| from.set(event_target_value(&ev)) />
            </label>
            <label>{t().report_to}
                <input type="date" data-testid="report-to" prop:value=to on:change=move |ev| to.set(event_target_value(&ev)) />
            </label>
            <label>{t().report_site}
                <select data-testid="report-site" on:change=move |ev| site.set(event_target_value(&ev))>
                    <option value="">{t().report_all}</option>
                    {move || sites.get().into_iter().map(|s| view! { <option value=s.clone()>{s.clone()}</option> }).collect_view()}
                </select>
            </label>
            <label>{t().group}
                <select data-testid="report-group" on:change=move |ev| group.set(event_target_value(&ev))>
                    <option value="">{t().report_all}</option>
                    {move || groups.get().into_iter().map(|g| view! { <option value=g.clone()>{g.clone()}</option> }).collect_view()}
                </select>
            </label>
            <button type="submit" data-testid="report-apply">{t().report_apply}</button>
        </form>
        {move || match state.get() {
            State::Loading => view! { <p class="wb-muted">{t().loading}</p> }.into_any(),
            State::Failed(reason) => view! { <p class="wb-error" role="alert">{reason}</p> }.into_any(),
            State::Ready(report) => view! { <Figures report=*report query=shown.get_untracked() /> }.into_any(),
        }}
    }
}

/// A rate 0..1 as a percentage, `–` when there is nothing to divide.
fn percent(rate: Option<f64>) -> String {
    rate.map(|r| format!("{:.1} %", r * 100.0))
        .unwrap_or_else(|| "–".into())
}

fn duration(ms: Option<i64>) -> String {
    ms.map(clock::span).unwrap_or_else(|| "–".into())
}

/// The link that downloads `table` with the filters of the figures shown.
fn csv_link(table: ReportTable, query: &ReportQuery) -> impl IntoView {
    let href = format!(
        "{}?{}",
        protocol::paths::admin_report_csv(table),
        report_query_string(query)
    );
    view! {
        <a class="wb-csv" href=href download="" data-testid="report-csv" data-table=table.as_str()>
            {t().download_csv}
        </a>
    }
}

#[component]
fn Figures(report: Report, query: ReportQuery) -> impl IntoView {
    let tx = t();
    let conv = &report.conversations;
    let days: Vec<String> = conv.days.iter().map(|d| d.day.clone()).collect();
    let conversations_chart = Chart {
        id: "conversations",
        title: tx.conversations_per_day,
        labels: days.iter().map(|d| d[5..].to_owned()).collect(),
        series: vec![
            (
                tx.self_served,
                conv.days.iter().map(|d| d.self_served).collect(),
            ),
            (
                tx.clarified,
                conv.days.iter().map(|d| d.clarified).collect(),
            ),
            (
                tx.escalated,
                conv.days.iter().map(|d| d.escalated).collect(),
            ),
            (
                tx.no_answer,
                conv.days.iter().map(|d| d.no_answer).collect(),
            ),
        ],
    };
    let reasons_chart = Chart {
        id: "reasons",
        title: tx.escalation_reasons,
        labels: report
            .escalation_reasons
            .iter()
            .map(|r| tx.reason(r.reason).to_owned())
            .collect(),
        series: vec![(
            tx.conversations,
            report
                .escalation_reasons
                .iter()
                .map(|r| r.conversations)
                .collect(),
        )],
    };
    let csat = &report.csat;
    let csat_chart = Chart {
        id: "csat",
        title: tx.csat_distribution,
        labels: csat
            .distribution
            .iter()
            .map(|s| s.score.to_string())
            .collect(),
        series: vec![
            (
                tx.from_tickets,
                csat.distribution.iter().map(|s| s.tickets).collect(),
            ),
            (
                tx.from_widget,
                csat.distribution.iter().map(|s| s.widget).collect(),
            ),
        ],
    };
    let sla = &report.sla;
    let sla_chart = Chart {
        id: "sla",
        title: tx.sla_heading,
        labels: sla
            .by_priority
            .iter()
            .map(|r| r.priority.as_str().to_owned())
            .collect(),
        series: vec![
            (
                tx.attained,
                sla.by_priority.iter().map(|r| r.attained).collect(),
            ),
            (
                tx.breached,
                sla.by_priority.iter().map(|r| r.breached).collect(),
            ),
            (
                tx.pending,
                sla.by_priority.iter().map(|r| r.pending).collect(),
            ),
        ],
    };
    let breakdowns = [
        (
            tx.by_category,
            ReportTable::TicketsByCategory,
            report.tickets_by_category.clone(),
        ),
        (
            tx.by_type,
            ReportTable::TicketsByType,
            report.tickets_by_type.clone(),
        ),
        (
            tx.by_group,
            ReportTable::TicketsByGroup,
            report.tickets_by_group.clone(),
        ),
        (
            tx.by_agent,
            ReportTable::TicketsByAgent,
            report.tickets_by_agent.clone(),
        ),
    ];
    let q = query.clone();
    view! {
        <div class="wb-report" data-testid="report">
            <section class="wb-report-section" aria-labelledby="report-conversations">
                <h2 id="report-conversations">{tx.conversations_per_day}</h2>
                <p class="wb-report-kpis">
                    <span>{tx.self_service_rate}": "<strong data-testid="self-service-rate">{percent(conv.self_service_rate)}</strong></span>
                    <span>{tx.conversations}": "<strong>{conv.total.total}</strong></span>
                </p>
                {conversations_chart.view()}
                <table class="wb-table">
                    <thead><tr><th>{tx.day}</th><th>{tx.self_served}</th><th>{tx.clarified}</th><th>{tx.escalated}</th><th>{tx.no_answer}</th><th>{tx.total}</th></tr></thead>
                    <tbody>
                        {conv.days.iter().map(|d| view! {
                            <tr><td>{d.day.clone()}</td><td>{d.self_served}</td><td>{d.clarified}</td><td>{d.escalated}</td><td>{d.no_answer}</td><td>{d.total}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
                {csv_link(ReportTable::Conversations, &q)}
            </section>

            <section class="wb-report-section" aria-labelledby="report-reasons">
                <h2 id="report-reasons">{tx.escalation_reasons}</h2>
                {reasons_chart.view()}
                <table class="wb-table">
                    <thead><tr><th>{tx.reason_heading}</th><th>{tx.conversations}</th><th>{tx.rate}</th></tr></thead>
                    <tbody>
                        {report.escalation_reasons.iter().map(|r| view! {
                            <tr><td>{tx.reason(r.reason)}</td><td>{r.conversations}</td><td>{percent(r.rate)}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
                {csv_link(ReportTable::EscalationReasons, &q)}
            </section>

            <section class="wb-report-section" aria-labelledby="report-times">
                <h2 id="report-times">{tx.response_times}</h2>
                <table class="wb-table">
                    <thead><tr><th></th><th>{tx.tickets}</th><th>{tx.median}</th><th>"p90"</th></tr></thead>
                    <tbody>
                        {report.response_times.iter().map(|r| view! {
                            <tr><td>{tx.measure(r.measure)}</td><td>{r.tickets}</td><td>{duration(r.median_ms)}</td><td>{duration(r.p90_ms)}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
                {csv_link(ReportTable::ResponseTimes, &q)}
            </section>

            <section class="wb-report-section" aria-labelledby="report-csat">
                <h2 id="report-csat">{tx.csat}</h2>
                <p class="wb-report-kpis">
                    <span>{tx.ratings}": "<strong>{csat.ratings}</strong></span>
                    <span>{tx.average}": "<strong>{csat.average.map(|a| format!("{a:.2}")).unwrap_or_else(|| "–".into())}</strong></span>
                    <span>{tx.satisfied}": "<strong>{percent(csat.satisfied_share)}</strong></span>
                </p>
                {csat_chart.view()}
                <table class="wb-table">
                    <thead><tr><th>{tx.score}</th><th>{tx.from_tickets}</th><th>{tx.from_widget}</th><th>{tx.total}</th></tr></thead>
                    <tbody>
                        {csat.distribution.iter().map(|s| view! {
                            <tr><td>{s.score}</td><td>{s.tickets}</td><td>{s.widget}</td><td>{s.total}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
                {csv_link(ReportTable::CsatScores, &q)}
                <h3>{tx.comments}</h3>
                <table class="wb-table" data-testid="csat-comments">
                    <thead><tr><th>{tx.day}</th><th>{tx.score}</th><th>{tx.source}</th><th>{tx.comment}</th></tr></thead>
                    <tbody>
                        {csat.comments.iter().map(|c| view! {
                            <tr>
                                <td>{Day::of_ms(c.at).to_string()}</td>
                                <td>{c.score}</td>
                                <td>{c.ticket.clone().unwrap_or_else(|| tx.from_widget.to_owned())}</td>
                                <td>{c.comment.clone()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                {csv_link(ReportTable::CsatComments, &q)}
            </section>

            <section class="wb-report-section" aria-labelledby="report-sla">
                <h2 id="report-sla">{tx.sla_heading}</h2>
                <p class="wb-report-kpis">
                    <span>{tx.attainment}": "<strong data-testid="sla-attainment">{percent(sla.attainment_rate)}</strong></span>
                    <span>{tx.breached}": "<strong>{sla.breached}</strong></span>
                </p>
                {sla_chart.view()}
                <table class="wb-table">
                    <thead><tr><th>{tx.priority}</th><th>{tx.attained}</th><th>{tx.breached}</th><th>{tx.pending}</th></tr></thead>
                    <tbody>
                        {sla.by_priority.iter().map(|r| view! {
                            <tr><td>{r.priority.as_str()}</td><td>{r.attained}</td><td>{r.breached}</td><td>{r.pending}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
                {csv_link(ReportTable::Sla, &q)}
            </section>

            {breakdowns.into_iter().map(|(title, table, rows)| {
                let chart = Chart {
                    id: table.as_str(),
                    title,
                    labels: rows.iter().map(|r| r.key.clone().unwrap_or_else(|| tx.none.to_owned())).collect(),
                    series: vec![(tx.tickets, rows.iter().map(|r| r.tickets).collect())],
                };
                view! {
                    <section class="wb-report-section">
                        <h2>{title}</h2>
                        {chart.view()}
                        <table class="wb-table">
                            <thead><tr><th></th><th>{tx.tickets}</th></tr></thead>
                            <tbody>
                                {rows.iter().map(|r| view! {
                                    <tr><td>{r.key.clone().unwrap_or_else(|| tx.none.to_owned())}</td><td>{r.tickets}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        {csv_link(table, &query)}
                    </section>
                }
            }).collect_view()}

            <section class="wb-report-section" aria-labelledby="report-entries">
                <h2 id="report-entries">{tx.top_entries}</h2>
                <table class="wb-table" data-testid="top-entries">
                    <thead><tr><th>{tx.entry}</th><th>{tx.answered}</th><th>{tx.helpful}</th><th>{tx.not_helpful}</th><th>{tx.helpful_rate}</th></tr></thead>
                    <tbody>
                        {report.top_entries.iter().map(|e| view! {
                            <tr><td><code>{e.entry.clone()}</code></td><td>{e.answered}</td><td>{e.helpful_yes}</td><td>{e.helpful_no}</td><td>{percent(e.helpful_rate)}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
                {csv_link(ReportTable::TopEntries, &q)}
            </section>
        </div>
    }
}

/// A stacked bar chart: one bar per label, one colour per series.
struct Chart {
    /// Unique on the page: names the SVG's title for screen readers.
    id: &'static str,
    title: &'static str,
    labels: Vec<String>,
    series: Vec<(&'static str, Vec<i64>)>,
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 200.0;
/// Room for the scale on the left and the labels below.
const LEFT: f64 = 36.0;
const BOTTOM: f64 = 20.0;

impl Chart {
    /// The tallest stack, at least 1 so an empty chart still has a scale.
    fn peak(&self) -> i64 {
        (0..self.labels.len())
            .map(|i| {
                self.series
                    .iter()
                    .map(|(_, v)| v.get(i).copied().unwrap_or(0))
                    .sum::<i64>()
            })
            .max()
            .unwrap_or(0)
            .max(1)
    }

    fn view(self) -> impl IntoView {
        let peak = self.peak() as f64;
        let n = self.labels.len().max(1) as f64;
        let slot = (WIDTH - LEFT) / n;
        let bar = (slot * 0.7).max(1.0);
        let plot = HEIGHT - BOTTOM;
        // Every label when they fit, else every k-th.
        let every = ((self.labels.len() as f64 * 40.0 / (WIDTH - LEFT)).ceil() as usize).max(1);
        let mut rects = Vec::new();
        for (i, label) in self.labels.iter().enumerate() {
            let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
            let mut top = plot;
            for (s, (name, values)) in self.series.iter().enumerate() {
                let value = values.get(i).copied().unwrap_or(0);
                if value == 0 {
                    continue;
                }
                let h = value as f64 / peak * (plot - 8.0);
                top -= h;
                rects.push(view! {
                    <rect x=format!("{x:.1}") y=format!("{top:.1}") width=format!("{bar:.1}") height=format!("{h:.1}")
                        class=format!("wb-series-{s}")>
                        <title>{format!("{label} · {name}: {value}")}</title>
                    </rect>
                });
            }
        }
        let labels = self
            .labels
            .iter()
            .enumerate()
            .filter(|(i, _)| i % every == 0)
            .map(|(i, label)| {
                let x = LEFT + slot * i as f64 + slot / 2.0;
                view! { <text x=format!("{x:.1}") y=format!("{:.1}", HEIGHT - 5.0) text-anchor="middle">{label.clone()}</text> }
            })
            .collect_view();
        let legend = self
            .series
            .iter()
            .enumerate()
            .map(|(s, (name, _))| {
                view! { <span class="wb-legend"><span class=format!("wb-swatch wb-series-{s}")></span>{*name}</span> }
            })
            .collect_view();
        let title_id = format!("chart-{}", self.id);
        let labelled_by = title_id.clone();
        view! {
            <figure class="wb-chart">
                <svg data-testid="report-chart" role="img" aria-labelledby=labelled_by
                    viewBox=format!("0 0 {WIDTH} {HEIGHT}") preserveAspectRatio="none" width="100%" height="200">
                    <title id=title_id>{self.title}</title>
                    <line x1=LEFT y1=plot x2=WIDTH y2=plot class="wb-axis" />
                    <text x=format!("{:.1}", LEFT - 4.0) y="14" text-anchor="end">{peak as i64}</text>
                    <text x=format!("{:.1}", LEFT - 4.0) y=format!("{plot:.1}") text-anchor="end">"0"</text>
                    {rects}
                    {labels}
                </svg>
                <figcaption>{legend}</figcaption>
            </figure>
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_is_the_tallest_stack() {
        let chart = Chart {
            id: "t",
            title: "t",
            labels: vec!["a".into(), "b".into()],
            series: vec![("x", vec![1, 4]), ("y", vec![5, 1])],
        };
        assert_eq!(chart.peak(), 6);
        let empty = Chart {
            id: "e",
            title: "t",
            labels: vec![],
            series: vec![],
        };
        assert_eq!(empty.peak(), 1);
    }
}
