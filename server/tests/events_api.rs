//! Anonymous conversation events from the widget (`POST /api/v1/events`), over real HTTP on
//! SQLite and on PostgreSQL: stored as sent, once per batch id, refused whole and with a problem
//! when anything is wrong (and then nothing is stored), limited per address, purged after the
//! retention the admin sets.

mod common;
mod desk_support;

use common::{database, expect_problem, send, TestServer};
use desk_support::{json_of, Agent};
use serde_json::{json, Value};
use server::store::Store;
use server::{Config, Quota, RateLimits};

on_both_databases! {
    a_batch_is_stored_once => sqlite_a_batch_is_stored_once, postgres_a_batch_is_stored_once;
    bad_batches_are_refused_whole => sqlite_bad_batches_are_refused_whole, postgres_bad_batches_are_refused_whole;
    events_are_rate_limited_per_address => sqlite_events_are_rate_limited_per_address, postgres_events_are_rate_limited_per_address;
    concurrent_batches_are_each_stored_once => sqlite_concurrent_batches_are_each_stored_once, postgres_concurrent_batches_are_each_stored_once;
    events_past_retention_are_purged => sqlite_events_past_retention_are_purged, postgres_events_past_retention_are_purged;
}

/// conversation, kind, entry_id, text, reason.
type StoredRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

fn now_ms() -> i64 {
    server::store::now_ms()
}

/// A batch for the demo site with these events, in conversation `c-conversation-1`.
fn batch(batch_id: &str, events: Vec<Value>) -> Value {
    json!({ "batch_id": batch_id, "site": "demo", "events": events })
}

fn event(kind: &str, fields: Value) -> Value {
    let mut event = json!({ "conversation": "c-conversation-1", "at": now_ms(), "type": kind });
    for (key, value) in fields.as_object().unwrap() {
        event[key] = value.clone();
    }
    event
}

/// One event of every kind, as the widget sends a whole conversation.
fn every_kind() -> Vec<Value> {
    vec![
        event(
            "answered",
            json!({ "entry": "delivery-time", "confidence": 0.91, "locale": "en" }),
        ),
        event(
            "clarified",
            json!({ "choices": ["start-return", "refund-time"], "text": "return" }),
        ),
        event("chose", json!({ "entry": "start-return" })),
        event(
            "no_answer",
            json!({ "text": "do you ship to [email] at [phone]?" }),
        ),
        event(
            "helpful",
            json!({ "entry": "delivery-time", "helpful": false }),
        ),
        event(
            "escalated",
            json!({ "reason": "not_helpful", "text": "my parcel is lost" }),
        ),
        event(
            "rated",
            json!({ "score": 4, "comment": "quick, thanks", "locale": "zh-CN" }),
        ),
    ]
}

async fn post(server: &TestServer, body: Value) -> reqwest::Response {
    send(server.post("/api/v1/events", body)).await
}

async fn stored_events(db: &str) -> i64 {
    let pool = database(db).await;
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM conversation_events")
        .fetch_one(&pool)
        .await
        .unwrap();
    let (batches,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM event_batches")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert!(count == 0 || batches > 0, "events without their batch");
    count
}

async fn a_batch_is_stored_once(db: String) {
    let server = TestServer::start(&db).await;
    let sent = batch("b-first-batch", every_kind());
    for _ in 0..3 {
        // The beacon, then the offline queue's retry of the same batch: stored once.
        let response = post(&server, sent.clone()).await;
        assert_eq!(response.status(), 204);
        assert!(response.headers().get("set-cookie").is_none());
    }
    assert_eq!(stored_events(&db).await, 7);

    let pool = database(&db).await;
    let rows: Vec<StoredRow> = sqlx::query_as(
        "SELECT conversation, kind, entry_id, text, reason FROM conversation_events ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let kinds: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "answered",
            "clarified",
            "chose",
            "no_answer",
            "helpful",
            "escalated",
            "rated"
        ]
    );
    assert!(rows.iter().all(|r| r.0 == "c-conversation-1"));
    assert_eq!(
        rows[3].3.as_deref(),
        Some("do you ship to [email] at [phone]?")
    );
    assert_eq!(rows[5].4.as_deref(), Some("not_helpful"));
    let (choices, helpful): (Option<String>, Option<i64>) = sqlx::query_as(
        "SELECT c.choices, h.helpful FROM conversation_events c, conversation_events h \
         WHERE c.kind = 'clarified' AND h.kind = 'helpful'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        choices.as_deref(),
        Some(r#"["start-return","refund-time"]"#)
    );
    assert_eq!(helpful, Some(0));
    let (confidence, score, comment, locale): (f64, i64, String, String) = sqlx::query_as(
        "SELECT a.confidence, r.score, r.text, r.locale FROM conversation_events a, \
         conversation_events r WHERE a.kind = 'answered' AND r.kind = 'rated'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!((confidence - 0.91).abs() < 1e-9);
    assert_eq!(
        (score, comment.as_str(), locale.as_str()),
        (4, "quick, thanks", "zh-CN")
    );
    // The helpful event counts in the admins' feedback summary, as the old endpoint's verdicts do.
    let admin = Agent::admin(&server).await;
    let summary = json_of(admin.get(&server, "/api/v1/admin/feedback")).await;
    assert_eq!(
        summary["entries"],
        json!([{ "site": "demo", "entry_id": "delivery-time", "up": 0, "down": 1 }])
    );

    // As navigator.sendBeacon sends it: text/plain, from an allowed page. A clock a month
    // behind lands a week back; long text is cut.
    let late = json!({
        "batch_id": "b-beacon-batch", "site": "demo",
        "events": [{ "conversation": "c-conversation-2", "at": now_ms() - 30 * DAY_MS,
                     "type": "no_answer", "text": "长".repeat(600) }],
    });
    let beacon = send(
        server
            .client
            .post(server.url("/api/v1/events"))
            .header("Content-Type", "text/plain;charset=UTF-8")
            .header("Origin", "http://localhost:8080")
            .body(late.to_string()),
    )
    .await;
    assert_eq!(beacon.status(), 204);
    let (text, occurred, received): (String, i64, i64) = sqlx::query_as(
        "SELECT text, occurred_at, received_at FROM conversation_events \
         WHERE conversation = 'c-conversation-2'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(text.chars().count(), protocol::MAX_EVENT_TEXT_CHARS);
    assert_eq!(received - occurred, 7 * DAY_MS);
    pool.close().await;
    server.stop().await;
}

/// Batches arriving together are written together (several to a transaction); each resend
/// among them, however close to its original, is still stored once.
async fn concurrent_batches_are_each_stored_once(db: String) {
    let server = TestServer::start(&db).await;
    let sends = (0..40).map(|i| {
        let body = batch(
            &format!("b-together-{}", i % 20),
            every_kind()[..5].to_vec(),
        );
        let request = server.post("/api/v1/events", body);
        async move { send(request).await.status().as_u16() }
    });
    let statuses = futures_util::future::join_all(sends).await;
    assert!(statuses.iter().all(|&s| s == 204), "{statuses:?}");
    assert_eq!(stored_events(&db).await, 20 * 5);
    server.stop().await;
}

async fn bad_batches_are_refused_whole(db: String) {
    let server = TestServer::start(&db).await;
    let refused = |body: Value, status: u16| {
        let server = &server;
        async move { expect_problem(post(server, body).await, status).await }
    };
    let detail = |problem: &Value| problem["detail"].as_str().unwrap().to_owned();

    // One bad event among good ones refuses the batch, and says which and why.
    let mut events = every_kind();
    events[4] = event("answered", json!({ "entry": "x", "confidence": 1.5 }));
    let problem = refused(batch("b-bad-confidence", events), 422).await;
    assert!(detail(&problem).contains("events[4]") && detail(&problem).contains("confidence"));
    let problem = refused(
        batch("b-bad-score-1", vec![event("rated", json!({ "score": 9 }))]),
        422,
    )
    .await;
    assert!(detail(&problem).contains("score"));
    let choices: Vec<String> = (0..11).map(|i| format!("entry-{i}")).collect();
    let problem = refused(
        batch(
            "b-many-choices",
            vec![event("clarified", json!({ "choices": choices }))],
        ),
        422,
    )
    .await;
    assert!(detail(&problem).contains("choices"));
    refused(
        batch("b-unknown-type", vec![event("clicked", json!({}))]),
        422,
    )
    .await;
    refused(
        batch(
            "b-extra-field",
            vec![event("chose", json!({ "entry": "a", "ip": "1.2.3.4" }))],
        ),
        422,
    )
    .await;
    let mut bad_conversation = event("chose", json!({ "entry": "a" }));
    bad_conversation["conversation"] = json!("visitor@example.com");
    let problem = refused(batch("b-bad-conversation", vec![bad_conversation]), 422).await;
    assert!(detail(&problem).contains("conversation"));
    let problem = refused(batch("short", every_kind()), 422).await;
    assert!(detail(&problem).contains("batch_id"));

    // Too many events, none at all, too large a body.
    let many: Vec<Value> = (0..=protocol::MAX_EVENTS_PER_BATCH)
        .map(|_| event("chose", json!({ "entry": "a" })))
        .collect();
    let problem = refused(batch("b-too-many-events", many), 422).await;
    assert!(detail(&problem).contains("events"));
    refused(batch("b-no-events-at-all", vec![]), 422).await;
    let huge = vec![event(
        "no_answer",
        json!({ "text": "x".repeat(protocol::MAX_EVENT_BATCH_BYTES) }),
    )];
    refused(batch("b-oversized-body", huge), 413).await;

    // Not JSON, or not a type a beacon or fetch sends.
    let garbage = send(
        server
            .client
            .post(server.url("/api/v1/events"))
            .header("Content-Type", "text/plain")
            .body("{\"batch_id\": "),
    )
    .await;
    expect_problem(garbage, 400).await;
    let form = send(
        server
            .client
            .post(server.url("/api/v1/events"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(batch("b-form-encoded", every_kind()).to_string()),
    )
    .await;
    expect_problem(form, 415).await;

    // A site nobody registered, and a page the demo site does not allow.
    let mut unknown = batch("b-unknown-site", every_kind());
    unknown["site"] = json!("nowhere");
    let problem = refused(unknown, 422).await;
    assert_eq!(problem["type"], "/problems/unknown-site");
    let foreign = send(
        server
            .post("/api/v1/events", batch("b-foreign-page", every_kind()))
            .header("Origin", "https://evil.example"),
    )
    .await;
    expect_problem(foreign, 403).await;

    assert_eq!(
        stored_events(&db).await,
        0,
        "nothing of a refused batch is stored"
    );
    // A refused batch's id is not used up: once fixed, it is stored.
    assert_eq!(
        post(&server, batch("b-bad-confidence", every_kind()))
            .await
            .status(),
        204
    );
    assert_eq!(stored_events(&db).await, 7);
    server.stop().await;
}

async fn events_are_rate_limited_per_address(db: String) {
    let server = TestServer::start_with(Config {
        rate_limit: true,
        rate_limits: RateLimits {
            per_ip: Quota {
                burst: 2,
                per_minute: 1,
            },
            ..RateLimits::default()
        },
        ..common::config(&db)
    })
    .await;
    let one = || vec![event("chose", json!({ "entry": "start-return" }))];
    assert_eq!(
        post(&server, batch("b-limited-1", one())).await.status(),
        204
    );
    assert_eq!(
        post(&server, batch("b-limited-2", one())).await.status(),
        204
    );
    let limited = post(&server, batch("b-limited-3", one())).await;
    assert!(limited.headers().get("retry-after").is_some());
    expect_problem(limited, 429).await;
    assert_eq!(stored_events(&db).await, 2);
    server.stop().await;
}

async fn events_past_retention_are_purged(db: String) {
    let server = TestServer::start(&db).await;
    let recent = vec![event("no_answer", json!({ "text": "recent question" }))];
    let old = vec![event("no_answer", json!({ "text": "old question" }))];
    assert_eq!(
        post(&server, batch("b-recent-batch", recent))
            .await
            .status(),
        204
    );
    assert_eq!(
        post(&server, batch("b-old-batch-1", old.clone()))
            .await
            .status(),
        204
    );
    // The old batch arrived 181 days ago, past the default retention of 180.
    let pool = database(&db).await;
    for table in ["conversation_events", "event_batches"] {
        sqlx::query(&format!(
            "UPDATE {table} SET received_at = received_at - $1 WHERE {}",
            if table == "event_batches" {
                "batch_id = 'b-old-batch-1'"
            } else {
                "text = 'old question'"
            }
        ))
        .bind(181 * DAY_MS)
        .execute(&pool)
        .await
        .unwrap();
    }
    let store = Store::connect(&db).await.unwrap();
    assert_eq!(store.purge_conversation_events(now_ms()).await.unwrap(), 1);
    let texts: Vec<(String,)> = sqlx::query_as("SELECT text FROM conversation_events")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(texts, [("recent question".to_owned(),)]);
    // Its batch id went with it: a resend that late is a new batch.
    let (batches,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM event_batches")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(batches, 1);

    // An admin shortens the retention to one day: two days on, the recent one goes too.
    let admin = Agent::admin(&server).await;
    let config = json_of(admin.put(
        &server,
        "/api/v1/admin/config",
        json!({ "event_retention_days": 1 }),
    ))
    .await;
    assert_eq!(config["event_retention_days"], 1);
    expect_problem(
        send(admin.put(
            &server,
            "/api/v1/admin/config",
            json!({ "event_retention_days": 0 }),
        ))
        .await,
        422,
    )
    .await;
    assert_eq!(store.purge_conversation_events(now_ms()).await.unwrap(), 0);
    assert_eq!(
        store
            .purge_conversation_events(now_ms() + 2 * DAY_MS)
            .await
            .unwrap(),
        1
    );
    assert_eq!(stored_events(&db).await, 0);
    pool.close().await;
    store.close().await;
    server.stop().await;
}
