//! Canned responses over real HTTP, on SQLite and on PostgreSQL: create, read, update, delete,
//! unique shortcuts, group scoping, and who may write which.

mod common;
mod desk_support;

use common::{refused, send, TestServer};
use desk_support::{json_of, Agent};
use serde_json::{json, Value};

on_both_databases! {
    canned_crud => sqlite_canned_crud, postgres_canned_crud;
    canned_scopes_and_writers => sqlite_canned_scopes_and_writers, postgres_canned_scopes_and_writers;
}

const PATH: &str = "/api/v1/desk/canned-responses";

fn shortcuts(list: &Value) -> Vec<String> {
    list["canned_responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["shortcut"].as_str().unwrap().to_owned())
        .collect()
}

async fn canned_crud(db: String) {
    let server = TestServer::start(&db).await;
    let admin = Agent::admin(&server).await;
    let created = send(admin.post(
        &server,
        PATH,
        json!({ "shortcut": "/Refund", "title": "Refund policy", "body": "Hi {{contact.name}}, refunds take 5 days." }),
    ))
    .await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!(
        created["shortcut"], "refund",
        "normalized: no slash, lower case"
    );
    assert_eq!(created["group"], Value::Null);
    assert_eq!(created["created_by"], "admin@answerdesk.local");
    let id = created["id"].as_i64().unwrap();

    let duplicate = json!({ "shortcut": "refund", "title": "Again", "body": "x" });
    refused(admin.post(&server, PATH, duplicate), 409).await;

    let listed = json_of(admin.get(&server, PATH)).await;
    assert_eq!(shortcuts(&listed), ["refund"]);

    let updated = json_of(admin.put(
        &server,
        &format!("{PATH}/{id}"),
        json!({ "shortcut": "refunds", "title": "Refunds", "body": "Refunds take 3 days.", "group": "general" }),
    ))
    .await;
    assert_eq!(updated["shortcut"], "refunds");
    assert_eq!(updated["body"], "Refunds take 3 days.");
    assert_eq!(updated["group"], "general");

    for (body, status) in [
        (json!({ "shortcut": "", "title": "t", "body": "b" }), 422),
        (
            json!({ "shortcut": "has space", "title": "t", "body": "b" }),
            422,
        ),
        (json!({ "shortcut": "ok", "title": "", "body": "b" }), 422),
        (json!({ "shortcut": "ok", "title": "t", "body": "  " }), 422),
        (
            json!({ "shortcut": "ok", "title": "t", "body": "b", "group": "nope" }),
            422,
        ),
        (json!({ "shortcut": "ok", "title": "t" }), 422),
    ] {
        refused(admin.post(&server, PATH, body), status).await;
    }
    let missing = json!({ "shortcut": "a", "title": "t", "body": "b" });
    refused(admin.put(&server, &format!("{PATH}/999999"), missing), 404).await;
    refused(admin.delete(&server, &format!("{PATH}/abc")), 400).await;

    let deleted = send(admin.delete(&server, &format!("{PATH}/{id}"))).await;
    assert_eq!(deleted.status(), 204);
    refused(admin.delete(&server, &format!("{PATH}/{id}")), 404).await;
    assert!(shortcuts(&json_of(admin.get(&server, PATH)).await).is_empty());
    server.stop().await;
}

async fn canned_scopes_and_writers(db: String) {
    let server = TestServer::start(&db).await;
    let (admin, ann, bo) = desk_support::billing_team(&server).await;

    json_of(admin.post(
        &server,
        PATH,
        json!({ "shortcut": "hello", "title": "Greeting", "body": "Hello!" }),
    ))
    .await;
    // An agent writes their own group's responses…
    let own = json_of(ann.post(
        &server,
        PATH,
        json!({ "shortcut": "reset", "title": "Password reset", "body": "Use the link.", "group": "general" }),
    ))
    .await;
    // …but not the global ones, nor another group's.
    let global = json!({ "shortcut": "bye", "title": "Bye", "body": "Bye!" });
    refused(ann.post(&server, PATH, global), 403).await;
    let vat = json!({ "shortcut": "vat", "title": "VAT", "body": "VAT is…", "group": "billing" });
    refused(ann.post(&server, PATH, vat.clone()), 403).await;
    json_of(bo.post(&server, PATH, vat)).await;

    // Each agent sees the global ones and their groups'; admins see all.
    assert_eq!(
        shortcuts(&json_of(ann.get(&server, PATH)).await),
        ["hello", "reset"]
    );
    assert_eq!(
        shortcuts(&json_of(bo.get(&server, PATH)).await),
        ["hello", "vat"]
    );
    assert_eq!(
        shortcuts(&json_of(admin.get(&server, PATH)).await),
        ["hello", "reset", "vat"]
    );

    // bo cannot change or delete ann's group's response; ann can.
    let path = format!("{PATH}/{}", own["id"]);
    refused(bo.delete(&server, &path), 403).await;
    let moved = json!({ "shortcut": "reset", "title": "t", "body": "b", "group": "billing" });
    refused(bo.put(&server, &path, moved), 403).await;
    refused(ann.forged(&server, reqwest::Method::DELETE, &path), 403).await;
    assert_eq!(send(ann.delete(&server, &path)).await.status(), 204);
    server.stop().await;
}
