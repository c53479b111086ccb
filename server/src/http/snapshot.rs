//! `GET /kb.snapshot`: the compiled knowledge base the visitor's engine loads.
//!
//! Served with a strong ETag and `Cache-Control: no-cache`, so a service worker revalidates on
//! each load and downloads the file again only when it changed. The file is re-read when its
//! modification time or size changes, so `answerdesk build` can replace it under a running server.
//! Each version is compressed once per coding, when a browser first asks for that coding, and
//! sent in the coding the browser asks for (`Vary: Accept-Encoding`; each coding its own ETag).
//!
//! Each version read is also decoded once (natively, by the same `engine` the widget runs) for
//! its entry ids: feedback is accepted only for entries the served knowledge base has.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use tokio::sync::{Mutex, OnceCell};

use super::encoding::{self, Coding};
use super::problem::ApiError;
use super::AppState;

/// The snapshot file and the last version read from it.
pub struct SnapshotFile {
    path: PathBuf,
    cached: Mutex<Option<Cached>>,
}

#[derive(Clone)]
struct Cached {
    modified: Option<SystemTime>,
    len: u64,
    /// The file as read.
    bytes: Bytes,
    /// Its brotli and gzip copies, made when first asked for (shared by every clone of this
    /// version): a coding no browser asks for costs nothing, and nothing is compressed at start.
    brotli: Arc<OnceCell<Bytes>>,
    gzip: Arc<OnceCell<Bytes>>,
    /// A digest of the file, the ETag without quotes or coding suffix.
    digest: String,
    /// The ids of the snapshot's entries; `None` when the file is not a snapshot this server's
    /// engine can decode (then no entry is known).
    entry_ids: Option<Arc<HashSet<String>>>,
}

impl Cached {
    /// This version in one coding, compressed on first use (the demo's 3 MB take 0.7 s with
    /// brotli, 0.35 s with gzip), off the async workers; requests meanwhile wait for it.
    async fn compressed(
        &self,
        cell: &OnceCell<Bytes>,
        compress: fn(&[u8]) -> std::io::Result<Vec<u8>>,
    ) -> std::io::Result<Bytes> {
        let raw = self.bytes.clone();
        cell.get_or_try_init(|| async move {
            tokio::task::spawn_blocking(move || compress(&raw).map(Bytes::from))
                .await
                .map_err(std::io::Error::other)?
        })
        .await
        .cloned()
    }
}

impl SnapshotFile {
    pub fn new(path: PathBuf) -> Arc<Self> {
        Arc::new(SnapshotFile {
            path,
            cached: Mutex::new(None),
        })
    }

    async fn current(&self) -> std::io::Result<Cached> {
        let meta = tokio::fs::metadata(&self.path).await?;
        let modified = meta.modified().ok();
        let mut cached = self.cached.lock().await;
        if let Some(c) = cached.as_ref() {
            if c.modified == modified && c.len == meta.len() {
                return Ok(c.clone());
            }
        }
        let bytes = Bytes::from(tokio::fs::read(&self.path).await?);
        let digest = hex::encode(&Sha256::digest(&bytes)[..16]);
        let entry_ids = match engine::Snapshot::from_bytes(&bytes) {
            Ok(snapshot) => Some(Arc::new(
                snapshot.entries().iter().map(|e| e.id.clone()).collect(),
            )),
            Err(err) => {
                tracing::warn!(path = %self.path.display(), error = %err, "the served snapshot does not decode; feedback is refused until it does");
                None
            }
        };
        let fresh = Cached {
            modified,
            len: bytes.len() as u64,
            bytes,
            brotli: Arc::default(),
            gzip: Arc::default(),
            digest,
            entry_ids,
        };
        *cached = Some(fresh.clone());
        Ok(fresh)
    }

    /// Whether the snapshot currently served has an entry with this id.
    pub async fn has_entry(&self, entry_id: &str) -> std::io::Result<bool> {
        let current = self.current().await?;
        Ok(current.entry_ids.is_some_and(|ids| ids.contains(entry_id)))
    }
}

#[utoipa::path(
    get, path = "/kb.snapshot", operation_id = "getSnapshot", tag = "operations",
    responses((status = 200, description = "the knowledge snapshot the widget loads", content_type = "application/octet-stream"), (status = 304, description = "unchanged since the `If-None-Match` ETag"), crate::http::openapi::ProblemResponse)
)]
pub async fn snapshot(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let file = state
        .snapshot
        .as_ref()
        .ok_or_else(|| ApiError::not_found("this server was started without a snapshot"))?;
    let current = file.current().await.map_err(|err| {
        tracing::error!(path = %file.path.display(), error = %err, "cannot read the snapshot");
        ApiError::unavailable("the knowledge-base snapshot cannot be read")
    })?;
    let coding = encoding::negotiate(
        headers
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok()),
    );
    let etag = |coding: Coding| format!("\"{}{}\"", current.digest, coding.etag_suffix());
    let own_etag = HeaderValue::from_str(&etag(coding)).expect("hex is a valid header value");
    let mut response_headers = HeaderMap::new();
    response_headers.insert(header::ETAG, own_etag);
    response_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response_headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    // Any coding's tag names this version: what the browser holds is current, decoded.
    let known = [Coding::Brotli, Coding::Gzip, Coding::Identity].map(etag);
    let revalidated = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',').any(|t| {
                let t = t.trim().trim_start_matches("W/");
                t == "*" || known.iter().any(|k| k == t)
            })
        });
    if revalidated {
        return Ok((StatusCode::NOT_MODIFIED, response_headers).into_response());
    }
    response_headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    if let Some(value) = coding.header() {
        response_headers.insert(header::CONTENT_ENCODING, value);
    }
    let body = match coding {
        Coding::Brotli => current.compressed(&current.brotli, encoding::brotli).await,
        Coding::Gzip => current.compressed(&current.gzip, encoding::gzip).await,
        Coding::Identity => Ok(current.bytes),
    }
    .map_err(|err| {
        tracing::error!(error = %err, "cannot compress the snapshot");
        ApiError::unavailable("the knowledge-base snapshot cannot be sent")
    })?;
    Ok((response_headers, body).into_response())
}
