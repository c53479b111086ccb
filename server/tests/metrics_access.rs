//! Who may read `/metrics`, and what its labels may grow to, over real HTTP on SQLite and
//! PostgreSQL.

mod common;

use common::{expect_problem, send, TestServer};
use reqwest::RequestBuilder;
use server::Config;

on_both_databases! {
    metrics_need_the_token_unless_opened => sqlite_metrics_need_the_token_unless_opened, postgres_metrics_need_the_token_unless_opened;
    unknown_methods_share_one_label => sqlite_unknown_methods_share_one_label, postgres_unknown_methods_share_one_label;
}

async fn start(db: &str, token: Option<&str>, open_on_loopback: bool) -> TestServer {
    TestServer::start_with(Config {
        metrics_token: token.map(str::to_owned),
        metrics_open_on_loopback: open_on_loopback,
        ..common::config(db)
    })
    .await
}

/// A scrape of `/metrics` with `bearer` as its token, through a proxy when `forwarded_for`
/// names a client.
fn scrape(
    server: &TestServer,
    bearer: Option<&str>,
    forwarded_for: Option<&str>,
) -> RequestBuilder {
    let mut request = server.get("/metrics");
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    if let Some(client) = forwarded_for {
        request = request.header("x-forwarded-for", client);
    }
    request
}

/// A server's metrics token and whether it opens them on loopback; then scrapes, each with its
/// token, its proxied client and the status it gets.
type Case<'a> = (
    Option<&'a str>,
    bool,
    &'a [(Option<&'a str>, Option<&'a str>, u16)],
);

async fn metrics_need_the_token_unless_opened(db: String) {
    let cases: [Case; 3] = [
        // A reverse proxy on this host that adds no X-Forwarded-For looks exactly like this
        // request: loopback peer, no proxy headers. By default that is not enough.
        (None, false, &[(None, None, 403)]),
        (
            Some("s3cret"),
            false,
            &[
                (None, None, 403),
                (Some("guess"), None, 403),
                (Some("s3cret"), None, 200),
            ],
        ),
        // Opened explicitly: local scrapers without the token, still not through a proxy.
        (
            None,
            true,
            &[(None, None, 200), (None, Some("192.0.2.1"), 403)],
        ),
    ];
    for (token, open_on_loopback, scrapes) in cases {
        let server = start(&db, token, open_on_loopback).await;
        for &(bearer, forwarded_for, status) in scrapes {
            let response = send(scrape(&server, bearer, forwarded_for)).await;
            if status != 200 {
                expect_problem(response, status).await;
                continue;
            }
            assert_eq!(response.status(), 200);
            if bearer.is_some() {
                assert!(response
                    .text()
                    .await
                    .unwrap()
                    .contains("answerdesk_http_requests_total"));
            }
        }
        server.stop().await;
    }
}

async fn unknown_methods_share_one_label(db: String) {
    let server = start(&db, Some("s3cret"), false).await;
    for method in ["BREW", "PROPFIND", "X-SCAN-1", "X-SCAN-2"] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let response = send(server.request(method, "/api/v1/escalations")).await;
        assert!(response.status().is_client_error(), "{}", response.status());
    }
    let text = common::text(scrape(&server, Some("s3cret"), None)).await;
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
