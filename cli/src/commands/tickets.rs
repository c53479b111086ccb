//! `answerdesk tickets list`.

use std::process::ExitCode;

use anyhow::{Context, Result};
use server::store::{Store, TicketFilter};

#[derive(clap::Subcommand)]
pub enum Command {
    /// List tickets, newest first.
    List {
        #[arg(long, env = "DATABASE_URL", default_value = super::DEFAULT_DATABASE_URL)]
        database_url: String,
        /// Only tickets with this status (open, pending, resolved, closed).
        #[arg(long)]
        status: Option<String>,
        /// Print JSON lines instead of a table.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(command: Command) -> Result<ExitCode> {
    let Command::List { database_url, status, json } = command;
    let status = status
        .map(|s| s.parse().map_err(|e| anyhow::anyhow!("--status: {e}")))
        .transpose()?;
    let tickets = super::runtime()?.block_on(async {
        let store = Store::connect(&database_url)
            .await
            .with_context(|| format!("cannot open the database {database_url}"))?;
        store
            .list_tickets(&TicketFilter { status, ..Default::default() })
            .await
            .context("cannot list tickets")
    })?;
    if json {
        for t in &tickets {
            println!("{}", serde_json::to_string(t)?);
        }
        return Ok(ExitCode::SUCCESS);
    }
    if tickets.is_empty() {
        println!("no tickets");
        return Ok(ExitCode::SUCCESS);
    }
    println!("{:<12} {:<9} {:<8} {:<8} {:<6} {:<20} SUBJECT", "ID", "STATUS", "PRIORITY", "SITE", "MSGS", "CREATED");
    for t in &tickets {
        println!(
            "{:<12} {:<9} {:<8} {:<8} {:<6} {:<20} {}",
            t.id,
            t.status.as_str(),
            t.priority.as_str(),
            t.site,
            t.message_count,
            t.created_at_display(),
            t.subject
        );
    }
    Ok(ExitCode::SUCCESS)
}
