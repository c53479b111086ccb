//! The agents' API over real HTTP, on SQLite and on PostgreSQL: sessions, replies, notes,
//! assignment, transfers, the audit log, SSE delivery and ratings.

mod common;
mod desk_support;

use std::time::Duration;

use common::{expect_problem, TestServer};
use desk_support::{json_of, Agent};
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

    let wrong = server
        .client
        .post(server.url("/api/v1/session"))
        .json(&json!({ "email": admin_login.email, "password": "wrong" }))
        .send()
        .await
        .unwrap();
    expect_problem(wrong, 401).await;
    let unknown = server
        .client
        .post(server.url("/api/v1/session"))
        .json(&json!({ "email": "nobody@example.com", "password": "x" }))
        .send()
        .await
        .unwrap();
    expect_problem(unknown, 401).await;

    // No session: neither reads nor writes.
    expect_problem(
        server
            .client
            .get(server.url("/api/v1/desk/tickets"))
            .send()
            .await
            .unwrap(),
        401,
    )
    .await;
    let (ticket, _) = server.escalate("help").await;
    let anonymous_reply = server
        .client
        .post(server.url(&format!("/api/v1/desk/tickets/{ticket}/messages")))
        .json(&json!({ "body": "hi" }))
        .send()
        .await
        .unwrap();
    expect_problem(anonymous_reply, 401).await;

    let admin = Agent::admin(&server).await;
    let me = json_of(admin.get(&server, "/api/v1/session")).await;
    assert_eq!(me["agent"]["role"], "admin");
    assert_eq!(me["csrf_token"], admin.csrf);

    // A write without the CSRF token is refused even with a valid session.
    let no_csrf = admin
        .forged(
            &server,
            reqwest::Method::POST,
            &format!("/api/v1/desk/tickets/{ticket}/claim"),
        )
        .send()
        .await
        .unwrap();
    expect_problem(no_csrf, 403).await;

    let created = admin
        .post(
            &server,
            "/api/v1/admin/agents",
            json!({ "email": "bo@example.com", "name": "Bo" }),
        )
        .send()
        .await
        .unwrap();
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
    expect_problem(
        agent
            .get(&server, "/api/v1/admin/agents")
            .send()
            .await
            .unwrap(),
        403,
    )
    .await;
    let escalate = agent
        .post(
            &server,
            "/api/v1/admin/agents",
            json!({ "email": "cy@example.com", "name": "Cy" }),
        )
        .send()
        .await
        .unwrap();
    expect_problem(escalate, 403).await;
    let listed = json_of(agent.get(&server, "/api/v1/desk/tickets")).await;
    assert_eq!(listed["tickets"].as_array().unwrap().len(), 1);

    let logout = agent
        .send(
            &server,
            reqwest::Method::DELETE,
            "/api/v1/session",
            json!({}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);
    expect_problem(
        agent
            .get(&server, "/api/v1/desk/tickets")
            .send()
            .await
            .unwrap(),
        401,
    )
    .await;
    server.stop().await;
}

async fn replies_and_internal_notes(db: String) {
    let server = TestServer::start(&db).await;
    let (ticket, token) = server.escalate("Where is my parcel?").await;
    let admin = Agent::admin(&server).await;
    let messages = format!("/api/v1/desk/tickets/{ticket}/messages");
    let reply = admin
        .post(
            &server,
            &messages,
            json!({ "body": "It ships **today**. <script>x()</script>" }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 201);
    let reply: Value = reply.json().await.unwrap();
    assert_eq!(reply["author"], "agent");
    assert_eq!(reply["author_name"], "Administrator");
    let html = reply["body_html"].as_str().unwrap();
    assert!(
        html.contains("<strong>today</strong>") && !html.contains("<script"),
        "{html}"
    );

    let note = admin
        .post(
            &server,
            &messages,
            json!({ "body": "customer is a VIP", "internal": true }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(note.status(), 201);

    let detail = json_of(admin.get(&server, &format!("/api/v1/desk/tickets/{ticket}"))).await;
    let all = detail["messages"].as_array().unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[2]["internal"], true);

    let visible: Value = server
        .client
        .get(server.url(&format!("/api/v1/tickets/{ticket}/messages")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
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
    let changed = json_of(admin.send(
        &server,
        reqwest::Method::PATCH,
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
    expect_problem(
        admin
            .get(&server, "/api/v1/desk/tickets?status=nope")
            .send()
            .await
            .unwrap(),
        400,
    )
    .await;

    // The visitor writes: a pending ticket reopens.
    let posted = server
        .client
        .post(server.url(&format!("/api/v1/tickets/{ticket}/messages")))
        .bearer_auth(&token)
        .json(&json!({ "text": "any news?" }))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 201);

    let closed = json_of(admin.send(
        &server,
        reqwest::Method::PATCH,
        &path,
        json!({ "status": "closed" }),
    ))
    .await;
    assert_eq!(closed["status"], "closed");
    let reopen = admin
        .send(
            &server,
            reqwest::Method::PATCH,
            &path,
            json!({ "status": "open" }),
        )
        .send()
        .await
        .unwrap();
    expect_problem(reopen, 409).await;
    let after_close = server
        .client
        .post(server.url(&format!("/api/v1/tickets/{ticket}/messages")))
        .bearer_auth(&token)
        .json(&json!({ "text": "hello?" }))
        .send()
        .await
        .unwrap();
    expect_problem(after_close, 409).await;

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
    json_of(admin.post(
        &server,
        &format!("/api/v1/desk/tickets/{ticket}/claim"),
        json!({}),
    ))
    .await;

    let no_note = admin
        .post(
            &server,
            &transfer,
            json!({ "group": "billing", "note": "  " }),
        )
        .send()
        .await
        .unwrap();
    expect_problem(no_note, 422).await;
    let unknown = admin
        .post(&server, &transfer, json!({ "group": "nope", "note": "x" }))
        .send()
        .await
        .unwrap();
    expect_problem(unknown, 422).await;

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

    let detail = json_of(admin.get(&server, &format!("/api/v1/desk/tickets/{ticket}"))).await;
    let last = detail["audit"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "transfer");
    assert_eq!(last["old_value"], "general");
    assert_eq!(last["new_value"], "billing");
    assert_eq!(last["note"], "VAT number missing on invoice 77");
    assert_eq!(last["agent_email"], "admin@answerdesk.local");
    let queue =
        json_of(admin.get(&server, "/api/v1/desk/tickets?group=billing&assignee=none")).await;
    assert_eq!(queue["tickets"].as_array().unwrap().len(), 1);
    server.stop().await;
}

/// Reads an SSE response until `needle` appears or the deadline passes; returns what it read.
async fn read_until(response: &mut reqwest::Response, needle: &str) -> String {
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !seen.contains(needle) {
        let chunk = tokio::time::timeout_at(deadline, response.chunk())
            .await
            .unwrap_or_else(|_| panic!("no {needle:?} within 10 s; got {seen:?}"))
            .unwrap()
            .expect("the stream stays open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    seen
}

async fn sse_delivers_a_reply(db: String) {
    let server = TestServer::start(&db).await;
    let (ticket, token) = server.escalate("is anyone there?").await;
    let admin = Agent::admin(&server).await;

    let mut visitor = server
        .client
        .get(server.url(&format!("/api/v1/tickets/{ticket}/events?token={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(visitor.status(), 200);
    assert_eq!(visitor.headers()["content-type"], "text/event-stream");
    let mut inbox = admin
        .get(&server, "/api/v1/desk/events")
        .send()
        .await
        .unwrap();
    assert_eq!(inbox.status(), 200);
    expect_problem(
        server
            .client
            .get(server.url(&format!("/api/v1/tickets/{ticket}/events?token=forged")))
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;

    let messages = format!("/api/v1/desk/tickets/{ticket}/messages");
    json_of(admin.post(
        &server,
        &messages,
        json!({ "body": "secret note", "internal": true }),
    ))
    .await;
    json_of(admin.post(&server, &messages, json!({ "body": "Yes, I am here." }))).await;

    let seen = read_until(&mut visitor, "Yes, I am here.").await;
    assert!(seen.contains("event: message"), "{seen}");
    assert!(
        !seen.contains("secret note"),
        "internal notes never reach the visitor: {seen}"
    );
    let seen = read_until(&mut inbox, "Yes, I am here.").await;
    assert!(seen.contains("secret note"), "agents see notes: {seen}");

    // A reconnecting client replays what it missed.
    let mut replay = server
        .client
        .get(server.url(&format!(
            "/api/v1/tickets/{ticket}/events?token={token}&after=0"
        )))
        .send()
        .await
        .unwrap();
    read_until(&mut replay, "is anyone there?").await;

    // Open streams do not hold a graceful shutdown open.
    tokio::time::timeout(Duration::from_secs(10), server.stop())
        .await
        .expect("shutdown ends the event streams");
}

async fn visitor_rates_the_conversation(db: String) {
    let server = TestServer::start(&db).await;
    let (ticket, token) = server.escalate("thanks in advance").await;
    let rating = format!("/api/v1/tickets/{ticket}/rating");
    let rate = |score: i64| {
        server
            .client
            .post(server.url(&rating))
            .bearer_auth(&token)
            .json(&json!({ "score": score, "comment": "quick and kind" }))
            .send()
    };
    expect_problem(rate(6).await.unwrap(), 422).await;
    expect_problem(rate(0).await.unwrap(), 422).await;
    let admin = Agent::admin(&server).await;
    let mut inbox = admin
        .get(&server, "/api/v1/desk/events")
        .send()
        .await
        .unwrap();
    assert_eq!(rate(4).await.unwrap().status(), 201);
    // The agent's open case hears of it and re-reads the ticket.
    let seen = read_until(&mut inbox, &format!("\"ticket_id\":\"{ticket}\"")).await;
    assert!(seen.contains("event: updated"), "{seen}");
    assert_eq!(rate(5).await.unwrap().status(), 201);
    let (_, other_token) = server.escalate("other").await;
    let stranger = server
        .client
        .post(server.url(&rating))
        .bearer_auth(&other_token)
        .json(&json!({ "score": 1 }))
        .send()
        .await
        .unwrap();
    expect_problem(stranger, 404).await;

    let detail = json_of(admin.get(&server, &format!("/api/v1/desk/tickets/{ticket}"))).await;
    assert_eq!(detail["rating"]["score"], 5);
    assert_eq!(detail["rating"]["comment"], "quick and kind");
    server.stop().await;
}
