//! The admin pages: agents and groups, canned responses, sites (allowed origins, identity
//! secret, embed snippet), the desk's settings (automatic assignment, capacity, SLA), the
//! reports, the questions visitors asked that the assistant could not answer, and each site's
//! knowledge base (entries, publishing, versions).
//!
//! Shown only to admins; the server refuses these calls for anyone else all the same, so hiding
//! them is a courtesy, not the protection.

mod agents;
mod canned;
mod config;
mod i18n;
mod kb;
mod reports;
mod sites;
mod unanswered;

use leptos::prelude::*;

use self::i18n::t;
use crate::workbench::{workspace, AdminPage, Page};

#[component]
pub fn Admin(page: AdminPage) -> impl IntoView {
    let ws = workspace();
    view! {
        <div class="wb-admin" data-testid="admin">
            <nav class="wb-admin-nav" aria-label=t().nav>
                {AdminPage::ALL.into_iter().map(|p| {
                    let ws = ws.clone();
                    view! {
                        <a href=Page::Admin(p).path() class:wb-current=page == p data-testid=format!("admin-nav-{}", p.slug())
                            on:click=move |ev| { ev.prevent_default(); ws.go(Page::Admin(p)); }>
                            {t().page_title(p)}
                        </a>
                    }
                }).collect_view()}
            </nav>
            <section class="wb-admin-page">
                <h1>{t().page_title(page)}</h1>
                {match page {
                    AdminPage::Agents => view! { <agents::Agents /> }.into_any(),
                    AdminPage::Groups => view! { <agents::Groups /> }.into_any(),
                    AdminPage::Canned => view! { <canned::Canned /> }.into_any(),
                    AdminPage::Sites => view! { <sites::Sites /> }.into_any(),
                    AdminPage::Config => view! { <config::Config /> }.into_any(),
                    AdminPage::Reports => view! { <reports::Reports /> }.into_any(),
                    AdminPage::Unanswered => view! { <unanswered::Unanswered /> }.into_any(),
                    AdminPage::Kb => view! { <kb::Kb /> }.into_any(),
                }}
            </section>
        </div>
    }
}

/// A list loaded from the server, or why it could not be.
#[derive(Debug, Clone, PartialEq)]
enum Loaded<T> {
    Loading,
    Ready(Vec<T>),
    Failed(String),
}

impl<T> Loaded<T> {
    fn items(&self) -> &[T] {
        match self {
            Loaded::Ready(items) => items,
            _ => &[],
        }
    }
}

/// The status line under a list: loading, or the failure.
fn status_line<T: Clone + Send + Sync + 'static>(loaded: RwSignal<Loaded<T>>) -> impl IntoView {
    move || match loaded.get() {
        Loaded::Loading => Some(view! { <p class="wb-muted">{t().loading}</p> }.into_any()),
        Loaded::Failed(reason) => {
            Some(view! { <p class="wb-error" role="alert">{reason}</p> }.into_any())
        }
        Loaded::Ready(_) => None,
    }
}
