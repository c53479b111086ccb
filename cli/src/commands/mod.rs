//! One module per top-level command.

pub mod agent;
pub mod kb;
pub mod serve;
pub mod tickets;

/// The database the demo uses when none is given.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/answerdesk.db";

/// A tokio runtime for the commands that talk to the database or serve HTTP.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}
