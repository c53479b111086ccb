//! One module per top-level command.

pub mod agent;
pub mod events;
pub mod kb;
pub mod openapi;
pub mod serve;
pub mod tickets;

/// The database the demo uses when none is given.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/answerdesk.db";

/// What a first start prints: the admin account it created, whose password exists nowhere else.
pub fn first_admin(
    out: &mut impl std::io::Write,
    admin: &server::FirstAdmin,
) -> std::io::Result<()> {
    writeln!(
        out,
        "First start: created the admin account (the password is shown only this once)."
    )?;
    writeln!(out, "  email:    {}", admin.email)?;
    writeln!(out, "  password: {}", admin.password)
}

/// A tokio runtime for the commands that talk to the database or serve HTTP.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}
