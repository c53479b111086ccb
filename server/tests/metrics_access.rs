//! Who may read `/metrics`, and what its labels may grow to, over real HTTP on SQLite and
//! PostgreSQL.

mod common;

use common::{expect_problem, TestServer};
use server::Config;

on_both_databases! {
    metrics_need_the_token_unless_opened => sqlite_metrics_need_the_token_unless_opened, postgres_metrics_need_the_token_unless_opened;
    unknown_methods_share_one_label => sqlite_unknown_methods_share_one_label, postgres_unknown_methods_share_one_label;
}

async fn start(db: &str, token: Option<&str>, open_on_loopback: bool) -> TestServer {
    TestServer::start_with(Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        database_url: db.to_owned(),
        metrics_token: token.map(str::to_owned),
        metrics_open_on_loopback: open_on_loopback,
        ..Config::default()
    })
    .await
}

async fn metrics_need_the_token_unless_opened(db: String) {
    // A reverse proxy on this host that adds no X-Forwarded-For looks exactly like this request:
    // loopback peer, no proxy headers. By default that is not enough.
    let server = start(&db, None, false).await;
    let local = server
        .client
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap();
    expect_problem(local, 403).await;
    server.stop().await;

    let server = start(&db, Some("s3cret"), false).await;
    let anonymous = server
        .client
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap();
    expect_problem(anonymous, 403).await;
    let wrong = server
        .client
        .get(server.url("/metrics"))
        .bearer_auth("guess")
        .send()
        .await
        .unwrap();
    expect_problem(wrong, 403).await;
    let scraper = server
        .client
        .get(server.url("/metrics"))
        .bearer_auth("s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(scraper.status(), 200);
    assert!(scraper
        .text()
        .await
        .unwrap()
        .contains("answerdesk_http_requests_total"));
    server.stop().await;

    // Opened explicitly: local scrapers without the token, still not through a proxy.
    let server = start(&db, None, true).await;
    let local = server
        .client
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(local.status(), 200);
    let proxied = server
        .client
        .get(server.url("/metrics"))
        .header("x-forwarded-for", "192.0.2.1")
        .send()
        .await
        .unwrap();
    expect_problem(proxied, 403).await;
    server.stop().await;
}

async fn unknown_methods_share_one_label(db: String) {
    let server = start(&db, Some("s3cret"), false).await;
    for method in ["BREW", "PROPFIND", "X-SCAN-1", "X-SCAN-2"] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let response = server
            .client
            .request(method, server.url("/api/v1/escalations"))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_client_error(), "{}", response.status());
    }
    let text = server
        .client
        .get(server.url("/metrics"))
        .bearer_auth("s3cret")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for made_up in ["BREW", "PROPFIND", "X-SCAN"] {
        assert!(!text.contains(made_up), "{made_up} became a label:\n{text}");
    }
    let other: Vec<&str> = text
        .lines()
        .filter(|line| line.starts_with("answerdesk_http_requests_total{method=\"other\""))
        .collect();
    assert_eq!(
        other.len(),
        1,
        "one series for every unknown method: {other:?}"
    );
    assert!(other[0].ends_with(" 4"), "{}", other[0]);
    server.stop().await;
}
