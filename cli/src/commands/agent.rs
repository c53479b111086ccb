//! `answerdesk agent add`: create agents from scripts.

use std::process::ExitCode;

use anyhow::{Context, Result};
use server::domain::Role;
use server::store::Store;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Create an agent and print a one-time password.
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
}

pub fn run(command: Command) -> Result<ExitCode> {
    let Command::Add {
        email,
        role,
        group,
        name,
        database_url,
    } = command;
    let role: Role = role.parse().map_err(|e| anyhow::anyhow!("--role: {e}"))?;
    let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or(&email).to_string());
    let password = super::runtime()?.block_on(async {
        let store = Store::connect(&database_url).await.with_context(|| {
            format!(
                "cannot open the database {}",
                crate::redact::database_url(&database_url)
            )
        })?;
        store
            .create_agent(&email, &name, role, &group)
            .await
            .context("cannot create the agent")
    })?;
    println!("created {} agent {email}", role.as_str());
    println!("password: {password}");
    Ok(ExitCode::SUCCESS)
}
