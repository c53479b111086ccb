//! The HTTP surface: routes, shared state, and the layers every request passes through.

mod assets;
pub mod auth;
mod body_limit;
mod client_ip;
mod csp;
mod csv;
mod encoding;
mod headers;
mod login_guard;
mod metrics;
pub mod openapi;
pub mod problem;
mod rate_limit;
mod routes;
mod security;
mod site_directory;
mod snapshot;
mod sse;
mod stream_caps;
mod timeout;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::request::Parts;
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::routing::{get, post, put};
use axum::Router;
use tokio::sync::watch;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::TraceLayer;

pub use crate::service::VisitorPolicy;
pub use client_ip::{BadIpBlock, TrustedProxies};
pub use login_guard::{Backoff, LoginGuard, LoginLimits};
pub use metrics::Metrics;
pub use protocol::MAX_MESSAGE_CHARS;
pub use rate_limit::{Limiter, Quota, RateLimits};
pub use security::{InvalidWorkbenchOrigin, WorkbenchOrigin};
pub use site_directory::SiteDirectory;
pub use snapshot::{compressed_snapshot, write_snapshot_sidecars, SnapshotFile};
pub use stream_caps::{StreamCaps, StreamLimits};

use crate::events::Hub;
use crate::service::Desk;
use crate::store::Store;

/// Largest request body accepted anywhere by default; an escalation with a long transcript fits
/// easily.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// How long a request may take by default before the server gives up on it.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// What handlers share: the use cases, and what the HTTP plumbing itself needs (the store for
/// sessions and plain reads, the sites for CORS, the event bus for streams, limits, metrics).
#[derive(Clone)]
pub struct AppState {
    /// The use cases every write goes through.
    pub desk: Desk,
    pub store: Store,
    pub sites: SiteDirectory,
    pub snapshot: Option<Arc<SnapshotFile>>,
    pub events: Hub,
    /// Ends the SSE streams, which would otherwise hold a graceful shutdown open forever.
    pub shutdown: Shutdown,
    /// Mark the session cookie `Secure` (the public origin is https).
    pub secure_cookies: bool,
    /// Rate limits on the public endpoints.
    pub limiter: Limiter,
    /// How long a handler may take to start its response.
    pub request_timeout: Duration,
    /// Largest request body, in bytes.
    pub body_limit: usize,
    /// Prometheus metrics, served at `/metrics`.
    pub metrics: Metrics,
    /// Reverse proxies whose forwarding headers name the client, for every per-address limit.
    pub proxies: TrustedProxies,
    /// Failed sign-in throttling and the bound on concurrent password hashing.
    pub logins: LoginGuard,
    /// How long a new session lasts.
    pub session_ttl: Duration,
    /// Caps on open event streams, and how often agents' streams re-check their session.
    pub streams: StreamCaps,
    /// The workbench's own origin, when it is not the visitor's (see `security.rs`).
    pub workbench_origin: Option<WorkbenchOrigin>,
}

/// A shutdown that has begun or not; cheap to clone.
#[derive(Clone)]
pub struct Shutdown(watch::Receiver<bool>);

impl Shutdown {
    /// A signal and the sender that triggers it.
    pub fn new() -> (watch::Sender<bool>, Shutdown) {
        let (sender, receiver) = watch::channel(false);
        (sender, Shutdown(receiver))
    }

    /// Completes once shutdown has begun.
    pub fn wait(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut receiver = self.0.clone();
        async move {
            let _ = receiver.wait_for(|begun| *begun).await;
        }
    }
}

/// The whole application: API, operations endpoints, snapshot and (with `dist_dir`) the app.
pub fn router(state: AppState, dist_dir: Option<&Path>) -> Router {
    // Both event-stream routes share one count.
    let stream_caps = (
        state.streams.clone(),
        state.proxies.clone(),
        state.metrics.clone(),
    );
    let visitor = Router::new()
        .route("/escalations", post(routes::escalations::create))
        .route("/tickets/{id}", get(routes::tickets::ticket))
        .route(
            "/tickets/{id}/messages",
            get(routes::tickets::messages).post(routes::tickets::post_message),
        )
        .route(
            "/tickets/{id}/events",
            get(routes::tickets::events).route_layer(axum::middleware::from_fn_with_state(
                stream_caps.clone(),
                stream_caps::cap_streams,
            )),
        )
        .route("/tickets/{id}/rating", post(routes::tickets::rate))
        .route("/feedback", post(routes::feedback::record))
        .route(
            "/events",
            post(routes::events::record)
                .route_layer(DefaultBodyLimit::max(protocol::MAX_EVENT_BATCH_BYTES)),
        )
        .method_not_allowed_fallback(problem::wrong_method)
        // Inside CORS: preflights are not counted, and a 429 still carries CORS headers so the
        // widget can read it.
        .layer(axum::middleware::from_fn_with_state(
            (state.limiter.clone(), state.proxies.clone()),
            rate_limit::per_ip,
        ))
        .layer(visitor_cors(state.sites.clone()));

    // Same-origin only: no CORS layer, so other sites' pages cannot read the answers.
    let desk = Router::new()
        .route(
            "/session",
            get(routes::session::current)
                .post(routes::session::login)
                .delete(routes::session::logout),
        )
        .route("/session/password", post(routes::session::change_password))
        .route("/desk/tickets", get(routes::desk::list))
        .route(
            "/desk/tickets/{id}",
            get(routes::desk::detail).patch(routes::desk::change),
        )
        .route(
            "/desk/tickets/{id}/messages",
            post(routes::desk::post_message),
        )
        .route("/desk/tickets/{id}/claim", post(routes::desk::claim))
        .route("/desk/tickets/{id}/assign", post(routes::desk::assign))
        .route("/desk/tickets/{id}/transfer", post(routes::desk::transfer))
        .route("/desk/tickets/{id}/merge", post(routes::desk::merge))
        .route(
            "/desk/events",
            get(routes::desk::events).route_layer(axum::middleware::from_fn_with_state(
                stream_caps.clone(),
                stream_caps::cap_streams,
            )),
        )
        .route(
            "/desk/me",
            get(routes::desk::me).patch(routes::desk::change_me),
        )
        .route("/desk/groups", get(routes::desk::groups))
        .route(
            "/desk/canned-responses",
            get(routes::desk_canned_responses::list).post(routes::desk_canned_responses::create),
        )
        .route(
            "/desk/canned-responses/{id}",
            put(routes::desk_canned_responses::update)
                .delete(routes::desk_canned_responses::delete),
        )
        .route("/desk/contacts", get(routes::desk_contacts::search))
        .route(
            "/desk/contacts/{id}",
            get(routes::desk_contacts::detail).patch(routes::desk_contacts::change),
        )
        .route(
            "/admin/agents",
            get(routes::admin::list_agents).post(routes::admin::create_agent),
        )
        .route("/admin/agents/{id}", put(routes::admin::update_agent))
        .route(
            "/admin/agents/{id}/password",
            post(routes::admin::reset_password),
        )
        .route("/admin/groups", post(routes::admin::create_group))
        .route(
            "/admin/groups/{id}",
            put(routes::admin::rename_group).delete(routes::admin::delete_group),
        )
        .route("/admin/feedback", get(routes::admin::feedback_summary))
        .route("/admin/clusters", get(routes::clusters::list))
        .route("/admin/clusters/{id}/mark", post(routes::clusters::mark))
        .route(
            "/admin/sites",
            get(routes::admin::sites).post(routes::admin::create_site),
        )
        .route("/admin/sites/{id}", put(routes::admin::update_site))
        .route(
            "/admin/sites/{id}/identity-secret",
            post(routes::admin::rotate_identity_secret),
        )
        .route(
            "/admin/config",
            get(routes::admin::config).put(routes::admin::change_config),
        )
        .route("/admin/kb/preview", post(routes::admin_kb::preview))
        .route(
            "/admin/kb/{site}/entries",
            get(routes::admin_kb::list).post(routes::admin_kb::create),
        )
        .route(
            "/admin/kb/{site}/entries/{id}",
            get(routes::admin_kb::read)
                .put(routes::admin_kb::update)
                .delete(routes::admin_kb::retire),
        )
        .route("/admin/kb/{site}/lint", post(routes::admin_kb::lint))
        .route(
            "/admin/kb/{site}/publish",
            get(routes::admin_kb::publish_status).post(routes::admin_kb::publish),
        )
        .route("/admin/kb/{site}/versions", get(routes::admin_kb::versions))
        .route(
            "/admin/kb/{site}/versions/{version}/rollback",
            post(routes::admin_kb::rollback),
        )
        .route("/admin/reports", get(routes::reports::report))
        .route("/admin/reports/{file}", get(routes::reports::table))
        .method_not_allowed_fallback(problem::wrong_method);

    let api = Router::new()
        .route("/openapi.json", get(openapi::document))
        .nest("/v1", visitor.merge(desk))
        .fallback(problem::no_route);

    let app = Router::new()
        .route("/healthz", get(routes::health::healthz))
        .route("/readyz", get(routes::health::readyz))
        .route("/metrics", get(metrics::export))
        .route("/kb.snapshot", get(snapshot::snapshot))
        .nest("/api", api)
        .method_not_allowed_fallback(problem::wrong_method);
    let app = match dist_dir {
        Some(dir) => app.merge(assets::router(dir)),
        None => app.fallback(problem::no_route),
    };
    let security = security::Security::new(
        state.sites.clone(),
        dist_dir
            .map(csp::InlineScripts::from_dist)
            .unwrap_or_default(),
        state.workbench_origin.clone(),
    );
    app.route_layer(axum::middleware::from_fn(metrics::route_template))
        .layer(DefaultBodyLimit::max(state.body_limit))
        .layer(axum::middleware::from_fn_with_state(
            state.body_limit,
            body_limit::refuse_oversized,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.request_timeout,
            timeout::deadline,
        ))
        .layer(axum::middleware::from_fn_with_state(
            security,
            security::headers,
        ))
        .layer(TraceLayer::new_for_http())
        .layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            metrics::track,
        ))
        .with_state(state)
}

/// CORS for the visitor endpoints: any origin some site allows. Escalations check the origin
/// against their own site again; ticket endpoints are authorized by the token, not the origin.
fn visitor_cors(sites: SiteDirectory) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::async_predicate(
            move |origin: HeaderValue, _parts: &Parts| {
                let sites = sites.clone();
                async move {
                    match origin.to_str() {
                        Ok(origin) => sites.any_site_allows(origin).await,
                        Err(_) => false,
                    }
                }
            },
        ))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([header::LOCATION, header::RETRY_AFTER])
        .max_age(Duration::from_secs(600))
}
