//! Prometheus metrics at `GET /metrics`: requests by route template and status, their latency,
//! tickets created, open event streams, rate-limited requests.
//!
//! Routes are labelled by their template (`/api/v1/tickets/{id}`), never by the path a client
//! sent, so a scanner cannot create unbounded series; requests no route matched share one label.
//!
//! The `method` label is one of the standard methods or `other`: clients can send any token as a
//! method, and each would be a new series.
//!
//! Who may read them: anyone presenting `Authorization: Bearer <metrics token>`. Without a token,
//! nobody, unless the operator explicitly opened them to loopback scrapers
//! (`metrics_open_on_loopback`): a reverse proxy on the same host also connects from loopback,
//! and one that adds no `X-Forwarded-For` would make them public, so a peer address alone is not
//! proof of a local scraper. Even when opened, requests carrying proxy headers are refused.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt as _;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use subtle::ConstantTimeEq as _;

use super::problem::ApiError;

/// The route label of requests no route matched (unknown paths, static files).
const UNMATCHED: &str = "unmatched";

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

type LatencyFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// The server's metrics and who may read them; cheap to clone.
#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

struct Inner {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily,
    rate_limited: Family<RouteLabels, Counter>,
    tickets_created: Counter,
    sse_clients: Gauge,
    sse_refused: Family<ReasonLabels, Counter>,
    event_batches: Family<OutcomeLabels, Counter>,
    events_stored: Counter,
    token: Option<String>,
    open_on_loopback: bool,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: String,
}

/// The matched route's template, handed from [`route_template`] to [`track`] in the response.
#[derive(Clone)]
struct Route(MatchedPath);

impl Metrics {
    /// Fresh metrics; `token`, when set, lets scrapers in with a bearer token;
    /// `open_on_loopback` lets loopback peers without proxy headers in without it.
    pub fn new(token: Option<String>, open_on_loopback: bool) -> Metrics {
        let mut registry = Registry::with_prefix("answerdesk");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route template and status",
            requests.clone(),
        );
        let latency: LatencyFamily = Family::new_with_constructor(|| {
            // 0.5 ms to about 4 s.
            Histogram::new(exponential_buckets(0.0005, 2.0, 14))
        });
        registry.register(
            "http_request_duration_seconds",
            "Time until the response started, by route template",
            latency.clone(),
        );
        let rate_limited = Family::<RouteLabels, Counter>::default();
        registry.register(
            "rate_limited_requests",
            "Requests refused with 429 by the per-IP or per-site limits",
            rate_limited.clone(),
        );
        let tickets_created = Counter::default();
        registry.register(
            "tickets_created",
            "Tickets created by escalations (idempotent replays not counted)",
            tickets_created.clone(),
        );
        let sse_clients = Gauge::default();
        registry.register(
            "sse_clients",
            "Server-Sent Events streams open now (visitors and agents)",
            sse_clients.clone(),
        );
        let sse_refused = Family::<ReasonLabels, Counter>::default();
        registry.register(
            "sse_refused",
            "Event streams refused because of the per-address (per_ip) or total cap",
            sse_refused.clone(),
        );
        let event_batches = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "event_batches",
            "Conversation-event batches from widgets: stored, resent (already stored) or refused",
            event_batches.clone(),
        );
        let events_stored = Counter::default();
        registry.register(
            "conversation_events_stored",
            "Anonymous conversation events stored",
            events_stored.clone(),
        );
        Metrics(Arc::new(Inner {
            registry,
            requests,
            latency,
            rate_limited,
            tickets_created,
            sse_clients,
            sse_refused,
            event_batches,
            events_stored,
            token: token.filter(|t| !t.is_empty()),
            open_on_loopback,
        }))
    }

    /// Counts a ticket an escalation created.
    pub fn ticket_created(&self) {
        self.0.tickets_created.inc();
    }

    /// Counts a batch of conversation events by `outcome` (`stored`, `resent`, `refused`), and
    /// the `events` it stored.
    pub fn event_batch(&self, (outcome, events): (&'static str, u64)) {
        self.0
            .event_batches
            .get_or_create(&OutcomeLabels {
                outcome: outcome.to_owned(),
            })
            .inc();
        self.0.events_stored.inc_by(events);
    }

    /// Counts an event stream refused by a cap (`per_ip` or `total`).
    pub fn stream_refused(&self, reason: &'static str) {
        self.0
            .sse_refused
            .get_or_create(&ReasonLabels {
                reason: reason.to_owned(),
            })
            .inc();
    }

    /// The text exposition format.
    fn render(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.0.registry);
        out
    }

    fn record(&self, method: &str, route: &str, status: StatusCode, started: Instant) {
        let route = route.to_owned();
        self.0
            .requests
            .get_or_create(&RequestLabels {
                method: method_label(method).to_owned(),
                route: route.clone(),
                status: status.as_str().to_owned(),
            })
            .inc();
        let labels = RouteLabels { route };
        if status == StatusCode::TOO_MANY_REQUESTS {
            self.0.rate_limited.get_or_create(&labels).inc();
        }
        self.0
            .latency
            .get_or_create(&labels)
            .observe(started.elapsed().as_secs_f64());
    }

    fn allows(&self, headers: &HeaderMap, peer: Option<SocketAddr>) -> bool {
        if let Some(token) = &self.0.token {
            let presented = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or_default();
            if bool::from(presented.as_bytes().ct_eq(token.as_bytes())) {
                return true;
            }
        }
        let proxied = headers.contains_key("x-forwarded-for") || headers.contains_key("forwarded");
        self.0.open_on_loopback && peer.is_some_and(|addr| addr.ip().is_loopback()) && !proxied
    }
}

/// The `method` label: a standard method's name, or `other` for whatever else a client sent.
fn method_label(method: &str) -> &'static str {
    const KNOWN: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE",
    ];
    KNOWN
        .into_iter()
        .find(|known| *known == method)
        .unwrap_or("other")
}

/// Route layer: remembers which route template answered, for [`track`] to label it.
pub async fn route_template(request: Request, next: Next) -> Response {
    let matched = request.extensions().get::<MatchedPath>().cloned();
    let mut response = next.run(request).await;
    if let Some(matched) = matched {
        response.extensions_mut().insert(Route(matched));
    }
    response
}

/// Outermost layer: counts and times every request, and keeps the open event streams counted
/// for as long as their body is being sent.
pub async fn track(State(metrics): State<Metrics>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let response = next.run(request).await;
    let route = response
        .extensions()
        .get::<Route>()
        .map_or(UNMATCHED, |Route(m)| m.as_str());
    metrics.record(method.as_str(), route, response.status(), started);
    let is_stream = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
    if !is_stream {
        return response;
    }
    let open = OpenStream::new(metrics.0.sse_clients.clone());
    let (parts, body) = response.into_parts();
    let body = body.into_data_stream().map(move |chunk| {
        let _still_open = &open;
        chunk
    });
    Response::from_parts(parts, Body::from_stream(body))
}

/// One open event stream, counted until dropped with the response body.
struct OpenStream(Gauge);

impl OpenStream {
    fn new(gauge: Gauge) -> OpenStream {
        gauge.inc();
        OpenStream(gauge)
    }
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// `GET /metrics`: the Prometheus text format, for local scrapers or holders of the token.
#[utoipa::path(
    get, path = "/metrics", operation_id = "exportMetrics", tag = "operations",
    responses((status = 200, description = "the metrics in OpenMetrics text", content_type = "application/openmetrics-text"), crate::http::openapi::ProblemResponse)
)]
pub async fn export(State(state): State<super::AppState>, request: Request) -> Response {
    let metrics = state.metrics;
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| *addr);
    if !metrics.allows(request.headers(), peer) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "metrics need Authorization: Bearer and the configured metrics token \
             (metrics_token), unless opened to loopback scrapers (metrics_open_on_loopback)",
        )
        .into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        metrics.render(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_the_token_nobody_unless_opened_to_loopback() {
        let local: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let headers = HeaderMap::new();
        for token in [None, Some("s3cret".to_owned())] {
            let closed = Metrics::new(token, false);
            assert!(
                !closed.allows(&headers, Some(local)),
                "a local proxy's request"
            );
        }
    }

    #[test]
    fn opened_to_loopback_without_proxy_headers_or_the_token() {
        let metrics = Metrics::new(Some("s3cret".into()), true);
        let local: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let remote: SocketAddr = "192.0.2.7:5000".parse().unwrap();
        let mut headers = HeaderMap::new();
        assert!(metrics.allows(&headers, Some(local)));
        assert!(!metrics.allows(&headers, Some(remote)));
        assert!(!metrics.allows(&headers, None));
        headers.insert("x-forwarded-for", "192.0.2.7".parse().unwrap());
        assert!(!metrics.allows(&headers, Some(local)), "through a proxy");
        headers.insert(header::AUTHORIZATION, "Bearer s3cret".parse().unwrap());
        assert!(metrics.allows(&headers, Some(remote)));
        headers.insert(header::AUTHORIZATION, "Bearer wrong".parse().unwrap());
        assert!(!metrics.allows(&headers, Some(remote)));
    }

    #[test]
    fn renders_every_family() {
        let metrics = Metrics::new(None, false);
        metrics.ticket_created();
        metrics.stream_refused("per_ip");
        metrics.record("BREW", "unmatched", StatusCode::NOT_FOUND, Instant::now());
        metrics.record(
            "POST",
            "/api/v1/escalations",
            StatusCode::TOO_MANY_REQUESTS,
            Instant::now(),
        );
        let text = metrics.render();
        for needle in [
            "answerdesk_http_requests_total{method=\"POST\",route=\"/api/v1/escalations\",status=\"429\"} 1",
            "answerdesk_http_request_duration_seconds_bucket",
            "answerdesk_rate_limited_requests_total{route=\"/api/v1/escalations\"} 1",
            "answerdesk_tickets_created_total 1",
            "answerdesk_sse_clients 0",
            "answerdesk_sse_refused_total{reason=\"per_ip\"} 1",
            "answerdesk_http_requests_total{method=\"other\",route=\"unmatched\",status=\"404\"} 1",
        ] {
            assert!(text.contains(needle), "{needle} in {text}");
        }
    }
}
