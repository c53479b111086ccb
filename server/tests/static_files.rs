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
