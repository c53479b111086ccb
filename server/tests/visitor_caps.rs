//! What a visitor's browser may not do, over real HTTP on SQLite and on PostgreSQL: page URLs
//! that are not web pages, more messages than a ticket takes, tokens past their expiry or in a
//! query string, new tokens from replayed escalations, groups the site does not offer, and
//! feedback on entries the knowledge base does not have.

mod common;
mod desk_support;

use std::time::Duration;

use common::{database, expect_problem, refused, Escalation, TestServer};
use desk_support::{json_of, offer_groups, Agent};
use reqwest::Method;
use serde_json::{json, Value};
use server::http::VisitorPolicy;
use server::store::{Store, TicketFilter};
use server::Config;

on_both_databases! {
    page_url_must_be_a_web_page => sqlite_page_url_must_be_a_web_page, postgres_page_url_must_be_a_web_page;
    messages_per_ticket_are_capped => sqlite_messages_per_ticket_are_capped, postgres_messages_per_ticket_are_capped;
    tokens_expire_after_inactivity => sqlite_tokens_expire_after_inactivity, postgres_tokens_expire_after_inactivity;
    tokens_are_read_from_the_header_only => sqlite_tokens_are_read_from_the_header_only, postgres_tokens_are_read_from_the_header_only;
    replays_mint_no_token => sqlite_replays_mint_no_token, postgres_replays_mint_no_token;
    visitors_choose_only_offered_groups => sqlite_visitors_choose_only_offered_groups, postgres_visitors_choose_only_offered_groups;
    feedback_needs_a_served_knowledge_base => sqlite_feedback_needs_a_served_knowledge_base, postgres_feedback_needs_a_served_knowledge_base;
}

async fn page_url_must_be_a_web_page(db: String) {
    let server = TestServer::start(&db).await;
    let from_page = |url: &str| Escalation::new("help").with("page_url", url);
    for url in [
        "javascript:alert(1)",
        "  JavaScript:alert(document.domain)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "//evil.example/page",
        "https://",
        "https://shop.example/\u{0}x",
        "https://shop.example/a b",
    ] {
        let problem = expect_problem(from_page(url).send(&server).await, 422).await;
        assert!(
            problem["detail"].as_str().unwrap().contains("page_url"),
            "{url}: {problem}"
        );
    }
    for url in [
        "https://shop.example/cart?x=1#top",
        "HTTP://localhost:8080/",
    ] {
        let response = from_page(url).send(&server).await;
        assert_eq!(response.status(), 201, "{url}");
    }
    server.stop().await;
}

async fn messages_per_ticket_are_capped(db: String) {
    let server = TestServer::start_with(Config {
        visitor: VisitorPolicy {
            max_messages_per_ticket: 5,
            ..VisitorPolicy::default()
        },
        ..common::config(&db)
    })
    .await;
    // Two transcript turns and the escalation message: three of five.
    let (ticket, token) = Escalation::new("first")
        .with(
            "transcript",
            json!([{"role": "visitor", "text": "hi"}, {"role": "bot", "text": "hello"}]),
        )
        .create(&server)
        .await;
    let reply = |text: &str, key: Option<&str>| {
        let mut request = server.reply(&ticket, &token, text);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        request.send()
    };
    assert_eq!(reply("fourth", None).await.unwrap().status(), 201);
    assert_eq!(reply("fifth", Some("k5")).await.unwrap().status(), 201);
    for key in [None, Some("k6")] {
        let problem = expect_problem(reply("sixth", key).await.unwrap(), 422).await;
        assert!(
            problem["detail"].as_str().unwrap().contains("(5)"),
            "{problem}"
        );
    }
    // The retry of an accepted reply still gets its message back.
    assert_eq!(reply("fifth", Some("k5")).await.unwrap().status(), 200);
    let messages = common::body(server.visitor(Method::GET, &ticket, &token, "/messages")).await;
    assert_eq!(messages["messages"].as_array().unwrap().len(), 5);
    // Agents are not capped by what the visitor sent.
    let admin = Agent::admin(&server).await;
    let body = json!({ "body": "We are on it." });
    admin.message(&server, &ticket, body).await;
    server.stop().await;
}

async fn tokens_expire_after_inactivity(db: String) {
    let server = TestServer::start(&db).await;
    let (ticket, token) = server.escalate("where is my parcel?").await;
    let (fresh, fresh_token) = server.escalate("another question").await;
    let get = |ticket: &str, token: &str| server.visitor(Method::GET, ticket, token, "").send();
    assert_eq!(get(&ticket, &token).await.unwrap().status(), 200);

    // 91 days without activity: past the default of 90.
    let pool = database(&db).await;
    let aged = VisitorPolicy::DEFAULT_TOKEN_TTL + Duration::from_secs(86_400);
    sqlx::query("UPDATE tickets SET updated_at = updated_at - $1 WHERE public_id = $2")
        .bind(aged.as_millis() as i64)
        .bind(&ticket)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    let problem = expect_problem(get(&ticket, &token).await.unwrap(), 401).await;
    assert_eq!(problem["type"], "/problems/token-expired");
    refused(server.events(&ticket, &token), 401).await;
    refused(server.reply(&ticket, &token, "hello?"), 401).await;
    // Only the token's holder learns it expired: another token gets the usual 404.
    expect_problem(get(&ticket, &fresh_token).await.unwrap(), 404).await;
    // A ticket with recent activity is unaffected.
    assert_eq!(get(&fresh, &fresh_token).await.unwrap().status(), 200);
    server.stop().await;
}

async fn tokens_are_read_from_the_header_only(db: String) {
    let server = TestServer::start(&db).await;
    let (ticket, token) = server.escalate("hello").await;
    for path in [
        format!("/api/v1/tickets/{ticket}?token={token}"),
        format!("/api/v1/tickets/{ticket}/messages?token={token}"),
    ] {
        let problem = refused(server.get(&path), 401).await;
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("Authorization"),
            "{path}: {problem}"
        );
    }
    let path = format!("/api/v1/tickets/{ticket}/messages?token={token}");
    refused(server.post(&path, json!({ "text": "hi" })), 401).await;
    // The event stream is the exception: EventSource cannot send headers.
    let events = common::send(server.events(&ticket, &token)).await;
    assert_eq!(events.status(), 200);
    drop(events);
    server.stop().await;
}

async fn replays_mint_no_token(db: String) {
    let server = TestServer::start(&db).await;
    let parcel = |key: &str| Escalation::new("where is my parcel?").with_key(key);
    let send = || parcel("client-key-7f3a").request(&server).send();
    let first: Value = send().await.unwrap().json().await.unwrap();
    let pool = database(&db).await;
    let tokens = || async {
        let row: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM ticket_tokens")
            .fetch_one(&pool)
            .await
            .unwrap();
        row.0
    };
    assert_eq!(tokens().await, 1);
    for _ in 0..5 {
        let retry = send().await.unwrap();
        assert_eq!(retry.status(), 200);
        let retry: Value = retry.json().await.unwrap();
        assert_eq!(retry["ticket_id"], first["ticket_id"]);
        assert_eq!(retry["token"], first["token"]);
    }
    assert_eq!(tokens().await, 1, "retries add no token");
    // Neither the key nor the token is stored in a form that gives the token back.
    let (key, wrapped): (String, String) = sqlx::query_as(
        "SELECT t.idempotency_key, k.wrapped_token FROM tickets t \
         JOIN ticket_tokens k ON k.ticket_id = t.id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(
        key.starts_with("sha256:") && !key.contains("client-key"),
        "{key}"
    );
    assert!(!wrapped.contains(first["token"].as_str().unwrap()));
    pool.close().await;

    // Another key with the same body is another escalation; the same key on another body is
    // refused, and neither gets the first token.
    let other = parcel("client-key-other").send(&server).await;
    assert_eq!(other.status(), 201);
    let other: Value = other.json().await.unwrap();
    assert_ne!(other["token"], first["token"]);
    server.stop().await;
}

async fn visitors_choose_only_offered_groups(db: String) {
    let server = TestServer::start(&db).await;
    let admin = Agent::admin(&server).await;
    for (id, name) in [("vip", "VIP"), ("billing", "Billing")] {
        admin.create_group(&server, id, name).await;
    }
    let group_of = |ticket: String| {
        let db = db.clone();
        async move {
            let store = Store::connect(&db).await.unwrap();
            let tickets = store.list_tickets(&TicketFilter::default()).await.unwrap();
            store.close().await;
            tickets.into_iter().find(|t| t.id == ticket).unwrap().group
        }
    };
    // Nothing offered: whatever the browser names, the site's default group.
    for group in ["vip", "nope"] {
        let (ticket, _) = Escalation::new("me first")
            .with("group", group)
            .create(&server)
            .await;
        assert_eq!(
            group_of(ticket).await.as_deref(),
            Some("general"),
            "{group}"
        );
    }
    offer_groups(&server, &admin, "demo", &["billing"]).await;
    let (billing, _) = Escalation::new("invoice")
        .with("group", "billing")
        .create(&server)
        .await;
    assert_eq!(group_of(billing).await.as_deref(), Some("billing"));
    let (vip, _) = Escalation::new("me first")
        .with("group", "vip")
        .create(&server)
        .await;
    assert_eq!(group_of(vip).await.as_deref(), Some("general"));
    // An admin page that does not know the field leaves the offer alone.
    let sites = json_of(admin.get(&server, "/api/v1/admin/sites")).await;
    let demo = common::item(&sites, "sites", "id", "demo");
    let kept = json_of(admin.put(
        &server,
        "/api/v1/admin/sites/demo",
        json!({ "name": demo["name"], "allowed_origins": demo["allowed_origins"] }),
    ))
    .await;
    assert_eq!(kept["visitor_groups"], json!(["billing"]));
    // Offering a group that does not exist is refused.
    let unknown = json!({ "name": "Demo", "visitor_groups": ["nope"] });
    refused(admin.put(&server, "/api/v1/admin/sites/demo", unknown), 422).await;
    server.stop().await;
}

async fn feedback_needs_a_served_knowledge_base(db: String) {
    let server = TestServer::start(&db).await;
    let feedback = json!({ "site": "demo", "entry_id": "anything", "helpful": true });
    let problem = refused(server.post("/api/v1/feedback", feedback), 422).await;
    assert_eq!(problem["type"], "/problems/unknown-entry");
    server.stop().await;
}
