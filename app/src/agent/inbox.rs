//! The inbox: the cases an agent can work on, by view and filters, kept current by the live stream.

use super::i18n::t;
use leptos::prelude::*;

use super::clock;
use crate::workbench::client::TicketQuery;
use crate::workbench::model::{Agent as Me, AgentExt as _, TicketSummary};
use crate::workbench::{workspace, Page};
use protocol::Status;

/// The inbox's views. `Open` is the default: every open case in the agent's groups, whoever
/// holds it, so nobody's case is invisible to the team.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Open,
    Unassigned,
    Mine,
    /// Every case, every group: admins only.
    All,
}

impl View {
    /// The server-side filters this view stands for.
    fn query(self, status: String) -> TicketQuery {
        TicketQuery {
            status,
            assignee: match self {
                View::Unassigned => "none".into(),
                View::Mine => "me".into(),
                View::Open | View::All => String::new(),
            },
            ..TicketQuery::default()
        }
    }

    /// Whether a listed ticket belongs in this view for `me`. Every view but All holds live
    /// cases (open, or pending on the visitor) unless a status filter says otherwise; agents see
    /// their groups' queues and their own cases, admins everything.
    fn shows(self, ticket: &TicketSummary, me: &Me, status_filter: &str) -> bool {
        let live = matches!(ticket.status, Status::Open | Status::Pending);
        let status_ok = !status_filter.is_empty() || live || self == View::All;
        let visible = me.is_admin()
            || self == View::Mine
            || ticket.assignee_email.as_deref() == Some(me.email.as_str())
            || ticket.group.as_ref().is_none_or(|g| me.groups.contains(g));
        status_ok && visible
    }

    fn name(self) -> &'static str {
        match self {
            View::Open => "open",
            View::Unassigned => "unassigned",
            View::Mine => "mine",
            View::All => "all",
        }
    }

    fn label(self) -> &'static str {
        match self {
            View::Open => t().view_open,
            View::Unassigned => t().view_unassigned,
            View::Mine => t().view_mine,
            View::All => t().view_all,
        }
    }
}

/// How the list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// Longest-waiting first.
    Waiting,
    /// Soonest SLA due first; cases without an SLA last.
    SlaDue,
}

fn sort(tickets: &mut [TicketSummary], by: Sort) {
    match by {
        Sort::Waiting => tickets.sort_by_key(|t| (t.created_at, t.id.clone())),
        Sort::SlaDue => tickets.sort_by_key(|t| (t.sla_due_at.unwrap_or(i64::MAX), t.created_at)),
    }
}

/// Where a case stands against its first-response target, as the inbox flags it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaState {
    /// An agent replied before the due time: the clock has stopped.
    Met,
    /// No reply yet, and at least a fifth of the target is left.
    OnTrack,
    /// No reply yet, and less than a fifth of the target is left: someone should pick it up now.
    AtRisk,
    /// The due time passed before the first reply, or has passed with none yet.
    Breached,
}

/// The fraction of the target below which a waiting case is flagged as at risk (20 %), the
/// same moment for every priority.
const AT_RISK_SHARE: (i64, i64) = (1, 5);

impl SlaState {
    /// The state at `now` of a case created at `created_at`, due at `due_at`, first answered
    /// at `first_response_at`: the same definitions the reports count by.
    pub fn at(now: i64, created_at: i64, due_at: i64, first_response_at: Option<i64>) -> SlaState {
        match first_response_at {
            Some(at) if at <= due_at => SlaState::Met,
            Some(_) => SlaState::Breached,
            None if now > due_at => SlaState::Breached,
            None => {
                let target = (due_at - created_at).max(0);
                if (due_at - now) * AT_RISK_SHARE.1 < target * AT_RISK_SHARE.0 {
                    SlaState::AtRisk
                } else {
                    SlaState::OnTrack
                }
            }
        }
    }

    fn name(self) -> &'static str {
        match self {
            SlaState::Met => "met",
            SlaState::OnTrack => "on-track",
            SlaState::AtRisk => "at-risk",
            SlaState::Breached => "breached",
        }
    }
}

#[derive(Clone, PartialEq)]
enum Listing {
    Loading,
    Ready(Vec<TicketSummary>),
    Failed(String),
}

#[component]
pub fn Inbox(open: Memo<Option<String>>) -> impl IntoView {
    let ws = workspace();
    let live = ws.live;
    let is_admin = ws.desk.me.is_admin();
    let view_ = RwSignal::new(View::Open);
    let status = RwSignal::new(String::new());
    let priority = RwSignal::new(String::new());
    let group = RwSignal::new(String::new());
    let tag = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let order = RwSignal::new(Sort::Waiting);
    let listing = RwSignal::new(Listing::Loading);
    let groups = RwSignal::new(ws.desk.me.groups.clone());

    let query = Memo::new(move |_| TicketQuery {
        priority: priority.get(),
        group: group.get(),
        tag: tag.get(),
        text: text.get(),
        ..view_.get().query(status.get())
    });

    // Refetch when the query changes or the stream says something happened. A response that
    // arrives after a newer request started is dropped, so the list never goes back in time.
    let generation = StoredValue::new(0u64);
    let ws_fetch = ws.clone();
    Effect::new(move || {
        let query = query.get();
        live.revision.track();
        let ws = ws_fetch.clone();
        let this = generation.get_value() + 1;
        generation.set_value(this);
        leptos::task::spawn_local(async move {
            let result = ws.desk.tickets(&query).await;
            if generation.get_value() != this {
                return;
            }
            listing.set(match result {
                Ok(tickets) => Listing::Ready(tickets),
                Err(err) => Listing::Failed(ws.failed(err)),
            });
        });
    });

    let ws_groups = ws.clone();
    leptos::task::spawn_local(async move {
        if let Ok(all) = ws_groups.desk.groups().await {
            groups.set(all.into_iter().map(|g| g.id).collect());
        }
    });

    // Ticks once a minute so waiting times and SLA clocks stay true.
    let now = RwSignal::new(clock::now_ms());
    let _ = set_interval_with_handle(
        move || now.set(clock::now_ms()),
        std::time::Duration::from_secs(30),
    );

    let me = ws.desk.me.clone();
    let sorted = Memo::new(move |_| match listing.get() {
        Listing::Ready(mut tickets) => {
            let shown = view_.get();
            let filter = status.get();
            tickets.retain(|t| shown.shows(t, &me, &filter));
            sort(&mut tickets, order.get());
            tickets
        }
        _ => Vec::new(),
    });

    // Alt+J / Alt+K: next and previous case.
    let ws_keys = ws.clone();
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if !ev.alt_key() || !(ev.key() == "j" || ev.key() == "k") {
            return;
        }
        ev.prevent_default();
        let tickets = sorted.get_untracked();
        let at = open
            .get_untracked()
            .and_then(|id| tickets.iter().position(|t| t.id == id));
        let next = match (ev.key().as_str(), at) {
            ("j", Some(i)) => i + 1,
            ("k", Some(i)) => i.saturating_sub(1),
            _ => 0,
        };
        if let Some(ticket) = tickets.get(next) {
            ws_keys.go(Page::Inbox {
                case: Some(ticket.id.clone()),
            });
        }
    });
    on_cleanup(move || keys.remove());

    let mut views = vec![View::Open, View::Unassigned, View::Mine];
    if is_admin {
        views.push(View::All);
    }

    view! {
        <aside class="wb-inbox" aria-label="Inbox" data-testid="inbox">
            <div class="wb-views" role="tablist">
                {views.into_iter().map(|v| view! {
                    <button type="button" role="tab" data-testid=format!("view-{}", v.name())
                        aria-selected=move || (view_.get() == v).to_string()
                        class:wb-current=move || view_.get() == v
                        on:click=move |_| view_.set(v)>{v.label()}</button>
                }).collect_view()}
            </div>
            <details class="wb-filters">
                <summary>{t().filters}</summary>
                <label>{t().status}
                    <select data-testid="filter-status" on:change=move |ev| status.set(event_target_value(&ev))>
                        <option value="">{t().any}</option>
                        {["open", "pending", "resolved", "closed"].map(|s| view! { <option value=s>{s}</option> }).collect_view()}
                    </select>
                </label>
                <label>{t().priority}
                    <select data-testid="filter-priority" on:change=move |ev| priority.set(event_target_value(&ev))>
                        <option value="">{t().any}</option>
                        {["urgent", "high", "normal", "low"].map(|p| view! { <option value=p>{p}</option> }).collect_view()}
                    </select>
                </label>
                <label>{t().group}
                    <select data-testid="filter-group" on:change=move |ev| group.set(event_target_value(&ev))>
                        <option value="">{t().any}</option>
                        {move || groups.get().into_iter().map(|g| view! { <option value=g.clone()>{g.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <label>{t().tag}
                    <input type="text" data-testid="filter-tag" on:change=move |ev| tag.set(event_target_value(&ev)) />
                </label>
                <label>{t().sort}
                    <select data-testid="sort" on:change=move |ev| order.set(if event_target_value(&ev) == "sla" { Sort::SlaDue } else { Sort::Waiting })>
                        <option value="waiting">{t().waiting_longest}</option>
                        <option value="sla">{t().sla_soonest}</option>
                    </select>
                </label>
            </details>
            <input type="search" class="wb-search" placeholder=t().search_cases aria-label=t().search_cases
                data-testid="filter-text" on:change=move |ev| text.set(event_target_value(&ev)) />
            {move || match listing.get() {
                Listing::Loading => view! { <p class="wb-muted">{t().loading}</p> }.into_any(),
                Listing::Failed(reason) => view! { <p class="wb-error" role="alert">{reason}</p> }.into_any(),
                Listing::Ready(_) => ().into_any(),
            }}
            <ul class="wb-list">
                <For each=move || sorted.get() key=|t| (t.id.clone(), t.updated_at, t.status, t.assignee_email.clone())
                    children=move |ticket| view! { <Item ticket=ticket now=now open=open /> } />
            </ul>
            {move || (matches!(listing.get(), Listing::Ready(_)) && sorted.with(Vec::is_empty))
                .then(|| view! { <p class="wb-muted">{t().no_cases}</p> })}
        </aside>
    }
}

#[component]
fn Item(ticket: TicketSummary, now: RwSignal<i64>, open: Memo<Option<String>>) -> impl IntoView {
    let ws = workspace();
    let live = ws.live;
    let id = ticket.id.clone();
    let unread_id = id.clone();
    let unread = Memo::new(move |_| live.unread.with(|u| u.contains(&unread_id)));
    let open_id = id.clone();
    let is_open = move || open.with(|o| o.as_deref() == Some(open_id.as_str()));
    let who = ticket
        .contact_name
        .clone()
        .or(ticket.contact_email.clone())
        .unwrap_or_else(|| t().visitor.into());
    let created = ticket.created_at;
    let due = ticket.sla_due_at;
    let responded = ticket.first_response_at;
    let assignee = ticket
        .assignee_name
        .clone()
        .unwrap_or_else(|| t().unassigned.into());
    let priority_class = format!("wb-badge wb-priority-{}", ticket.priority);
    let go = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        ws.go(Page::Inbox {
            case: Some(id.clone()),
        });
    };
    view! {
        <li data-testid="inbox-item" data-ticket=ticket.id.clone() class:wb-open=is_open class:wb-unread=unread>
            <a href=Page::Inbox { case: Some(ticket.id.clone()) }.path() on:click=go>
                <span class="wb-item-top">
                    <span class="wb-dot" aria-label="unread" hidden=move || !unread.get()></span>
                    <strong class="wb-who">{who}</strong>
                    <span class="wb-wait" title=t().waiting>{move || clock::span(now.get() - created)}</span>
                </span>
                <span class="wb-subject">{ticket.subject.clone()}</span>
                <span class="wb-item-meta">
                    <span class=priority_class>{ticket.priority.as_str()}</span>
                    <span class="wb-badge">{ticket.status.as_str()}</span>
                    {ticket.group.clone().map(|g| view! { <span class="wb-badge wb-group">{g}</span> })}
                    <span class="wb-assignee">{assignee}</span>
                    {due.map(|due| {
                        // Recomputed as `now` ticks and whenever the item is rebuilt by an update
                        // event, so a breach shows up without a reload.
                        let state = move || SlaState::at(now.get(), created, due, responded);
                        view! {
                            <span class="wb-sla" data-testid="sla" data-sla=move || state().name()
                                class:wb-sla-breached=move || state() == SlaState::Breached
                                class:wb-sla-at-risk=move || state() == SlaState::AtRisk>
                                {move || match state() {
                                    SlaState::Met => t().sla_met.to_owned(),
                                    SlaState::OnTrack => clock::due(now.get(), due),
                                    SlaState::AtRisk => format!("{} · {}", t().sla_at_risk, clock::due(now.get(), due)),
                                    SlaState::Breached => format!("{} · {}", t().sla_breached, clock::due(now.get(), due)),
                                }}
                            </span>
                        }
                    })}
                </span>
            </a>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workbench::model::Role;

    fn ticket(status: &str, group: &str, assignee: Option<&str>) -> TicketSummary {
        TicketSummary {
            id: "T-1".into(),
            site: "demo".into(),
            status: status.parse().unwrap(),
            priority: protocol::Priority::Normal,
            ticket_type: protocol::TicketType::Question,
            channel: protocol::Channel::Widget,
            subject: "s".into(),
            group: Some(group.into()),
            assignee_email: assignee.map(str::to_owned),
            assignee_name: None,
            contact_name: None,
            contact_email: None,
            tags: vec![],
            sla_due_at: None,
            first_response_at: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    fn agent(role: Role) -> Me {
        Me {
            id: 1,
            email: "grace@example.com".into(),
            name: "Grace".into(),
            role,
            groups: vec!["general".into()],
            available: true,
            capacity: 5,
            disabled: false,
        }
    }

    #[test]
    fn open_view_is_live_cases_of_my_groups() {
        let me = agent(Role::Agent);
        assert!(View::Open.shows(&ticket("open", "general", None), &me, ""));
        assert!(View::Open.shows(&ticket("pending", "general", Some("x@y")), &me, ""));
        assert!(!View::Open.shows(&ticket("resolved", "general", None), &me, ""));
        assert!(View::Open.shows(&ticket("resolved", "general", None), &me, "resolved"));
        assert!(!View::Open.shows(&ticket("open", "billing", None), &me, ""));
        assert!(View::Open.shows(
            &ticket("open", "billing", Some("grace@example.com")),
            &me,
            ""
        ));
        assert!(View::All.shows(&ticket("closed", "billing", None), &agent(Role::Admin), ""));
    }

    #[test]
    fn sorts_by_waiting_time_or_sla() {
        let mut a = ticket("open", "general", None);
        a.id = "T-A".into();
        a.created_at = 10;
        a.sla_due_at = Some(500);
        let mut b = ticket("open", "general", None);
        b.id = "T-B".into();
        b.created_at = 20;
        b.sla_due_at = Some(100);
        let mut c = ticket("open", "general", None);
        c.id = "T-C".into();
        c.created_at = 5;
        let mut list = vec![a, b, c];
        sort(&mut list, Sort::Waiting);
        let ids: Vec<&str> = list.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["T-C", "T-A", "T-B"]);
        sort(&mut list, Sort::SlaDue);
        let ids: Vec<&str> = list.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["T-B", "T-A", "T-C"]);
    }

    #[test]
    fn sla_is_at_risk_in_the_last_fifth_and_stops_at_the_first_reply() {
        // Created at 0, due at 1000: at risk from 800 on, breached after 1000.
        assert_eq!(SlaState::at(500, 0, 1000, None), SlaState::OnTrack);
        assert_eq!(SlaState::at(800, 0, 1000, None), SlaState::OnTrack);
        assert_eq!(SlaState::at(801, 0, 1000, None), SlaState::AtRisk);
        assert_eq!(SlaState::at(1000, 0, 1000, None), SlaState::AtRisk);
        assert_eq!(SlaState::at(1001, 0, 1000, None), SlaState::Breached);
        assert_eq!(SlaState::at(5000, 0, 1000, Some(999)), SlaState::Met);
        assert_eq!(SlaState::at(5000, 0, 1000, Some(1001)), SlaState::Breached);
    }
}
