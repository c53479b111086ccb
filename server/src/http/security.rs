//! Headers every response carries, the Content-Security-Policy of every page, and keeping the
//! workbench on its own origin when one is configured.
//!
//! Why each header:
//! - `X-Content-Type-Options: nosniff`: a visitor-supplied text served as JSON or a snapshot is
//!   never re-read by a browser as HTML or script.
//! - `Referrer-Policy: same-origin`: ticket ids in workbench URLs and the widget's query string
//!   never leave in a `Referer` (same-origin requests keep theirs, and with them the `Origin`
//!   header the desk's CSRF checks and the escalation's origin check read).
//! - `Content-Security-Policy` on HTML pages (see [`super::csp`]), with `frame-ancestors`:
//!   `'none'` for the workbench and the admin pages; for the assistant (`/widget?site=X`, `/?site=X`)
//!   the origins site X allows, so no other page can frame it and file tickets as X (the bundled
//!   `demo.html`, on this server's own origin, frames the `demo` site).
//!
//! With a workbench origin ([`WorkbenchOrigin`]), `/agent`, `/admin` and the desk's API
//! (`/api/v1/session`, `/api/v1/desk/…`, `/api/v1/admin/…`) answer only on that origin's host,
//! and that host serves nothing a visitor controls: script that some bug let into the visitor's
//! pages then runs on an origin that holds no agent's session.

use std::str::FromStr;
use std::sync::Arc;

use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::csp::{InlineScripts, Policy};
use super::problem::ApiError;
use super::SiteDirectory;
use crate::origin::OriginPattern;
use crate::store::DEMO_SITE;

/// What the security layer needs: the sites (for `/widget`'s framing and fetching), the inline
/// script hashes of the built pages, and the workbench's own origin if it has one.
#[derive(Clone)]
pub struct Security {
    sites: SiteDirectory,
    scripts: Arc<InlineScripts>,
    workbench: Option<WorkbenchOrigin>,
}

impl Security {
    pub fn new(
        sites: SiteDirectory,
        scripts: InlineScripts,
        workbench: Option<WorkbenchOrigin>,
    ) -> Security {
        Security {
            sites,
            scripts: Arc::new(scripts),
            workbench,
        }
    }
}

/// The origin the workbench is served from, e.g. `https://desk.example.com`, when it is not the
/// visitor's. Requests are told apart by their `Host` header: a reverse proxy in front must pass
/// it through unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkbenchOrigin {
    origin: String,
    /// `host` or `host:port` as a `Host` header names it (the scheme's default port left out).
    authority: String,
}

/// A workbench origin that is not `http(s)://host[:port]`.
#[derive(Debug, thiserror::Error)]
#[error("invalid workbench origin {0:?}: expected http(s)://host[:port], no path and no wildcard")]
pub struct InvalidWorkbenchOrigin(String);

impl FromStr for WorkbenchOrigin {
    type Err = InvalidWorkbenchOrigin;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidWorkbenchOrigin(value.to_owned());
        let trimmed = value.trim_end_matches('/');
        let pattern = OriginPattern::from_str(trimmed).map_err(|_| invalid())?;
        let origin = pattern.to_string();
        if origin.ends_with(":*") {
            return Err(invalid());
        }
        let (scheme, authority) = origin.split_once("://").ok_or_else(invalid)?;
        Ok(WorkbenchOrigin {
            authority: without_default_port(scheme, authority),
            origin,
        })
    }
}

impl std::fmt::Display for WorkbenchOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.origin)
    }
}

impl WorkbenchOrigin {
    /// Whether a request's `Host` names this origin.
    fn is_host(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        let scheme = self.origin.split("://").next().unwrap_or("https");
        without_default_port(scheme, &host) == self.authority
    }

    /// Whether the origin is https (its session cookie must then be `Secure`).
    pub fn is_https(&self) -> bool {
        self.origin.starts_with("https://")
    }
}

fn without_default_port(scheme: &str, authority: &str) -> String {
    let default = if scheme == "https" { ":443" } else { ":80" };
    authority
        .strip_suffix(default)
        .unwrap_or(authority)
        .to_owned()
}

/// `path` is `prefix` or below it.
fn under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The pages and API of agents and admins.
fn is_workbench_path(path: &str) -> bool {
    [
        "/agent",
        "/admin",
        "/api/v1/session",
        "/api/v1/desk",
        "/api/v1/admin",
    ]
    .iter()
    .any(|prefix| under(path, prefix))
}

/// What both origins serve: the snapshot smart assist searches, operations endpoints, the API
/// description.
fn is_shared_path(path: &str) -> bool {
    [
        "/kb.snapshot",
        "/healthz",
        "/readyz",
        "/metrics",
        "/api/openapi.json",
    ]
    .contains(&path)
}

/// Which page an HTML response is, for its policy.
enum Page {
    /// The assistant, `/widget?site=…` in a host page's iframe or `/?site=…` full page: both
    /// file tickets for the site named, so both take its policy. (The service worker also serves
    /// the cached `index.html` for `/widget` offline.)
    Assistant { site: String },
    /// `/agent…`, `/admin…`.
    Workbench,
    /// Another HTML file of `dist/` (e.g. `demo.html`), by its path relative to `dist/`.
    File(String),
}

impl Page {
    fn of(uri: &Uri) -> Page {
        let path = uri.path();
        if path == "/" || path == "/index.html" || path == "/widget" {
            // Decoded as the widget's `URLSearchParams` decodes it (first `site`, empty = none),
            // so the policy is always the one of the site the widget files tickets for.
            let site = Query::<Vec<(String, String)>>::try_from_uri(uri)
                .ok()
                .and_then(|Query(pairs)| pairs.into_iter().find(|(name, _)| name == "site"))
                .map(|(_, site)| site)
                .filter(|site| !site.is_empty())
                .unwrap_or_else(|| DEMO_SITE.to_owned());
            Page::Assistant { site }
        } else if is_workbench_path(path) {
            Page::Workbench
        } else {
            let relative = path.trim_start_matches('/');
            if relative.is_empty() || relative.ends_with('/') {
                Page::File(format!("{relative}index.html"))
            } else {
                Page::File(relative.to_owned())
            }
        }
    }
}

/// The layer: routes by origin when the workbench has its own, then adds the headers.
pub async fn headers(State(security): State<Security>, request: Request, next: Next) -> Response {
    let uri = request.uri().clone();
    let path = uri.path();
    let mut response = match &security.workbench {
        Some(workbench) => {
            let host = request
                .headers()
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_owned)
                .or_else(|| request.uri().authority().map(|a| a.to_string()))
                .unwrap_or_default();
            let on_workbench = workbench.is_host(&host);
            if is_shared_path(path) || on_workbench == is_workbench_path(path) {
                next.run(request).await
            } else if on_workbench && path == "/" {
                Redirect::to("/agent").into_response()
            } else {
                let detail = if on_workbench {
                    "the workbench origin serves only the workbench"
                } else {
                    "the workbench is served on its own origin"
                };
                ApiError::not_found(detail).into_response()
            }
        }
        None => next.run(request).await,
    };
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    // A 304 keeps the policy of the 200 it revalidates.
    if is_html && response.status() != StatusCode::NOT_MODIFIED {
        let policy = security.policy(Page::of(&uri)).await;
        if let Ok(value) = HeaderValue::from_str(&policy) {
            response
                .headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, value);
        }
    }
    response
}

impl Security {
    async fn policy(&self, page: Page) -> String {
        match page {
            Page::Workbench => Policy {
                script_hashes: self.scripts.of("agent/index.html"),
                ..Policy::default()
            }
            .render(),
            Page::File(file) => Policy {
                script_hashes: self.scripts.of(&file),
                ..Policy::default()
            }
            .render(),
            Page::Assistant { site } => {
                // The site's own origins may frame the widget, and host the snapshot or API it
                // is pointed at (`?snapshot=`, `?api=`); nobody else.
                let origins: Vec<String> = match self.sites.get(&site).await {
                    Ok(Some(site)) => site
                        .allowed_origins
                        .iter()
                        .map(ToString::to_string)
                        .collect(),
                    Ok(None) => Vec::new(),
                    Err(err) => {
                        tracing::warn!(error = %err, "cannot read sites: /widget may not be framed");
                        Vec::new()
                    }
                };
                let mut frame_ancestors = origins.clone();
                if site == DEMO_SITE {
                    frame_ancestors.insert(0, "'self'".to_owned());
                }
                Policy {
                    script_hashes: self.scripts.of("index.html"),
                    connect: origins,
                    frame_ancestors,
                }
                .render()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workbench_origin_is_an_origin() {
        let origin: WorkbenchOrigin = "https://desk.example.com/".parse().unwrap();
        assert_eq!(origin.to_string(), "https://desk.example.com");
        assert!(origin.is_host("desk.example.com"));
        assert!(origin.is_host("DESK.example.com:443"));
        assert!(!origin.is_host("help.example.com"));
        assert!(!origin.is_host("desk.example.com:8443"));
        let local: WorkbenchOrigin = "http://127.0.0.1:9000".parse().unwrap();
        assert!(local.is_host("127.0.0.1:9000"));
        assert!(!local.is_host("127.0.0.1:9001"));
        for bad in [
            "desk.example.com",
            "ftp://desk.example.com",
            "http://127.0.0.1:*",
            "https://desk.example.com/agent",
        ] {
            assert!(bad.parse::<WorkbenchOrigin>().is_err(), "{bad}");
        }
    }

    #[test]
    fn tells_the_workbench_from_the_rest() {
        for path in [
            "/agent",
            "/agent/tickets/42",
            "/admin",
            "/admin/sites",
            "/api/v1/session",
            "/api/v1/desk/tickets",
            "/api/v1/admin/agents",
        ] {
            assert!(is_workbench_path(path), "{path}");
        }
        for path in [
            "/",
            "/widget",
            "/agents",
            "/administrator",
            "/api/v1/escalations",
            "/api/v1/sessions",
            "/demo.html",
        ] {
            assert!(!is_workbench_path(path), "{path}");
        }
    }
}
