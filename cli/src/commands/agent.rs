//! `answerdesk agent add` and `answerdesk agent reset-password`: manage agents from scripts, and
//! regain the admin account when its one-time password is lost.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use server::domain::Role;
use server::store::Store;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Create an agent and print a one-time password. A database `serve` has not yet set up is
    /// set up first, as `serve` would: the `general` group, the demo site and the first admin,
    /// whose one-time password is printed too.
    Add {
        email: String,
        #[arg(long, default_value = "agent", value_parser = ["agent", "admin"])]
        role: String,
        /// Skill group(s) to join; the default group when none is given.
        #[arg(long)]
        group: Vec<String>,
        /// Display name; defaults to the part of the email before `@`.
        #[arg(long)]
        name: Option<String>,
        #[arg(long, env = "DATABASE_URL", default_value = super::DEFAULT_DATABASE_URL)]
        database_url: String,
    },
    /// Give an agent a new one-time password and end all its sessions (e.g. the bootstrap
    /// admin's, when the password printed at first start is lost or was seen by others).
    ResetPassword {
        email: String,
        #[arg(long, env = "DATABASE_URL", default_value = super::DEFAULT_DATABASE_URL)]
        database_url: String,
    },
}

pub fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Add {
            email,
            role,
            group,
            name,
            database_url,
        } => add(email, role, group, name, database_url),
        Command::ResetPassword {
            email,
            database_url,
        } => reset_password(email, database_url),
    }
}

/// Prints the new password once; only its hash is stored. A running server keeps no copy of the
/// old sessions: they are deleted, so its next check of each refuses it.
fn reset_password(email: String, database_url: String) -> Result<ExitCode> {
    let (agent, password) = super::runtime()?.block_on(async {
        let store = Store::connect(&database_url)
            .await
            .context("cannot open the database (check DATABASE_URL)")?;
        store
            .reset_password_by_email(&email)
            .await
            .with_context(|| format!("cannot reset the password of {email}"))
    })?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "new one-time password for {} ({})",
        agent.email,
        agent.role.as_str()
    )?;
    writeln!(out, "password: {password}")?;
    if agent.disabled {
        writeln!(
            out,
            "note: this agent is disabled and cannot sign in until an admin enables it"
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn add(
    email: String,
    role: String,
    group: Vec<String>,
    name: Option<String>,
    database_url: String,
) -> Result<ExitCode> {
    let role: Role = role.parse().map_err(|e| anyhow::anyhow!("--role: {e}"))?;
    let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or(&email).to_string());
    let (first_admin, password) = super::runtime()?.block_on(async {
        let store = Store::connect(&database_url).await.with_context(|| {
            format!(
                "cannot open the database {}",
                crate::redact::database_url(&database_url)
            )
        })?;
        // The agent joins `general` unless told otherwise: it must exist even before the
        // first `serve`, which would create it (and the demo site, and an admin) the same way.
        let first_admin = store
            .bootstrap(&[])
            .await
            .context("cannot bootstrap the database")?;
        let password = store
            .create_agent(&email, &name, role, &group)
            .await
            .context("cannot create the agent")?;
        anyhow::Ok((first_admin, password))
    })?;
    let mut out = std::io::stdout().lock();
    if let Some(admin) = &first_admin {
        super::first_admin(&mut out, admin)?;
    }
    writeln!(out, "created {} agent {email}", role.as_str())?;
    writeln!(out, "password: {password}")?;
    Ok(ExitCode::SUCCESS)
}
