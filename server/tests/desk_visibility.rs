//! What a ticket's page tells an agent about the contact's other tickets, on SQLite and on
//! PostgreSQL: only those of the agent's groups (or of no group), as the contacts endpoint does.

mod common;
mod desk_support;

use common::TestServer;
use desk_support::{in_seconds, json_of, jwt, Agent, Escalation};
use serde_json::json;

on_both_databases! {
    ticket_detail_hides_other_groups_tickets_of_the_contact => sqlite_ticket_detail_hides_other_groups_tickets_of_the_contact, postgres_ticket_detail_hides_other_groups_tickets_of_the_contact;
}

async fn ticket_detail_hides_other_groups_tickets_of_the_contact(db: String) {
    let server = TestServer::start(&db).await;
    let admin = Agent::admin(&server).await;
    let secret = json_of(admin.post(
        &server,
        "/api/v1/admin/sites/demo/identity-secret",
        json!({}),
    ))
    .await["identity_secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let from_ada = |message: &str| {
        let identity = jwt(
            json!({ "sub": "user-1", "exp": in_seconds(300), "name": "Ada Lovelace" }),
            &secret,
        );
        Escalation::new(message).with("identity_token", identity)
    };
    json_of(admin.post(
        &server,
        "/api/v1/admin/groups",
        json!({ "id": "billing", "name": "Billing" }),
    ))
    .await;
    let (billing_case, _) = from_ada("SECRET-BILLING-SUBJECT refund my card")
        .create(&server)
        .await;
    json_of(admin.post(
        &server,
        &format!("/api/v1/desk/tickets/{billing_case}/transfer"),
        json!({ "group": "billing", "note": "card refund" }),
    ))
    .await;
    let (general_case, _) = from_ada("where is my parcel").create(&server).await;
    let ann = admin.invite(&server, "ann@example.com", &["general"]).await;

    let case = json_of(ann.get(&server, &format!("/api/v1/desk/tickets/{general_case}"))).await;
    assert_eq!(case["contact"]["name"], "Ada Lovelace");
    let others = case["contact"]["tickets"].as_array().unwrap();
    assert!(
        others.iter().all(|t| t["id"] != billing_case.as_str()),
        "a general agent sees nothing of the billing case: {others:?}"
    );
    assert!(!case.to_string().contains("SECRET-BILLING-SUBJECT"));

    // The admin, who may see every ticket, still gets the whole history.
    let case = json_of(admin.get(&server, &format!("/api/v1/desk/tickets/{general_case}"))).await;
    let others: Vec<&str> = case["contact"]["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(others, [billing_case.as_str()]);
    server.stop().await;
}
