//! Starting and stopping: configuration, bootstrap, binding, graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use tokio::net::TcpListener;

use crate::events::Hub;
use crate::http::{
    self, AppState, Limiter, Metrics, RateLimits, Shutdown, SiteDirectory, SnapshotFile,
};
use crate::origin::OriginPattern;
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
    /// Lets remote Prometheus scrapers read `/metrics` with `Authorization: Bearer TOKEN`;
    /// without it, only loopback scrapers may.
    pub metrics_token: Option<String>,
    /// Serve `/agent`, `/admin` and the desk's API only on this origin
    /// (`https://desk.example.com`), and nothing else there; the visitor's origin then never
    /// serves them. `None`: one origin for everything.
    pub workbench_origin: Option<String>,
}

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
        let state = AppState {
            sites: SiteDirectory::new(store.clone(), own_origin),
            snapshot: config.snapshot.clone().map(SnapshotFile::new),
            store: store.clone(),
            events,
            shutdown,
            secure_cookies,
            limiter: if config.rate_limit {
                Limiter::new(config.rate_limits)
            } else {
                Limiter::off()
            },
            request_timeout: config.request_timeout,
            body_limit: config.body_limit,
            max_message_chars: config.max_message_chars,
            metrics: Metrics::new(config.metrics_token.clone()),
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
        axum::serve(self.listener, service)
            .with_graceful_shutdown(async move {
                shutdown.await;
                let _ = begin_shutdown.send(true);
            })
            .await
            .context("server failed")?;
        self.store.close().await;
        Ok(())
    }
}
