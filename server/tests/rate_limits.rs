//! Rate limits on the public endpoints, on SQLite and on PostgreSQL.

mod common;

use common::{expect_problem, TestServer};
use serde_json::json;
use server::{Config, Quota, RateLimits};

on_both_databases! {
    per_ip_limit_answers_429_with_retry_after => sqlite_per_ip_limit_answers_429_with_retry_after, postgres_per_ip_limit_answers_429_with_retry_after;
    per_site_limit_counts_escalations => sqlite_per_site_limit_counts_escalations, postgres_per_site_limit_counts_escalations;
    limits_off_lets_everything_through => sqlite_limits_off_lets_everything_through, postgres_limits_off_lets_everything_through;
}

/// A quota that refills so slowly no test outlives it.
fn tight(burst: u32) -> Quota {
    Quota {
        burst,
        per_minute: 1,
    }
}

async fn start(database_url: &str, rate_limit: bool, limits: RateLimits) -> TestServer {
    TestServer::start_with(Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        database_url: database_url.to_owned(),
        rate_limit,
        rate_limits: limits,
        ..Config::default()
    })
    .await
}

async fn per_ip_limit_answers_429_with_retry_after(database_url: String) {
    let server = start(
        &database_url,
        true,
        RateLimits {
            per_ip: tight(3),
            ..RateLimits::default()
        },
    )
    .await;
    let (ticket, token) = server.escalate("my order never arrived").await;
    let read = || {
        server
            .client
            .get(server.url(&format!("/api/v1/tickets/{ticket}")))
            .bearer_auth(&token)
            .header("Origin", "http://localhost:8080")
            .send()
    };
    assert_eq!(read().await.unwrap().status(), 200);
    assert_eq!(read().await.unwrap().status(), 200);

    let limited = read().await.unwrap();
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "Retry-After {retry_after}");
    // The widget on another origin must be able to read the refusal.
    assert!(limited
        .headers()
        .contains_key("access-control-allow-origin"));
    let problem = expect_problem(limited, 429).await;
    assert_eq!(problem["type"], "/problems/rate-limited");

    // Every public endpoint shares the address's bucket, escalations included.
    let escalation = server
        .client
        .post(server.url("/api/v1/escalations"))
        .json(&json!({ "site": "demo", "message": "hello?" }))
        .send()
        .await
        .unwrap();
    expect_problem(escalation, 429).await;

    // Agents' endpoints are not public and not limited per address.
    for _ in 0..5 {
        let session = server
            .client
            .get(server.url("/api/v1/session"))
            .send()
            .await
            .unwrap();
        assert_ne!(session.status(), 429);
    }
    // Nor are the operations endpoints.
    let health = server.client.get(server.url("/healthz")).send().await;
    assert_eq!(health.unwrap().status(), 200);
    server.stop().await;
}

async fn per_site_limit_counts_escalations(database_url: String) {
    let server = start(
        &database_url,
        true,
        RateLimits {
            per_site_escalations: tight(2),
            ..RateLimits::default()
        },
    )
    .await;
    let escalate = |message: &'static str| {
        server
            .client
            .post(server.url("/api/v1/escalations"))
            .json(&json!({ "site": "demo", "message": message }))
            .send()
    };
    assert_eq!(escalate("one").await.unwrap().status(), 201);
    assert_eq!(escalate("two").await.unwrap().status(), 201);
    let limited = escalate("three").await.unwrap();
    assert!(limited.headers().contains_key("retry-after"));
    let problem = expect_problem(limited, 429).await;
    assert!(problem["detail"].as_str().unwrap().contains("demo"));

    // An unknown site spends nothing and is told so, not limited.
    let unknown = server
        .client
        .post(server.url("/api/v1/escalations"))
        .json(&json!({ "site": "nowhere", "message": "hi" }))
        .send()
        .await
        .unwrap();
    expect_problem(unknown, 422).await;
    server.stop().await;
}

async fn limits_off_lets_everything_through(database_url: String) {
    let server = start(
        &database_url,
        false,
        RateLimits {
            per_ip: tight(1),
            per_site_escalations: tight(1),
        },
    )
    .await;
    for i in 0..5 {
        server.escalate(&format!("question {i}")).await;
    }
    server.stop().await;
}
