//! The Answerdesk server: what must not be lost when a visitor escalates.
//!
//! Visitors get answers in the browser; only escalations reach this crate. It stores them as
//! tickets ([`store`], SQLite by default, PostgreSQL when one machine is not enough), serves the
//! REST API under `/api/v1`, the knowledge-base snapshot at `/kb.snapshot` and the built app.
//! The `answerdesk serve` command is a thin wrapper around [`Server`]:
//!
//! ```no_run
//! # async fn run() -> anyhow::Result<()> {
//! let config = server::Config {
//!     database_url: "sqlite://data/answerdesk.db?mode=rwc".into(),
//!     ..server::Config::default()
//! };
//! let server = server::Server::bind(config).await?;
//! if let Some(admin) = server.first_admin() {
//!     println!("first admin: {} / {}", admin.email, admin.password);
//! }
//! println!("listening on http://{}", server.local_addr());
//! server.serve(async { tokio::signal::ctrl_c().await.ok(); }).await
//! # }
//! ```

pub mod domain;
pub mod events;
pub mod http;
pub mod identity;
mod markdown;
pub mod origin;
mod secret;
mod server;
pub mod service;
pub mod store;

pub use http::{Backoff, LoginLimits, Quota, RateLimits, StreamLimits};
pub use server::{Config, Server};
pub use store::FirstAdmin;
