//! What a ticket's page tells an agent about the contact's other tickets, on SQLite and on
//! PostgreSQL: only those of the agent's groups (or of no group), as the contacts endpoint does.

mod common;
mod desk_support;

use common::TestServer;
use desk_support::{json_of, signed_escalation, Agent};
use serde_json::json;

on_both_databases! {
    ticket_detail_hides_other_groups_tickets_of_the_contact => sqlite_ticket_detail_hides_other_groups_tickets_of_the_contact, postgres_ticket_detail_hides_other_groups_tickets_of_the_contact;
}

async fn ticket_detail_hides_other_groups_tickets_of_the_contact(db: String) {
    let server = TestServer::start(&db).await;
    let admin = Agent::admin(&server).await;
    let secret = admin.identity_secret(&server, "demo").await;
    let from_ada = |message: &str| {
        let ada = json!({ "sub": "user-1", "name": "Ada Lovelace" });
        signed_escalation(message, &secret, ada)
    };
    admin.create_group(&server, "billing", "Billing").await;
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

    let case = ann.ticket(&server, &general_case).await;
    assert_eq!(case["contact"]["name"], "Ada Lovelace");
    let others = case["contact"]["tickets"].as_array().unwrap();
    assert!(
        others.iter().all(|t| t["id"] != billing_case.as_str()),
        "a general agent sees nothing of the billing case: {others:?}"
    );
    assert!(!case.to_string().contains("SECRET-BILLING-SUBJECT"));

    // The admin, who may see every ticket, still gets the whole history.
    let case = admin.ticket(&server, &general_case).await;
    let others = common::strings(&case["contact"], "tickets", "id");
    assert_eq!(others, [billing_case.as_str()]);
    server.stop().await;
}
