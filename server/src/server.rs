//! Starting and stopping: configuration, bootstrap, binding, graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use tokio::net::TcpListener;

use crate::events::Hub;
use crate::http::{
    self, AppState, Limiter, LoginGuard, LoginLimits, Metrics, RateLimits, Shutdown, SiteDirectory,
    SnapshotFile, StreamCaps, StreamLimits, TrustedProxies,
};
use crate::origin::OriginPattern;
use crate::service::Desk;
use crate::store::{Backend, FirstAdmin, Store};

/// How to run a server.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen; port 0 picks a free port (see [`Server::local_addr`]).
    pub addr: SocketAddr,
    /// `sqlite://path?mode=rwc` or `postgres://…`.
    pub database_url: String,
    /// The built app (`dist/`) to serve; API only when `None`.
    pub dist_dir: Option<PathBuf>,
    /// The knowledge-base snapshot served at `/kb.snapshot`.
    pub snapshot: Option<PathBuf>,
    /// The origin browsers use to reach this server (`https://help.example.com`), when it is not
    /// `http://<addr>`; allowed to call the API for every site.
    pub public_origin: Option<String>,
    /// Per-IP and per-site limits on public endpoints; off only for load tests on loopback.
    pub rate_limit: bool,
    /// The numbers behind [`Config::rate_limit`].
    pub rate_limits: RateLimits,
    /// How long a request may take to start its response before it is answered `503`.
    pub request_timeout: Duration,
    /// Largest request body in bytes; larger ones are answered `413`.
    pub body_limit: usize,
    /// Longest message (escalation, visitor message, agent reply) in characters.
    pub max_message_chars: usize,
    /// Mark the session cookie `Secure`; by default, when the public origin is https. Set it when
    /// a TLS-terminating proxy forwards plain http to this server under another origin.
    pub secure_cookies: Option<bool>,
    /// Lets Prometheus scrapers read `/metrics` with `Authorization: Bearer TOKEN`.
    pub metrics_token: Option<String>,
    /// Serve `/metrics` without the token to loopback peers that send no proxy headers. Off by
    /// default: a reverse proxy on the same host connects from loopback too, and one that adds
    /// no `X-Forwarded-For` would make the metrics public.
    pub metrics_open_on_loopback: bool,
    /// Reverse proxies (addresses or CIDR blocks) whose `X-Forwarded-For`/`Forwarded` name the
    /// client for per-address limits; empty: the TCP peer is the client.
    pub trusted_proxies: Vec<String>,
    /// Failed sign-in throttling and the bound on concurrent password hashing.
    pub login_limits: LoginLimits,
    /// How long a session lasts before the agent must sign in again.
    pub session_ttl: Duration,
    /// Caps on open event streams and the agents' streams' re-check interval.
    pub stream_limits: StreamLimits,
    /// Visitor caps and expiries: ticket token lifetime, messages per ticket, HMAC identity age.
    pub visitor: http::VisitorPolicy,
    /// Serve `/agent`, `/admin` and the desk's API only on this origin
    /// (`https://desk.example.com`), and nothing else there; the visitor's origin then never
    /// serves them. `None`: one origin for everything.
    pub workbench_origin: Option<String>,
}

/// How often expired sessions are deleted.
const PURGE_SESSIONS_EVERY: Duration = Duration::from_secs(60 * 60);
/// How often the reports' roll-ups fold in new conversation events, so a report never has a
/// long backlog to read first.
const ROLL_UP_REPORTS_EVERY: Duration = Duration::from_secs(10);

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: "sqlite://data/answerdesk.db?mode=rwc".to_owned(),
            dist_dir: None,
            snapshot: None,
            public_origin: None,
            rate_limit: true,
            rate_limits: RateLimits::default(),
            request_timeout: http::REQUEST_TIMEOUT,
            body_limit: http::MAX_BODY_BYTES,
            max_message_chars: http::MAX_MESSAGE_CHARS,
            secure_cookies: None,
            metrics_token: None,
            metrics_open_on_loopback: false,
            trusted_proxies: Vec::new(),
            login_limits: LoginLimits::default(),
            session_ttl: Duration::from_millis(crate::store::SESSION_TTL_MS as u64),
            stream_limits: StreamLimits::default(),
            visitor: http::VisitorPolicy::default(),
            workbench_origin: None,
        }
    }
}

/// A server that has its database ready and its socket bound, but does not serve yet.
pub struct Server {
    listener: TcpListener,
    local_addr: SocketAddr,
    first_admin: Option<FirstAdmin>,
    store: Store,
    router: axum::Router,
    begin_shutdown: tokio::sync::watch::Sender<bool>,
}

impl Server {
    /// Connects to the database, migrates it, creates what a first start needs, and binds.
    pub async fn bind(config: Config) -> anyhow::Result<Server> {
        let public_origin = config
            .public_origin
            .as_deref()
            .map(str::parse::<OriginPattern>)
            .transpose()
            .context("invalid public origin")?;
        let proxies =
            TrustedProxies::parse(&config.trusted_proxies).context("invalid trusted_proxies")?;
        anyhow::ensure!(
            config.session_ttl >= Duration::from_secs(1),
            "the session lifetime must be at least a second"
        );
        let workbench_origin = config
            .workbench_origin
            .as_deref()
            .map(str::parse::<http::WorkbenchOrigin>)
            .transpose()?;
        let store = Store::connect(&config.database_url)
            .await
            .context("cannot open the database")?;
        let first_admin = store
            .bootstrap(public_origin.as_slice())
            .await
            .context("cannot bootstrap the database")?;
        let listener = TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("cannot listen on {}", config.addr))?;
        let local_addr = listener.local_addr()?;
        let own_origin = match public_origin {
            Some(origin) => Some(origin),
            None => format!("http://{local_addr}").parse().ok(),
        };
        if let Some(dir) = &config.dist_dir {
            anyhow::ensure!(
                dir.join("index.html").is_file(),
                "{} has no index.html; build the app first",
                dir.display()
            );
        }
        if let (Some(workbench), Some(own)) = (&workbench_origin, &own_origin) {
            anyhow::ensure!(
                workbench.to_string() != own.to_string(),
                "the workbench origin {workbench} is the public origin: give the workbench a host of its own"
            );
        }
        // The session cookie lives on the workbench's origin when it has one.
        let secure_cookies = config
            .secure_cookies
            .unwrap_or_else(|| match &workbench_origin {
                Some(workbench) => workbench.is_https(),
                None => own_origin
                    .as_ref()
                    .is_some_and(|o| o.to_string().starts_with("https://")),
            });
        let events = match store.backend() {
            Backend::Postgres => Hub::relayed(store.clone(), &config.database_url)
                .await
                .context("cannot listen for other instances' events")?,
            Backend::Sqlite => Hub::default(),
        };
        let (begin_shutdown, shutdown) = Shutdown::new();
        let sites = SiteDirectory::new(store.clone(), own_origin);
        let snapshot = config.snapshot.clone().map(SnapshotFile::new);
        let limiter = if config.rate_limit {
            Limiter::new(config.rate_limits)
        } else {
            Limiter::off()
        };
        let metrics = Metrics::new(
            config.metrics_token.clone(),
            config.metrics_open_on_loopback,
        );
        let desk = Desk {
            store: store.clone(),
            events: events.clone(),
            metrics: metrics.clone(),
            sites: sites.clone(),
            limiter: limiter.clone(),
            snapshot: snapshot.clone(),
            max_message_chars: config.max_message_chars,
            visitor: config.visitor,
            engines: std::sync::Arc::default(),
            knowledge: Default::default(),
        };
        let state = AppState {
            desk,
            sites,
            snapshot,
            store: store.clone(),
            events,
            shutdown,
            secure_cookies,
            limiter,
            request_timeout: config.request_timeout,
            body_limit: config.body_limit,
            metrics,
            proxies,
            logins: LoginGuard::new(config.login_limits),
            session_ttl: config.session_ttl,
            streams: StreamCaps::new(config.stream_limits),
            workbench_origin,
        };
        let router = http::router(state, config.dist_dir.as_deref());
        Ok(Server {
            listener,
            local_addr,
            first_admin,
            store,
            router,
            begin_shutdown,
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The admin this start created, with its one-time password; `None` when one existed.
    pub fn first_admin(&self) -> Option<&FirstAdmin> {
        self.first_admin.as_ref()
    }

    /// The store the server uses (for a CLI that also wants to query it).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Serves until `shutdown` completes, then stops accepting, ends event streams and finishes
    /// in-flight requests.
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let begin_shutdown = self.begin_shutdown;
        let purging = tokio::spawn(purge_sessions(self.store.clone()));
        let rolling_up = tokio::spawn(roll_up_reports(self.store.clone()));
        let purging_events = tokio::spawn(purge_conversation_events(self.store.clone()));
        let served = axum::serve(self.listener, service)
            .with_graceful_shutdown(async move {
                shutdown.await;
                let _ = begin_shutdown.send(true);
            })
            .await
            .context("server failed");
        purging.abort();
        rolling_up.abort();
        purging_events.abort();
        served?;
        self.store.close().await;
        Ok(())
    }
}

/// Deletes expired sessions now and then, for as long as the server runs. They grant nothing
/// already (every check compares the expiry); this keeps the table from growing forever.
async fn purge_sessions(store: Store) {
    let mut every = tokio::time::interval(PURGE_SESSIONS_EVERY);
    loop {
        every.tick().await;
        match store.purge_expired_sessions().await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "expired sessions purged"),
            Err(err) => tracing::warn!(error = %err, "cannot purge expired sessions"),
        }
    }
}

/// Keeps the reports' roll-ups current for as long as the server runs (several instances may:
/// each run folds in what the others have not).
async fn roll_up_reports(store: Store) {
    let mut every = tokio::time::interval(ROLL_UP_REPORTS_EVERY);
    loop {
        every.tick().await;
        // A run folds in at most ROLL_UP_EVENTS: after a burst, go on until caught up.
        loop {
            match store.refresh_report_rollups().await {
                Ok(read) if read >= crate::store::ROLL_UP_EVENTS => continue,
                Ok(_) => break,
                Err(err) => {
                    tracing::warn!(error = %err, "cannot roll up conversation events for the reports");
                    break;
                }
            }
        }
    }
}

/// How often conversation events past their retention are deleted (and once at start).
const PURGE_EVENTS_EVERY: Duration = Duration::from_secs(60 * 60);

/// Deletes conversation events older than the desk's `event_retention_days`, at start and
/// hourly, for as long as the server runs: the retention an admin sets is a promise to visitors.
async fn purge_conversation_events(store: Store) {
    let mut every = tokio::time::interval(PURGE_EVENTS_EVERY);
    loop {
        every.tick().await;
        match store
            .purge_conversation_events(crate::store::now_ms())
            .await
        {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "conversation events past retention purged"),
            Err(err) => tracing::warn!(error = %err, "cannot purge conversation events"),
        }
    }
}
