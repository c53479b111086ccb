//! The reports over real HTTP, on SQLite and on PostgreSQL: every figure checked against seeded
//! conversation events and tickets whose totals are known, the filters, the CSV tables, the
//! roll-ups catching up with new events, and bad filters refused as problems.

mod common;
mod desk_support;

use common::{refused, send, TestServer};
use desk_support::{json_of, Agent};
use protocol::{Day, Priority};
use serde_json::{json, Value};
use server::store::{SeedEvent, SeedTicket, Store};

on_both_databases! {
    figures_match_the_seeded_totals => sqlite_figures_match_the_seeded_totals, postgres_figures_match_the_seeded_totals;
    tables_download_as_csv => sqlite_tables_download_as_csv, postgres_tables_download_as_csv;
    bad_filters_are_problems => sqlite_bad_filters_are_problems, postgres_bad_filters_are_problems;
}

const HOUR: i64 = 3_600_000;
const RANGE: &str = "from=2024-03-01&to=2024-03-03";

/// The first millisecond of `day` (`YYYY-MM-DD`).
fn day(text: &str) -> i64 {
    Day::parse(text).unwrap().start_ms()
}

fn event(conversation: &str, kind: &'static str, at: i64) -> SeedEvent {
    SeedEvent {
        site_id: "demo".into(),
        conversation: conversation.into(),
        kind,
        occurred_at: at,
        ..SeedEvent::default()
    }
}

fn answered(conversation: &str, kind: &'static str, entry: &str, at: i64) -> SeedEvent {
    SeedEvent {
        entry_id: Some(entry.into()),
        ..event(conversation, kind, at)
    }
}

fn escalated(conversation: &str, reason: &'static str, at: i64) -> SeedEvent {
    SeedEvent {
        reason: Some(reason),
        ..event(conversation, "escalated", at)
    }
}

fn helpful(conversation: &str, entry: &str, yes: bool, at: i64) -> SeedEvent {
    SeedEvent {
        helpful: Some(yes),
        ..answered(conversation, "helpful", entry, at)
    }
}

fn rated(conversation: &str, score: i64, comment: &str, at: i64) -> SeedEvent {
    SeedEvent {
        score: Some(score),
        text: Some(comment.into()),
        ..event(conversation, "rated", at)
    }
}

/// Ten counted conversations on demo over 2024-03-01..03 (4 self-served, 1 clarified,
/// 4 escalated, 1 no answer), one before the range, one on another site, one with a rating only.
fn conversations() -> Vec<SeedEvent> {
    let (d1, d2, d3) = (day("2024-03-01"), day("2024-03-02"), day("2024-03-03"));
    vec![
        answered("c-before-00", "answered", "returns", d1 - HOUR),
        // Day 1: self-served twice, clarified, escalated, no answer.
        answered("c-one-0001", "answered", "returns", d1 + HOUR),
        helpful("c-one-0001", "returns", true, d1 + HOUR + 1),
        event("c-two-0002", "clarified", d1 + 2 * HOUR),
        answered("c-two-0002", "chose", "shipping", d1 + 2 * HOUR + 1),
        event("c-three-003", "clarified", d1 + 3 * HOUR),
        event("c-four-0004", "no_answer", d1 + 4 * HOUR),
        escalated("c-four-0004", "no_answer", d1 + 4 * HOUR + 1),
        event("c-five-0005", "no_answer", d1 + 5 * HOUR),
        // Day 2: self-served, escalated twice (one across midnight), a rating alone.
        answered("c-six-00006", "answered", "returns", d2 + HOUR),
        helpful("c-six-00006", "returns", false, d2 + HOUR + 1),
        // The same entry again, picked from the offered questions: one conversation helped once.
        answered("c-six-00006", "chose", "returns", d2 + HOUR + 2),
        answered("c-six-00006", "answered", "returns", d2 + HOUR + 3),
        answered("c-seven-007", "answered", "returns", d2 + 2 * HOUR),
        escalated("c-seven-007", "not_helpful", d2 + 2 * HOUR + 1),
        rated("c-eight-008", 5, "great", d2 + 3 * HOUR),
        answered("c-nine-0009", "answered", "shipping", d3 - 1),
        escalated("c-nine-0009", "requested", d3 + HOUR),
        // Day 3: escalated after choices, self-served and rated.
        event("c-ten-00010", "clarified", d3 + 2 * HOUR),
        escalated("c-ten-00010", "no_choice_fitted", d3 + 2 * HOUR + 1),
        answered("c-eleven-11", "answered", "returns", d3 + 3 * HOUR),
        rated("c-eleven-11", 2, "too slow, 退货", d3 + 3 * HOUR + 1),
        SeedEvent {
            site_id: "other".into(),
            ..answered("c-other-012", "answered", "returns", d1 + HOUR)
        },
    ]
}

fn ticket(id: &str, created_at: i64, priority: Priority, ticket_type: &'static str) -> SeedTicket {
    SeedTicket {
        public_id: id.into(),
        site_id: "demo".into(),
        group_id: None,
        assignee_id: None,
        priority,
        ticket_type,
        tags: vec![],
        created_at,
        sla_due_at: None,
        first_response_at: None,
        resolved_at: None,
        rating: None,
    }
}

/// Four tickets in the range (SLA: 1 attained, 2 breached, 1 pending) and one before it.
fn tickets(admin_id: i64, now: i64) -> Vec<SeedTicket> {
    let (d1, d2, d3) = (day("2024-03-01"), day("2024-03-02"), day("2024-03-03"));
    vec![
        SeedTicket {
            group_id: Some("general".into()),
            assignee_id: Some(admin_id),
            tags: vec!["refund".into()],
            sla_due_at: Some(d1 + 4 * HOUR),
            first_response_at: Some(d1 + HOUR),
            resolved_at: Some(d1 + 10 * HOUR),
            rating: Some((4, Some("thanks".into()), d1 + 11 * HOUR)),
            ..ticket("T-REP00001", d1, Priority::High, "question")
        },
        SeedTicket {
            group_id: Some("general".into()),
            tags: vec!["refund".into(), "shipping".into()],
            sla_due_at: Some(d1 + 8 * HOUR),
            first_response_at: Some(d1 + 9 * HOUR),
            resolved_at: Some(d1 + 20 * HOUR),
            rating: Some((1, None, d1 + 21 * HOUR)),
            ..ticket("T-REP00002", d1, Priority::Normal, "incident")
        },
        SeedTicket {
            group_id: Some("billing".into()),
            sla_due_at: Some(d2 + HOUR),
            ..ticket("T-REP00003", d2, Priority::Urgent, "question")
        },
        SeedTicket {
            sla_due_at: Some(now + 24 * HOUR),
            ..ticket("T-REP00004", d3, Priority::Low, "task")
        },
        SeedTicket {
            tags: vec!["refund".into()],
            first_response_at: Some(d1 - HOUR),
            ..ticket("T-REP00005", d1 - 2 * HOUR, Priority::Normal, "question")
        },
    ]
}

/// A server with the seeded events and tickets, and its admin.
async fn seeded(db: &str) -> (TestServer, Agent) {
    let server = TestServer::start(db).await;
    let admin = Agent::admin(&server).await;
    admin.create_group(&server, "billing", "Billing").await;
    let site = json!({ "id": "other", "name": "Other shop", "allowed_origins": ["https://other.example"] });
    assert_eq!(
        send(admin.post(&server, "/api/v1/admin/sites", site))
            .await
            .status(),
        201
    );
    let store = Store::connect(db).await.unwrap();
    store
        .seed_conversation_events(&conversations())
        .await
        .unwrap();
    let now = server::store::now_ms();
    store.seed_tickets(&tickets(admin.id, now)).await.unwrap();
    (server, admin)
}

async fn report(server: &TestServer, admin: &Agent, query: &str) -> Value {
    json_of(admin.get(server, &format!("/api/v1/admin/reports?{query}"))).await
}

fn counts(rows: &Value) -> Vec<(Value, i64)> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| (r["key"].clone(), r["tickets"].as_i64().unwrap()))
        .collect()
}

async fn figures_match_the_seeded_totals(db: String) {
    let (server, admin) = seeded(&db).await;
    let r = report(&server, &admin, &format!("{RANGE}&site=demo")).await;
    assert_eq!(
        (r["from"].as_str(), r["to"].as_str()),
        (Some("2024-03-01"), Some("2024-03-03"))
    );

    // Conversations per day, classified once: escalated, self-served, clarified, no answer.
    let row = |d: &Value| {
        [
            "day",
            "self_served",
            "clarified",
            "escalated",
            "no_answer",
            "total",
        ]
        .map(|k| d[k].to_string())
        .join(" ")
    };
    let days: Vec<String> = r["conversations"]["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(row)
        .collect();
    assert_eq!(
        days,
        [
            "\"2024-03-01\" 2 1 1 1 5",
            "\"2024-03-02\" 1 0 2 0 3",
            "\"2024-03-03\" 1 0 1 0 2",
        ]
    );
    assert_eq!(
        row(&r["conversations"]["total"]),
        "\"2024-03-01\" 4 1 4 1 10"
    );
    assert_eq!(r["conversations"]["self_service_rate"], 0.4);
    for reason in ["requested", "no_answer", "no_choice_fitted", "not_helpful"] {
        let row = common::item(&r, "escalation_reasons", "reason", reason);
        assert_eq!(
            (row["conversations"].as_i64(), row["rate"].as_f64()),
            (Some(1), Some(0.1)),
            "{reason}"
        );
    }

    // Entries: answered or chosen, with the helpful verdicts.
    assert_eq!(
        r["top_entries"],
        json!([
            { "entry": "returns", "answered": 4, "helpful_yes": 1, "helpful_no": 1, "helpful_rate": 0.5 },
            { "entry": "shipping", "answered": 2, "helpful_yes": 0, "helpful_no": 0, "helpful_rate": null },
        ])
    );

    // Tickets: times (nearest-rank median and p90), breakdowns, SLA.
    assert_eq!(
        r["response_times"],
        json!([
            { "measure": "first_response", "tickets": 2, "median_ms": HOUR, "p90_ms": 9 * HOUR },
            { "measure": "resolution", "tickets": 2, "median_ms": 10 * HOUR, "p90_ms": 20 * HOUR },
        ])
    );
    assert_eq!(
        counts(&r["tickets_by_category"]),
        [
            (json!("refund"), 2),
            (Value::Null, 2),
            (json!("shipping"), 1)
        ]
    );
    assert_eq!(
        counts(&r["tickets_by_type"]),
        [
            (json!("question"), 2),
            (json!("incident"), 1),
            (json!("task"), 1)
        ]
    );
    assert_eq!(
        counts(&r["tickets_by_group"]),
        [
            (json!("general"), 2),
            (json!("billing"), 1),
            (Value::Null, 1)
        ]
    );
    assert_eq!(
        counts(&r["tickets_by_agent"]),
        [(Value::Null, 3), (json!("admin@answerdesk.local"), 1)]
    );
    let sla = &r["sla"];
    assert_eq!(
        (
            sla["attained"].as_i64(),
            sla["breached"].as_i64(),
            sla["pending"].as_i64()
        ),
        (Some(1), Some(2), Some(1))
    );
    assert!((sla["attainment_rate"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9);
    let urgent = common::item(sla, "by_priority", "priority", "urgent");
    assert_eq!(urgent["breached"], 1);
    let low = common::item(sla, "by_priority", "priority", "low");
    assert_eq!(low["pending"], 1);

    // CSAT: two ticket ratings and two widget ratings, comments newest first.
    let csat = &r["csat"];
    assert_eq!(
        (csat["ratings"].as_i64(), csat["average"].as_f64()),
        (Some(4), Some(3.0))
    );
    assert_eq!(csat["satisfied_share"], 0.5);
    let scores: Vec<(i64, i64)> = csat["distribution"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["tickets"].as_i64().unwrap(),
                s["widget"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(scores, [(1, 0), (0, 1), (0, 0), (1, 0), (0, 1)]);
    assert_eq!(
        common::strings(csat, "comments", "comment"),
        ["too slow, 退货", "great", "thanks"]
    );
    assert_eq!(csat["comments"][2]["ticket"], "T-REP00001");
    assert_eq!(csat["comments"][0]["source"], "widget");

    // A group narrows the tickets (and their ratings), not the conversations.
    let general = report(&server, &admin, &format!("{RANGE}&group=general")).await;
    assert_eq!(
        general["conversations"]["total"]["total"], 11,
        "both sites, every group"
    );
    assert_eq!(
        (
            general["sla"]["attained"].as_i64(),
            general["sla"]["breached"].as_i64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(general["csat"]["ratings"], 2);
    assert_eq!(
        common::strings(&general["csat"], "comments", "comment"),
        ["thanks"]
    );
    assert_eq!(general["top_entries"][0]["answered"], 5);

    // The roll-ups catch up with new events, and count each event once; an entry counts once
    // per conversation, also when the conversation's second answer with it comes in a later run.
    let store = Store::connect(&db).await.unwrap();
    let late = day("2024-03-03") + 5 * HOUR;
    store
        .seed_conversation_events(&[
            answered("c-late-0013", "answered", "returns", late),
            answered("c-late-0013", "chose", "returns", late + 1),
            answered(
                "c-one-0001",
                "chose",
                "returns",
                day("2024-03-01") + 2 * HOUR,
            ),
        ])
        .await
        .unwrap();
    let again = report(&server, &admin, &format!("{RANGE}&site=demo")).await;
    assert_eq!(again["conversations"]["total"]["self_served"], 5);
    assert_eq!(again["conversations"]["total"]["total"], 11);
    assert_eq!(again["top_entries"][0]["answered"], 5);
    let once_more = report(&server, &admin, &format!("{RANGE}&site=demo")).await;
    assert_eq!(once_more["conversations"], again["conversations"]);

    // A range with nothing in it: zeros and nulls, never an error.
    let empty = report(&server, &admin, "from=2023-01-01&to=2023-01-02").await;
    assert_eq!(empty["conversations"]["days"].as_array().unwrap().len(), 2);
    assert_eq!(empty["conversations"]["self_service_rate"], Value::Null);
    assert_eq!(empty["response_times"][0]["median_ms"], Value::Null);
    assert_eq!(empty["csat"]["average"], Value::Null);
    server.stop().await;
}

async fn tables_download_as_csv(db: String) {
    let (server, admin) = seeded(&db).await;
    let csv = |table: &str| {
        admin.get(
            &server,
            &format!("/api/v1/admin/reports/{table}.csv?{RANGE}&site=demo"),
        )
    };
    for table in protocol::ReportTable::ALL {
        let response = send(csv(table.as_str())).await;
        assert_eq!(response.status(), 200, "{table:?}");
        assert_eq!(
            response.headers()["content-type"],
            "text/csv; charset=utf-8"
        );
        let disposition = response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(disposition.starts_with("attachment;"), "{disposition}");
        let text = response.text().await.unwrap();
        assert!(text.starts_with('\u{feff}'), "a BOM, so Excel reads UTF-8");
        assert!(text.ends_with("\r\n"));
    }
    let text = send(csv("conversations")).await.text().await.unwrap();
    assert_eq!(
        text,
        "\u{feff}day,self_served,clarified,escalated,no_answer,total\r\n\
         2024-03-01,2,1,1,1,5\r\n2024-03-02,1,0,2,0,3\r\n2024-03-03,1,0,1,0,2\r\n"
    );
    let comments = send(csv("csat-comments")).await.text().await.unwrap();
    assert!(
        comments.contains(",2,widget,,\"too slow, 退货\"\r\n"),
        "{comments}"
    );
    let sla = send(csv("sla")).await.text().await.unwrap();
    assert!(sla.contains("\r\nall,1,2,1\r\n"), "{sla}");
    let times = send(csv("response-times")).await.text().await.unwrap();
    assert!(times.contains("first_response,2,3600,32400"), "{times}");
    refused(admin.get(&server, "/api/v1/admin/reports/nope.csv"), 404).await;
    server.stop().await;
}

async fn bad_filters_are_problems(db: String) {
    let server = TestServer::start(&db).await;
    let admin = Agent::admin(&server).await;
    for (query, status) in [
        ("from=2024-13-01", 422),
        ("from=yesterday", 422),
        ("from=2024-03-05&to=2024-03-01", 422),
        ("from=2023-01-01&to=2024-12-31", 422),
        ("site=nowhere", 422),
        ("group=nobody", 422),
        ("colour=red", 400),
    ] {
        let problem = refused(
            admin.get(&server, &format!("/api/v1/admin/reports?{query}")),
            status,
        )
        .await;
        assert!(problem["detail"].is_string(), "{query}");
        refused(
            admin.get(&server, &format!("/api/v1/admin/reports/sla.csv?{query}")),
            status,
        )
        .await;
    }
    // A full year, leap day included, is allowed.
    let year = send(admin.get(
        &server,
        "/api/v1/admin/reports?from=2024-01-01&to=2024-12-31",
    ))
    .await;
    assert_eq!(year.status(), 200);

    // Admins only.
    let ann = admin.invite(&server, "ann@example.com", &["general"]).await;
    refused(ann.get(&server, "/api/v1/admin/reports"), 403).await;
    refused(ann.get(&server, "/api/v1/admin/reports/sla.csv"), 403).await;
    refused(server.get("/api/v1/admin/reports"), 401).await;
    server.stop().await;
}
