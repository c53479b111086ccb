//! `GET /kb.snapshot`: the compiled knowledge base the visitor's engine loads.
//!
//! Served with a strong ETag and `Cache-Control: no-cache`, so a service worker revalidates on
//! each load and downloads the file again only when it changed. The file is re-read when its
//! modification time or size changes, so `answerdesk build` can replace it under a running server.
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
use tokio::sync::Mutex;

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
    bytes: Bytes,
    etag: HeaderValue,
    /// The ids of the snapshot's entries; `None` when the file is not a snapshot this server's
    /// engine can decode (then no entry is known).
    entry_ids: Option<Arc<HashSet<String>>>,
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
        let digest = Sha256::digest(&bytes);
        let etag = HeaderValue::from_str(&format!("\"{}\"", hex::encode(&digest[..16])))
            .expect("hex is a valid header value");
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
            etag,
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
    get,
    path = "/kb.snapshot",
    operation_id = "getSnapshot",
    tag = "operations",
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
    let cache_headers = [
        (header::ETAG, current.etag.clone()),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
    ];
    let revalidated = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|t| t.trim() == "*" || t.trim().trim_start_matches("W/") == current.etag)
        });
    if revalidated {
        return Ok((StatusCode::NOT_MODIFIED, cache_headers).into_response());
    }
    Ok((
        cache_headers,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        )],
        current.bytes,
    )
        .into_response())
}
