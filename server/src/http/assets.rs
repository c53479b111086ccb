//! The built Leptos apps (`dist/`): static files plus the apps' own routes.
//!
//! Two single-page apps are built, so visitors never download agent code: the visitor's in
//! `dist/` (routes `/` and `/widget` answer with its `index.html`) and the agent workbench in
//! `dist/agent/` (its files under `/agent/`; `/agent…` and `/admin…` answer with its
//! `index.html`). Any other path is a file of `dist/` or a 404. Files whose names carry a
//! content hash (Trunk's `app-<hash>.js`, `app-<hash>_bg.wasm`) never change under their name
//! and are cached for a year; everything else is revalidated on each use. Each file goes out
//! brotli- or gzip-compressed when the browser accepts it and the build wrote `NAME.br` /
//! `NAME.gz` beside it (`cargo xtask` does, for every text and wasm file), as it is otherwise.

use std::path::Path;

use axum::extract::Request;
use axum::handler::HandlerWithoutStateExt;
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get_service;
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};

use super::problem::no_route;

/// Routes serving `dist_dir`; merge into a router without a fallback of its own.
pub fn router<S: Clone + Send + Sync + 'static>(dist_dir: &Path) -> Router<S> {
    let index = ServeFile::new(dist_dir.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    let files = ServeDir::new(dist_dir)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(true)
        .not_found_service(no_route.into_service());
    let workbench_dir = dist_dir.join("agent");
    let workbench_index = ServeFile::new(workbench_dir.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    let workbench = ServeDir::new(&workbench_dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(workbench_index.clone());
    Router::new()
        .route("/widget", get_service(index))
        .route("/admin", get_service(workbench_index.clone()))
        .route("/admin/{*rest}", get_service(workbench_index))
        .nest_service("/agent", workbench)
        .fallback_service(files)
        .layer(middleware::from_fn(cache_by_name))
}

async fn cache_by_name(request: Request, next: Next) -> Response {
    let hashed = is_content_hashed(request.uri().path());
    let mut response = next.run(request).await;
    let value = if hashed && response.status().is_success() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    // The same URL is sent brotli, gzip or as is: a cache keys on the coding asked for.
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

/// Whether a file name contains a content hash: a run of at least 12 hex digits after `-`.
/// Trunk writes a 64-bit hash in hex without leading zeros, so 15 or fewer digits happen.
fn is_content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.split('-')
        .skip(1)
        .any(|part| part.chars().take_while(char::is_ascii_hexdigit).count() >= 12)
}

#[cfg(test)]
mod tests {
    use super::is_content_hashed;

    #[test]
    fn recognizes_trunk_hashed_names() {
        assert!(is_content_hashed("/app-3f2a9c0b1d4e5f60.js"));
        assert!(is_content_hashed("/app-3f2a9c0b1d4e5f60_bg.wasm"));
        assert!(is_content_hashed("/style-0123456789abcdef0123.css"));
        assert!(
            is_content_hashed("/app-31f0a34b2c6932e_bg.wasm"),
            "a hash with a leading zero"
        );
        assert!(!is_content_hashed("/index.html"));
        assert!(!is_content_hashed("/sw.js"));
        assert!(!is_content_hashed("/embed-widget.js"));
    }
}
