//! Caps on open Server-Sent Events streams (the agents' `/desk/events` and the visitors'
//! `/tickets/{id}/events`), per client address and in total.
//!
//! A stream holds a connection, a task and a broadcast receiver for as long as the client wants,
//! so without a cap one address could open thousands and starve everyone. Over the per-address
//! cap a new stream is refused `429`, over the total cap `503`, both with `Retry-After` and
//! counted in `answerdesk_sse_refused_total{reason}`. A slot is held until the response body is
//! dropped, i.e. the stream really ended.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt as _;

use super::client_ip::TrustedProxies;
use super::metrics::Metrics;
use super::problem::ApiError;

/// How many event streams may be open, and how often an agent's stream re-checks its session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamLimits {
    /// Streams from one client address (IPv6 per /64): an office of agents with a few tabs each,
    /// or visitors behind one NAT.
    pub per_ip: usize,
    /// Streams on this instance in all.
    pub total: usize,
    /// How often an open agent stream re-reads its session and the agent's role and groups, to
    /// notice expiry and changes made on another instance; changes made here end or narrow the
    /// stream at once.
    pub recheck: Duration,
}

impl Default for StreamLimits {
    fn default() -> Self {
        StreamLimits {
            per_ip: 64,
            total: 10_000,
            recheck: Duration::from_secs(30),
        }
    }
}

/// The open-stream counts of a running server; cheap to clone.
#[derive(Clone)]
pub struct StreamCaps(Arc<Inner>);

struct Inner {
    limits: StreamLimits,
    open: Mutex<Open>,
}

#[derive(Default)]
struct Open {
    total: usize,
    per_ip: HashMap<IpAddr, usize>,
}

/// One open stream's place, given back when dropped.
pub struct StreamSlot {
    caps: StreamCaps,
    ip: Option<IpAddr>,
}

impl StreamCaps {
    pub fn new(limits: StreamLimits) -> StreamCaps {
        StreamCaps(Arc::new(Inner {
            limits,
            open: Mutex::new(Open::default()),
        }))
    }

    /// The limits, for the streams' re-check interval.
    pub fn limits(&self) -> StreamLimits {
        self.0.limits
    }

    /// A place for one more stream from `ip`, or the reason (`per_ip`, `total`) and the refusal.
    fn open(&self, ip: Option<IpAddr>) -> Result<StreamSlot, (&'static str, ApiError)> {
        let ip = ip.map(super::rate_limit::client_key);
        let mut open = self.0.open.lock().unwrap_or_else(|e| e.into_inner());
        if open.total >= self.0.limits.total {
            return Err((
                "total",
                ApiError {
                    retry_after: Some(Duration::from_secs(30)),
                    ..ApiError::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "too-many-streams",
                        "the server has as many event streams open as it allows; retry later",
                    )
                },
            ));
        }
        if let Some(ip) = ip {
            let mine = open.per_ip.entry(ip).or_default();
            if *mine >= self.0.limits.per_ip {
                return Err((
                    "per_ip",
                    ApiError::too_many_requests(
                        Duration::from_secs(30),
                        "too many event streams open from this address; close one or retry later",
                    ),
                ));
            }
            *mine += 1;
        }
        open.total += 1;
        Ok(StreamSlot {
            caps: self.clone(),
            ip,
        })
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self.caps.0.open.lock().unwrap_or_else(|e| e.into_inner());
        open.total = open.total.saturating_sub(1);
        if let Some(ip) = self.ip {
            if let Some(count) = open.per_ip.get_mut(&ip) {
                *count -= 1;
                if *count == 0 {
                    open.per_ip.remove(&ip);
                }
            }
        }
    }
}

/// Route layer for event-stream routes: takes a slot before the handler runs and keeps it with
/// the response body while it is a stream; refusals are problem+json and counted.
pub async fn cap_streams(
    State((caps, proxies, metrics)): State<(StreamCaps, TrustedProxies, Metrics)>,
    request: Request,
    next: Next,
) -> Response {
    let slot = match caps.open(proxies.client_of(&request)) {
        Ok(slot) => slot,
        Err((reason, refusal)) => {
            metrics.stream_refused(reason);
            return refusal.into_response();
        }
    };
    let response = next.run(request).await;
    let is_stream = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
    if !is_stream {
        return response;
    }
    let (parts, body) = response.into_parts();
    let body = body.into_data_stream().map(move |chunk| {
        let _held = &slot;
        chunk
    });
    Response::from_parts(parts, Body::from_stream(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_per_address_and_in_total_and_frees_on_drop() {
        let caps = StreamCaps::new(StreamLimits {
            per_ip: 2,
            total: 3,
            recheck: Duration::from_secs(1),
        });
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let first = caps.open(Some(a)).unwrap();
        let _second = caps.open(Some(a)).unwrap();
        assert_eq!(caps.open(Some(a)).err().unwrap().0, "per_ip");
        let _third = caps.open(Some(b)).unwrap();
        assert_eq!(caps.open(Some(b)).err().unwrap().0, "total");
        drop(first);
        let _again = caps.open(Some(a)).unwrap();
        assert_eq!(caps.0.open.lock().unwrap().total, 3);
    }
}
