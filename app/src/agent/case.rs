//! One case: what the visitor and the bot said before escalating (set apart from the human
//! conversation), the summary, the contact, what the bot considered, smart assist, the composer
//! and the case actions (claim, assign, status, priority, type, tags, transfer; for admins, a
//! resolved ticket turned into a knowledge-base entry).

use leptos::prelude::*;

use super::assist::{entry_in, Assist};
use super::clock;
use super::composer::Composer;
use super::i18n::t;
use super::summary::Summary;
use super::template::Variables;
use crate::workbench::client::{transfer_from_form, TransferFormError};
use crate::workbench::model::{
    is_live, Agent, AgentExt as _, Author, Case, CaseExt as _, Group, Message, TicketSummary,
};
use crate::workbench::{kb_draft, workspace, AdminPage, Knowledge, Page};
use protocol::{ChangeRequest, Priority, Status, TicketType};

#[derive(Clone, PartialEq)]
enum Loaded {
    Loading,
    Ready(Box<Case>),
    Failed(String),
}

#[component]
pub fn CaseView(id: String) -> impl IntoView {
    let ws = workspace();
    let live = ws.live;
    let loaded = RwSignal::new(Loaded::Loading);
    let draft = RwSignal::new(String::new());
    let canned = RwSignal::new(Vec::new());
    let groups = RwSignal::new(Vec::<Group>::new());
    let agents = RwSignal::new(Vec::<Agent>::new());
    let textarea = NodeRef::<leptos::html::Textarea>::new();
    live.mark_read(&id);

    let reload = {
        let (ws, id) = (ws.clone(), id.clone());
        move || {
            let (ws, id) = (ws.clone(), id.clone());
            leptos::task::spawn_local(async move {
                match ws.desk.case(&id).await {
                    Ok(case) => loaded.set(Loaded::Ready(Box::new(case))),
                    Err(err) => {
                        let detail = ws.failed(err);
                        // Keep showing what we have when a refresh fails.
                        if !matches!(loaded.get_untracked(), Loaded::Ready(_)) {
                            loaded.set(Loaded::Failed(detail));
                        }
                    }
                }
            });
        }
    };
    // Reload on every event about this case (and on every poll).
    {
        let (reload, id) = (reload.clone(), id.clone());
        Effect::new(move |first: Option<()>| {
            live.revision.track();
            let about_this = live.last.with_untracked(|e| {
                e.as_ref()
                    .is_none_or(|e| e.ticket.as_deref().is_none_or(|t| t == id))
            });
            if first.is_none() || about_this {
                live.mark_read(&id);
                reload();
            }
        });
    }
    {
        let ws = ws.clone();
        leptos::task::spawn_local(async move {
            if let Ok(list) = ws.desk.canned().await {
                canned.set(list);
            }
            if ws.desk.me.is_admin() {
                if let Ok(list) = ws.desk.admin_agents().await {
                    agents.set(list);
                }
            }
            groups.set(match ws.desk.groups().await {
                Ok(list) => list,
                // Without a groups endpoint: the groups this agent and colleagues belong to.
                Err(_) => known_groups(&ws.desk.me.groups, &agents.get_untracked()),
            });
        });
    }

    let case = Memo::new(move |_| match loaded.get() {
        Loaded::Ready(case) => Some(*case),
        _ => None,
    });
    let latest = Memo::new(move |_| {
        case.with(|c| {
            c.as_ref()
                .and_then(|c| c.latest_visitor_message().map(str::to_owned))
        })
    });
    let me = ws.desk.me.clone();
    let vars = Signal::derive(move || {
        case.with(|c| {
            let c = c.as_ref();
            Variables {
                contact_name: c.and_then(|c| c.visitor_name().map(str::to_owned)),
                contact_email: c.and_then(|c| c.visitor_email().map(str::to_owned)),
                agent_name: me.name.clone(),
                ticket_id: c.map(|c| c.ticket.id.clone()).unwrap_or_default(),
            }
        })
    });
    let insert = Callback::new(move |text: String| {
        draft.update(|d| {
            if d.trim().is_empty() {
                *d = text;
            } else {
                d.push_str("\n\n");
                d.push_str(&text);
            }
        });
        if let Some(el) = textarea.get_untracked() {
            let _ = el.focus();
        }
    });
    let refresh = {
        let reload = reload.clone();
        Callback::new(move |()| reload())
    };
    // After a transfer out of this agent's groups the case cannot be re-read: show the ticket
    // the transfer answered, then whatever a reload still finds.
    let transferred = {
        let reload = reload.clone();
        Callback::new(move |now: TicketSummary| {
            loaded.update(|l| {
                if let Loaded::Ready(case) = l {
                    case.ticket = now;
                }
            });
            reload();
        })
    };

    view! {
        <section class="wb-case" data-testid="case" data-ticket=id.clone()>
            <div class="wb-case-main">
                {move || match loaded.get() {
                    Loaded::Loading => view! { <p class="wb-muted">{t().loading_case}</p> }.into_any(),
                    Loaded::Failed(reason) => view! { <p class="wb-error" role="alert">{reason}</p> }.into_any(),
                    Loaded::Ready(_) => ().into_any(),
                }}
                {move || case.get().map(|c| view! {
                    <CaseHeader case=c.clone() groups=groups agents=agents on_changed=refresh on_transferred=transferred />
                    <TransferBanner case=c.clone() />
                    <SummaryBlock case=c.clone() />
                    <Thread case=c />
                })}
                <Composer ticket=id.clone() draft=draft vars=vars canned=canned textarea=textarea on_sent=refresh />
            </div>
            <aside class="wb-side">
                {move || case.get().map(|c| view! {
                    <ContactPanel case=c.clone() on_merged=refresh />
                    <BotPanel case=c />
                })}
                <Assist latest=latest on_insert=insert />
            </aside>
        </section>
    }
}

#[component]
fn CaseHeader(
    case: Case,
    groups: RwSignal<Vec<Group>>,
    agents: RwSignal<Vec<Agent>>,
    on_changed: Callback<()>,
    on_transferred: Callback<TicketSummary>,
) -> impl IntoView {
    let ws = workspace();
    let ticket = case.ticket.clone();
    let id = ticket.id.clone();
    let error = RwSignal::new(None::<String>);
    let transferring = RwSignal::new(false);
    let mine = ticket.assignee_email.as_deref() == Some(ws.desk.me.email.as_str());

    // Every action: call, then refresh the case or show why it failed.
    let act = {
        let ws = ws.clone();
        move |action: CaseAction| {
            let (ws, id) = (ws.clone(), id.clone());
            error.set(None);
            leptos::task::spawn_local(async move {
                let result = match action {
                    CaseAction::Claim => ws.desk.claim(&id).await,
                    CaseAction::Assign(email) => ws.desk.assign(&id, email.as_deref()).await,
                    CaseAction::Update(update) => ws.desk.update(&id, &update).await,
                };
                match result {
                    Ok(()) => on_changed.run(()),
                    Err(err) => error.set(Some(ws.failed(err))),
                }
            });
        }
    };
    let (act_status, act_priority, act_type, act_tags, act_claim, act_assign) = (
        act.clone(),
        act.clone(),
        act.clone(),
        act.clone(),
        act.clone(),
        act,
    );
    let select = |options: Vec<&'static str>, current: &'static str| {
        options
            .into_iter()
            .map(|o| view! { <option value=o selected=current == o>{o}</option> })
            .collect_view()
    };
    let tags = ticket.tags.join(", ");
    let assignee_email = ticket.assignee_email.clone().unwrap_or_default();
    let me_option = (ws.desk.me.email.clone(), ws.desk.me.name.clone());
    let current_assignee = ticket
        .assignee_email
        .clone()
        .map(|e| (e.clone(), ticket.assignee_name.clone().unwrap_or(e)));
    // Admins turn a resolved ticket's question and reply into a knowledge-base entry.
    let to_answer = ws
        .desk
        .me
        .is_admin()
        .then(|| kb_draft::from_case(&case))
        .flatten()
        .map(|handoff| {
            let ws = ws.clone();
            view! {
                <button type="button" class="wb-quiet" data-testid="case-to-answer" on:click=move |_| {
                    kb_draft::hand_over(handoff.clone());
                    ws.go(Page::Admin(AdminPage::Kb));
                }>{t().to_answer}</button>
            }
        });

    view! {
        <header class="wb-case-head">
            <div class="wb-case-title">
                <h1 data-testid="case-subject">{ticket.subject.clone()}</h1>
                <span class="wb-muted">{ticket.id.clone()}" · "{ticket.site.clone()}
                    {ticket.group.clone().map(|g| view! { " · group "<strong data-testid="case-group">{g}</strong> })}
                </span>
            </div>
            <div class="wb-actions">
                <label>{t().status}
                    <select data-testid="status" on:change=move |ev| act_status(CaseAction::Update(ChangeRequest { status: event_target_value(&ev).parse().ok(), ..Default::default() }))>
                        {select(Status::ALL.iter().map(|s| s.as_str()).collect(), ticket.status.as_str())}
                    </select>
                </label>
                <label>{t().priority}
                    <select data-testid="priority" on:change=move |ev| act_priority(CaseAction::Update(ChangeRequest { priority: event_target_value(&ev).parse().ok(), ..Default::default() }))>
                        {select(Priority::ALL.iter().map(|p| p.as_str()).collect(), ticket.priority.as_str())}
                    </select>
                </label>
                <label>{t().case_type}
                    <select data-testid="type" on:change=move |ev| act_type(CaseAction::Update(ChangeRequest { ticket_type: event_target_value(&ev).parse().ok(), ..Default::default() }))>
                        {select(TicketType::ALL.iter().map(|t| t.as_str()).collect(), ticket.ticket_type.as_str())}
                    </select>
                </label>
                <label>{t().assignee}
                    <select data-testid="assignee" on:change=move |ev| {
                        let email = event_target_value(&ev);
                        act_assign(CaseAction::Assign(Some(email).filter(|e| !e.is_empty())));
                    }>
                        <option value="" selected=assignee_email.is_empty()>{t().unassigned}</option>
                        {move || assignable(&agents.get(), &me_option, &current_assignee).into_iter().map(|(email, name)| {
                            let selected = email == assignee_email;
                            view! { <option value=email selected=selected>{name}</option> }
                        }).collect_view()}
                    </select>
                </label>
                {(!mine).then(|| view! {
                    <button type="button" data-testid="claim" on:click=move |_| act_claim(CaseAction::Claim)>{t().claim}</button>
                })}
                <button type="button" data-testid="transfer" on:click=move |_| transferring.set(true)>{t().transfer}</button>
                {to_answer}
            </div>
            <label class="wb-tags">{t().tags}
                <input type="text" data-testid="tags" value=tags placeholder="comma, separated"
                    on:change=move |ev| act_tags(CaseAction::Update(ChangeRequest { tags: Some(split_tags(&event_target_value(&ev))), ..Default::default() })) />
            </label>
            {case.rating.clone().map(|r| view! {
                <p class="wb-rating" data-testid="rating">{t().rated}<strong>{r.score}" / 5"</strong>
                    {r.comment.map(|c| view! { ": "<q>{c}</q> })}</p>
            })}
            {move || error.get().map(|e| view! { <p class="wb-error" role="alert">{e}</p> })}
            <Show when=move || transferring.get()>
                <TransferForm ticket=ticket.id.clone() current=ticket.group.clone() groups=groups open=transferring on_done=on_transferred />
            </Show>
        </header>
    }
}

enum CaseAction {
    Claim,
    /// To the agent with this email, or to nobody.
    Assign(Option<String>),
    Update(ChangeRequest),
}

fn split_tags(text: &str) -> Vec<String> {
    let mut tags: Vec<String> = text
        .split([',', '，'])
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    tags.sort();
    tags.dedup();
    tags
}

/// Transfer to another skill group's queue, to an agent, or to an agent of a group. The note is
/// required: the receiving agent reads it first.
#[component]
fn TransferForm(
    ticket: String,
    current: Option<String>,
    groups: RwSignal<Vec<Group>>,
    open: RwSignal<bool>,
    on_done: Callback<TicketSummary>,
) -> impl IntoView {
    let ws = workspace();
    let group = RwSignal::new(String::new());
    let agent = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let me = ws.desk.me.email.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let transfer = match transfer_from_form(
            &group.get_untracked(),
            &agent.get_untracked(),
            &note.get_untracked(),
        ) {
            Ok(t) => t,
            Err(reason) => {
                error.set(Some(
                    match reason {
                        TransferFormError::NoTarget => t().transfer_no_target,
                        TransferFormError::NoNote => t().transfer_no_note,
                    }
                    .into(),
                ));
                return;
            }
        };
        busy.set(true);
        let (ws, ticket) = (ws.clone(), ticket.clone());
        leptos::task::spawn_local(async move {
            match ws.desk.transfer(&ticket, &transfer).await {
                Ok(now) => {
                    open.set(false);
                    on_done.run(now);
                }
                Err(err) => error.set(Some(ws.failed(err))),
            }
            busy.set(false);
        });
    };
    // Agents of the chosen group, or of every group: whom the case can go to directly.
    let candidates = move || transfer_candidates(&groups.get(), &group.get(), &me);
    view! {
        <form class="wb-transfer" data-testid="transfer-form" novalidate on:submit=submit>
            <h2>{t().transfer_heading}</h2>
            <label>{t().group}
                <select data-testid="transfer-group" on:change=move |ev| group.set(event_target_value(&ev))>
                    <option value="">"—"</option>
                    {move || groups.get().into_iter().filter(|g| Some(&g.id) != current.as_ref()).map(|g| {
                        view! { <option value=g.id.clone()>{g.name.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>{t().transfer_agent}
                <select data-testid="transfer-agent" on:change=move |ev| agent.set(event_target_value(&ev))>
                    <option value="">{t().transfer_queue}</option>
                    {move || candidates().into_iter().map(|email| {
                        view! { <option value=email.clone()>{email.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>{t().transfer_note}
                <textarea data-testid="transfer-note" required rows="3" maxlength="2000"
                    prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
            </label>
            {move || error.get().map(|e| view! { <p class="wb-error" role="alert">{e}</p> })}
            <div class="wb-row">
                <button type="button" class="wb-quiet" on:click=move |_| open.set(false)>{t().cancel}</button>
                <button type="submit" class="wb-primary" data-testid="transfer-submit" disabled=move || busy.get()>{t().transfer_submit}</button>
            </div>
        </form>
    }
}

/// The agents a case can be transferred to: the chosen group's members, or everyone in any
/// group when none is chosen; never the agent transferring; sorted, no duplicates.
fn transfer_candidates(groups: &[Group], chosen: &str, me: &str) -> Vec<String> {
    let mut emails: Vec<String> = groups
        .iter()
        .filter(|g| chosen.is_empty() || g.id == chosen)
        .flat_map(|g| g.members.iter().cloned())
        .filter(|e| e != me)
        .collect();
    emails.sort();
    emails.dedup();
    emails
}

fn known_groups(mine: &[String], agents: &[Agent]) -> Vec<Group> {
    let mut ids: Vec<&String> = mine
        .iter()
        .chain(agents.iter().flat_map(|a| &a.groups))
        .collect();
    ids.sort();
    ids.dedup();
    ids.into_iter()
        .map(|id| Group {
            id: id.clone(),
            name: id.clone(),
            members: Vec::new(),
        })
        .collect()
}

/// Who a case can be assigned to: the agents the server listed (admins get the list), else at
/// least the signed-in agent and the current assignee; `(email, name)`, no duplicates.
fn assignable(
    agents: &[Agent],
    me: &(String, String),
    current: &Option<(String, String)>,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = agents
        .iter()
        .map(|a| (a.email.clone(), a.name.clone()))
        .collect();
    for extra in [Some(me.clone()), current.clone()].into_iter().flatten() {
        if !out.iter().any(|(email, _)| *email == extra.0) {
            out.push(extra);
        }
    }
    out
}

/// The latest transfer's note, on top, for the agent who received the case.
#[component]
fn TransferBanner(case: Case) -> impl IntoView {
    case.transfer_note().cloned().map(|event| {
        let from = event.agent_email.clone().unwrap_or_else(|| t().a_colleague.into());
        let to = event.new_value.clone().unwrap_or_default();
        view! {
            <div class="wb-transfer-note" data-testid="transfer-note-banner" role="note">
                <strong>{from}{t().transferred_by}{(!to.is_empty()).then(|| format!(" to {to}"))}":"</strong>
                <p>{event.note.clone().unwrap_or_default()}</p>
            </div>
        }
    })
}

#[component]
fn SummaryBlock(case: Case) -> impl IntoView {
    let knowledge = workspace().knowledge;
    view! {
        <p class="wb-summary" data-testid="summary">
            {move || Summary::of(&case, knowledge.with(Knowledge::engine).as_deref()).paragraph()}
        </p>
    }
}

/// The conversation: first what happened with the bot before escalation, then the people.
#[component]
fn Thread(case: Case) -> impl IntoView {
    let escalated_at = case.ticket.created_at;
    let (before, after): (Vec<Message>, Vec<Message>) =
        case.messages.iter().cloned().partition(|m| {
            m.created_at <= escalated_at && !m.internal && m.author != Author::Agent
        });
    view! {
        <div class="wb-thread" data-testid="thread">
            {(!before.is_empty()).then(|| view! {
                <section class="wb-bot-transcript" data-testid="bot-transcript" aria-label=t().with_assistant>
                    <h2>{t().with_assistant}</h2>
                    {before.into_iter().map(|m| view! { <MessageView message=m /> }).collect_view()}
                </section>
            })}
            <section class="wb-human" aria-label=t().with_team>
                {after.into_iter().map(|m| view! { <MessageView message=m /> }).collect_view()}
            </section>
        </div>
    }
}

#[component]
fn MessageView(message: Message) -> impl IntoView {
    let (class, who) = match (message.author, message.internal) {
        (_, true) => (
            "wb-msg wb-note",
            format!(
                "{}{}",
                t().internal_note_by,
                message.author_name.clone().unwrap_or_default()
            ),
        ),
        (Author::Visitor, _) => ("wb-msg wb-from-visitor", t().visitor.to_owned()),
        // The bot runs in the visitor's browser: its turns are what that browser sent, and
        // anyone can send anything. Say so, so no agent takes a forged "bot" promise as ours.
        (Author::Bot, _) => (
            "wb-msg wb-from-bot",
            format!("{} · {}", t().bot, t().visitor_supplied),
        ),
        (Author::Agent, _) => (
            "wb-msg wb-from-agent",
            message
                .author_name
                .clone()
                .unwrap_or_else(|| t().agent.into()),
        ),
        (Author::System, _) => ("wb-msg wb-system", t().system.to_owned()),
    };
    let testid = match (message.author, message.internal) {
        (_, true) => "note",
        (Author::Bot, _) => "bot-message",
        (Author::Visitor, _) => "visitor-message",
        (Author::Agent, _) => "agent-message",
        (Author::System, _) => "system-message",
    };
    let body = match (&message.body_html, message.author) {
        // The server sanitized agents' Markdown into this HTML.
        (Some(html), Author::Agent) => {
            view! { <div class="wb-body" inner_html=html.clone()></div> }.into_any()
        }
        (_, Author::Bot) => {
            let mut lines = message.body_text.splitn(2, '\n');
            let title = lines.next().unwrap_or_default().to_owned();
            let rest = lines.next().unwrap_or_default().to_owned();
            view! { <div class="wb-body"><strong>{title}</strong><p>{rest}</p></div> }.into_any()
        }
        _ => view! { <div class="wb-body wb-plain">{message.body_text.clone()}</div> }.into_any(),
    };
    let supplied = (message.author == Author::Bot).then_some("true");
    view! {
        <article class=class data-testid=testid data-visitor-supplied=supplied>
            <header><span>{who}</span><time>{clock::time_of_day(message.created_at)}</time></header>
            {body}
        </article>
    }
}

/// Who the visitor is: name, email, verification, attributes, tags, earlier tickets.
#[component]
fn ContactPanel(case: Case, on_merged: Callback<()>) -> impl IntoView {
    if !case.knows_visitor() {
        return view! {
            <section class="wb-panel" data-testid="contact"><h2>{t().contact}</h2><p class="wb-muted">{t().anonymous}</p></section>
        }
        .into_any();
    };
    let current = case.ticket.id.clone();
    // Earlier tickets come with the full contact record only.
    let record = case.contact.clone();
    let has_record = record.is_some();
    let verified = record.as_ref().map(|r| r.contact.verified);
    let (name, email) = (
        case.visitor_name().map(str::to_owned),
        case.visitor_email().map(str::to_owned),
    );
    let previous: Vec<_> = record
        .iter()
        .flat_map(|r| &r.tickets)
        .filter(|t| t.id != current)
        .cloned()
        .collect();
    view! {
        <section class="wb-panel" data-testid="contact">
            <h2>{t().contact}</h2>
            <p class="wb-contact-name">
                <strong>{name.unwrap_or_else(|| t().no_name.into())}</strong>
                {match verified {
                    Some(true) => Some(view! { <span class="wb-badge wb-verified" data-testid="verified" title={t().verified_hint}>{t().verified}</span> }.into_any()),
                    Some(false) => Some(view! { <span class="wb-badge" title={t().unverified_hint}>{t().unverified}</span> }.into_any()),
                    None => None,
                }}
            </p>
            {email.map(|e| view! { <p><a href=format!("mailto:{e}")>{e.clone()}</a></p> })}
            {record.as_ref().filter(|r| !r.contact.attributes.is_empty()).map(|record| view! {
                <dl class="wb-attributes">
                    {record.contact.attributes.iter().map(|(k, v)| {
                        let value = v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string());
                        view! { <dt>{k.clone()}</dt><dd>{value}</dd> }
                    }).collect_view()}
                </dl>
            })}
            {record.as_ref().filter(|r| !r.contact.tags.is_empty()).map(|record| view! {
                <p>{record.contact.tags.iter().map(|t| view! { <span class="wb-badge">{t.clone()}</span> }).collect_view()}</p>
            })}
            {has_record.then(|| view! { <h3>{t().previous_tickets}</h3> })}
            {if !has_record {
                ().into_any()
            } else if previous.is_empty() {
                view! { <p class="wb-muted">{t().none}</p> }.into_any()
            } else {
                view! {
                    <ul class="wb-previous" data-testid="previous-tickets">
                        {previous.into_iter().map(|t| {
                            let live = is_live(&t);
                            let (duplicate, into) = (t.id.clone(), current.clone());
                            view! {
                                <li data-testid="previous-ticket" data-ticket=t.id.clone()>
                                    <a href=format!("/agent/tickets/{}", t.id)>{t.id.clone()}</a>" "{t.subject.clone()}" · "{t.status.as_str()}
                                    {live.then(|| view! { <MergeButton duplicate=duplicate into=into on_merged=on_merged /> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
    .into_any()
}

/// Merges a duplicate of the same contact into the open case: the duplicate is closed and its
/// conversation copied here, so the visitor gets one answer.
#[component]
fn MergeButton(duplicate: String, into: String, on_merged: Callback<()>) -> impl IntoView {
    let ws = workspace();
    let error = RwSignal::new(None::<String>);
    let title = format!("Close {duplicate} as a duplicate and copy its messages into {into}");
    let merge = move |_| {
        let (ws, duplicate, into) = (ws.clone(), duplicate.clone(), into.clone());
        leptos::task::spawn_local(async move {
            match ws.desk.merge(&duplicate, &into).await {
                Ok(()) => on_merged.run(()),
                Err(err) => error.set(Some(ws.failed(err))),
            }
        });
    };
    view! {
        " "
        <button type="button" class="wb-quiet" data-testid="merge" title=title on:click=merge>{t().merge_here}</button>
        {move || error.get().map(|e| view! { <span class="wb-error" role="alert">{e}</span> })}
    }
}

/// What the bot decided at escalation, the entries it weighed, and the page the visitor was on.
#[component]
fn BotPanel(case: Case) -> impl IntoView {
    let knowledge = workspace().knowledge;
    let escalation = case.escalation.clone();
    let candidates = escalation
        .as_ref()
        .map(|e| e.candidates())
        .unwrap_or_default();
    let decision = escalation.as_ref().and_then(|e| e.bot_decision.clone());
    let page_url = escalation.as_ref().and_then(|e| e.page_url.clone());
    let locale = escalation.and_then(|e| e.locale);
    view! {
        <section class="wb-panel" data-testid="bot-context">
            <h2>{t().bot_knew}</h2>
            <dl class="wb-attributes">
                <dt>{t().decision}</dt><dd>{decision.unwrap_or_else(|| "—".into())}</dd>
                <dt>{t().page}</dt>
                <dd data-testid="page-url">{match page_url {
                    Some(url) if is_web_url(&url) => view! { <a href=url.clone() target="_blank" rel="noopener noreferrer">{url.clone()}</a> }.into_any(),
                    // Stored before the server checked the scheme: shown, never followed.
                    Some(url) => view! { <span class="wb-plain">{url}</span> }.into_any(),
                    None => view! { "—" }.into_any(),
                }}</dd>
                <dt>{t().language}</dt><dd>{locale.clone().unwrap_or_else(|| "—".into())}</dd>
            </dl>
            {(!candidates.is_empty()).then(|| view! {
                <h3>{t().candidates}</h3>
                <ol class="wb-candidates" data-testid="bot-candidates">
                    {candidates.into_iter().map(|c| {
                        let id = c.id.clone();
                        let locale = locale.clone();
                        let question = move || knowledge.with(|k| k.engine().and_then(|e| entry_in(&e, &id, locale.as_deref()).map(|e| e.question.clone())));
                        let fallback = c.id.clone();
                        view! {
                            <li data-testid="bot-candidate">
                                <span>{move || question().unwrap_or_else(|| fallback.clone())}</span>
                                <span class="wb-confidence">{format!("{:.0} %", c.score * 100.0)}</span>
                            </li>
                        }
                    }).collect_view()}
                </ol>
            })}
        </section>
    }
}

/// Whether `url` may be a link an agent follows: `http://` or `https://` only. The server
/// refuses other schemes now, but a page URL stored before it did (`javascript:…`) must not
/// become a link that runs in the agent's session.
fn is_web_url(url: &str) -> bool {
    let url = url.trim_start();
    ["http://", "https://"].iter().any(|scheme| {
        url.get(..scheme.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(scheme))
    }) && !url.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::{is_web_url, split_tags, transfer_candidates, Group};

    #[test]
    fn only_http_and_https_page_urls_are_links() {
        assert!(is_web_url("https://shop.example/cart"));
        assert!(is_web_url("HTTP://shop.example/"));
        for url in [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:x",
            "//evil.example",
            "https\t://x",
            "http:/\nx",
        ] {
            assert!(!is_web_url(url), "{url}");
        }
    }

    #[test]
    fn transfer_candidates_are_the_groups_members_but_me() {
        let group = |id: &str, members: &[&str]| Group {
            id: id.into(),
            name: id.into(),
            members: members.iter().map(|m| m.to_string()).collect(),
        };
        let groups = [
            group("general", &["me@x", "a@x"]),
            group("billing", &["b@x", "a@x"]),
        ];
        assert_eq!(
            transfer_candidates(&groups, "billing", "me@x"),
            ["a@x", "b@x"]
        );
        assert_eq!(transfer_candidates(&groups, "", "me@x"), ["a@x", "b@x"]);
        assert_eq!(transfer_candidates(&groups, "general", "me@x"), ["a@x"]);
    }

    #[test]
    fn tags_are_trimmed_lowercased_and_unique() {
        assert_eq!(split_tags(" VIP, refund，refund ,, "), ["refund", "vip"]);
    }
}
