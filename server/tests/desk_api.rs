//! The agents' API over real HTTP, on SQLite and on PostgreSQL: sessions, replies, notes,
//! assignment, transfers, the audit log, SSE delivery and ratings.

mod common;
mod desk_support;

use std::time::Duration;

use common::{expect_problem, read_until, refused, send, TestServer};
use desk_support::{json_of, Agent};
use reqwest::Method;
use serde_json::{json, Value};
use server::store::Store;

on_both_databases! {
    session_rules => sqlite_session_rules, postgres_session_rules;
    replies_and_internal_notes => sqlite_replies_and_internal_notes, postgres_replies_and_internal_notes;
    changes_are_audited => sqlite_changes_are_audited, postgres_changes_are_audited;
    transfer_needs_a_note => sqlite_transfer_needs_a_note, postgres_transfer_needs_a_note;
    sse_delivers_a_reply => sqlite_sse_delivers_a_reply, postgres_sse_delivers_a_reply;
    visitor_rates_the_conversation => sqlite_visitor_rates_the_conversation, postgres_visitor_rates_the_conversation;
}

async fn session_rules(db: String) {
    let server = TestServer::start(&db).await;
    let admin_login = server.first_admin.clone().unwrap();

    for (email, password) in [
        (admin_login.email.as_str(), "wrong"),
        ("nobody@example.com", "x"),
    ] {
        let login = json!({ "email": email, "password": password });
        refused(server.post("/api/v1/session", login), 401).await;
    }

    // No session: neither reads nor writes.
    refused(server.get("/api/v1/desk/tickets"), 401).await;
    let (ticket, _) = server.escalate("help").await;
    let path = format!("/api/v1/desk/tickets/{ticket}/messages");
    refused(server.post(&path, json!({ "body": "hi" })), 401).await;

    let admin = Agent::admin(&server).await;
    let me = json_of(admin.get(&server, "/api/v1/session")).await;
    assert_eq!(me["agent"]["role"], "admin");
    assert_eq!(me["csrf_token"], admin.csrf);

    // A write without the CSRF token is refused even with a valid session.
    let claim = format!("/api/v1/desk/tickets/{ticket}/claim");
    refused(admin.forged(&server, Method::POST, &claim), 403).await;

    let bo = json!({ "email": "bo@example.com", "name": "Bo" });
    let created = send(admin.post(&server, "/api/v1/admin/agents", bo)).await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["agent"]["role"], "agent");
    assert_eq!(created["agent"]["groups"], json!(["general"]));

    let agent = Agent::login(
        &server,
        "bo@example.com",
        created["password"].as_str().unwrap(),
    )
    .await;
    refused(agent.get(&server, "/api/v1/admin/agents"), 403).await;
    let cy = json!({ "email": "cy@example.com", "name": "Cy" });
    refused(agent.post(&server, "/api/v1/admin/agents", cy), 403).await;
    let listed = json_of(agent.get(&server, "/api/v1/desk/tickets")).await;
    assert_eq!(listed["tickets"].as_array().unwrap().len(), 1);

    let logout = send(agent.send(&server, Method::DELETE, "/api/v1/session", json!({}))).await;
    assert_eq!(logout.status(), 204);
    refused(agent.get(&server, "/api/v1/desk/tickets"), 401).await;
    server.stop().await;
}

async fn replies_and_internal_notes(db: String) {
    let server = TestServer::start(&db).await;
    let (ticket, token) = server.escalate("Where is my parcel?").await;
    let admin = Agent::admin(&server).await;
    let messages = format!("/api/v1/desk/tickets/{ticket}/messages");
    let reply = json!({ "body": "It ships **today**. <script>x()</script>" });
    let reply = send(admin.post(&server, &messages, reply)).await;
    assert_eq!(reply.status(), 201);
    let reply: Value = reply.json().await.unwrap();
    assert_eq!(reply["author"], "agent");
    assert_eq!(reply["author_name"], "Administrator");
    let html = reply["body_html"].as_str().unwrap();
    assert!(
        html.contains("<strong>today</strong>") && !html.contains("<script"),
        "{html}"
    );

    let note = json!({ "body": "customer is a VIP", "internal": true });
    let note = send(admin.post(&server, &messages, note)).await;
    assert_eq!(note.status(), 201);

    let detail = admin.ticket(&server, &ticket).await;
    let all = detail["messages"].as_array().unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[2]["internal"], true);

    let visible = common::body(server.visitor(Method::GET, &ticket, &token, "/messages")).await;
    let text = visible.to_string();
    assert!(text.contains("It ships"));
    assert!(
        !text.contains("VIP"),
        "a visitor never sees internal notes: {text}"
    );
    server.stop().await;
}

async fn changes_are_audited(db: String) {
    let server = TestServer::start(&db).await;
    let (ticket, token) = server.escalate("refund please").await;
    let admin = Agent::admin(&server).await;
    let path = format!("/api/v1/desk/tickets/{ticket}");

    let claimed = json_of(admin.post(&server, &format!("{path}/claim"), json!({}))).await;
    assert_eq!(claimed["assignee_email"], "admin@answerdesk.local");
    let changed = json_of(admin.patch(
        &server,
        &path,
        json!({ "status": "pending", "priority": "urgent", "type": "incident", "tags": ["Refund", "vip", "refund"] }),
    ))
    .await;
    assert_eq!(changed["status"], "pending");
    assert_eq!(changed["priority"], "urgent");
    assert_eq!(changed["type"], "incident");
    assert_eq!(changed["tags"], json!(["refund", "vip"]));

    let mine = json_of(admin.get(
        &server,
        "/api/v1/desk/tickets?assignee=me&status=pending&tag=vip&priority=urgent&q=REFUND",
    ))
    .await;
    assert_eq!(mine["tickets"].as_array().unwrap().len(), 1);
    let nobody = json_of(admin.get(&server, "/api/v1/desk/tickets?assignee=none")).await;
    assert!(nobody["tickets"].as_array().unwrap().is_empty());
    refused(admin.get(&server, "/api/v1/desk/tickets?status=nope"), 400).await;

    // The visitor writes: a pending ticket reopens.
    let posted = send(server.reply(&ticket, &token, "any news?")).await;
    assert_eq!(posted.status(), 201);

    let closed = json_of(admin.patch(&server, &path, json!({ "status": "closed" }))).await;
    assert_eq!(closed["status"], "closed");
    refused(
        admin.patch(&server, &path, json!({ "status": "open" })),
        409,
    )
    .await;
    refused(server.reply(&ticket, &token, "hello?"), 409).await;

    let detail = json_of(admin.get(&server, &path)).await;
    let audit: Vec<(String, String, String)> = detail["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["old_value"].as_str().unwrap_or("").to_owned(),
                e["new_value"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let expected = [
        ("assign", "", "admin@answerdesk.local"),
        ("status", "open", "pending"),
        ("priority", "normal", "urgent"),
        ("type", "question", "incident"),
        ("tags", "", "refund,vip"),
        ("status", "pending", "open"),
        ("status", "open", "closed"),
    ];
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(a, o, n)| (a.to_string(), o.to_string(), n.to_string()))
        .collect();
    assert_eq!(audit, expected);
    assert_eq!(detail["audit"][5]["actor"], "visitor");
    assert_eq!(detail["audit"][0]["agent_email"], "admin@answerdesk.local");
    server.stop().await;
}

async fn transfer_needs_a_note(db: String) {
    let server = TestServer::start(&db).await;
    let store = Store::connect(&db).await.unwrap();
    store.create_group("billing", "Billing").await.unwrap();
    store.close().await;
    let (ticket, _) = server.escalate("invoice is wrong").await;
    let admin = Agent::admin(&server).await;
    let transfer = format!("/api/v1/desk/tickets/{ticket}/transfer");
    let claim = format!("/api/v1/desk/tickets/{ticket}/claim");
    json_of(admin.post(&server, &claim, json!({}))).await;

    for bad in [
        json!({ "group": "billing", "note": "  " }),
        json!({ "group": "nope", "note": "x" }),
    ] {
        refused(admin.post(&server, &transfer, bad), 422).await;
    }

    let moved = json_of(admin.post(
        &server,
        &transfer,
        json!({ "group": "billing", "note": "VAT number missing on invoice 77" }),
    ))
    .await;
    assert_eq!(moved["group"], "billing");
    assert!(
        moved["assignee_email"].is_null(),
        "a transfer returns the case to the queue"
    );

    let detail = admin.ticket(&server, &ticket).await;
    desk_support::assert_last_audit(
        &detail,
        &[
            ("action", "transfer"),
            ("old_value", "general"),
            ("new_value", "billing"),
            ("note", "VAT number missing on invoice 77"),
            ("agent_email", "admin@answerdesk.local"),
        ],
    );
    let queue =
        json_of(admin.get(&server, "/api/v1/desk/tickets?group=billing&assignee=none")).await;
    assert_eq!(queue["tickets"].as_array().unwrap().len(), 1);
    server.stop().await;
}

async fn sse_delivers_a_reply(db: String) {
    let server = TestServer::start(&db).await;
    let (ticket, token) = server.escalate("is anyone there?").await;
    let admin = Agent::admin(&server).await;

    let mut visitor = send(server.events(&ticket, &token)).await;
    assert_eq!(visitor.status(), 200);
    assert_eq!(visitor.headers()["content-type"], "text/event-stream");
    let mut inbox = admin.events(&server).await;
    assert_eq!(inbox.status(), 200);
    refused(server.events(&ticket, "forged"), 404).await;

    admin.note(&server, &ticket, "secret note").await;
    let reply = json!({ "body": "Yes, I am here." });
    admin.message(&server, &ticket, reply).await;

    let seen = read_until(&mut visitor, "Yes, I am here.").await;
    assert!(seen.contains("event: message"), "{seen}");
    assert!(
        !seen.contains("secret note"),
        "internal notes never reach the visitor: {seen}"
    );
    let seen = read_until(&mut inbox, "Yes, I am here.").await;
    assert!(seen.contains("secret note"), "agents see notes: {seen}");

    // A reconnecting client replays what it missed.
    let mut replay = send(server.events(&ticket, &format!("{token}&after=0"))).await;
    read_until(&mut replay, "is anyone there?").await;

    // Open streams do not hold a graceful shutdown open.
    tokio::time::timeout(Duration::from_secs(10), server.stop())
        .await
        .expect("shutdown ends the event streams");
}

async fn visitor_rates_the_conversation(db: String) {
    let server = TestServer::start(&db).await;
    let (ticket, token) = server.escalate("thanks in advance").await;
    let rating = |token: &str| server.visitor(Method::POST, &ticket, token, "/rating");
    let rate = |score: i64| {
        rating(&token)
            .json(&json!({ "score": score, "comment": "quick and kind" }))
            .send()
    };
    expect_problem(rate(6).await.unwrap(), 422).await;
    expect_problem(rate(0).await.unwrap(), 422).await;
    let admin = Agent::admin(&server).await;
    let mut inbox = admin.events(&server).await;
    assert_eq!(rate(4).await.unwrap().status(), 201);
    // The agent's open case hears of it and re-reads the ticket.
    let seen = read_until(&mut inbox, &format!("\"ticket_id\":\"{ticket}\"")).await;
    assert!(seen.contains("event: updated"), "{seen}");
    assert_eq!(rate(5).await.unwrap().status(), 201);
    let (_, other_token) = server.escalate("other").await;
    refused(rating(&other_token).json(&json!({ "score": 1 })), 404).await;

    let detail = admin.ticket(&server, &ticket).await;
    assert_eq!(detail["rating"]["score"], 5);
    assert_eq!(detail["rating"]["comment"], "quick and kind");
    server.stop().await;
}
