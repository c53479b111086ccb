//! `answerdesk serve`: the web app, the snapshot and the REST endpoint in one process.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, env = "ANSWERDESK_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// `sqlite://path` (created if missing) or `postgres://…`.
    #[arg(long, env = "DATABASE_URL", default_value = super::DEFAULT_DATABASE_URL)]
    database_url: String,
    /// The web app built by Trunk.
    #[arg(long, env = "ANSWERDESK_DIST", default_value = "dist")]
    dist: PathBuf,
    /// The knowledge snapshot served to browsers at /kb.snapshot.
    #[arg(
        long,
        env = "ANSWERDESK_SNAPSHOT",
        default_value = "data/demo.snapshot"
    )]
    snapshot: PathBuf,
    /// Public rate limits on visitor endpoints: `on` (default) or `off` for load tests on loopback.
    #[arg(long, env = "ANSWERDESK_RATE_LIMIT", default_value = "on", value_parser = ["on", "off"])]
    rate_limit: String,
}

pub fn run(args: Args) -> Result<ExitCode> {
    init_tracing();
    if !args.dist.join("index.html").is_file() {
        tracing::warn!(dist = %args.dist.display(), "no index.html in the dist folder: build the app with `cargo xtask dist`");
    }
    if !args.snapshot.is_file() {
        tracing::warn!(snapshot = %args.snapshot.display(), "no snapshot: build one with `answerdesk kb build`");
    }
    let config = server::Config {
        addr: args.addr,
        database_url: args.database_url,
        dist_dir: Some(args.dist),
        snapshot: Some(args.snapshot),
        rate_limit: args.rate_limit == "on",
        ..Default::default()
    };
    super::runtime()?.block_on(async move {
        let server = server::Server::bind(config)
            .await
            .context("cannot start the server")?;
        let addr = server.local_addr();
        if let Some(admin) = server.first_admin() {
            println!(
                "First start: created the admin account (the password is shown only this once)."
            );
            println!("  email:    {}", admin.email);
            println!("  password: {}", admin.password);
        }
        println!("Answerdesk is listening on http://{addr}");
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
