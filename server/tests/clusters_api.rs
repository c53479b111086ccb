//! Unanswered questions grouped by meaning (`/api/v1/admin/clusters`), over real HTTP on SQLite
//! and PostgreSQL: questions the widgets reported form one group per need, biggest first, with
//! their examples and trend; marking a group takes its questions off the list; bad requests get
//! problem documents and change nothing.

mod common;
mod desk_support;

use common::{database, expect_problem, send};
use desk_support::{json_of, Agent};
use serde_json::{json, Value};

on_both_databases! {
    unanswered_questions_are_grouped_and_marked => sqlite_unanswered_questions_are_grouped_and_marked, postgres_unanswered_questions_are_grouped_and_marked;
}

const DAY: i64 = 24 * 60 * 60 * 1000;

/// Stores one event as the widgets' ingest does, `days_ago` days back.
async fn seed(pool: &sqlx::AnyPool, kind: &str, text: &str, days_ago: i64) {
    let now = server::store::now_ms();
    sqlx::query(
        "INSERT INTO conversation_events (site_id, conversation, kind, text, locale, \
         occurred_at, received_at) VALUES ('demo', $1, $2, $3, 'en', $4, $5)",
    )
    .bind(format!("c-{text}-{days_ago}"))
    .bind(kind)
    .bind(text)
    .bind(now - days_ago * DAY)
    .bind(now)
    .execute(pool)
    .await
    .unwrap();
}

fn titles(list: &Value) -> Vec<(String, u64)> {
    list["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["title"].as_str().unwrap().to_owned(),
                c["size"].as_u64().unwrap(),
            )
        })
        .collect()
}

async fn unanswered_questions_are_grouped_and_marked(db: String) {
    let dir = tempfile::tempdir().unwrap();
    let server = common::start_with_snapshot(&db, &dir, &["delivery-time", "start-return"]).await;
    let pool = database(&db).await;
    seed(&pool, "no_answer", "do you sell gift cards?", 1).await;
    seed(&pool, "escalated", "can I buy a gift card for my sister", 2).await;
    seed(&pool, "clarified", "gift card available?", 9).await;
    seed(&pool, "no_answer", "is there a store in Toronto", 3).await;
    seed(
        &pool,
        "no_answer",
        "do you have a physical store in toronto",
        4,
    )
    .await;
    seed(&pool, "no_answer", "what's the weather tomorrow", 5).await;
    // Not questions the list shows: too old, another kind, no text.
    seed(&pool, "no_answer", "gift card from last year?", 200).await;
    seed(&pool, "chose", "gift cards please", 1).await;

    let agent = Agent::admin(&server).await;
    let list = json_of(agent.get(&server, "/api/v1/admin/clusters?site=demo&days=30")).await;
    assert_eq!(list["questions"], 6, "{list}");
    let clusters = titles(&list);
    assert_eq!(clusters.len(), 3, "{list}");
    assert_eq!(clusters[0].1, 3, "the gift cards first: {list}");
    assert!(clusters[0].0.contains("gift card"), "{list}");
    assert_eq!(clusters[1].1, 2, "{list}");
    assert!(clusters[1].0.to_lowercase().contains("toronto"), "{list}");
    assert_eq!(clusters[2], ("what's the weather tomorrow".into(), 1));
    let gifts = &list["clusters"][0];
    assert_eq!(gifts["last_week"], 2, "{gifts}");
    assert_eq!(gifts["week_before"], 1, "{gifts}");
    let examples: Vec<&str> = gifts["examples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        examples,
        [
            "do you sell gift cards?",
            "can I buy a gift card for my sister",
            "gift card available?"
        ],
        "newest first"
    );
    assert_eq!(gifts["wordings"].as_array().unwrap().len(), 3, "{gifts}");

    // Covered: the gift-card questions leave the list; the others stay.
    let id = gifts["id"].as_i64().unwrap();
    let marked = json_of(agent.post(
        &server,
        &format!("/api/v1/admin/clusters/{id}/mark"),
        json!({ "site": "demo", "state": "covered" }),
    ))
    .await;
    assert_eq!(marked["questions"], 3);
    let after = json_of(agent.get(&server, "/api/v1/admin/clusters?site=demo")).await;
    assert_eq!(after["questions"], 3, "{after}");
    assert!(
        titles(&after).iter().all(|(t, _)| !t.contains("gift")),
        "{after}"
    );
    // Marking it again finds no such group.
    let again = agent.post(
        &server,
        &format!("/api/v1/admin/clusters/{id}/mark"),
        json!({ "site": "demo", "state": "dismissed" }),
    );
    expect_problem(send(again).await, 404).await;

    // Bad requests: an unknown site, a window out of range, an unknown state, no session.
    let unknown = agent.get(&server, "/api/v1/admin/clusters?site=nope");
    expect_problem(send(unknown).await, 404).await;
    let too_long = agent.get(&server, "/api/v1/admin/clusters?site=demo&days=400");
    expect_problem(send(too_long).await, 422).await;
    let bad_state = agent.post(
        &server,
        &format!("/api/v1/admin/clusters/{id}/mark"),
        json!({ "site": "demo", "state": "deleted" }),
    );
    assert!(send(bad_state).await.status().is_client_error());
    let anonymous = server.get("/api/v1/admin/clusters?site=demo");
    expect_problem(send(anonymous).await, 401).await;
    let still = json_of(agent.get(&server, "/api/v1/admin/clusters?site=demo")).await;
    assert_eq!(
        still["questions"], 3,
        "bad requests changed nothing: {still}"
    );
    pool.close().await;
    server.stop().await;
}
