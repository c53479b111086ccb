//! Visitor identities signed by the host site, on SQLite and on PostgreSQL.

mod common;
mod desk_support;

use common::{expect_problem, Escalation, TestServer};
use desk_support::{in_seconds, jwt};
use serde_json::json;
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

async fn contact_of(server: &TestServer, store: &Store, escalation: Escalation) -> Contact {
    let (ticket, _) = escalation.create(server).await;
    store
        .ticket_contact(&ticket)
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
        Escalation::new("where is my invoice?")
            .with("identity_token", token)
            .with(
                "contact",
                json!({"name": "Mallory", "email": "mallory@example.com"}),
            ),
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
        Escalation::new("and another thing").with("identity_token", renewed),
    )
    .await;
    assert_eq!(
        second.id, first.id,
        "the same user lands on the same contact"
    );
    assert_eq!(second.email.as_deref(), Some("ada@example.com"));
    assert_eq!(second.attributes["plan"], "enterprise");

    // The older id + ts + HMAC form names the same user.
    let third = contact_of(
        &server,
        &store,
        Escalation::new("third").with("identity_token", timed_hmac("user-1", in_seconds(-60))),
    )
    .await;
    assert_eq!(third.id, first.id);

    // Typing the verified user's email proves nothing: a contact of its own.
    let claim = contact_of(
        &server,
        &store,
        Escalation::new("I am Ada, honest").with(
            "contact",
            json!({"name": "Ada", "email": "ada@example.com"}),
        ),
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
        Escalation::new("hi").with("identity_token", other),
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
        json!({"id": "user-1", "ts": in_seconds(0), "hmac": hex::encode(server::identity::hmac_sha256(SECRET, &format!("user-2:{}", in_seconds(0))))}),
        // Signed two days ago: past the 24-hour default.
        timed_hmac("user-1", in_seconds(-2 * 86_400)),
        // The untimed pair never expires, so it is refused by default.
        json!({"id": "user-1", "hmac": hex::encode(server::identity::hmac_sha256(SECRET, "user-1"))}),
    ];
    for identity_token in cases {
        let response = Escalation::new("let me in")
            .with("identity_token", identity_token)
            .send(&server)
            .await;
        let problem = expect_problem(response, 401).await;
        assert_eq!(problem["type"], "/problems/invalid-identity");
    }
    store.close().await;
    server.stop().await;
}

/// The older HMAC identity as a host signs it: the HMAC of `"{id}:{ts}"`.
fn timed_hmac(id: &str, ts: i64) -> serde_json::Value {
    let hmac = hex::encode(server::identity::hmac_sha256(SECRET, &format!("{id}:{ts}")));
    json!({"id": id, "ts": ts, "hmac": hmac})
}
