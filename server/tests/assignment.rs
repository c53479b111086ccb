//! Automatic assignment over real HTTP, on SQLite and on PostgreSQL: round-robin order, capacity
//! with a queue served oldest first and drained as cases are resolved, away agents skipped and
//! served when back, transfers to an agent with their note, and no agent above capacity when
//! escalations arrive at once.

mod common;
mod desk_support;

use common::{expect_problem, TestServer};
use desk_support::{json_of, Agent, Escalation};
use serde_json::{json, Value};

on_both_databases! {
    round_robin_in_order => sqlite_round_robin_in_order, postgres_round_robin_in_order;
    capacity_queue_oldest_first_drains_on_resolve => sqlite_capacity_queue_oldest_first_drains_on_resolve, postgres_capacity_queue_oldest_first_drains_on_resolve;
    away_agent_is_skipped_and_served_when_back => sqlite_away_agent_is_skipped_and_served_when_back, postgres_away_agent_is_skipped_and_served_when_back;
    transfer_to_an_agent_with_a_note => sqlite_transfer_to_an_agent_with_a_note, postgres_transfer_to_an_agent_with_a_note;
    concurrent_escalations_never_exceed_capacity => sqlite_concurrent_escalations_never_exceed_capacity, postgres_concurrent_escalations_never_exceed_capacity;
    off_by_default => sqlite_off_by_default, postgres_off_by_default;
}

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
    json_of(admin.post(
        server,
        "/api/v1/admin/groups",
        json!({ "id": "team", "name": "Team" }),
    ))
    .await;
    // Escalations below name the group: the site must offer it to visitors.
    desk_support::offer_groups(server, &admin, "demo", &["team"]).await;
    let mut agents = Vec::new();
    for email in emails {
        agents.push(admin.invite(server, email, &["team"]).await);
    }
    (admin, agents)
}

async fn ticket(server: &TestServer, admin: &Agent, id: &str) -> Value {
    json_of(admin.get(server, &format!("/api/v1/desk/tickets/{id}"))).await
}

async fn assignee(server: &TestServer, admin: &Agent, id: &str) -> Option<String> {
    ticket(server, admin, id).await["ticket"]["assignee_email"]
        .as_str()
        .map(str::to_owned)
}

async fn set_capacity(server: &TestServer, admin: &Agent, agent: &Agent, capacity: i64) {
    let changed = json_of(admin.put(
        server,
        &format!("/api/v1/admin/agents/{}", agent.id),
        json!({ "capacity": capacity }),
    ))
    .await;
    assert_eq!(changed["capacity"], capacity);
}

async fn round_robin_in_order(db: String) {
    let server = TestServer::start(&db).await;
    let (admin, _) = team(
        &server,
        &["ann@example.com", "bo@example.com", "cy@example.com"],
    )
    .await;
    let mut got = Vec::new();
    for i in 0..6 {
        let (id, _) = Escalation::new(&format!("question {i}"))
            .with("group", "team")
            .create(&server)
            .await;
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
    let mut inbox = admin
        .get(&server, "/api/v1/desk/events")
        .send()
        .await
        .unwrap();
    assert_eq!(inbox.status(), 200);
    let (id, _) = Escalation::new("seventh")
        .with("group", "team")
        .create(&server)
        .await;
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    let updated = |seen: &str| {
        seen.lines().any(|line| {
            line.starts_with("data:") && line.contains("\"updated\"") && line.contains(&id)
        })
    };
    while !updated(&seen) {
        let chunk = tokio::time::timeout_at(deadline, inbox.chunk())
            .await
            .unwrap_or_else(|_| panic!("no updated event within 10 s; got {seen:?}"))
            .unwrap()
            .expect("the stream stays open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    let detail = ticket(&server, &admin, &id).await;
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
    let mut ids = Vec::new();
    for i in 0..4 {
        let (id, _) = Escalation::new(&format!("case {i}"))
            .with("group", "team")
            .create(&server)
            .await;
        ids.push(id);
    }
    assert_eq!(
        assignee(&server, &admin, &ids[0]).await.as_deref(),
        Some("ann@example.com")
    );
    assert_eq!(
        assignee(&server, &admin, &ids[1]).await.as_deref(),
        Some("bo@example.com")
    );
    assert_eq!(
        assignee(&server, &admin, &ids[2]).await,
        None,
        "everyone is at capacity"
    );
    assert_eq!(assignee(&server, &admin, &ids[3]).await, None);
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

    let mut ids = Vec::new();
    for i in 0..3 {
        let (id, _) = Escalation::new(&format!("case {i}"))
            .with("group", "team")
            .create(&server)
            .await;
        ids.push(id);
    }
    assert_eq!(
        assignee(&server, &admin, &ids[0]).await.as_deref(),
        Some("bo@example.com")
    );
    assert_eq!(
        assignee(&server, &admin, &ids[1]).await.as_deref(),
        Some("bo@example.com")
    );
    assert_eq!(
        assignee(&server, &admin, &ids[2]).await,
        None,
        "bo is full, ann is away"
    );

    json_of(ann.patch(&server, "/api/v1/desk/me", json!({ "available": true }))).await;
    assert_eq!(
        assignee(&server, &admin, &ids[2]).await.as_deref(),
        Some("ann@example.com")
    );

    // Bad input is a problem, not a 500.
    expect_problem(
        ann.patch(&server, "/api/v1/desk/me", json!({ "capacity": -3 }))
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    expect_problem(
        ann.patch(&server, "/api/v1/desk/me", json!({ "available": "yes" }))
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    expect_problem(
        ann.forged(&server, reqwest::Method::PATCH, "/api/v1/desk/me")
            .send()
            .await
            .unwrap(),
        403,
    )
    .await;
    server.stop().await;
}

async fn transfer_to_an_agent_with_a_note(db: String) {
    let server = TestServer::start(&db).await;
    let admin = Agent::admin(&server).await;
    json_of(admin.post(
        &server,
        "/api/v1/admin/groups",
        json!({ "id": "billing", "name": "Billing" }),
    ))
    .await;
    let ann = admin.invite(&server, "ann@example.com", &["general"]).await;
    let bo = admin.invite(&server, "bo@example.com", &["billing"]).await;
    let (id, _) = server.escalate("my invoice is wrong").await;
    let path = format!("/api/v1/desk/tickets/{id}");
    json_of(ann.post(&server, &format!("{path}/claim"), json!({}))).await;

    // bo cannot see a general case yet.
    expect_problem(bo.get(&server, &path).send().await.unwrap(), 404).await;

    let no_note = ann
        .post(
            &server,
            &format!("{path}/transfer"),
            json!({ "agent": "bo@example.com", "note": "" }),
        )
        .send()
        .await
        .unwrap();
    expect_problem(no_note, 422).await;
    let nobody = ann
        .post(
            &server,
            &format!("{path}/transfer"),
            json!({ "agent": "zed@example.com", "note": "x" }),
        )
        .send()
        .await
        .unwrap();
    expect_problem(nobody, 404).await;
    let neither = ann
        .post(&server, &format!("{path}/transfer"), json!({ "note": "x" }))
        .send()
        .await
        .unwrap();
    expect_problem(neither, 422).await;

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
    let last = detail["audit"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "transfer");
    assert_eq!(last["old_value"], "ann@example.com");
    assert_eq!(last["new_value"], "bo@example.com");
    assert_eq!(last["note"], "Bo knows the VAT rules for this one");
    assert_eq!(last["agent_email"], "ann@example.com");
    let mine = json_of(bo.get(&server, "/api/v1/desk/tickets?assignee=me")).await;
    assert_eq!(mine["tickets"].as_array().unwrap().len(), 1);

    // bo's inbox stream carries messages of bo's cases, never those of other groups' cases.
    let mut bo_inbox = bo.get(&server, "/api/v1/desk/events").send().await.unwrap();
    let (hidden, _) = server.escalate("a general case").await;
    for (ticket, body) in [
        (hidden.as_str(), "general-only reply"),
        (id.as_str(), "reply bo may read"),
    ] {
        json_of(ann.post(
            &server,
            &format!("/api/v1/desk/tickets/{ticket}/messages"),
            json!({ "body": body }),
        ))
        .await;
    }
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !seen.contains("reply bo may read") {
        let chunk = tokio::time::timeout_at(deadline, bo_inbox.chunk())
            .await
            .unwrap_or_else(|_| panic!("no message within 10 s; got {seen:?}"))
            .unwrap()
            .expect("the stream stays open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
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
    expect_problem(
        ann.get(&server, &format!("/api/v1/desk/tickets/{other}"))
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
    server.stop().await;
}

async fn concurrent_escalations_never_exceed_capacity(db: String) {
    let server = TestServer::start(&db).await;
    let (admin, agents) = team(
        &server,
        &["ann@example.com", "bo@example.com", "cy@example.com"],
    )
    .await;
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
