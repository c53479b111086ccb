//! The agent workbench: sign in, the inbox of escalated cases, the case view with smart assist,
//! and (for admins) the admin pages.
//!
//! Built only into the `agent` binary (feature `workbench`), so visitors never download it.
//! Everything the server is asked goes through [`client::Desk`]; everything that changes live
//! comes from [`live::Live`]; suggestions come from the same [`engine::Engine`] and snapshot
//! that answer visitors.

mod assist;
mod case;
pub mod client;
mod clock;
mod composer;
pub mod i18n;
mod inbox;
mod live;
mod login;
pub mod model;
mod password;
mod route;
mod summary;
mod template;

use std::sync::Arc;

use engine::Engine;
use leptos::prelude::*;

use crate::i18n::Locale;
use client::{ApiError, Desk};
use i18n::t;
use live::{Live, Mode};
pub use route::{AdminPage, Page};

const TITLE: &str = "Answerdesk · Agent";

/// The knowledge snapshot, loaded once per page for smart assist and the KB search.
#[derive(Clone)]
pub enum Knowledge {
    Loading,
    Ready(Arc<Engine>),
    Failed(String),
}

impl Knowledge {
    pub fn engine(&self) -> Option<Arc<Engine>> {
        match self {
            Knowledge::Ready(engine) => Some(engine.clone()),
            _ => None,
        }
    }
}

#[derive(Clone, PartialEq)]
enum Session {
    Checking,
    SignedOut,
    SignedIn(Desk),
}

/// What every page of a signed-in workbench shares.
#[derive(Clone)]
pub struct Workspace {
    pub desk: Desk,
    pub page: RwSignal<Page>,
    pub live: Live,
    pub knowledge: RwSignal<Knowledge>,
    session: RwSignal<Session>,
}

impl Workspace {
    /// Shows `page`, adding a browser history entry.
    pub fn go(&self, page: Page) {
        if self.page.get_untracked() != page {
            page.push();
            self.page.set(page);
        }
    }

    /// A failed call's message; an ended session sends the agent back to the login form.
    pub fn failed(&self, err: ApiError) -> String {
        if err.is_unauthorized() {
            self.session.set(Session::SignedOut);
        }
        err.detail
    }
}

pub fn workspace() -> Workspace {
    expect_context::<Workspace>()
}

/// The whole workbench: the login form until a session exists, then the pages.
#[component]
pub fn Workbench() -> impl IntoView {
    let session = RwSignal::new(Session::Checking);
    if let Some(html) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = html.set_attribute("lang", i18n::locale().tag());
    }
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
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&match unread {
                0 => TITLE.to_owned(),
                n => format!("({n}) {TITLE}"),
            });
        }
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
    let other = match i18n::locale() {
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
                if let Some(w) = web_sys::window() {
                    let _ = w.location().assign("/agent");
                }
            });
        }
    };

    view! {
        <div class="wb">
            <header class="wb-top">
                <strong class="wb-brand">"Answerdesk"</strong>
                <nav aria-label="Workbench">
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
                <span class="wb-live" data-testid="live-status" title="Inbox updates">
                    {move || match live.mode.get() {
                        Mode::Connecting => t().connecting,
                        Mode::Streaming => t().live,
                        Mode::Polling => t().polling,
                    }}
                </span>
                <NotificationToggle />
                <AwayToggle available=me.available />
                <span class="wb-me" data-testid="me">{me.name.clone()}" · "{format!("{:?}", me.role).to_lowercase()}</span>
                <button type="button" class="wb-quiet" data-testid="change-password-toggle"
                    aria-expanded=move || changing_password.get().to_string()
                    on:click=move |_| changing_password.update(|open| *open = !*open)>{t().change_password}</button>
                <button type="button" class="wb-quiet" data-testid="logout" on:click=sign_out>{t().sign_out}</button>
                <button type="button" class="wb-quiet" data-testid="language-toggle" lang=other.tag()
                    on:click=move |_| i18n::switch_to(other)>{t().other_language}</button>
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
    let permission = RwSignal::new(web_sys::Notification::permission());
    let ask = move |_| {
        if let Ok(promise) = web_sys::Notification::request_permission() {
            leptos::task::spawn_local(async move {
                let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
                permission.set(web_sys::Notification::permission());
            });
        }
    };
    move || {
        (permission.get() == web_sys::NotificationPermission::Default).then(|| {
            view! { <button type="button" class="wb-quiet" on:click=ask>{t().notify_me}</button> }
        })
    }
}

/// A browser notification for a new case, only when the agent is looking elsewhere.
fn notify_new_case(ticket: &str) {
    let hidden = web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden());
    if !hidden || web_sys::Notification::permission() != web_sys::NotificationPermission::Granted {
        return;
    }
    let options = web_sys::NotificationOptions::new();
    options.set_body(&format!("{ticket} is waiting in the inbox."));
    options.set_tag("answerdesk-new-case");
    let _ = web_sys::Notification::new_with_options("New case", &options);
}
