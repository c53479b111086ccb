//! `answerdesk serve` settings from three places: flags, then environment variables (both through
//! clap), then an optional TOML file (`--config answerdesk.toml`), then the defaults.
//!
//! Every setting has the same name everywhere: `--max-message-chars`, `ANSWERDESK_MAX_MESSAGE_CHARS`,
//! `max_message_chars = …` (the database URL's variable is the usual `DATABASE_URL`). The file's
//! keys are checked: a misspelt one is an error naming the file, the line and the key, not a
//! setting silently ignored. `answerdesk.example.toml` at the repository root lists them all.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{ensure, Context, Result};
use serde::Deserialize;

/// The settings of `answerdesk serve`. Flags win over environment variables, which win over the
/// file, which wins over the defaults.
#[derive(clap::Args, Debug, Default)]
pub struct Args {
    /// A TOML file of settings (see answerdesk.example.toml); flags and environment win over it.
    #[arg(long, env = "ANSWERDESK_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "ANSWERDESK_ADDR")]
    pub addr: Option<SocketAddr>,
    /// `sqlite://path` (created if missing) or `postgres://…` [default: sqlite://data/answerdesk.db].
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// The web app built by Trunk [default: dist].
    #[arg(long, env = "ANSWERDESK_DIST")]
    pub dist: Option<PathBuf>,
    /// The knowledge snapshot served to browsers at /kb.snapshot [default: data/demo.snapshot].
    #[arg(long, env = "ANSWERDESK_SNAPSHOT")]
    pub snapshot: Option<PathBuf>,
    /// The origin browsers reach this server at (https://help.example.com), when it is not
    /// http://ADDR, e.g. behind a reverse proxy.
    #[arg(long, env = "ANSWERDESK_PUBLIC_ORIGIN")]
    pub public_origin: Option<String>,
    /// Serve the agent workbench, the admin pages and the desk's API only on this origin
    /// (https://desk.example.com, a second host name pointing at this server), so no script on
    /// the visitors' origin can reach an agent's session [default: one origin for everything].
    #[arg(long, env = "ANSWERDESK_WORKBENCH_ORIGIN")]
    pub workbench_origin: Option<String>,
    /// Rate limits on visitor endpoints: `on` (default) or `off` for load tests on loopback.
    #[arg(long, env = "ANSWERDESK_RATE_LIMIT", value_parser = ["on", "off"])]
    pub rate_limit: Option<String>,
    /// Visitor requests per minute from one address [default: 120].
    #[arg(long, env = "ANSWERDESK_PER_IP_PER_MINUTE")]
    pub per_ip_per_minute: Option<u32>,
    /// Visitor requests one address may make at once after a quiet period [default: 60].
    #[arg(long, env = "ANSWERDESK_PER_IP_BURST")]
    pub per_ip_burst: Option<u32>,
    /// Escalations per minute for one site, from all addresses together [default: 600].
    #[arg(long, env = "ANSWERDESK_PER_SITE_PER_MINUTE")]
    pub per_site_per_minute: Option<u32>,
    /// Escalations one site may make at once after a quiet period [default: 300].
    #[arg(long, env = "ANSWERDESK_PER_SITE_BURST")]
    pub per_site_burst: Option<u32>,
    /// Seconds a request may take to start its response before it is answered 503 [default: 30].
    #[arg(long, env = "ANSWERDESK_REQUEST_TIMEOUT", value_name = "SECONDS")]
    pub request_timeout: Option<u64>,
    /// Largest request body, in bytes [default: 65536].
    #[arg(long, env = "ANSWERDESK_BODY_LIMIT", value_name = "BYTES")]
    pub body_limit: Option<usize>,
    /// Longest message a visitor or agent may write, in characters [default: 10000].
    #[arg(long, env = "ANSWERDESK_MAX_MESSAGE_CHARS", value_name = "CHARS")]
    pub max_message_chars: Option<usize>,
    /// Mark the session cookie Secure: `true` or `false` [default: when the public origin is https].
    #[arg(long, env = "ANSWERDESK_SECURE_COOKIES", value_name = "BOOL")]
    pub secure_cookies: Option<bool>,
    /// Lets remote Prometheus scrapers read /metrics with `Authorization: Bearer TOKEN`; without
    /// it only scrapers on this host may.
    #[arg(long, env = "ANSWERDESK_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,

    // Accounts, sessions, proxies and event streams.
    /// Serve /metrics without the token to loopback peers sending no proxy headers: `true` or
    /// `false` [default: false]. Only when no reverse proxy runs on this host.
    #[arg(long, env = "ANSWERDESK_METRICS_OPEN_ON_LOOPBACK", value_name = "BOOL")]
    pub metrics_open_on_loopback: Option<bool>,
    /// Reverse proxies whose X-Forwarded-For/Forwarded name the client for per-address limits,
    /// comma-separated addresses or CIDR blocks (127.0.0.1,10.0.0.0/8) [default: none].
    #[arg(
        long,
        env = "ANSWERDESK_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_name = "LIST"
    )]
    pub trusted_proxies: Option<Vec<String>>,
    /// Hours a sign-in lasts [default: 12].
    #[arg(long, env = "ANSWERDESK_SESSION_HOURS", value_name = "HOURS")]
    pub session_hours: Option<u64>,
    /// Password checks computed at once (about 19 MiB each) [default: 4].
    #[arg(
        long,
        env = "ANSWERDESK_PASSWORD_HASHING_CONCURRENCY",
        value_name = "N"
    )]
    pub password_hashing_concurrency: Option<usize>,
    /// Event streams one client address may keep open [default: 64].
    #[arg(long, env = "ANSWERDESK_SSE_PER_IP", value_name = "N")]
    pub sse_per_ip: Option<usize>,
    /// Event streams this instance keeps open in all [default: 10000].
    #[arg(long, env = "ANSWERDESK_SSE_TOTAL", value_name = "N")]
    pub sse_total: Option<usize>,
    /// Visitor caps and expiries (branch visitor-caps).
    #[command(flatten)]
    pub visitor: super::visitor::VisitorArgs,
}

/// The TOML file: the same settings, every one optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    addr: Option<SocketAddr>,
    database_url: Option<String>,
    dist: Option<PathBuf>,
    snapshot: Option<PathBuf>,
    public_origin: Option<String>,
    workbench_origin: Option<String>,
    request_timeout: Option<u64>,
    body_limit: Option<usize>,
    max_message_chars: Option<usize>,
    secure_cookies: Option<bool>,
    metrics_token: Option<String>,
    #[serde(default)]
    rate_limit: RateLimitFile,
    // Accounts, sessions, proxies and event streams.
    metrics_open_on_loopback: Option<bool>,
    trusted_proxies: Option<Vec<String>>,
    session_hours: Option<u64>,
    password_hashing_concurrency: Option<usize>,
    sse_per_ip: Option<usize>,
    sse_total: Option<usize>,
    /// Visitor caps and expiries (branch visitor-caps).
    #[serde(default)]
    visitor: super::visitor::VisitorFile,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RateLimitFile {
    enabled: Option<bool>,
    per_ip_per_minute: Option<u32>,
    per_ip_burst: Option<u32>,
    per_site_per_minute: Option<u32>,
    per_site_burst: Option<u32>,
}

/// What the server is started with, every layer applied.
#[derive(Debug)]
pub struct Settings {
    pub server: server::Config,
    pub dist: PathBuf,
    pub snapshot: PathBuf,
}

impl Args {
    /// Applies the file (when one is named) under these flags and environment variables.
    pub fn resolve(self) -> Result<Settings> {
        let file = match &self.config {
            Some(path) => read_file(path)?,
            None => File::default(),
        };
        let defaults = server::Config::default();
        let limits = server::RateLimits::default();
        let rate_limit = match self.rate_limit.as_deref() {
            Some(value) => value == "on",
            None => file.rate_limit.enabled.unwrap_or(true),
        };
        let quota =
            |per_minute: Option<u32>, burst: Option<u32>, default: server::Quota| server::Quota {
                per_minute: per_minute.unwrap_or(default.per_minute),
                burst: burst.unwrap_or(default.burst),
            };
        let file_limits = &file.rate_limit;
        let rate_limits = server::RateLimits {
            per_ip: quota(
                self.per_ip_per_minute.or(file_limits.per_ip_per_minute),
                self.per_ip_burst.or(file_limits.per_ip_burst),
                limits.per_ip,
            ),
            per_site_escalations: quota(
                self.per_site_per_minute.or(file_limits.per_site_per_minute),
                self.per_site_burst.or(file_limits.per_site_burst),
                limits.per_site_escalations,
            ),
        };
        for (name, value) in [
            ("per_ip_per_minute", rate_limits.per_ip.per_minute),
            ("per_ip_burst", rate_limits.per_ip.burst),
            (
                "per_site_per_minute",
                rate_limits.per_site_escalations.per_minute,
            ),
            ("per_site_burst", rate_limits.per_site_escalations.burst),
        ] {
            ensure!(value >= 1, "{name} must be at least 1");
        }
        let request_timeout = self
            .request_timeout
            .or(file.request_timeout)
            .map_or(defaults.request_timeout, Duration::from_secs);
        ensure!(
            !request_timeout.is_zero(),
            "request_timeout must be at least 1 second"
        );
        let body_limit = self
            .body_limit
            .or(file.body_limit)
            .unwrap_or(defaults.body_limit);
        ensure!(body_limit >= 1024, "body_limit must be at least 1024 bytes");
        let max_message_chars = self
            .max_message_chars
            .or(file.max_message_chars)
            .unwrap_or(defaults.max_message_chars);
        ensure!(
            max_message_chars >= 1,
            "max_message_chars must be at least 1"
        );
        let session_hours = self.session_hours.or(file.session_hours);
        ensure!(
            session_hours.is_none_or(|h| (1..=24 * 90).contains(&h)),
            "session_hours must be 1 to 2160"
        );
        let mut login_limits = server::LoginLimits::default();
        if let Some(n) = self
            .password_hashing_concurrency
            .or(file.password_hashing_concurrency)
        {
            ensure!(n >= 1, "password_hashing_concurrency must be at least 1");
            login_limits.hashing_concurrency = n;
        }
        let mut stream_limits = server::StreamLimits::default();
        if let Some(n) = self.sse_per_ip.or(file.sse_per_ip) {
            ensure!(n >= 1, "sse_per_ip must be at least 1");
            stream_limits.per_ip = n;
        }
        if let Some(n) = self.sse_total.or(file.sse_total) {
            ensure!(n >= 1, "sse_total must be at least 1");
            stream_limits.total = n;
        }
        let trusted_proxies = self
            .trusted_proxies
            .or(file.trusted_proxies)
            .unwrap_or_default();
        server::http::TrustedProxies::parse(&trusted_proxies).context("trusted_proxies")?;
        let dist = self
            .dist
            .or(file.dist)
            .unwrap_or_else(|| PathBuf::from("dist"));
        let snapshot = self
            .snapshot
            .or(file.snapshot)
            .unwrap_or_else(|| PathBuf::from("data/demo.snapshot"));
        Ok(Settings {
            server: server::Config {
                addr: self.addr.or(file.addr).unwrap_or(defaults.addr),
                database_url: self
                    .database_url
                    .or(file.database_url)
                    .unwrap_or_else(|| super::super::DEFAULT_DATABASE_URL.to_owned()),
                dist_dir: Some(dist.clone()),
                snapshot: Some(snapshot.clone()),
                public_origin: self.public_origin.or(file.public_origin),
                workbench_origin: self.workbench_origin.or(file.workbench_origin),
                rate_limit,
                rate_limits,
                request_timeout,
                body_limit,
                max_message_chars,
                secure_cookies: self.secure_cookies.or(file.secure_cookies),
                metrics_token: self.metrics_token.or(file.metrics_token),
                metrics_open_on_loopback: self
                    .metrics_open_on_loopback
                    .or(file.metrics_open_on_loopback)
                    .unwrap_or(false),
                trusted_proxies,
                login_limits,
                session_ttl: session_hours
                    .map_or(defaults.session_ttl, |h| Duration::from_secs(h * 60 * 60)),
                stream_limits,
                // Visitor caps and expiries (branch visitor-caps).
                visitor: self.visitor.resolve(file.visitor)?,
            },
            dist,
            snapshot,
        })
    }
}

fn read_file(path: &Path) -> Result<File> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the config file {}", path.display()))?;
    // toml's message names the line, the column and the key, with the line quoted.
    toml::from_str(&text).map_err(|err| anyhow::anyhow!("{}: {err}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    /// Parses flags as `serve` does, ignoring the machine's environment (CI sets `DATABASE_URL`).
    fn parse(args: &[&str]) -> Args {
        parse_with_env(args, &[])
    }

    /// Parses flags as `serve` does, reading only the environment variables named in `env`.
    fn parse_with_env(args: &[&str], env: &[&str]) -> Args {
        use clap::{CommandFactory, FromArgMatches};
        let command = Cli::command().mut_args(|arg| {
            let keep = arg
                .get_env()
                .and_then(|name| name.to_str())
                .is_some_and(|name| env.contains(&name));
            if keep {
                arg
            } else {
                arg.env(None::<&'static str>)
            }
        });
        let matches = command
            .try_get_matches_from(std::iter::once("serve").chain(args.iter().copied()))
            .unwrap();
        Cli::from_arg_matches(&matches).unwrap().args
    }

    fn file(text: &str) -> tempfile::NamedTempFile {
        let file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
        std::fs::write(file.path(), text).unwrap();
        file
    }

    #[test]
    fn defaults_without_a_file() {
        let settings = Args::default().resolve().unwrap();
        let defaults = server::Config::default();
        assert_eq!(settings.server.addr, defaults.addr);
        assert_eq!(settings.server.database_url, "sqlite://data/answerdesk.db");
        assert!(settings.server.rate_limit);
        assert_eq!(settings.server.rate_limits, server::RateLimits::default());
        assert_eq!(settings.server.body_limit, 64 * 1024);
        assert_eq!(settings.dist, PathBuf::from("dist"));
        assert_eq!(settings.server.secure_cookies, None);
    }

    #[test]
    fn flags_win_over_the_file_and_the_file_over_defaults() {
        let config = file(
            r#"
addr = "127.0.0.1:9000"
database_url = "postgres://db/answerdesk"
max_message_chars = 2000
secure_cookies = true
workbench_origin = "https://desk.example.com"

[rate_limit]
enabled = false
per_ip_per_minute = 30
per_site_burst = 5
"#,
        );
        let path = config.path().to_str().unwrap();
        let settings = parse(&[
            "--config",
            path,
            "--addr",
            "0.0.0.0:80",
            "--rate-limit",
            "on",
        ])
        .resolve()
        .unwrap();
        let server = settings.server;
        assert_eq!(server.addr, "0.0.0.0:80".parse().unwrap(), "flag");
        assert!(server.rate_limit, "flag");
        assert_eq!(server.database_url, "postgres://db/answerdesk", "file");
        assert_eq!(server.max_message_chars, 2000, "file");
        assert_eq!(server.secure_cookies, Some(true), "file");
        assert_eq!(
            server.workbench_origin.as_deref(),
            Some("https://desk.example.com"),
            "file"
        );
        assert_eq!(server.rate_limits.per_ip.per_minute, 30, "file");
        assert_eq!(server.rate_limits.per_ip.burst, 60, "default");
        assert_eq!(server.rate_limits.per_site_escalations.burst, 5, "file");
        assert_eq!(server.request_timeout, Duration::from_secs(30), "default");
    }

    #[test]
    fn environment_wins_over_the_file() {
        // Only this test uses this variable.
        std::env::set_var("ANSWERDESK_PER_SITE_PER_MINUTE", "42");
        let config = file("[rate_limit]\nper_site_per_minute = 7\n");
        let settings = parse_with_env(
            &["--config", config.path().to_str().unwrap()],
            &["ANSWERDESK_PER_SITE_PER_MINUTE"],
        )
        .resolve()
        .unwrap();
        std::env::remove_var("ANSWERDESK_PER_SITE_PER_MINUTE");
        assert_eq!(
            settings.server.rate_limits.per_site_escalations.per_minute,
            42
        );
    }

    #[test]
    fn a_bad_file_names_the_file_the_line_and_the_key() {
        let config = file("addr = \"127.0.0.1:9000\"\nmax_mesage_chars = 10\n");
        let err = parse(&["--config", config.path().to_str().unwrap()])
            .resolve()
            .unwrap_err()
            .to_string();
        assert!(err.contains(config.path().to_str().unwrap()), "{err}");
        assert!(err.contains("line 2"), "{err}");
        assert!(err.contains("max_mesage_chars"), "{err}");

        let config = file("body_limit = \"big\"\n");
        let err = parse(&["--config", config.path().to_str().unwrap()])
            .resolve()
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 1") && err.contains("body_limit"),
            "{err}"
        );

        let err = parse(&["--config", "/nonexistent/answerdesk.toml"])
            .resolve()
            .unwrap_err();
        assert!(format!("{err:#}").contains("/nonexistent/answerdesk.toml"));
    }

    #[test]
    fn the_example_file_is_valid_and_shows_the_defaults() {
        let example: File =
            toml::from_str(include_str!("../../../../answerdesk.example.toml")).unwrap();
        let defaults = server::Config::default();
        assert_eq!(example.addr, Some(defaults.addr));
        assert_eq!(example.body_limit, Some(defaults.body_limit));
        assert_eq!(example.max_message_chars, Some(defaults.max_message_chars));
        assert_eq!(
            example.request_timeout,
            Some(defaults.request_timeout.as_secs())
        );
        let limits = server::RateLimits::default();
        assert_eq!(example.rate_limit.enabled, Some(true));
        assert_eq!(example.rate_limit.per_ip_burst, Some(limits.per_ip.burst));
        assert_eq!(
            example.rate_limit.per_site_per_minute,
            Some(limits.per_site_escalations.per_minute)
        );
    }

    #[test]
    fn account_proxy_and_stream_settings_from_flags_and_file() {
        let config = file(
            "trusted_proxies = [\"10.0.0.0/8\"]\nmetrics_open_on_loopback = true\nsession_hours = 8\nsse_total = 500\n",
        );
        let path = config.path().to_str().unwrap();
        let settings = parse(&[
            "--config",
            path,
            "--trusted-proxies",
            "127.0.0.1,::1",
            "--sse-per-ip",
            "3",
        ])
        .resolve()
        .unwrap()
        .server;
        assert_eq!(settings.trusted_proxies, ["127.0.0.1", "::1"], "flag");
        assert!(settings.metrics_open_on_loopback, "file");
        assert_eq!(settings.session_ttl, Duration::from_secs(8 * 3600), "file");
        assert_eq!(settings.stream_limits.per_ip, 3, "flag");
        assert_eq!(settings.stream_limits.total, 500, "file");
        let defaults = Args::default().resolve().unwrap().server;
        assert!(
            !defaults.metrics_open_on_loopback,
            "metrics need the token by default"
        );
        assert!(defaults.trusted_proxies.is_empty());
        let err = parse(&["--trusted-proxies", "proxy.local"])
            .resolve()
            .unwrap_err();
        assert!(format!("{err:#}").contains("proxy.local"), "{err:#}");
    }

    #[test]
    fn refuses_limits_that_would_lock_everyone_out() {
        let err = parse(&["--per-ip-per-minute", "0"]).resolve().unwrap_err();
        assert!(err.to_string().contains("per_ip_per_minute"), "{err}");
        let err = parse(&["--body-limit", "10"]).resolve().unwrap_err();
        assert!(err.to_string().contains("body_limit"), "{err}");
    }
}
