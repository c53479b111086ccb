//! `answerdesk`: the one binary a site owner runs.
//!
//! Thin glue: argument parsing here, the work in `engine`, `server` and the
//! command modules.

mod commands;
mod eval;
mod redact;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "answerdesk",
    version,
    about = "Self-hostable customer-service assistant"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web app, the knowledge snapshot and the REST endpoint.
    // Boxed: its many settings would make every command as large as it is.
    Serve(Box<commands::serve::Args>),
    /// Compile, evaluate, query and lint knowledge bases.
    #[command(subcommand)]
    Kb(KbCommand),
    /// Look at tickets in the database.
    #[command(subcommand)]
    Tickets(commands::tickets::Command),
    /// Look at the anonymous conversation events the widgets reported.
    #[command(subcommand)]
    Events(commands::events::Command),
    /// Manage agents without the web UI (scripted installs, tests).
    #[command(subcommand)]
    Agent(commands::agent::Command),
    /// Print the REST API's OpenAPI 3.1 document (what `GET /api/openapi.json` serves).
    Openapi,
}

#[derive(Subcommand)]
enum KbCommand {
    /// Compile knowledge sources (a folder or a file) into a snapshot.
    Build {
        /// A folder of .yaml/.md/.jsonl/.csv sources, or one such file.
        source: PathBuf,
        /// Where to write the snapshot (and its brotli and gzip copies, OUTPUT.br and
        /// OUTPUT.gz, which the server sends to browsers that accept them).
        #[arg(short, long, default_value = "kb.snapshot")]
        output: PathBuf,
        /// Token table for the dense index (written by `cargo xtask distill`);
        /// default: the bundled all-MiniLM-L6-v2 (English) and multilingual-e5-small
        /// (Chinese) tables. The build keeps it only
        /// when it improves ranking on held-out phrasings.
        #[arg(long, conflicts_with = "no_dense")]
        table: Option<PathBuf>,
        /// Build a lexical-only snapshot.
        #[arg(long)]
        no_dense: bool,
    },
    /// Score a snapshot on a JSONL query set ({"query", "expected"}).
    Eval {
        snapshot: PathBuf,
        queries: PathBuf,
        /// Print one JSON object instead of a report.
        #[arg(long)]
        json: bool,
        /// Which evidence ranks: both fused (the product), or one half alone.
        #[arg(long, value_enum, default_value_t = commands::kb::RankerArg::Fused)]
        ranker: commands::kb::RankerArg,
        /// Also list every query whose visitor did not get the right answer directly.
        #[arg(long)]
        misses: bool,
    },
    /// Show the ranked candidates and the decision for one question.
    Query {
        snapshot: PathBuf,
        text: String,
        /// How many candidates to show.
        #[arg(short = 'k', long, default_value_t = 5)]
        top: usize,
    },
    /// Report duplicate or conflicting entries in knowledge sources.
    Lint { source: PathBuf },
    /// Store a knowledge folder as a site's knowledge base, replacing what it had, so it can be
    /// edited and published from the app. Checked like `kb build` first; nothing changes on error.
    Import {
        /// The folder, every file of which is kept byte for byte (hidden files excepted).
        dir: PathBuf,
        /// The site whose knowledge base it becomes.
        #[arg(long, default_value = server::store::DEMO_SITE)]
        site: String,
        #[arg(long, env = "DATABASE_URL", default_value = commands::DEFAULT_DATABASE_URL)]
        database_url: String,
    },
    /// Write a site's knowledge base out as its folder: `kb export` of a `kb import` gives the
    /// very same files.
    Export {
        /// The site whose knowledge base to write.
        #[arg(long, default_value = server::store::DEMO_SITE)]
        site: String,
        /// Where to write it: a new or empty folder, unless --replace.
        dir: PathBuf,
        /// Empty DIR first (hidden entries such as `.git` are kept), so files retired in the app
        /// disappear from it too.
        #[arg(long)]
        replace: bool,
        #[arg(long, env = "DATABASE_URL", default_value = commands::DEFAULT_DATABASE_URL)]
        database_url: String,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => commands::serve::run(*args),
        Command::Kb(KbCommand::Build {
            source,
            output,
            table,
            no_dense,
        }) => commands::kb::build(&source, &output, table.as_deref(), no_dense),
        Command::Kb(KbCommand::Eval {
            snapshot,
            queries,
            json,
            ranker,
            misses,
        }) => commands::kb::eval(&snapshot, &queries, json, ranker.into(), misses),
        Command::Kb(KbCommand::Query {
            snapshot,
            text,
            top,
        }) => commands::kb::query(&snapshot, &text, top),
        Command::Kb(KbCommand::Lint { source }) => commands::kb::lint(&source),
        Command::Kb(KbCommand::Import {
            dir,
            site,
            database_url,
        }) => commands::kb::import(&dir, &site, &database_url),
        Command::Kb(KbCommand::Export {
            site,
            dir,
            replace,
            database_url,
        }) => commands::kb::export(&site, &dir, replace, &database_url),
        Command::Tickets(command) => commands::tickets::run(command),
        Command::Events(command) => commands::events::run(command),
        Command::Agent(command) => commands::agent::run(command),
        Command::Openapi => commands::openapi::print(),
    };
    match result {
        Ok(code) => code,
        // `answerdesk kb query … | head`: the reader has all it wanted.
        Err(error) if is_broken_pipe(&error) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            // Database passwords never reach the terminal, whichever layer quoted the URL.
            eprintln!("error: {}", redact::secrets_in(&format!("{error:#}")));
            std::process::ExitCode::FAILURE
        }
    }
}

/// Whether the error comes from writing to a pipe whose reader has gone.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
