//! `answerdesk events list`: the anonymous conversation events as stored, so a site owner can see
//! for themselves what the widget reports (and nothing more).

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use server::store::Store;

#[derive(clap::Subcommand)]
pub enum Command {
    /// List the newest conversation events, oldest of them first.
    List {
        #[arg(long, env = "DATABASE_URL", default_value = super::DEFAULT_DATABASE_URL)]
        database_url: String,
        /// How many events, at most.
        #[arg(long, default_value_t = 100)]
        limit: i64,
        /// Print JSON lines instead of a table.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(command: Command) -> Result<ExitCode> {
    let Command::List {
        database_url,
        limit,
        json,
    } = command;
    let events = super::runtime()?.block_on(async {
        let store = Store::connect(&database_url).await.with_context(|| {
            format!(
                "cannot open the database {}",
                crate::redact::database_url(&database_url)
            )
        })?;
        store
            .recent_conversation_events(limit.max(0))
            .await
            .context("cannot list conversation events")
    })?;
    let mut out = std::io::stdout().lock();
    if json {
        for event in &events {
            writeln!(out, "{}", serde_json::to_string(event)?)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if events.is_empty() {
        writeln!(out, "no conversation events")?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "{:<8} {:<12} {:<10} {:<24} TEXT",
        "SITE", "CONVERSATION", "TYPE", "ENTRY / REASON"
    )?;
    for e in &events {
        let what = e
            .entry_id
            .as_deref()
            .or(e.reason.as_deref())
            .or(e.choices.as_deref())
            .unwrap_or("-");
        let conversation: String = e.conversation.chars().take(12).collect();
        writeln!(
            out,
            "{:<8} {:<12} {:<10} {:<24} {}",
            e.site,
            conversation,
            e.kind,
            what,
            e.text.as_deref().unwrap_or("")
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
