//! Contacts and merging over real HTTP, on SQLite and on PostgreSQL: search, a contact with their
//! tickets, tags and attributes, the contact in the ticket detail, and merging a duplicate ticket
//! of the same contact.

mod common;
mod desk_support;

use common::{refused, Escalation, TestServer};
use desk_support::{json_of, signed_escalation, Agent};
use reqwest::Method;
use serde_json::json;

on_both_databases! {
    contacts_search_detail_and_labels => sqlite_contacts_search_detail_and_labels, postgres_contacts_search_detail_and_labels;
    merge_a_duplicate_of_the_same_contact => sqlite_merge_a_duplicate_of_the_same_contact, postgres_merge_a_duplicate_of_the_same_contact;
}

/// Gives the demo site an identity secret; answers the secret, for [`from_ada`].
async fn signed_escalations(server: &TestServer, admin: &Agent) -> String {
    admin.identity_secret(server, "demo").await
}

/// An escalation from the host's user `user-1`, Ada Lovelace on the pro plan, signed with `secret`.
fn from_ada(secret: &str, message: &str) -> Escalation {
    let ada = json!({ "sub": "user-1", "name": "Ada Lovelace", "email": "ada@example.com", "plan": "pro" });
    signed_escalation(message, secret, ada)
}

async fn contacts_search_detail_and_labels(db: String) {
    let server = TestServer::start(&db).await;
    let admin = Agent::admin(&server).await;
    let secret = signed_escalations(&server, &admin).await;
    let (first, _) = from_ada(&secret, "where is my parcel")
        .create(&server)
        .await;
    let (second, _) = from_ada(&secret, "and my refund?").create(&server).await;
    server.escalate("anonymous question").await;

    let found = json_of(admin.get(&server, "/api/v1/desk/contacts?q=LOVELACE")).await;
    let contacts = found["contacts"].as_array().unwrap();
    assert_eq!(contacts.len(), 1);
    let contact = &contacts[0];
    assert_eq!(contact["verified"], true);
    assert_eq!(contact["external_id"], "user-1");
    assert_eq!(contact["attributes"], json!({ "plan": "pro" }));
    let id = contact["id"].as_i64().unwrap();
    let none = json_of(admin.get(&server, "/api/v1/desk/contacts?q=%25_nobody")).await;
    assert!(
        none["contacts"].as_array().unwrap().is_empty(),
        "LIKE wildcards are literal"
    );

    let detail = json_of(admin.get(&server, &format!("/api/v1/desk/contacts/{id}"))).await;
    let tickets = common::strings(&detail, "tickets", "id");
    assert_eq!(tickets, [second.as_str(), first.as_str()], "newest first");
    assert_eq!(detail["email"], "ada@example.com");

    // The ticket detail carries the contact and their other tickets.
    let case = admin.ticket(&server, &second).await;
    assert_eq!(case["contact"]["verified"], true);
    assert_eq!(case["contact"]["name"], "Ada Lovelace");
    let previous = common::strings(&case["contact"], "tickets", "id");
    assert_eq!(previous, [first.as_str()]);

    let ann = admin.invite(&server, "ann@example.com", &["general"]).await;
    let labelled = json_of(ann.patch(
        &server,
        &format!("/api/v1/desk/contacts/{id}"),
        json!({ "tags": ["VIP", "vip", " reseller "], "attributes": { "note": "prefers email", "plan": null } }),
    ))
    .await;
    assert_eq!(labelled["tags"], json!(["reseller", "vip"]));
    assert_eq!(labelled["attributes"], json!({ "note": "prefers email" }));

    let ada = id.to_string();
    for (contact, body, status) in [
        (ada.as_str(), json!({ "tags": "vip" }), 422),
        (ada.as_str(), json!({ "tags": ["x".repeat(65)] }), 422),
        (ada.as_str(), json!({ "name": "x" }), 422),
        ("999999", json!({ "tags": [] }), 404),
        ("abc", json!({ "tags": [] }), 400),
    ] {
        let path = format!("/api/v1/desk/contacts/{contact}");
        refused(ann.patch(&server, &path, body), status).await;
    }
    refused(ann.get(&server, "/api/v1/desk/contacts/999999"), 404).await;
    refused(server.get("/api/v1/desk/contacts"), 401).await;
    server.stop().await;
}

async fn merge_a_duplicate_of_the_same_contact(db: String) {
    let server = TestServer::start(&db).await;
    let admin = Agent::admin(&server).await;
    let secret = signed_escalations(&server, &admin).await;
    let (kept, _) = from_ada(&secret, "my parcel is late").create(&server).await;
    let (duplicate, duplicate_token) = from_ada(&secret, "parcel late, order 77")
        .create(&server)
        .await;
    let (stranger, _) = server.escalate("someone else").await;

    let merge = |from: &str| format!("/api/v1/desk/tickets/{from}/merge");
    for (from, into, status) in [
        (duplicate.as_str(), stranger.as_str(), 409),
        (duplicate.as_str(), duplicate.as_str(), 422),
        (duplicate.as_str(), "T-NOPE", 404),
    ] {
        refused(
            admin.post(&server, &merge(from), json!({ "into": into })),
            status,
        )
        .await;
    }

    let survivor = json_of(admin.post(&server, &merge(&duplicate), json!({ "into": kept }))).await;
    assert_eq!(survivor["id"], kept.as_str());

    let closed = admin.ticket(&server, &duplicate).await;
    assert_eq!(closed["ticket"]["status"], "closed");
    desk_support::assert_last_audit(
        &closed,
        &[
            ("action", "merge"),
            ("new_value", kept.as_str()),
            ("agent_email", "admin@answerdesk.local"),
        ],
    );

    let case = admin.ticket(&server, &kept).await;
    let texts = common::strings(&case, "messages", "body_text");
    assert!(texts.contains(&"parcel late, order 77"), "{texts:?}");
    assert_eq!(
        case["audit"].as_array().unwrap().last().unwrap()["action"],
        "merged"
    );

    // The duplicate's visitor is told where the conversation went.
    let messages = server.visitor(Method::GET, &duplicate, &duplicate_token, "/messages");
    let visitor = common::body(messages).await;
    let told = visitor["messages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["body_text"].as_str().unwrap().contains(kept.as_str()));
    assert!(told, "{visitor}");

    // A closed ticket merges no more.
    refused(
        admin.post(&server, &merge(&duplicate), json!({ "into": kept })),
        409,
    )
    .await;
    server.stop().await;
}
