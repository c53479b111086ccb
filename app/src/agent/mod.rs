//! The agent workbench: sign in, the inbox of escalated cases, the case view with smart assist,
//! and (for admins) the admin pages.
//!
//! Built only into the `agent` binary (feature `workbench`), so visitors never download it.
//! Everything the server is asked goes through [`client::Desk`]; everything that changes live
//! comes from [`live::Live`]; suggestions come from the same [`engine::Engine`] and snapshot
//! that answer visitors.

mod assist;
mod case;
pub(crate) mod clock;
mod composer;
mod i18n;
mod inbox;
mod login;
mod password;
mod summary;
mod template;

use std::sync::Arc;

use engine::Engine;
use leptos::prelude::*;

use crate::browser::desk as browser;
use crate::i18n::{fill, Locale};
use crate::workbench::client::{self, Desk};
use crate::workbench::i18n::{locale, switch_to};
use crate::workbench::live::{Live, Mode};
use crate::workbench::model::AgentExt as _;
use crate::workbench::{workspace, AdminPage, Knowledge, Page, Session, Workspace};
use i18n::t;

const TITLE: &str = "Answerdesk · Agent";

/// The whole workbench: the login form until a session exists, then the pages.
#[component]
pub fn Workbench() -> impl IntoView {
    let session = RwSignal::new(Session::Checking);
    browser::set_language(locale().tag());
    leptos::task::spawn_local(async move {
        session.set(match client::resume().await {
            Ok(desk) => Session::SignedIn(desk),
            Err(_) => Session::SignedOut,
        });
    });
    move || {
        match session.get() {
        Session::Checking => view! { <p class="wb-loading">{t().loading}</p> }.into_any(),
        Session::SignedOut => view! {
            <login::Login on_signed_in=Callback::new(move |desk| session.set(Session::SignedIn(desk))) />
        }
        .into_any(),
        Session::SignedIn(desk) => view! { <SignedIn desk=desk session=session /> }.into_any(),
    }
    }
}

#[component]
fn SignedIn(desk: Desk, session: RwSignal<Session>) -> impl IntoView {
    let page = RwSignal::new(Page::current());
    let _ = window_event_listener(leptos::ev::popstate, move |_| page.set(Page::current()));
    let live = Live::connect(&desk.events_url());
    let knowledge = RwSignal::new(Knowledge::Loading);
    leptos::task::spawn_local(async move {
        let loaded = match client::fetch_snapshot().await {
            Ok(bytes) => Engine::from_bytes(&bytes)
                .map(|e| Knowledge::Ready(Arc::new(e)))
                .unwrap_or_else(|e| Knowledge::Failed(e.to_string())),
            Err(e) => Knowledge::Failed(e.detail),
        };
        knowledge.set(loaded);
    });
    let ws = Workspace {
        desk: desk.clone(),
        page,
        live,
        knowledge,
        session,
    };
    provide_context(ws.clone());

    // The tab's title counts cases with unread news, so a background tab still says "look".
    Effect::new(move || {
        let unread = live.unread.with(|u| u.len());
        browser::set_title(&match unread {
            0 => TITLE.to_owned(),
            n => format!("({n}) {TITLE}"),
        });
    });
    Effect::new(move || {
        if let Some(event) = live.last.get() {
            if event.is_new_case() {
                notify_new_case(event.ticket.as_deref().unwrap_or_default());
            }
        }
    });

    // The inbox stays mounted while cases open and close beside it.
    let open_case = Memo::new(move |_| match page.get() {
        Page::Inbox { case } => case,
        Page::Admin(_) => None,
    });
    let section = Memo::new(move |_| match page.get() {
        Page::Inbox { .. } => None,
        Page::Admin(admin) => Some(admin),
    });
    let is_admin = desk.me.is_admin();
    let other = match locale() {
        Locale::En => Locale::ZhCn,
        Locale::ZhCn => Locale::En,
    };
    let me = desk.me.clone();
    let ws_nav = ws.clone();
    let ws_admin = ws.clone();
    let changing_password = RwSignal::new(false);
    let sign_out = {
        let desk = desk.clone();
        move |_| {
            let desk = desk.clone();
            leptos::task::spawn_local(async move {
                let _ = desk.logout().await;
                // A fresh page: nothing of the session stays in memory, the stream closes.
                browser::go_to("/agent");
            });
        }
    };

    view! {
        <div class="wb">
            <header class="wb-top">
                <strong class="wb-brand">"Answerdesk"</strong>
                <nav aria-label=t().workbench>
                    <a href="/agent" class:wb-current=move || matches!(page.get(), Page::Inbox { .. })
                        on:click=move |ev| { ev.prevent_default(); ws_nav.go(Page::Inbox { case: None }); }>
                        {t().inbox}
                    </a>
                    {is_admin.then(|| view! {
                        <a href="/admin" data-testid="admin-link" class:wb-current=move || matches!(page.get(), Page::Admin(_))
                            on:click=move |ev| { ev.prevent_default(); ws_admin.go(Page::Admin(AdminPage::Agents)); }>
                            {t().admin}
                        </a>
                    })}
                </nav>
                <span class="wb-live" data-testid="live-status" title=t().live_hint>
                    {move || match live.mode.get() {
                        Mode::Connecting => t().connecting,
                        Mode::Streaming => t().live,
                        Mode::Polling => t().polling,
                    }}
                </span>
                <NotificationToggle />
                <AwayToggle available=me.available />
                <span class="wb-me" data-testid="me">{me.name.clone()}" · "{me.role.as_str()}</span>
                <button type="button" class="wb-quiet" data-testid="change-password-toggle"
                    aria-expanded=move || changing_password.get().to_string()
                    on:click=move |_| changing_password.update(|open| *open = !*open)>{t().change_password}</button>
                <button type="button" class="wb-quiet" data-testid="logout" on:click=sign_out>{t().sign_out}</button>
                <button type="button" class="wb-quiet" data-testid="language-toggle" lang=other.tag()
                    on:click=move |_| switch_to(other)>{t().other_language}</button>
            </header>
            <password::ChangePassword open=changing_password />
            {move || match section.get() {
                None => view! {
                    <div class="wb-main">
                        <inbox::Inbox open=open_case />
                        {move || match open_case.get() {
                            Some(id) => view! { <case::CaseView id=id /> }.into_any(),
                            None => view! { <section class="wb-case wb-empty"><p>{t().pick_a_case}</p></section> }.into_any(),
                        }}
                    </div>
                }.into_any(),
                Some(admin) if is_admin => view! { <crate::admin::Admin page=admin /> }.into_any(),
                Some(_) => view! {
                    <section class="wb-empty" data-testid="admin-refused"><p>{t().admins_only}</p></section>
                }.into_any(),
            }}
        </div>
    }
}

/// Available or away: an away agent gets no cases from automatic assignment (the server's
/// `PATCH /api/v1/desk/me`), though colleagues may still hand them one.
#[component]
fn AwayToggle(available: bool) -> impl IntoView {
    let ws = workspace();
    let available = RwSignal::new(available);
    let error = RwSignal::new(None::<String>);
    let toggle = move |_| {
        let ws = ws.clone();
        let wanted = !available.get_untracked();
        leptos::task::spawn_local(async move {
            match ws.desk.set_available(wanted).await {
                Ok(agent) => {
                    available.set(agent.available);
                    error.set(None);
                }
                Err(err) => error.set(Some(ws.failed(err))),
            }
        });
    };
    view! {
        <button type="button" class="wb-quiet wb-availability" data-testid="away-toggle"
            class:wb-away=move || !available.get()
            aria-pressed=move || (!available.get()).to_string()
            title=move || error.get().unwrap_or_else(|| t().away_hint.into())
            on:click=toggle>
            {move || if available.get() { t().available } else { t().away }}
        </button>
    }
}

/// "Notify me": asks the browser for permission to show a notification when a case arrives.
#[component]
fn NotificationToggle() -> impl IntoView {
    let permission = RwSignal::new(browser::notification_permission());
    let ask = move |_| {
        leptos::task::spawn_local(async move {
            permission.set(browser::request_notification_permission().await);
        });
    };
    move || {
        (permission.get() == browser::Permission::Undecided).then(|| {
            view! { <button type="button" class="wb-quiet" on:click=ask>{t().notify_me}</button> }
        })
    }
}

/// A browser notification for a new case, only when the agent is looking elsewhere.
fn notify_new_case(ticket: &str) {
    if browser::page_hidden() && browser::notification_permission() == browser::Permission::Granted
    {
        browser::notify(
            t().new_case,
            &fill(t().new_case_waiting, &[("ticket", ticket)]),
            "answerdesk-new-case",
        );
    }
}
