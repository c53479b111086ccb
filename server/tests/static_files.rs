//! The snapshot and the built app, served with the caching a service worker relies on.

mod common;

use common::{refused, send, TestServer};
use server::Config;

async fn start(dir: &tempfile::TempDir, dist: bool) -> TestServer {
    TestServer::start_with(Config {
        snapshot: Some(dir.path().join("kb.snapshot")),
        dist_dir: dist.then(|| dir.path().join("dist")),
        ..common::config(&common::sqlite_in(dir))
    })
    .await
}

#[tokio::test]
async fn snapshot_is_revalidated_by_etag() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kb.snapshot"), b"snapshot v1").unwrap();
    let server = start(&dir, false).await;
    let snapshot = || server.get("/kb.snapshot");

    let first = send(snapshot()).await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["content-type"], "application/octet-stream");
    assert_eq!(first.headers()["cache-control"], "no-cache");
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"'));
    assert_eq!(first.bytes().await.unwrap().as_ref(), b"snapshot v1");

    let unchanged = send(snapshot().header("If-None-Match", &etag)).await;
    assert_eq!(unchanged.status(), 304);

    std::fs::write(dir.path().join("kb.snapshot"), b"snapshot v2, longer").unwrap();
    let changed = send(snapshot().header("If-None-Match", &etag)).await;
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), etag);
    assert_eq!(
        changed.bytes().await.unwrap().as_ref(),
        b"snapshot v2, longer"
    );

    std::fs::remove_file(dir.path().join("kb.snapshot")).unwrap();
    refused(snapshot(), 503).await;
    server.stop().await;
}

/// Something that compresses like a snapshot does: small numbers, repeated structure.
fn compressible() -> Vec<u8> {
    (0..40_000u32)
        .flat_map(|i| ((i * 7) % 23).to_le_bytes())
        .collect()
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::BrotliDecompress(&mut &bytes[..], &mut out).unwrap();
    out
}

fn ungzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes), &mut out).unwrap();
    out
}

#[tokio::test]
async fn snapshot_is_sent_in_the_coding_the_browser_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let original = compressible();
    std::fs::write(dir.path().join("kb.snapshot"), &original).unwrap();
    let server = start(&dir, false).await;
    let snapshot = |accept: &str| server.get("/kb.snapshot").header("Accept-Encoding", accept);

    // What Chromium sends to a secure origin, and to a plain-HTTP one.
    let br = send(snapshot("gzip, deflate, br, zstd")).await;
    assert_eq!(br.status(), 200);
    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(br.headers()["vary"], "accept-encoding");
    let br_tag = br.headers()["etag"].to_str().unwrap().to_owned();
    let body = br.bytes().await.unwrap();
    assert!(body.len() * 4 < original.len(), "{} bytes", body.len());
    assert_eq!(unbrotli(&body), original);

    let gz = send(snapshot("gzip, deflate")).await;
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let gz_tag = gz.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(ungzip(&gz.bytes().await.unwrap()), original);

    let plain = send(server.get("/kb.snapshot")).await;
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.headers()["vary"], "accept-encoding");
    let plain_tag = plain.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(plain.bytes().await.unwrap(), original);

    // One version, three representations: three strong tags, each of which revalidates.
    assert!(br_tag != gz_tag && gz_tag != plain_tag && br_tag != plain_tag);
    for tag in [&br_tag, &gz_tag, &plain_tag] {
        let again = send(snapshot("br").header("If-None-Match", tag)).await;
        assert_eq!(again.status(), 304, "{tag}");
        assert_eq!(again.headers()["etag"], br_tag.as_str());
    }
    // A coding refused with q=0 is not sent.
    let refused_br = send(snapshot("br;q=0, gzip")).await;
    assert_eq!(refused_br.headers()["content-encoding"], "gzip");

    // A new version is compressed again.
    let mut changed = original.clone();
    changed.extend_from_slice(b"v2");
    std::fs::write(dir.path().join("kb.snapshot"), &changed).unwrap();
    let fresh = send(snapshot("br").header("If-None-Match", &br_tag)).await;
    assert_eq!(fresh.status(), 200);
    assert_eq!(unbrotli(&fresh.bytes().await.unwrap()), changed);
    server.stop().await;
}

/// A brotli stream of `bytes` unlike the one the server would make (quality 1), so a test can
/// tell a sidecar sent as stored from one compressed again.
fn brotli_fast(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 1,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).unwrap();
    out
}

#[tokio::test]
async fn snapshot_is_sent_from_the_sidecars_kb_build_wrote_only_while_they_match() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kb.snapshot");
    let original = compressible();
    std::fs::write(&path, &original).unwrap();
    server::http::write_snapshot_sidecars(&path, &original).unwrap();
    assert_eq!(
        ungzip(&std::fs::read(dir.path().join("kb.snapshot.gz")).unwrap()),
        original
    );
    let stored = brotli_fast(&original);
    std::fs::write(dir.path().join("kb.snapshot.br"), &stored).unwrap();
    let server = start(&dir, false).await;
    let snapshot = |accept: &str| server.get("/kb.snapshot").header("Accept-Encoding", accept);

    let br = send(snapshot("br")).await;
    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(br.bytes().await.unwrap(), stored, "the sidecar, as stored");

    // The snapshot replaced without its sidecars: they are an older version's, and not sent.
    let mut changed = original.clone();
    changed.extend_from_slice(b"v2");
    std::fs::write(&path, &changed).unwrap();
    let br = send(snapshot("br")).await;
    assert_eq!(unbrotli(&br.bytes().await.unwrap()), changed);
    let gz = send(snapshot("gzip")).await;
    assert_eq!(ungzip(&gz.bytes().await.unwrap()), changed);
    // A sidecar cut short is not sent either.
    std::fs::write(&path, &original).unwrap();
    std::fs::write(
        dir.path().join("kb.snapshot.br"),
        &stored[..stored.len() / 2],
    )
    .unwrap();
    let br = send(snapshot("br")).await;
    assert_eq!(unbrotli(&br.bytes().await.unwrap()), original);
    server.stop().await;
}

#[tokio::test]
async fn app_files_are_sent_precompressed_when_the_build_wrote_them() {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(dist.join("agent")).unwrap();
    let wasm = compressible();
    let name = "app-0123456789abcdef_bg.wasm";
    std::fs::write(dist.join(name), &wasm).unwrap();
    std::fs::write(dist.join(format!("{name}.br")), b"brotli bytes").unwrap();
    std::fs::write(dist.join(format!("{name}.gz")), b"gzip bytes").unwrap();
    std::fs::write(dist.join("index.html"), "<title>visitor</title>").unwrap();
    std::fs::write(dist.join("index.html.gz"), "gzip index").unwrap();
    std::fs::write(dist.join("agent/index.html"), "<title>workbench</title>").unwrap();
    let server = start(&dir, true).await;
    let path = format!("/{name}");
    let get = |path: &str, accept: &str| server.get(path).header("Accept-Encoding", accept);

    let br = send(get(&path, "gzip, deflate, br")).await;
    assert_eq!(br.status(), 200);
    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(br.headers()["content-type"], "application/wasm");
    assert_eq!(br.headers()["vary"], "accept-encoding");
    assert_eq!(
        br.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(br.bytes().await.unwrap().as_ref(), b"brotli bytes");

    let gz = send(get(&path, "gzip")).await;
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    assert_eq!(gz.bytes().await.unwrap().as_ref(), b"gzip bytes");

    let plain = send(server.get(&path)).await;
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.bytes().await.unwrap(), wasm);

    // The app's routes answer with its index.html, compressed as well; a file the build did
    // not compress goes out as it is.
    let page = send(get("/widget", "gzip, br")).await;
    assert_eq!(page.headers()["content-encoding"], "gzip");
    assert_eq!(page.bytes().await.unwrap().as_ref(), b"gzip index");
    let workbench = send(get("/admin/sites", "gzip, br")).await;
    assert!(workbench.headers().get("content-encoding").is_none());
    assert_eq!(
        workbench.bytes().await.unwrap().as_ref(),
        b"<title>workbench</title>"
    );
    server.stop().await;
}

#[tokio::test]
async fn app_routes_fall_back_to_index_html() {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>visitor</title>",
    )
    .unwrap();
    std::fs::write(dist.join("app-0123456789abcdef.js"), "console.log(1)").unwrap();
    std::fs::write(dist.join("sw.js"), "self.skipWaiting()").unwrap();
    std::fs::create_dir_all(dist.join("agent")).unwrap();
    std::fs::write(
        dist.join("agent/index.html"),
        "<!doctype html><title>workbench</title>",
    )
    .unwrap();
    let server = start(&dir, true).await;

    let pages = [
        ("/", "visitor"),
        ("/widget", "visitor"),
        ("/agent/", "workbench"),
        ("/agent/tickets/T-ABC", "workbench"),
        ("/admin", "workbench"),
        ("/admin/sites", "workbench"),
    ];
    for (path, app) in pages {
        let response = send(server.get(path)).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-cache", "{path}");
        let title = format!("<title>{app}</title>");
        assert!(response.text().await.unwrap().contains(&title), "{path}");
    }

    let hashed = send(server.get("/app-0123456789abcdef.js")).await;
    assert_eq!(hashed.status(), 200);
    assert_eq!(
        hashed.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let worker = send(server.get("/sw.js")).await;
    assert_eq!(worker.headers()["cache-control"], "no-cache");

    refused(server.get("/missing.js"), 404).await;
    refused(server.get("/api/v1/unknown"), 404).await;
    assert_eq!(send(server.get("/healthz")).await.status(), 200);
    server.stop().await;
}
