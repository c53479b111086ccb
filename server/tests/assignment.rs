//! Automatic assignment over real HTTP, on SQLite and on PostgreSQL: round-robin order, capacity
//! with a queue served oldest first and drained as cases are resolved, away agents skipped and
//! served when back, transfers to an agent with their note, and no agent above capacity when
//! escalations arrive at once.

mod common;
mod desk_support;

use common::{read_until, read_until_with, refused, Escalation, TestServer};
use desk_support::{json_of, Agent};
use serde_json::json;

on_both_databases! {
    round_robin_in_order => sqlite_round_robin_in_order, postgres_round_robin_in_order;
    capacity_queue_oldest_first_drains_on_resolve => sqlite_capacity_queue_oldest_first_drains_on_resolve, postgres_capacity_queue_oldest_first_drains_on_resolve;
    away_agent_is_skipped_and_served_when_back => sqlite_away_agent_is_skipped_and_served_when_back, postgres_away_agent_is_skipped_and_served_when_back;
    transfer_to_an_agent_with_a_note => sqlite_transfer_to_an_agent_with_a_note, postgres_transfer_to_an_agent_with_a_note;
    concurrent_escalations_never_exceed_capacity => sqlite_concurrent_escalations_never_exceed_capacity, postgres_concurrent_escalations_never_exceed_capacity;
    off_by_default => sqlite_off_by_default, postgres_off_by_default;
}

/// A team of three.
const TRIO: [&str; 3] = ["ann@example.com", "bo@example.com", "cy@example.com"];

/// The admin with auto-assignment on and a group `team` holding the given agents (in order).
async fn team(server: &TestServer, emails: &[&str]) -> (Agent, Vec<Agent>) {
    let admin = Agent::admin(server).await;
    let config = json_of(admin.put(
        server,
        "/api/v1/admin/config",
        json!({ "auto_assign": true }),
    ))
    .await;
    assert_eq!(config["auto_assign"], true);
    admin.create_group(server, "team", "Team").await;
    // Escalations below name the group: the site must offer it to visitors.
    desk_support::offer_groups(server, &admin, "demo", &["team"]).await;
    let mut agents = Vec::new();
    for email in emails {
        agents.push(admin.invite(server, email, &["team"]).await);
    }
    (admin, agents)
}

async fn assignee(server: &TestServer, admin: &Agent, id: &str) -> Option<String> {
    admin.ticket(server, id).await["ticket"]["assignee_email"]
        .as_str()
        .map(str::to_owned)
}

/// Asserts who holds each of `ids`, in order (`None`: nobody yet); `why` explains the `None`s.
async fn assert_assignees(
    server: &TestServer,
    admin: &Agent,
    ids: &[String],
    expected: &[Option<&str>],
    why: &str,
) {
    assert_eq!(ids.len(), expected.len());
    for (id, expected) in ids.iter().zip(expected) {
        let got = assignee(server, admin, id).await;
        assert_eq!(got.as_deref(), *expected, "{id}: {why}");
    }
}

async fn set_capacity(server: &TestServer, admin: &Agent, agent: &Agent, capacity: i64) {
    let changed = admin
        .update_agent(server, agent.id, json!({ "capacity": capacity }))
        .await;
    assert_eq!(changed["capacity"], capacity);
}

/// `count` escalations to the team, `{prefix} {i}`; their ticket ids.
async fn to_team(server: &TestServer, prefix: &str, count: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..count {
        let (id, _) = Escalation::new(&format!("{prefix} {i}"))
            .with("group", "team")
            .create(server)
            .await;
        ids.push(id);
    }
    ids
}

async fn round_robin_in_order(db: String) {
    let server = TestServer::start(&db).await;
    let (admin, _) = team(&server, &TRIO).await;
    let mut got = Vec::new();
    for id in to_team(&server, "question", 6).await {
        got.push(assignee(&server, &admin, &id).await.unwrap());
    }
    assert_eq!(
        got,
        [
            "ann@example.com",
            "bo@example.com",
            "cy@example.com",
            "ann@example.com",
            "bo@example.com",
            "cy@example.com"
        ]
    );
    // The inbox stream hears of it, and the audit log says the system did it.
    let mut inbox = admin.events(&server).await;
    assert_eq!(inbox.status(), 200);
    let (id, _) = Escalation::new("seventh")
        .with("group", "team")
        .create(&server)
        .await;
    let updated = |seen: &str| {
        seen.lines().any(|line| {
            line.starts_with("data:") && line.contains("\"updated\"") && line.contains(&id)
        })
    };
    read_until_with(&mut inbox, "updated event", updated).await;
    let detail = admin.ticket(&server, &id).await;
    let first = &detail["audit"][0];
    assert_eq!(first["action"], "assign");
    assert_eq!(first["actor"], "system");
    assert_eq!(first["new_value"], "ann@example.com");
    server.stop().await;
}

async fn capacity_queue_oldest_first_drains_on_resolve(db: String) {
    let server = TestServer::start(&db).await;
    let (admin, agents) = team(&server, &["ann@example.com", "bo@example.com"]).await;
    for agent in &agents {
        set_capacity(&server, &admin, agent, 1).await;
    }
    let ids = to_team(&server, "case", 4).await;
    let expected = [Some("ann@example.com"), Some("bo@example.com"), None, None];
    assert_assignees(&server, &admin, &ids, &expected, "everyone is at capacity").await;
    let queue = json_of(admin.get(&server, "/api/v1/desk/tickets?group=team&assignee=none")).await;
    assert_eq!(queue["tickets"].as_array().unwrap().len(), 2);

    // Pending still counts against capacity: nothing moves.
    let ann = &agents[0];
    json_of(ann.patch(
        &server,
        &format!("/api/v1/desk/tickets/{}", ids[0]),
        json!({ "status": "pending" }),
    ))
    .await;
    assert_eq!(assignee(&server, &admin, &ids[2]).await, None);

    // Resolved frees the slot: the oldest waiting case goes to ann.
    json_of(ann.patch(
        &server,
        &format!("/api/v1/desk/tickets/{}", ids[0]),
        json!({ "status": "resolved" }),
    ))
    .await;
    assert_eq!(
        assignee(&server, &admin, &ids[2]).await.as_deref(),
        Some("ann@example.com")
    );
    assert_eq!(assignee(&server, &admin, &ids[3]).await, None);

    // Raising a capacity drains too.
    set_capacity(&server, &admin, &agents[1], 2).await;
    assert_eq!(
        assignee(&server, &admin, &ids[3]).await.as_deref(),
        Some("bo@example.com")
    );
    server.stop().await;
}

async fn away_agent_is_skipped_and_served_when_back(db: String) {
    let server = TestServer::start(&db).await;
    let (admin, agents) = team(&server, &["ann@example.com", "bo@example.com"]).await;
    let (ann, bo) = (&agents[0], &agents[1]);
    let away = json_of(ann.patch(&server, "/api/v1/desk/me", json!({ "available": false }))).await;
    assert_eq!(away["available"], false);
    let me = json_of(ann.get(&server, "/api/v1/desk/me")).await;
    assert_eq!(me["available"], false);
    assert_eq!(me["email"], "ann@example.com");
    json_of(bo.patch(&server, "/api/v1/desk/me", json!({ "capacity": 2 }))).await;

    let ids = to_team(&server, "case", 3).await;
    let expected = [Some("bo@example.com"), Some("bo@example.com"), None];
    assert_assignees(&server, &admin, &ids, &expected, "bo is full, ann is away").await;

    json_of(ann.patch(&server, "/api/v1/desk/me", json!({ "available": true }))).await;
    assert_eq!(
        assignee(&server, &admin, &ids[2]).await.as_deref(),
        Some("ann@example.com")
    );

    // Bad input is a problem, not a 500.
    for bad in [json!({ "capacity": -3 }), json!({ "available": "yes" })] {
        refused(ann.patch(&server, "/api/v1/desk/me", bad), 422).await;
    }
    refused(
        ann.forged(&server, reqwest::Method::PATCH, "/api/v1/desk/me"),
        403,
    )
    .await;
    server.stop().await;
}

async fn transfer_to_an_agent_with_a_note(db: String) {
    let server = TestServer::start(&db).await;
    let (_, ann, bo) = desk_support::billing_team(&server).await;
    let (id, _) = server.escalate("my invoice is wrong").await;
    let path = format!("/api/v1/desk/tickets/{id}");
    json_of(ann.post(&server, &format!("{path}/claim"), json!({}))).await;

    // bo cannot see a general case yet.
    refused(bo.get(&server, &path), 404).await;

    for (bad, status) in [
        (json!({ "agent": "bo@example.com", "note": "" }), 422),
        (json!({ "agent": "zed@example.com", "note": "x" }), 404),
        (json!({ "note": "x" }), 422),
    ] {
        refused(ann.post(&server, &format!("{path}/transfer"), bad), status).await;
    }

    let moved = json_of(ann.post(
        &server,
        &format!("{path}/transfer"),
        json!({ "agent": "bo@example.com", "note": "Bo knows the VAT rules for this one" }),
    ))
    .await;
    assert_eq!(moved["assignee_email"], "bo@example.com");
    assert_eq!(
        moved["group"], "general",
        "an agent transfer keeps the group"
    );

    // bo holds the case now, so bo sees it, with the note on top of the audit log.
    let detail = json_of(bo.get(&server, &path)).await;
    desk_support::assert_last_audit(
        &detail,
        &[
            ("action", "transfer"),
            ("old_value", "ann@example.com"),
            ("new_value", "bo@example.com"),
            ("note", "Bo knows the VAT rules for this one"),
            ("agent_email", "ann@example.com"),
        ],
    );
    let mine = json_of(bo.get(&server, "/api/v1/desk/tickets?assignee=me")).await;
    assert_eq!(mine["tickets"].as_array().unwrap().len(), 1);

    // bo's inbox stream carries messages of bo's cases, never those of other groups' cases.
    let mut bo_inbox = bo.events(&server).await;
    let (hidden, _) = server.escalate("a general case").await;
    for (ticket, body) in [
        (hidden.as_str(), "general-only reply"),
        (id.as_str(), "reply bo may read"),
    ] {
        ann.message(&server, ticket, json!({ "body": body })).await;
    }
    let seen = read_until(&mut bo_inbox, "reply bo may read").await;
    assert!(!seen.contains("general-only reply"), "{seen}");

    // To an agent of another group: group and agent in one transfer.
    let (other, _) = server.escalate("refund for order 12").await;
    let both = json_of(ann.post(
        &server,
        &format!("/api/v1/desk/tickets/{other}/transfer"),
        json!({ "group": "billing", "agent": "bo@example.com", "note": "refund, over to billing" }),
    ))
    .await;
    assert_eq!(both["group"], "billing");
    assert_eq!(both["assignee_email"], "bo@example.com");
    // ann no longer sees it: not her group, not hers.
    refused(
        ann.get(&server, &format!("/api/v1/desk/tickets/{other}")),
        404,
    )
    .await;
    server.stop().await;
}

async fn concurrent_escalations_never_exceed_capacity(db: String) {
    let server = TestServer::start(&db).await;
    let (admin, agents) = team(&server, &TRIO).await;
    for agent in &agents {
        set_capacity(&server, &admin, agent, 2).await;
    }
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..20 {
        let rush = Escalation::new(&format!("rush {i}"))
            .with("group", "team")
            .request(&server);
        tasks.spawn(async move {
            assert_eq!(rush.send().await.unwrap().status(), 201);
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    let all = json_of(admin.get(&server, "/api/v1/desk/tickets?group=team")).await;
    let tickets = all["tickets"].as_array().unwrap();
    assert_eq!(tickets.len(), 20);
    for agent in &agents {
        let held = tickets
            .iter()
            .filter(|t| t["assignee_email"] == agent.email.as_str())
            .count();
        assert_eq!(held, 2, "{} holds {held}", agent.email);
    }
    let waiting = tickets
        .iter()
        .filter(|t| t["assignee_email"].is_null())
        .count();
    assert_eq!(waiting, 14);
    server.stop().await;
}

async fn off_by_default(db: String) {
    let server = TestServer::start(&db).await;
    let admin = Agent::admin(&server).await;
    let config = json_of(admin.get(&server, "/api/v1/admin/config")).await;
    assert_eq!(config["auto_assign"], false);
    let (id, _) = server.escalate("hello").await;
    assert_eq!(assignee(&server, &admin, &id).await, None);
    server.stop().await;
}
