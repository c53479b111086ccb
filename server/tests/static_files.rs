//! The snapshot and the built app, served with the caching a service worker relies on.

mod common;

use common::{expect_problem, TestServer};
use server::Config;

async fn start(dir: &tempfile::TempDir, dist: bool) -> TestServer {
    TestServer::start_with(Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        database_url: format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("db.sqlite").display()
        ),
        snapshot: Some(dir.path().join("kb.snapshot")),
        dist_dir: dist.then(|| dir.path().join("dist")),
        ..Config::default()
    })
    .await
}

#[tokio::test]
async fn snapshot_is_revalidated_by_etag() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kb.snapshot"), b"snapshot v1").unwrap();
    let server = start(&dir, false).await;
    let url = server.url("/kb.snapshot");

    let first = server.client.get(&url).send().await.unwrap();
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["content-type"], "application/octet-stream");
    assert_eq!(first.headers()["cache-control"], "no-cache");
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"'));
    assert_eq!(first.bytes().await.unwrap().as_ref(), b"snapshot v1");

    let unchanged = server
        .client
        .get(&url)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(unchanged.status(), 304);

    std::fs::write(dir.path().join("kb.snapshot"), b"snapshot v2, longer").unwrap();
    let changed = server
        .client
        .get(&url)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), etag);
    assert_eq!(
        changed.bytes().await.unwrap().as_ref(),
        b"snapshot v2, longer"
    );

    std::fs::remove_file(dir.path().join("kb.snapshot")).unwrap();
    expect_problem(server.client.get(&url).send().await.unwrap(), 503).await;
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
        let response = server.client.get(server.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-cache", "{path}");
        let title = format!("<title>{app}</title>");
        assert!(response.text().await.unwrap().contains(&title), "{path}");
    }

    let hashed = server
        .client
        .get(server.url("/app-0123456789abcdef.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(hashed.status(), 200);
    assert_eq!(
        hashed.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let worker = server
        .client
        .get(server.url("/sw.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(worker.headers()["cache-control"], "no-cache");

    expect_problem(
        server
            .client
            .get(server.url("/missing.js"))
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
    expect_problem(
        server
            .client
            .get(server.url("/api/v1/unknown"))
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
    assert_eq!(
        server
            .client
            .get(server.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    server.stop().await;
}
