//! An agent's open event stream follows what the agent may see now, over real HTTP on SQLite and
//! PostgreSQL: it ends when the session ends (sign-out, expiry, password change or reset,
//! disabling), and stops carrying a group's tickets when the agent is demoted or leaves it.

mod common;
mod desk_support;

use std::time::Duration;

use common::TestServer;
use desk_support::{json_of, Agent};
use serde_json::json;
use server::{Config, StreamLimits};

on_both_databases! {
    sign_out_ends_the_stream => sqlite_sign_out_ends_the_stream, postgres_sign_out_ends_the_stream;
    disabling_ends_the_stream => sqlite_disabling_ends_the_stream, postgres_disabling_ends_the_stream;
    password_change_ends_the_other_sessions_streams => sqlite_password_change_ends_the_other_sessions_streams, postgres_password_change_ends_the_other_sessions_streams;
    password_reset_ends_the_stream => sqlite_password_reset_ends_the_stream, postgres_password_reset_ends_the_stream;
    expiry_ends_the_stream => sqlite_expiry_ends_the_stream, postgres_expiry_ends_the_stream;
    demotion_narrows_the_stream => sqlite_demotion_narrows_the_stream, postgres_demotion_narrows_the_stream;
    leaving_a_group_narrows_the_stream => sqlite_leaving_a_group_narrows_the_stream, postgres_leaving_a_group_narrows_the_stream;
}

async fn start(db: &str, session_ttl: Duration) -> TestServer {
    TestServer::start_with(Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        database_url: db.to_owned(),
        session_ttl,
        stream_limits: StreamLimits {
            recheck: Duration::from_millis(300),
            ..StreamLimits::default()
        },
        ..Config::default()
    })
    .await
}

async fn open_stream(server: &TestServer, agent: &Agent) -> reqwest::Response {
    let stream = agent
        .get(server, "/api/v1/desk/events")
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    stream
}

/// Reads until the stream ends; panics if it is still open after 10 s. Answers what it carried.
async fn expect_end(stream: &mut reqwest::Response) -> String {
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match tokio::time::timeout_at(deadline, stream.chunk()).await {
            Err(_) => panic!("the stream is still open after 10 s; it carried {seen:?}"),
            Ok(Ok(Some(chunk))) => seen.push_str(&String::from_utf8_lossy(&chunk)),
            Ok(Ok(None)) | Ok(Err(_)) => return seen,
        }
    }
}

/// Reads until `needle` arrives; panics if the stream ends or 10 s pass first.
async fn read_until(stream: &mut reqwest::Response, needle: &str) -> String {
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !seen.contains(needle) {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk())
            .await
            .unwrap_or_else(|_| panic!("no {needle:?} within 10 s; got {seen:?}"))
            .unwrap()
            .unwrap_or_else(|| panic!("the stream ended before {needle:?}; got {seen:?}"));
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    seen
}

/// After a revocation, an internal note posted by the admin must not reach the stream.
async fn assert_note_not_delivered(
    server: &TestServer,
    admin: &Agent,
    stream: &mut reqwest::Response,
) {
    let (ticket, _) = server.escalate("a case after the revocation").await;
    json_of(admin.post(
        server,
        &format!("/api/v1/desk/tickets/{ticket}/messages"),
        json!({ "body": "INTERNAL-AFTER-REVOCATION", "internal": true }),
    ))
    .await;
    let seen = expect_end(stream).await;
    assert!(!seen.contains("INTERNAL-AFTER-REVOCATION"), "{seen}");
}

async fn sign_out_ends_the_stream(db: String) {
    let server = start(&db, Duration::from_secs(3600)).await;
    let admin = Agent::admin(&server).await;
    let ann = admin.invite(&server, "ann@example.com", &["general"]).await;
    let mut stream = open_stream(&server, &ann).await;
    let out = ann.delete(&server, "/api/v1/session").send().await.unwrap();
    assert_eq!(out.status(), 204);
    assert_note_not_delivered(&server, &admin, &mut stream).await;
    server.stop().await;
}

async fn disabling_ends_the_stream(db: String) {
    let server = start(&db, Duration::from_secs(3600)).await;
    let admin = Agent::admin(&server).await;
    let ann = admin.invite(&server, "ann@example.com", &["general"]).await;
    let mut stream = open_stream(&server, &ann).await;
    json_of(admin.put(
        &server,
        &format!("/api/v1/admin/agents/{}", ann.id),
        json!({ "disabled": true }),
    ))
    .await;
    assert_note_not_delivered(&server, &admin, &mut stream).await;
    server.stop().await;
}

async fn password_change_ends_the_other_sessions_streams(db: String) {
    let server = start(&db, Duration::from_secs(3600)).await;
    let admin = Agent::admin(&server).await;
    let created = json_of(admin.post(
        &server,
        "/api/v1/admin/agents",
        json!({ "email": "ann@example.com", "name": "Ann" }),
    ))
    .await;
    let password = created["password"].as_str().unwrap();
    let laptop = Agent::login(&server, "ann@example.com", password).await;
    let phone = Agent::login(&server, "ann@example.com", password).await;
    let mut laptop_stream = open_stream(&server, &laptop).await;
    let mut phone_stream = open_stream(&server, &phone).await;
    let changed = phone
        .post(
            &server,
            "/api/v1/session/password",
            json!({ "current_password": password, "new_password": "a much better passphrase" }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 204);
    assert_note_not_delivered(&server, &admin, &mut laptop_stream).await;
    // The session that made the change carries on.
    read_until(&mut phone_stream, "INTERNAL-AFTER-REVOCATION").await;
    server.stop().await;
}

async fn password_reset_ends_the_stream(db: String) {
    let server = start(&db, Duration::from_secs(3600)).await;
    let admin = Agent::admin(&server).await;
    let ann = admin.invite(&server, "ann@example.com", &["general"]).await;
    let mut stream = open_stream(&server, &ann).await;
    json_of(admin.post(
        &server,
        &format!("/api/v1/admin/agents/{}/password", ann.id),
        json!({}),
    ))
    .await;
    assert_note_not_delivered(&server, &admin, &mut stream).await;
    server.stop().await;
}

async fn expiry_ends_the_stream(db: String) {
    let server = start(&db, Duration::from_secs(2)).await;
    let admin = server.first_admin.clone().unwrap();
    let admin = Agent::login(&server, &admin.email, &admin.password).await;
    let mut stream = open_stream(&server, &admin).await;
    let opened = tokio::time::Instant::now();
    expect_end(&mut stream).await;
    assert!(
        opened.elapsed() >= Duration::from_millis(500),
        "ended by expiry, not at once"
    );
    server.stop().await;
}

/// A ticket moved to the `billing` group (created here), whose notes only its members and admins
/// may read.
async fn billing_ticket(server: &TestServer, admin: &Agent) -> String {
    let (ticket, _) = server.escalate("a billing case").await;
    json_of(admin.post(
        server,
        &format!("/api/v1/desk/tickets/{ticket}/transfer"),
        json!({ "group": "billing", "note": "card issue" }),
    ))
    .await;
    ticket
}

/// Posts a note on a billing ticket, then one on a general ticket; the stream must carry the
/// second and not the first.
async fn assert_only_general_notes(
    server: &TestServer,
    admin: &Agent,
    stream: &mut reqwest::Response,
) {
    let billing = billing_ticket(server, admin).await;
    let (general, _) = server.escalate("a general case").await;
    json_of(admin.post(
        server,
        &format!("/api/v1/desk/tickets/{billing}/messages"),
        json!({ "body": "BILLING-SECRET-NOTE", "internal": true }),
    ))
    .await;
    json_of(admin.post(
        server,
        &format!("/api/v1/desk/tickets/{general}/messages"),
        json!({ "body": "GENERAL-NOTE", "internal": true }),
    ))
    .await;
    let seen = read_until(stream, "GENERAL-NOTE").await;
    assert!(!seen.contains("BILLING-SECRET-NOTE"), "{seen}");
}

async fn demotion_narrows_the_stream(db: String) {
    let server = start(&db, Duration::from_secs(3600)).await;
    let admin = Agent::admin(&server).await;
    json_of(admin.post(
        &server,
        "/api/v1/admin/groups",
        json!({ "id": "billing", "name": "Billing" }),
    ))
    .await;
    let created = json_of(admin.post(
        &server,
        "/api/v1/admin/agents",
        json!({ "email": "boss@example.com", "name": "Boss", "role": "admin", "groups": ["general"] }),
    ))
    .await;
    let boss = Agent::login(
        &server,
        "boss@example.com",
        created["password"].as_str().unwrap(),
    )
    .await;
    let mut stream = open_stream(&server, &boss).await;
    // As an admin, the billing notes arrive.
    let billing = billing_ticket(&server, &admin).await;
    json_of(admin.post(
        &server,
        &format!("/api/v1/desk/tickets/{billing}/messages"),
        json!({ "body": "BEFORE-DEMOTION", "internal": true }),
    ))
    .await;
    read_until(&mut stream, "BEFORE-DEMOTION").await;
    json_of(admin.put(
        &server,
        &format!("/api/v1/admin/agents/{}", boss.id),
        json!({ "role": "agent" }),
    ))
    .await;
    assert_only_general_notes(&server, &admin, &mut stream).await;
    server.stop().await;
}

async fn leaving_a_group_narrows_the_stream(db: String) {
    let server = start(&db, Duration::from_secs(3600)).await;
    let admin = Agent::admin(&server).await;
    json_of(admin.post(
        &server,
        "/api/v1/admin/groups",
        json!({ "id": "billing", "name": "Billing" }),
    ))
    .await;
    let ann = admin
        .invite(&server, "ann@example.com", &["general", "billing"])
        .await;
    let mut stream = open_stream(&server, &ann).await;
    let billing = billing_ticket(&server, &admin).await;
    json_of(admin.post(
        &server,
        &format!("/api/v1/desk/tickets/{billing}/messages"),
        json!({ "body": "WHILE-A-MEMBER", "internal": true }),
    ))
    .await;
    read_until(&mut stream, "WHILE-A-MEMBER").await;
    json_of(admin.put(
        &server,
        &format!("/api/v1/admin/agents/{}", ann.id),
        json!({ "groups": ["general"] }),
    ))
    .await;
    assert_only_general_notes(&server, &admin, &mut stream).await;
    server.stop().await;
}
