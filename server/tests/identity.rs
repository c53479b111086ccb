//! Visitor identities signed by the host site, on SQLite and on PostgreSQL.

mod common;

use common::{expect_problem, TestServer};
use jsonwebtoken::{encode, EncodingKey, Header};
use serde_json::{json, Value};
use server::store::{Contact, Store};

on_both_databases! {
    verified_identities_merge_and_claims_do_not => sqlite_verified_identities_merge_and_claims_do_not, postgres_verified_identities_merge_and_claims_do_not;
    bad_identities_are_refused => sqlite_bad_identities_are_refused, postgres_bad_identities_are_refused;
}

const SECRET: &str = "demo-identity-secret";

/// A server whose demo site has an identity secret, and a store to look at its contacts.
async fn start(database_url: &str) -> (TestServer, Store) {
    let store = Store::connect(database_url).await.unwrap();
    store.bootstrap(&[]).await.unwrap();
    store
        .set_identity_secret("demo", Some(SECRET))
        .await
        .unwrap();
    (TestServer::start(database_url).await, store)
}

fn jwt(claims: Value, secret: &str) -> String {
    encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

fn in_seconds(seconds: i64) -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    now + seconds
}

async fn escalate(server: &TestServer, body: Value) -> reqwest::Response {
    server
        .client
        .post(server.url("/api/v1/escalations"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn contact_of(server: &TestServer, store: &Store, body: Value) -> Contact {
    let response = escalate(server, body).await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    store
        .ticket_contact(created["ticket_id"].as_str().unwrap())
        .await
        .unwrap()
        .expect("the ticket has a contact")
}

async fn verified_identities_merge_and_claims_do_not(database_url: String) {
    let (server, store) = start(&database_url).await;
    let token = jwt(
        json!({"sub": "user-1", "exp": in_seconds(300), "name": "Ada", "email": "ada@example.com",
               "plan": "pro"}),
        SECRET,
    );
    let first = contact_of(
        &server,
        &store,
        json!({"site": "demo", "message": "where is my invoice?", "identity_token": token,
               "contact": {"name": "Mallory", "email": "mallory@example.com"}}),
    )
    .await;
    assert!(first.verified);
    assert_eq!(first.external_id.as_deref(), Some("user-1"));
    // The signed claims win over what was typed into the widget.
    assert_eq!(first.name.as_deref(), Some("Ada"));
    assert_eq!(first.email.as_deref(), Some("ada@example.com"));
    assert_eq!(first.attributes["plan"], "pro");

    let renewed = jwt(
        json!({"sub": "user-1", "exp": in_seconds(300), "plan": "enterprise"}),
        SECRET,
    );
    let second = contact_of(
        &server,
        &store,
        json!({"site": "demo", "message": "and another thing", "identity_token": renewed}),
    )
    .await;
    assert_eq!(
        second.id, first.id,
        "the same user lands on the same contact"
    );
    assert_eq!(second.email.as_deref(), Some("ada@example.com"));
    assert_eq!(second.attributes["plan"], "enterprise");

    // The older id + HMAC form names the same user.
    let hmac = hex::encode(server::identity::hmac_sha256(SECRET, "user-1"));
    let third = contact_of(
        &server,
        &store,
        json!({"site": "demo", "message": "third", "identity_token": {"id": "user-1", "hmac": hmac}}),
    )
    .await;
    assert_eq!(third.id, first.id);

    // Typing the verified user's email proves nothing: a contact of its own.
    let claim = contact_of(
        &server,
        &store,
        json!({"site": "demo", "message": "I am Ada, honest",
               "contact": {"name": "Ada", "email": "ada@example.com"}}),
    )
    .await;
    assert_ne!(claim.id, first.id);
    assert!(!claim.verified);
    assert_eq!(claim.external_id, None);

    // Another user of the same site is another contact.
    let other = jwt(json!({"sub": "user-2", "exp": in_seconds(300)}), SECRET);
    let other = contact_of(
        &server,
        &store,
        json!({"site": "demo", "message": "hi", "identity_token": other}),
    )
    .await;
    assert_ne!(other.id, first.id);
    assert!(other.verified);
    store.close().await;
    server.stop().await;
}

async fn bad_identities_are_refused(database_url: String) {
    let (server, store) = start(&database_url).await;
    let cases = [
        json!(jwt(
            json!({"sub": "user-1", "exp": in_seconds(-3600)}),
            SECRET
        )),
        json!(jwt(
            json!({"sub": "user-1", "exp": in_seconds(300)}),
            "not-the-secret"
        )),
        json!(jwt(json!({"sub": "user-1"}), SECRET)),
        json!("not a token"),
        json!({"id": "user-1", "hmac": hex::encode(server::identity::hmac_sha256(SECRET, "user-2"))}),
    ];
    for identity_token in cases {
        let response = escalate(
            &server,
            json!({"site": "demo", "message": "let me in", "identity_token": identity_token}),
        )
        .await;
        let problem = expect_problem(response, 401).await;
        assert_eq!(problem["type"], "/problems/invalid-identity");
    }
    store.close().await;
    server.stop().await;
}
