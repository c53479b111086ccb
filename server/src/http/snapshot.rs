//! `GET /kb.snapshot`: the compiled knowledge base the visitor's engine loads.
//!
//! Served with a strong ETag and `Cache-Control: no-cache`, so a service worker revalidates on
//! each load and downloads the file again only when it changed. The file is re-read when its
//! modification time or size changes, so `answerdesk build` can replace it under a running server.
//! It is sent in the coding the browser asks for (`Vary: Accept-Encoding`; each coding its own
//! ETag). Each version's brotli and gzip copies come from the sidecars `answerdesk kb build`
//! writes beside it (`kb.snapshot.br`, `kb.snapshot.gz`; see [`write_snapshot_sidecars`]) when they
//! decode to this very version, else are compressed once, when a browser first asks for that
//! coding.
//!
//! With `?site=S`, the snapshot the site published from the app (see `service/knowledge.rs`)
//! is sent instead, from the database, with its brotli and gzip copies made at publish; a site
//! that published nothing gets the file, as a request without `site` does.
//!
//! Each version read is also decoded once (natively, by the same `engine` the widget runs) for
//! its entry ids: feedback is accepted only for entries the served knowledge base has.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::future::{BoxFuture, FutureExt, Shared};
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;

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
    /// Its brotli and gzip copies (shared by every clone of this version).
    brotli: Arc<Coded>,
    gzip: Arc<Coded>,
    /// A digest of the file, the ETag without quotes or coding suffix.
    digest: String,
    /// The ids of the snapshot's entries; `None` when the file is not a snapshot this server's
    /// engine can decode (then no entry is known).
    entry_ids: Option<Arc<HashSet<String>>>,
}

/// The result of making one coding of one version, shared by every request that waits for it.
type Making = Shared<BoxFuture<'static, Result<Bytes, Arc<std::io::Error>>>>;

/// One coding of one version, made at most once, on a blocking thread of its own. A request
/// that goes away while it waits (a page navigated off mid-load) does not cancel the work, and
/// the next request waits for the same work rather than starting it again: a desk clicked
/// through quickly once queued a fresh multi-second compression per page until loads timed out.
#[derive(Default)]
struct Coded {
    making: std::sync::Mutex<Option<Making>>,
}

/// A content coding's sidecar: its file extension beside the snapshot, how to make it, and how
/// to read one back to check it.
#[derive(Clone, Copy)]
struct Sidecar {
    extension: &'static str,
    compress: fn(&[&[u8]]) -> std::io::Result<Vec<u8>>,
    decompress: fn(&[u8]) -> std::io::Result<Vec<u8>>,
}

const BROTLI: Sidecar = Sidecar {
    extension: "br",
    compress: encoding::brotli,
    decompress: |bytes| {
        let mut out = Vec::new();
        brotli::BrotliDecompress(&mut &bytes[..], &mut out)?;
        Ok(out)
    },
};

const GZIP: Sidecar = Sidecar {
    extension: "gz",
    compress: encoding::gzip,
    decompress: |bytes| {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes).read_to_end(&mut out)?;
        Ok(out)
    },
};

impl Sidecar {
    fn path(self, snapshot: &Path) -> PathBuf {
        let mut name = snapshot.as_os_str().to_owned();
        name.push(".");
        name.push(self.extension);
        PathBuf::from(name)
    }

    /// The sidecar beside `snapshot` when it decodes to exactly `raw` (one written for an
    /// earlier version, or half written, is not used), else `raw` compressed here.
    fn load_or_compress(self, snapshot: &Path, raw: &[u8]) -> std::io::Result<Vec<u8>> {
        if let Ok(stored) = std::fs::read(self.path(snapshot)) {
            if (self.decompress)(&stored).is_ok_and(|decoded| decoded == raw) {
                return Ok(stored);
            }
            tracing::info!(
                sidecar = %self.path(snapshot).display(),
                "the sidecar is not this snapshot's; compressing the snapshot instead"
            );
        }
        (self.compress)(&parts(raw))
    }
}

/// A snapshot in the parts its download is read in: the core (with which the engine answers)
/// and the rest, so the compressed stream is flushed where the core ends and a browser decodes
/// all of it without waiting for bytes of the dense index. A file that is not a snapshot this
/// engine reads is one part.
fn parts(raw: &[u8]) -> Vec<&[u8]> {
    match engine::Snapshot::core_end(raw) {
        Ok(end) if end < raw.len() => {
            let (core, rest) = raw.split_at(end);
            vec![core, rest]
        }
        _ => vec![raw],
    }
}

/// `bytes`' brotli and gzip copies, flushed where the core ends, as the sidecars hold them.
pub fn compressed_snapshot(bytes: &[u8]) -> std::io::Result<(Vec<u8>, Vec<u8>)> {
    Ok((
        (BROTLI.compress)(&parts(bytes))?,
        (GZIP.compress)(&parts(bytes))?,
    ))
}

/// Writes `bytes`' brotli and gzip sidecars beside the snapshot at `snapshot`, so that a server
/// sends it compressed from the first request on, without compressing it itself.
pub fn write_snapshot_sidecars(snapshot: &Path, bytes: &[u8]) -> std::io::Result<()> {
    for sidecar in [BROTLI, GZIP] {
        let path = sidecar.path(snapshot);
        let mut tmp = path.clone().into_os_string();
        tmp.push(".tmp");
        std::fs::write(&tmp, (sidecar.compress)(&parts(bytes))?)?;
        std::fs::rename(&tmp, &path)?;
    }
    Ok(())
}

impl Cached {
    /// This version in one coding, made on first use (see [`Coded`]).
    async fn coded(
        &self,
        coded: &Coded,
        sidecar: Sidecar,
        path: &Path,
    ) -> Result<Bytes, Arc<std::io::Error>> {
        let making = {
            let mut making = coded.making.lock().expect("no panic holds this lock");
            making
                .get_or_insert_with(|| {
                    let raw = self.bytes.clone();
                    let path = path.to_owned();
                    tokio::task::spawn_blocking(move || {
                        sidecar.load_or_compress(&path, &raw).map(Bytes::from)
                    })
                    .map(|joined| joined.map_err(std::io::Error::other).and_then(|r| r))
                    .map(|result| result.map_err(Arc::new))
                    .boxed()
                    .shared()
                })
                .clone()
        };
        making.await
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

    /// The snapshot currently served and its digest (which names the version).
    pub async fn current_bytes(&self) -> std::io::Result<(Bytes, String)> {
        let current = self.current().await?;
        Ok((current.bytes, current.digest))
    }

    /// Whether the snapshot currently served has an entry with this id.
    pub async fn has_entry(&self, entry_id: &str) -> std::io::Result<bool> {
        let current = self.current().await?;
        Ok(current.entry_ids.is_some_and(|ids| ids.contains(entry_id)))
    }
}

/// `?site=`: whose published knowledge base to send.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SnapshotQuery {
    /// A site id; the site's published snapshot when it has one, else the server's file.
    #[serde(default)]
    pub site: Option<String>,
}

#[utoipa::path(
    get, path = "/kb.snapshot", operation_id = "getSnapshot", tag = "operations",
    params(SnapshotQuery),
    responses((status = 200, description = "the knowledge snapshot the widget loads", content_type = "application/octet-stream"), (status = 304, description = "unchanged since the `If-None-Match` ETag"), crate::http::openapi::ProblemResponse)
)]
pub async fn snapshot(
    State(state): State<AppState>,
    axum::extract::Query(query): axum::extract::Query<SnapshotQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(site) = query.site.as_deref().filter(|s| !s.is_empty()) {
        if let Some(served) = state.desk.served_kb(site).await? {
            let digest = served.digest.clone();
            return respond(&headers, &digest, |coding| async move {
                Ok(match coding {
                    Coding::Brotli => served.brotli.clone(),
                    Coding::Gzip => served.gzip.clone(),
                    Coding::Identity => served.snapshot.clone(),
                })
            })
            .await;
        }
    }
    let file = state
        .snapshot
        .as_ref()
        .ok_or_else(|| ApiError::not_found("this server was started without a snapshot"))?;
    let current = file.current().await.map_err(|err| {
        tracing::error!(path = %file.path.display(), error = %err, "cannot read the snapshot");
        ApiError::unavailable("the knowledge-base snapshot cannot be read")
    })?;
    let path = &file.path;
    let current = &current;
    respond(&headers, &current.digest, |coding| async move {
        match coding {
            Coding::Brotli => current.coded(&current.brotli, BROTLI, path).await,
            Coding::Gzip => current.coded(&current.gzip, GZIP, path).await,
            Coding::Identity => Ok(current.bytes.clone()),
        }
    })
    .await
}

/// The response for one version whose ETag is `digest`: `304` when the browser holds it, else
/// the body `coded` makes in the coding the browser asks for.
async fn respond<F, Fut>(headers: &HeaderMap, digest: &str, coded: F) -> Result<Response, ApiError>
where
    F: FnOnce(Coding) -> Fut,
    Fut: std::future::Future<Output = Result<Bytes, Arc<std::io::Error>>>,
{
    let coding = encoding::negotiate(
        headers
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok()),
    );
    let etag = |coding: Coding| format!("\"{}{}\"", digest, coding.etag_suffix());
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
    let body = coded(coding).await.map_err(|err| {
        tracing::error!(error = %err, "cannot compress the snapshot");
        ApiError::unavailable("the knowledge-base snapshot cannot be sent")
    })?;
    Ok((response_headers, body).into_response())
}
