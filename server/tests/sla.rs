//! The first-response SLA over real HTTP, on SQLite and on PostgreSQL: the due time follows the
//! priority at creation and when it changes (counted from the ticket's creation), and the clock
//! stops at the first agent reply, never at a note or a visitor's message.

mod common;
mod desk_support;

use common::{send, TestServer};
use desk_support::{json_of, Agent};
use serde_json::{json, Value};

on_both_databases! {
    due_time_follows_the_priority_until_the_first_reply => sqlite_due_time_follows_the_priority_until_the_first_reply, postgres_due_time_follows_the_priority_until_the_first_reply;
}

const MINUTE: i64 = 60_000;

async fn due_time_follows_the_priority_until_the_first_reply(db: String) {
    let server = TestServer::start(&db).await;
    let admin = Agent::admin(&server).await;
    let targets =
        json!({ "sla_minutes": { "low": 1440, "normal": 480, "high": 240, "urgent": 60 } });
    let config = send(admin.put(&server, "/api/v1/admin/config", targets)).await;
    assert_eq!(config.status(), 200);

    let (id, token) = server.escalate("my parcel never arrived").await;
    let ticket = |detail: &Value| detail["ticket"].clone();
    let detail = admin.ticket(&server, &id).await;
    let created = ticket(&detail)["created_at"].as_i64().unwrap();
    assert_eq!(ticket(&detail)["priority"], "normal");
    assert_eq!(ticket(&detail)["sla_due_at"], created + 480 * MINUTE);
    assert!(ticket(&detail)["first_response_at"].is_null());

    // A note, a visitor's message and the system's own messages leave the clock running.
    admin.note(&server, &id, "checking the carrier").await;
    assert_eq!(
        send(server.reply(&id, &token, "any news?")).await.status(),
        201
    );
    let path = format!("/api/v1/desk/tickets/{id}");
    json_of(admin.post(&server, &format!("{path}/claim"), json!({}))).await;
    let detail = admin.ticket(&server, &id).await;
    assert!(ticket(&detail)["first_response_at"].is_null(), "{detail}");

    // Raising the priority brings the due time forward, from the creation, not from now.
    let changed = json_of(admin.patch(&server, &path, json!({ "priority": "urgent" }))).await;
    assert_eq!(changed["sla_due_at"], created + 60 * MINUTE);
    let changed = json_of(admin.patch(&server, &path, json!({ "priority": "high" }))).await;
    assert_eq!(changed["sla_due_at"], created + 240 * MINUTE);

    // The first public reply stops the clock at the reply's own moment.
    let reply = admin
        .message(
            &server,
            &id,
            json!({ "body": "It is on its way.", "internal": false }),
        )
        .await;
    let detail = admin.ticket(&server, &id).await;
    assert_eq!(ticket(&detail)["first_response_at"], reply["created_at"]);

    // Afterwards the due time is history: a priority change or a second reply moves nothing.
    let changed = json_of(admin.patch(&server, &path, json!({ "priority": "low" }))).await;
    assert_eq!(changed["priority"], "low");
    assert_eq!(changed["sla_due_at"], created + 240 * MINUTE);
    admin
        .message(
            &server,
            &id,
            json!({ "body": "Tracking: 123", "internal": false }),
        )
        .await;
    let detail = admin.ticket(&server, &id).await;
    assert_eq!(ticket(&detail)["first_response_at"], reply["created_at"]);

    // The inbox lists carry the same two times, which the workbench flags breaches by.
    let list = json_of(admin.get(&server, "/api/v1/desk/tickets")).await;
    let listed = common::item(&list, "tickets", "id", &id);
    assert_eq!(listed["first_response_at"], reply["created_at"]);
    assert_eq!(listed["sla_due_at"], created + 240 * MINUTE);
    server.stop().await;
}
