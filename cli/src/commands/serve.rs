//! `answerdesk serve`: the web app, the snapshot and the REST endpoint in one process.

mod config;
mod visitor;

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};

pub use config::Args;

pub fn run(args: Args) -> Result<ExitCode> {
    init_tracing();
    let settings = args.resolve()?;
    if !settings.dist.join("index.html").is_file() {
        tracing::warn!(dist = %settings.dist.display(), "no index.html in the dist folder: build the app with `cargo xtask dist`");
    }
    if !settings.snapshot.is_file() {
        tracing::warn!(snapshot = %settings.snapshot.display(), "no snapshot: build one with `answerdesk kb build`");
    }
    let config = settings.server;
    super::runtime()?.block_on(async move {
        let server = server::Server::bind(config)
            .await
            .context("cannot start the server")?;
        let addr = server.local_addr();
        let mut out = std::io::stdout();
        if let Some(admin) = server.first_admin() {
            super::first_admin(&mut out, admin)?;
        }
        writeln!(out, "Answerdesk is listening on http://{addr}")?;
        server.serve(shutdown_signal()).await
    })?;
    Ok(ExitCode::SUCCESS)
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
