//! The admin API over real HTTP, on SQLite and on PostgreSQL: groups and membership, agents'
//! roles and capacity, sites (a change is visible to CORS at once), identity secrets, settings,
//! and refusals for agents and for writes without the CSRF token.

mod common;
mod desk_support;

use common::{expect_problem, refused, send, Escalation, TestServer};
use desk_support::{json_of, signed_escalation, Agent};
use reqwest::Method;
use serde_json::{json, Value};

on_both_databases! {
    groups_and_membership => sqlite_groups_and_membership, postgres_groups_and_membership;
    agents_are_refused => sqlite_agents_are_refused, postgres_agents_are_refused;
    site_changes_reach_cors_at_once => sqlite_site_changes_reach_cors_at_once, postgres_site_changes_reach_cors_at_once;
    identity_secret_is_shown_once_and_verifies => sqlite_identity_secret_is_shown_once_and_verifies, postgres_identity_secret_is_shown_once_and_verifies;
    config_is_typed_and_validated => sqlite_config_is_typed_and_validated, postgres_config_is_typed_and_validated;
}

async fn groups_and_membership(db: String) {
    let server = TestServer::start(&db).await;
    let admin = Agent::admin(&server).await;
    let groups = "/api/v1/admin/groups";
    let billing = json!({ "id": "billing", "name": "Billing" });
    let created = send(admin.post(&server, groups, billing)).await;
    assert_eq!(created.status(), 201);
    for (bad, status) in [
        (json!({ "id": "billing", "name": "Again" }), 409),
        (json!({ "id": "Bad Id", "name": "x" }), 422),
        (json!({ "id": "ok", "name": " " }), 422),
    ] {
        refused(admin.post(&server, groups, bad), status).await;
    }

    let ann = admin.invite(&server, "ann@example.com", &["general"]).await;
    let changed = admin
        .update_agent(
            &server,
            ann.id,
            json!({ "groups": ["billing", "general"], "capacity": 3, "role": "agent" }),
        )
        .await;
    assert_eq!(changed["groups"], json!(["billing", "general"]));
    assert_eq!(changed["capacity"], 3);

    // Any agent reads the groups, with their members.
    let groups = json_of(ann.get(&server, "/api/v1/desk/groups")).await;
    let billing = common::item(&groups, "groups", "id", "billing");
    assert_eq!(billing["name"], "Billing");
    assert_eq!(billing["members"], json!(["ann@example.com"]));

    let renamed = json_of(admin.put(
        &server,
        "/api/v1/admin/groups/billing",
        json!({ "name": "Billing & refunds" }),
    ))
    .await;
    assert_eq!(renamed["name"], "Billing & refunds");
    let nope = json!({ "name": "x" });
    refused(admin.put(&server, "/api/v1/admin/groups/nope", nope), 404).await;
    refused(admin.delete(&server, "/api/v1/admin/groups/general"), 409).await;
    let deleted = send(admin.delete(&server, "/api/v1/admin/groups/billing")).await;
    assert_eq!(deleted.status(), 204);
    let me = json_of(ann.get(&server, "/api/v1/desk/me")).await;
    assert_eq!(me["groups"], json!(["general"]));

    // Unknown group, bad capacity, unknown agent, bad id: problems, never 500.
    let ann_id = ann.id.to_string();
    let admin_id = admin.id.to_string();
    for (id, body, status) in [
        (ann_id.as_str(), json!({ "groups": ["nope"] }), 422),
        (ann_id.as_str(), json!({ "groups": [] }), 422),
        (ann_id.as_str(), json!({ "capacity": 1000 }), 422),
        (ann_id.as_str(), json!({ "role": "boss" }), 422),
        (ann_id.as_str(), json!({ "colour": "red" }), 422),
        ("999999", json!({}), 404),
        ("abc", json!({}), 400),
        // The last admin cannot demote or disable themselves.
        (admin_id.as_str(), json!({ "role": "agent" }), 409),
    ] {
        let path = format!("/api/v1/admin/agents/{id}");
        refused(admin.put(&server, &path, body), status).await;
    }

    // Disabling ends the agent's session; the list still shows them, disabled.
    admin
        .update_agent(&server, ann.id, json!({ "disabled": true }))
        .await;
    refused(ann.get(&server, "/api/v1/desk/me"), 401).await;
    let agents = json_of(admin.get(&server, "/api/v1/admin/agents")).await;
    let listed = common::item(&agents, "agents", "email", "ann@example.com");
    assert_eq!(listed["disabled"], true);
    server.stop().await;
}

async fn agents_are_refused(db: String) {
    let server = TestServer::start(&db).await;
    let admin = Agent::admin(&server).await;
    let ann = admin.invite(&server, "ann@example.com", &["general"]).await;
    let reads = [
        "/api/v1/admin/agents",
        "/api/v1/admin/sites",
        "/api/v1/admin/config",
    ];
    for path in reads {
        refused(ann.get(&server, path), 403).await;
    }
    let ann_path = format!("/api/v1/admin/agents/{}", ann.id);
    #[rustfmt::skip]
    let writes = [
        (Method::POST, "/api/v1/admin/groups", json!({ "id": "x", "name": "X" })),
        (Method::PUT, "/api/v1/admin/groups/general", json!({ "name": "X" })),
        (Method::PUT, ann_path.as_str(), json!({ "role": "admin" })),
        (Method::POST, "/api/v1/admin/sites", json!({ "id": "x", "name": "X" })),
        (Method::PUT, "/api/v1/admin/sites/demo", json!({ "name": "X" })),
        (Method::POST, "/api/v1/admin/sites/demo/identity-secret", json!({})),
        (Method::PUT, "/api/v1/admin/config", json!({ "auto_assign": true })),
    ];
    for (method, path, body) in &writes {
        refused(ann.send(&server, method.clone(), path, body.clone()), 403).await;
        // An admin without the CSRF token is refused as well.
        refused(admin.forged(&server, method.clone(), path), 403).await;
    }
    refused(admin.delete(&server, "/api/v1/admin/groups/general"), 409).await;
    let me = json_of(ann.get(&server, "/api/v1/desk/me")).await;
    assert_eq!(me["role"], "agent", "the refused promotion did not happen");
    // No session at all.
    refused(server.get("/api/v1/admin/config"), 401).await;
    server.stop().await;
}

/// Whether a CORS preflight from `origin` for an escalation is allowed.
async fn cors_allows(server: &TestServer, origin: &str) -> bool {
    let response = send(
        server
            .request(Method::OPTIONS, "/api/v1/escalations")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type"),
    )
    .await;
    response
        .headers()
        .get("access-control-allow-origin")
        .is_some_and(|v| v == origin)
}

async fn site_changes_reach_cors_at_once(db: String) {
    let server = TestServer::start(&db).await;
    let admin = Agent::admin(&server).await;
    let shop = "https://shop.example";
    assert!(!cors_allows(&server, shop).await);
    let from_shop_page = |origin: &str| {
        Escalation::new("hello from the shop")
            .with("site", "shop")
            .with_origin(origin)
    };

    let created = send(admin.post(
        &server,
        "/api/v1/admin/sites",
        json!({ "id": "shop", "name": "Shop", "allowed_origins": [shop], "default_group": "general" }),
    ))
    .await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["allowed_origins"], json!([shop]));
    assert_eq!(created["has_identity_secret"], false);
    assert!(
        cors_allows(&server, shop).await,
        "a new site's origin is allowed at once"
    );
    assert_eq!(from_shop_page(shop).send(&server).await.status(), 201);

    let moved = "https://www.shop.example";
    let updated = json_of(admin.put(
        &server,
        "/api/v1/admin/sites/shop",
        json!({ "id": "shop", "name": "The Shop", "allowed_origins": [moved], "default_group": "general" }),
    ))
    .await;
    assert_eq!(updated["name"], "The Shop");
    assert!(
        !cors_allows(&server, shop).await,
        "the old origin is dropped at once"
    );
    assert!(cors_allows(&server, "https://www.shop.example").await);
    assert_eq!(from_shop_page(shop).send(&server).await.status(), 403);
    assert_eq!(
        from_shop_page("https://www.shop.example")
            .send(&server)
            .await
            .status(),
        201
    );

    let sites = json_of(admin.get(&server, "/api/v1/admin/sites")).await;
    assert_eq!(common::strings(&sites, "sites", "id"), ["demo", "shop"]);

    #[rustfmt::skip]
    let refusals = [
        (Method::POST, "/api/v1/admin/sites", json!({ "id": "shop", "name": "Dup" }), 409),
        (Method::POST, "/api/v1/admin/sites", json!({ "id": "x", "name": "X", "allowed_origins": ["not an origin"] }), 422),
        (Method::POST, "/api/v1/admin/sites", json!({ "id": "Bad!", "name": "X" }), 422),
        (Method::POST, "/api/v1/admin/sites", json!({ "name": "X" }), 422),
        (Method::POST, "/api/v1/admin/sites", json!({ "id": "y", "name": "Y", "default_group": "nope" }), 422),
        (Method::PUT, "/api/v1/admin/sites/nope", json!({ "name": "X" }), 404),
        (Method::PUT, "/api/v1/admin/sites/shop", json!({ "id": "other", "name": "X" }), 422),
        (Method::PUT, "/api/v1/admin/sites/shop", json!("not an object"), 422),
    ];
    for (method, path, body, status) in refusals {
        refused(admin.send(&server, method, path, body), status).await;
    }
    server.stop().await;
}

async fn identity_secret_is_shown_once_and_verifies(db: String) {
    let server = TestServer::start(&db).await;
    let admin = Agent::admin(&server).await;
    let rotate = |site: &str| {
        let path = format!("/api/v1/admin/sites/{site}/identity-secret");
        admin.post(&server, &path, json!({}))
    };
    let created = send(rotate("demo")).await;
    assert_eq!(created.status(), 201);
    let secret = created.json::<Value>().await.unwrap()["identity_secret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(secret.len() >= 43, "256 bits: {secret}");
    let sites = json_of(admin.get(&server, "/api/v1/admin/sites")).await;
    let demo = &sites["sites"][0];
    assert_eq!(demo["has_identity_secret"], true);
    assert!(!sites.to_string().contains(&secret), "never shown again");

    let signed = signed_escalation(
        "signed",
        &secret,
        json!({ "sub": "user-9", "name": "Nine" }),
    );
    assert_eq!(
        signed.send(&server).await.status(),
        201,
        "the new secret verifies at once"
    );

    // Rotating again: tokens signed with the old secret stop verifying.
    json_of(rotate("demo")).await;
    expect_problem(signed.send(&server).await, 401).await;
    refused(rotate("nope"), 404).await;
    server.stop().await;
}

async fn config_is_typed_and_validated(db: String) {
    let server = TestServer::start(&db).await;
    let admin = Agent::admin(&server).await;
    let config = json_of(admin.get(&server, "/api/v1/admin/config")).await;
    assert_eq!(
        config,
        json!({
            "auto_assign": false,
            "default_capacity": 5,
            "sla_minutes": { "low": 4320, "normal": 1440, "high": 240, "urgent": 60 },
            "event_retention_days": 180
        })
    );
    let changed = json_of(admin.put(
        &server,
        "/api/v1/admin/config",
        json!({ "default_capacity": 2, "sla_minutes": { "low": 600, "normal": 30, "high": 20, "urgent": 10 } }),
    ))
    .await;
    assert_eq!(changed["default_capacity"], 2);
    assert_eq!(changed["sla_minutes"]["normal"], 30);
    assert_eq!(changed["auto_assign"], false, "fields not sent stay");
    let again = json_of(admin.get(&server, "/api/v1/admin/config")).await;
    assert_eq!(again, changed);

    // The settings take effect: new agents get the default capacity, new tickets the SLA.
    let cy = json!({ "email": "cy@example.com", "name": "Cy" });
    let created = admin.create_agent(&server, cy).await;
    assert_eq!(created["agent"]["capacity"], 2);
    let due = |ticket: Value| {
        ticket["ticket"]["sla_due_at"].as_i64().unwrap()
            - ticket["ticket"]["created_at"].as_i64().unwrap()
    };
    let (id, _) = server.escalate("how fast?").await;
    assert_eq!(due(admin.ticket(&server, &id).await), 30 * 60 * 1000);
    // Escalations read the settings from memory; a change still applies to the very next one.
    json_of(admin.put(
        &server,
        "/api/v1/admin/config",
        json!({ "sla_minutes": { "low": 600, "normal": 45, "high": 20, "urgent": 10 } }),
    ))
    .await;
    let (id, _) = server.escalate("and now?").await;
    assert_eq!(due(admin.ticket(&server, &id).await), 45 * 60 * 1000);

    for body in [
        json!({ "default_capacity": -1 }),
        json!({ "default_capacity": "five" }),
        json!({ "auto_assign": 1 }),
        json!({ "sla_minutes": { "low": 0, "normal": 1, "high": 1, "urgent": 1 } }),
        json!({ "sla_minutes": { "low": 1 } }),
        json!({ "surprise": true }),
    ] {
        refused(admin.put(&server, "/api/v1/admin/config", body), 422).await;
    }
    let malformed = admin
        .put(&server, "/api/v1/admin/config", json!(null))
        .body("{not json");
    refused(malformed, 400).await;
    server.stop().await;
}
