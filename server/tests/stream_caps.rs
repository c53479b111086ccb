//! Caps on open event streams, per client address and in total, over real HTTP on SQLite and
//! PostgreSQL: the visitors' ticket streams and the agents' desk stream share them.

mod common;
mod desk_support;

use std::time::Duration;

use common::{expect_problem, send, TestServer};
use desk_support::Agent;
use server::{Config, StreamLimits};

on_both_databases! {
    streams_are_capped_per_address_and_in_total => sqlite_streams_are_capped_per_address_and_in_total, postgres_streams_are_capped_per_address_and_in_total;
}

async fn streams_are_capped_per_address_and_in_total(db: String) {
    let server = TestServer::start_with(Config {
        trusted_proxies: vec!["127.0.0.1".to_owned()],
        metrics_token: Some("s3cret".to_owned()),
        stream_limits: StreamLimits {
            per_ip: 2,
            total: 3,
            ..StreamLimits::default()
        },
        ..common::config(&db)
    })
    .await;
    let (ticket, token) = server.escalate("hello?").await;
    let visitor_stream = |client: &str| {
        server
            .events(&ticket, &token)
            .header("x-forwarded-for", client)
            .send()
    };
    let a1 = visitor_stream("192.0.2.1").await.unwrap();
    assert_eq!(a1.status(), 200);
    let a2 = visitor_stream("192.0.2.1").await.unwrap();
    assert_eq!(a2.status(), 200);
    let a3 = visitor_stream("192.0.2.1").await.unwrap();
    assert!(a3.headers().contains_key("retry-after"));
    expect_problem(a3, 429).await;

    let b1 = visitor_stream("192.0.2.2").await.unwrap();
    assert_eq!(b1.status(), 200);
    // Full: another address gets 503, the agents' stream too.
    let c1 = visitor_stream("192.0.2.3").await.unwrap();
    assert!(c1.headers().contains_key("retry-after"));
    expect_problem(c1, 503).await;
    let admin = Agent::admin(&server).await;
    let desk_stream = || {
        admin
            .get(&server, "/api/v1/desk/events")
            .header("x-forwarded-for", "192.0.2.4")
            .send()
    };
    expect_problem(desk_stream().await.unwrap(), 503).await;

    // A closed stream frees its place.
    drop(a1);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let desk = loop {
        let desk = desk_stream().await.unwrap();
        if desk.status() == 200 || tokio::time::Instant::now() > deadline {
            break desk;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(desk.status(), 200);

    // A refused request holds no place: a failed sign-in to the stream does not count either.
    let anonymous = server
        .get("/api/v1/desk/events")
        .header("x-forwarded-for", "192.0.2.5");
    expect_problem(send(anonymous).await, 503).await;

    let metrics = common::text(server.get("/metrics").bearer_auth("s3cret")).await;
    for needle in [
        "answerdesk_sse_refused_total{reason=\"per_ip\"} 1",
        "answerdesk_sse_clients 3",
    ] {
        assert!(metrics.contains(needle), "{needle} missing from\n{metrics}");
    }
    assert!(metrics.contains("answerdesk_sse_refused_total{reason=\"total\"}"));
    drop((a2, b1, desk));
    server.stop().await;
}
