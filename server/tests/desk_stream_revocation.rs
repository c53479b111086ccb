//! An agent's open event stream follows what the agent may see now, over real HTTP on SQLite and
//! PostgreSQL: it ends when the session ends (sign-out, expiry, password change or reset,
//! disabling), and stops carrying a group's tickets when the agent is demoted or leaves it.

mod common;
mod desk_support;

use std::time::Duration;

use common::{read_to_end, read_until, send, TestServer};
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
        session_ttl,
        stream_limits: StreamLimits {
            recheck: Duration::from_millis(300),
            ..StreamLimits::default()
        },
        ..common::config(db)
    })
    .await
}

async fn open_stream(server: &TestServer, agent: &Agent) -> reqwest::Response {
    let stream = agent.events(server).await;
    assert_eq!(stream.status(), 200);
    stream
}

/// After a revocation, an internal note posted by the admin must not reach the stream.
async fn assert_note_not_delivered(
    server: &TestServer,
    admin: &Agent,
    stream: &mut reqwest::Response,
) {
    let (ticket, _) = server.escalate("a case after the revocation").await;
    admin
        .note(server, &ticket, "INTERNAL-AFTER-REVOCATION")
        .await;
    let seen = read_to_end(stream).await;
    assert!(!seen.contains("INTERNAL-AFTER-REVOCATION"), "{seen}");
}

/// A server, its admin, and the agent ann (of `general`) with her event stream open.
async fn ann_listening(db: &str) -> (TestServer, Agent, Agent, reqwest::Response) {
    let server = start(db, Duration::from_secs(3600)).await;
    let admin = Agent::admin(&server).await;
    let ann = admin.invite(&server, "ann@example.com", &["general"]).await;
    let stream = open_stream(&server, &ann).await;
    (server, admin, ann, stream)
}

async fn sign_out_ends_the_stream(db: String) {
    let (server, admin, ann, mut stream) = ann_listening(&db).await;
    let out = send(ann.delete(&server, "/api/v1/session")).await;
    assert_eq!(out.status(), 204);
    assert_note_not_delivered(&server, &admin, &mut stream).await;
    server.stop().await;
}

async fn disabling_ends_the_stream(db: String) {
    let (server, admin, ann, mut stream) = ann_listening(&db).await;
    let disabled = json!({ "disabled": true });
    admin.update_agent(&server, ann.id, disabled).await;
    assert_note_not_delivered(&server, &admin, &mut stream).await;
    server.stop().await;
}

async fn password_change_ends_the_other_sessions_streams(db: String) {
    let server = start(&db, Duration::from_secs(3600)).await;
    let admin = Agent::admin(&server).await;
    let ann = json!({ "email": "ann@example.com", "name": "Ann" });
    let created = admin.create_agent(&server, ann).await;
    let password = created["password"].as_str().unwrap();
    let laptop = Agent::login(&server, "ann@example.com", password).await;
    let phone = Agent::login(&server, "ann@example.com", password).await;
    let mut laptop_stream = open_stream(&server, &laptop).await;
    let mut phone_stream = open_stream(&server, &phone).await;
    let change =
        json!({ "current_password": password, "new_password": "a much better passphrase" });
    let changed = send(phone.post(&server, "/api/v1/session/password", change)).await;
    assert_eq!(changed.status(), 204);
    assert_note_not_delivered(&server, &admin, &mut laptop_stream).await;
    // The session that made the change carries on.
    read_until(&mut phone_stream, "INTERNAL-AFTER-REVOCATION").await;
    server.stop().await;
}

async fn password_reset_ends_the_stream(db: String) {
    let (server, admin, ann, mut stream) = ann_listening(&db).await;
    let reset = format!("/api/v1/admin/agents/{}/password", ann.id);
    json_of(admin.post(&server, &reset, json!({}))).await;
    assert_note_not_delivered(&server, &admin, &mut stream).await;
    server.stop().await;
}

async fn expiry_ends_the_stream(db: String) {
    let server = start(&db, Duration::from_secs(2)).await;
    let admin = server.first_admin.clone().unwrap();
    let admin = Agent::login(&server, &admin.email, &admin.password).await;
    let mut stream = open_stream(&server, &admin).await;
    let opened = tokio::time::Instant::now();
    read_to_end(&mut stream).await;
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
    admin.note(server, &billing, "BILLING-SECRET-NOTE").await;
    admin.note(server, &general, "GENERAL-NOTE").await;
    let seen = read_until(stream, "GENERAL-NOTE").await;
    assert!(!seen.contains("BILLING-SECRET-NOTE"), "{seen}");
}

/// The stream of agent `id` carries a billing note (`marker`); once `admin` has changed the agent
/// as `change` says, it carries only general ones.
async fn narrows(
    server: &TestServer,
    admin: &Agent,
    stream: &mut reqwest::Response,
    marker: &str,
    id: i64,
    change: serde_json::Value,
) {
    let billing = billing_ticket(server, admin).await;
    admin.note(server, &billing, marker).await;
    read_until(stream, marker).await;
    admin.update_agent(server, id, change).await;
    assert_only_general_notes(server, admin, stream).await;
}

async fn demotion_narrows_the_stream(db: String) {
    let server = start(&db, Duration::from_secs(3600)).await;
    let admin = Agent::admin(&server).await;
    admin.create_group(&server, "billing", "Billing").await;
    let created = admin
        .create_agent(
            &server,
            json!({ "email": "boss@example.com", "name": "Boss", "role": "admin", "groups": ["general"] }),
        )
        .await;
    let boss = Agent::login(
        &server,
        "boss@example.com",
        created["password"].as_str().unwrap(),
    )
    .await;
    let mut stream = open_stream(&server, &boss).await;
    // As an admin, the billing notes arrive.
    let demoted = json!({ "role": "agent" });
    narrows(
        &server,
        &admin,
        &mut stream,
        "BEFORE-DEMOTION",
        boss.id,
        demoted,
    )
    .await;
    server.stop().await;
}

async fn leaving_a_group_narrows_the_stream(db: String) {
    let server = start(&db, Duration::from_secs(3600)).await;
    let admin = Agent::admin(&server).await;
    admin.create_group(&server, "billing", "Billing").await;
    let ann = admin
        .invite(&server, "ann@example.com", &["general", "billing"])
        .await;
    let mut stream = open_stream(&server, &ann).await;
    let left = json!({ "groups": ["general"] });
    narrows(&server, &admin, &mut stream, "WHILE-A-MEMBER", ann.id, left).await;
    server.stop().await;
}
