//! The Answerdesk web app: the visitor's assistant, running the engine in the browser.
//!
//! Questions are answered here, by [`engine::Engine`] over the snapshot fetched once
//! from `/kb.snapshot`; only escalations go to the server, through [`api`].

pub mod api;
pub mod browser;
pub mod i18n;
pub mod json;
pub mod visitor;

// The agent workbench and admin pages: only the `agent` binary enables `workbench`.
#[cfg(feature = "workbench")]
pub mod admin;
#[cfg(feature = "workbench")]
pub mod agent;
#[cfg(feature = "workbench")]
pub mod workbench;
