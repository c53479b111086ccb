//! Passwords and sessions over real HTTP and through the store, on SQLite and PostgreSQL: an
//! agent changes their own password, an admin resets someone's, and expired sessions are purged.

mod common;
mod desk_support;

use std::time::Duration;

use common::{expect_problem, refused, send, TestServer};
use desk_support::{json_of, Agent};
use serde_json::json;
use server::store::Store;
use server::Config;

on_both_databases! {
    an_agent_changes_their_password => sqlite_an_agent_changes_their_password, postgres_an_agent_changes_their_password;
    an_admin_resets_a_password_once => sqlite_an_admin_resets_a_password_once, postgres_an_admin_resets_a_password_once;
    expired_sessions_are_purged => sqlite_expired_sessions_are_purged, postgres_expired_sessions_are_purged;
    the_store_resets_by_email_for_the_command_line => sqlite_the_store_resets_by_email_for_the_command_line, postgres_the_store_resets_by_email_for_the_command_line;
}

async fn login_status(server: &TestServer, email: &str, password: &str) -> u16 {
    let credentials = json!({ "email": email, "password": password });
    let response = send(server.post("/api/v1/session", credentials)).await;
    response.status().as_u16()
}

async fn an_agent_changes_their_password(db: String) {
    let server = TestServer::start(&db).await;
    let admin = Agent::admin(&server).await;
    let ann = json!({ "email": "ann@example.com", "name": "Ann" });
    let created = admin.create_agent(&server, ann).await;
    let old = created["password"].as_str().unwrap().to_owned();
    let laptop = Agent::login(&server, "ann@example.com", &old).await;
    let phone = Agent::login(&server, "ann@example.com", &old).await;
    let change = |current: &str, new: &str| {
        let body = json!({ "current_password": current, "new_password": new });
        phone.post(&server, "/api/v1/session/password", body).send()
    };

    expect_problem(
        change("not it", "a much better passphrase").await.unwrap(),
        403,
    )
    .await;
    let short = expect_problem(change(&old, "short").await.unwrap(), 422).await;
    assert!(short["detail"].as_str().unwrap().contains("12"), "{short}");
    // Without the CSRF token, a page of another site cannot change it.
    let password = "/api/v1/session/password";
    refused(phone.forged(&server, reqwest::Method::POST, password), 403).await;
    let anonymous = json!({ "current_password": old, "new_password": "a much better passphrase" });
    refused(server.post(password, anonymous), 401).await;

    let changed = change(&old, "a much better passphrase").await.unwrap();
    assert_eq!(changed.status(), 204);
    // This session carries on; the others are over.
    json_of(phone.get(&server, "/api/v1/session")).await;
    refused(laptop.get(&server, "/api/v1/session"), 401).await;
    assert_eq!(login_status(&server, "ann@example.com", &old).await, 401);
    assert_eq!(
        login_status(&server, "ann@example.com", "a much better passphrase").await,
        200
    );
    server.stop().await;
}

async fn an_admin_resets_a_password_once(db: String) {
    let server = TestServer::start(&db).await;
    let admin = Agent::admin(&server).await;
    let ann = admin.invite(&server, "ann@example.com", &["general"]).await;
    let reset_path = format!("/api/v1/admin/agents/{}/password", ann.id);

    // Agents may not reset anyone's password, their own included.
    refused(ann.post(&server, &reset_path, json!({})), 403).await;
    let missing = "/api/v1/admin/agents/999999/password";
    refused(admin.post(&server, missing, json!({})), 404).await;

    let reset = json_of(admin.post(&server, &reset_path, json!({}))).await;
    assert_eq!(reset["agent"]["email"], "ann@example.com");
    let password = reset["password"].as_str().unwrap();
    assert!(password.len() >= 20, "{password}");
    // The agent's sessions are over; the new password works; it is not shown again.
    refused(ann.get(&server, "/api/v1/session"), 401).await;
    assert_eq!(
        login_status(&server, "ann@example.com", password).await,
        200
    );
    let agents = json_of(admin.get(&server, "/api/v1/admin/agents")).await;
    assert!(!agents.to_string().contains(password));
    // The admin is still signed in.
    json_of(admin.get(&server, "/api/v1/session")).await;
    server.stop().await;
}

async fn expired_sessions_are_purged(db: String) {
    let server = TestServer::start_with(Config {
        session_ttl: Duration::from_secs(1),
        ..common::config(&db)
    })
    .await;
    let admin = Agent::admin(&server).await;
    let store = Store::connect(&db).await.unwrap();
    assert_eq!(store.live_sessions(admin.id).await.unwrap(), 1);
    assert_eq!(
        store.purge_expired_sessions().await.unwrap(),
        0,
        "nothing expired yet"
    );
    tokio::time::sleep(Duration::from_millis(1200)).await;
    // Expired: refused at once, and purged.
    refused(admin.get(&server, "/api/v1/session"), 401).await;
    assert_eq!(store.live_sessions(admin.id).await.unwrap(), 0);
    assert_eq!(store.purge_expired_sessions().await.unwrap(), 1);
    assert_eq!(store.purge_expired_sessions().await.unwrap(), 0);
    store.close().await;
    server.stop().await;
}

async fn the_store_resets_by_email_for_the_command_line(db: String) {
    let server = TestServer::start(&db).await;
    let first = server.first_admin.clone().unwrap();
    let admin = Agent::admin(&server).await;
    let store = Store::connect(&db).await.unwrap();
    let (agent, password) = store
        .reset_password_by_email(&first.email.to_uppercase())
        .await
        .unwrap();
    assert_eq!(agent.email, first.email);
    assert_ne!(password, first.password);
    // The bootstrap password is no longer good, nor the session opened with it.
    assert_eq!(
        login_status(&server, &first.email, &first.password).await,
        401
    );
    refused(admin.get(&server, "/api/v1/session"), 401).await;
    assert_eq!(login_status(&server, &first.email, &password).await, 200);
    assert!(store
        .reset_password_by_email("nobody@example.com")
        .await
        .is_err());
    store.close().await;
    server.stop().await;
}

/// The new endpoints are in the OpenAPI document with their request and response schemas.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_password_endpoints_are_documented() {
    common::on_sqlite(|db| async move {
        let server = TestServer::start(&db).await;
        let doc = common::openapi(&server).await;
        let change = &doc["paths"]["/api/v1/session/password"]["post"];
        assert_eq!(
            change["requestBody"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/PasswordChange"
        );
        assert!(change["responses"]["204"].is_object(), "{change}");
        let reset = &doc["paths"]["/api/v1/admin/agents/{id}/password"]["post"];
        assert_eq!(
            reset["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ResetPassword"
        );
        assert_eq!(reset["parameters"][0]["name"], "id");
        server.stop().await;
    })
    .await;
}
