//! What the widget sends on its own, over real HTTP on SQLite and on PostgreSQL: anonymous
//! feedback on answers (counted once per idempotency key, summed per entry for admins) and a
//! visitor's reply resent with the same `Idempotency-Key` (one message, the same one back).

mod common;
mod desk_support;

use common::{expect_problem, send, TestServer};
use desk_support::{json_of, Agent};
use reqwest::Method;
use serde_json::{json, Value};

on_both_databases! {
    feedback_is_counted_once_and_summed => sqlite_feedback_is_counted_once_and_summed, postgres_feedback_is_counted_once_and_summed;
    reply_retry_returns_the_same_message => sqlite_reply_retry_returns_the_same_message, postgres_reply_retry_returns_the_same_message;
}

async fn send_feedback(server: &TestServer, body: Value, key: Option<&str>) -> reqwest::Response {
    let request = server.post("/api/v1/feedback", body);
    send(match key {
        Some(key) => request.header("Idempotency-Key", key),
        None => request,
    })
    .await
}

async fn feedback_is_counted_once_and_summed(db: String) {
    let dir = tempfile::tempdir().unwrap();
    let server = common::start_with_snapshot(&db, &dir, &["delivery-time", "start-return"]).await;
    let long_query = "where is my parcel ".repeat(40);
    let up = json!({
        "site": "demo", "entry_id": "delivery-time", "helpful": true,
        "query": long_query, "locale": "en",
    });
    for _ in 0..3 {
        // The widget resends a verdict queued offline: one row however often it arrives.
        let response = send_feedback(&server, up.clone(), Some("fb-1")).await;
        assert_eq!(response.status(), 204);
        assert!(
            response.headers().get("set-cookie").is_none(),
            "feedback sets no cookie"
        );
    }
    let down = json!({ "site": "demo", "entry_id": "delivery-time", "helpful": false });
    assert_eq!(
        send_feedback(&server, down.clone(), Some("fb-2"))
            .await
            .status(),
        204
    );
    assert_eq!(send_feedback(&server, down, None).await.status(), 204);
    let other =
        json!({ "site": "demo", "entry_id": "start-return", "helpful": true, "locale": "zh-CN" });
    assert_eq!(
        send_feedback(&server, other, Some("fb-3")).await.status(),
        204
    );

    // Refused: unknown site, missing entry, a foreign page's origin.
    let unknown = json!({ "site": "nope", "entry_id": "x", "helpful": true });
    expect_problem(send_feedback(&server, unknown, None).await, 422).await;
    let blank = json!({ "site": "demo", "entry_id": " ", "helpful": true });
    expect_problem(send_feedback(&server, blank, None).await, 422).await;
    // An id the served knowledge base does not have is not counted: the tally admins read
    // cannot be filled with made-up entries.
    let made_up = json!({ "site": "demo", "entry_id": "free-money", "helpful": false });
    let problem = expect_problem(send_feedback(&server, made_up, None).await, 422).await;
    assert_eq!(problem["type"], "/problems/unknown-entry");
    let foreign = json!({ "site": "demo", "entry_id": "start-return", "helpful": true });
    let foreign = send(
        server
            .post("/api/v1/feedback", foreign)
            .header("Origin", "https://evil.example"),
    )
    .await;
    assert_eq!(foreign.status(), 403);

    let admin = Agent::admin(&server).await;
    let summary = json_of(admin.get(&server, "/api/v1/admin/feedback")).await;
    assert_eq!(
        summary["entries"],
        json!([
            {"site": "demo", "entry_id": "delivery-time", "up": 1, "down": 2},
            {"site": "demo", "entry_id": "start-return", "up": 1, "down": 0},
        ])
    );
    let other_site = json_of(admin.get(&server, "/api/v1/admin/feedback?site=other")).await;
    assert_eq!(other_site["entries"], json!([]));

    // Agents who are not admins do not see it; nobody signed out does.
    let agent = admin.invite(&server, "ann@example.com", &["general"]).await;
    let refused = send(agent.get(&server, "/api/v1/admin/feedback")).await;
    assert_eq!(refused.status(), 403);
    let anonymous = send(server.get("/api/v1/admin/feedback")).await;
    assert_eq!(anonymous.status(), 401);
    server.stop().await;
}

async fn reply_retry_returns_the_same_message(db: String) {
    let server = TestServer::start(&db).await;
    let (ticket, token) = server.escalate("my order never came").await;
    let reply = |key: &'static str, text: &'static str| {
        server
            .reply(&ticket, &token, text)
            .header("Idempotency-Key", key)
            .send()
    };
    let first = reply("reply-1", "It was order 1042").await.unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    for _ in 0..2 {
        let again = reply("reply-1", "It was order 1042").await.unwrap();
        assert_eq!(again.status(), 200, "a retry is not a new message");
        let again: Value = again.json().await.unwrap();
        assert_eq!(again["id"], first["id"]);
        assert_eq!(again["body_text"], "It was order 1042");
    }
    // The same key for another text is a client bug, not a retry.
    expect_problem(reply("reply-1", "something else").await.unwrap(), 422).await;
    // Another key is another message; no key at all is always a new one.
    assert_eq!(
        reply("reply-2", "It was order 1042")
            .await
            .unwrap()
            .status(),
        201
    );
    let unkeyed = send(server.reply(&ticket, &token, "hello?")).await;
    assert_eq!(unkeyed.status(), 201);

    let list = common::body(server.visitor(Method::GET, &ticket, &token, "/messages")).await;
    let texts: Vec<&str> = list["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["author"] == "visitor")
        .map(|m| m["body_text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "my order never came",
            "It was order 1042",
            "It was order 1042",
            "hello?"
        ]
    );
    // A key is the ticket's: another ticket may use the same one.
    let (other, other_token) = server.escalate("second case").await;
    let elsewhere = send(
        server
            .reply(&other, &other_token, "It was order 1042")
            .header("Idempotency-Key", "reply-1"),
    )
    .await;
    assert_eq!(elsewhere.status(), 201);
    server.stop().await;
}
