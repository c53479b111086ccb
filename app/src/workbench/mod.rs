//! What the agent workbench and the admin pages share: the signed-in session ([`Workspace`]),
//! the REST client ([`client::Desk`]), the live stream ([`live::Live`]), the pages
//! ([`route::Page`]), the knowledge snapshot and the page's language.
//!
//! Both `agent` and `admin` build on this module and neither imports the other's internals:
//! the workbench shell in `agent` mounts the admin pages, and that is the only way between them.

pub mod client;
pub mod i18n;
pub mod kb_draft;
pub mod live;
pub mod model;
pub mod route;

use std::sync::Arc;

use engine::Engine;
use leptos::prelude::*;

use client::{ApiError, Desk};
use live::Live;
pub use route::{AdminPage, Page};

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

/// Whether this page has a signed-in agent.
#[derive(Clone, PartialEq)]
pub enum Session {
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
    pub session: RwSignal<Session>,
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
