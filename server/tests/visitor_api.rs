//! The visitor's API over real HTTP, on SQLite and on PostgreSQL.

mod common;

use common::{expect_problem, refused, send, Escalation, TestServer};
use reqwest::Method;
use serde_json::{json, Value};
use server::domain::Status;
use server::store::{Store, TicketFilter};

on_both_databases! {
    escalation_is_stored_and_listed => sqlite_escalation_is_stored_and_listed, postgres_escalation_is_stored_and_listed;
    idempotent_retry_returns_the_same_ticket => sqlite_idempotent_retry_returns_the_same_ticket, postgres_idempotent_retry_returns_the_same_ticket;
    concurrent_escalations_keep_their_own_rows => sqlite_concurrent_escalations_keep_their_own_rows, postgres_concurrent_escalations_keep_their_own_rows;
    token_reads_only_its_own_ticket => sqlite_token_reads_only_its_own_ticket, postgres_token_reads_only_its_own_ticket;
    visitor_writes_to_their_ticket => sqlite_visitor_writes_to_their_ticket, postgres_visitor_writes_to_their_ticket;
    bad_input_is_a_problem => sqlite_bad_input_is_a_problem, postgres_bad_input_is_a_problem;
    cors_follows_the_site_allow_list => sqlite_cors_follows_the_site_allow_list, postgres_cors_follows_the_site_allow_list;
    first_start_bootstraps_once => sqlite_first_start_bootstraps_once, postgres_first_start_bootstraps_once;
    health_and_readiness => sqlite_health_and_readiness, postgres_health_and_readiness;
}

async fn escalation_is_stored_and_listed(db: String) {
    let server = TestServer::start(&db).await;
    let response = Escalation::raw(json!({
            "site": "demo",
            "message": "I was charged twice for order 1042\nPlease refund one.",
            "transcript": [
                {"role": "visitor", "text": "refund double charge", "at": 1_700_000_000_000_i64},
                {"role": "bot", "text": "Refunds take 5 days.", "at": "2024-01-01T00:00:00Z"},
            ],
            "contact": {"name": "Ana", "email": "ana@example.com"},
            "page_url": "http://localhost:8080/shop",
            "locale": "en",
            "bot": {"decision": "clarify", "candidates": [{"id": "refunds", "score": 0.41}]},
    }))
    .send(&server)
    .await;
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    let ticket_id = body["ticket_id"].as_str().unwrap();
    let token = body["token"].as_str().unwrap();
    assert!(
        ticket_id.starts_with("T-") && ticket_id.len() == 10,
        "{ticket_id}"
    );
    assert_eq!(token.len(), 22, "128 bits in base64url");
    assert_eq!(location, format!("/api/v1/tickets/{ticket_id}"));

    let store = Store::connect(&server.database_url).await.unwrap();
    let tickets = store.list_tickets(&TicketFilter::default()).await.unwrap();
    assert_eq!(tickets.len(), 1);
    let listed = &tickets[0];
    assert_eq!(listed.id, ticket_id);
    assert_eq!(listed.status, Status::Open);
    assert_eq!(listed.subject, "I was charged twice for order 1042");
    assert_eq!(listed.group.as_deref(), Some("general"));
    assert_eq!(listed.contact_email.as_deref(), Some("ana@example.com"));
    assert!(listed.sla_due_at.unwrap() > listed.created_at);
    let filtered = TicketFilter {
        text: Some("REFUND ONE".into()),
        status: Some(Status::Open),
        ..TicketFilter::default()
    };
    assert_eq!(store.list_tickets(&filtered).await.unwrap().len(), 1);
    let other = TicketFilter {
        status: Some(Status::Closed),
        ..TicketFilter::default()
    };
    assert!(store.list_tickets(&other).await.unwrap().is_empty());
    store.close().await;

    let ticket = common::body(server.visitor(Method::GET, ticket_id, token, "")).await;
    assert_eq!(ticket["ticket_id"], ticket_id);
    assert_eq!(ticket["status"], "open");

    let messages = common::body(server.visitor(Method::GET, ticket_id, token, "/messages")).await;
    let messages = messages["messages"].as_array().unwrap();
    let conversation: Vec<(&str, &str)> = messages
        .iter()
        .map(|m| {
            (
                m["author"].as_str().unwrap(),
                m["body_text"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        conversation,
        [
            ("visitor", "refund double charge"),
            ("bot", "Refunds take 5 days."),
            (
                "visitor",
                "I was charged twice for order 1042\nPlease refund one."
            ),
        ]
    );
    server.stop().await;
}

async fn idempotent_retry_returns_the_same_ticket(db: String) {
    let server = TestServer::start(&db).await;
    let send = |message: &'static str| {
        Escalation::new(message)
            .with_key("retry-1")
            .request(&server)
            .send()
    };
    let first = send("where is my parcel?").await.unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let retry = send("where is my parcel?").await.unwrap();
    assert_eq!(retry.status(), 200);
    let retry: Value = retry.json().await.unwrap();
    assert_eq!(retry["ticket_id"], first["ticket_id"]);
    assert_eq!(
        retry["token"], first["token"],
        "the token the first attempt got, unwrapped with the key: no new one is minted"
    );

    // The token opens the ticket.
    let ticket = first["ticket_id"].as_str().unwrap();
    for token in [&first["token"], &retry["token"]] {
        let token = token.as_str().unwrap();
        let response = common::send(server.visitor(Method::GET, ticket, token, "")).await;
        assert_eq!(response.status(), 200);
    }

    // The same key for different content is refused, not answered with the wrong ticket.
    let reused = send("a different question").await.unwrap();
    let problem = expect_problem(reused, 422).await;
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("Idempotency-Key"));

    // Concurrent retries all land on one ticket.
    let racing = (0..6).map(|_| {
        Escalation::new("race")
            .with_key("race")
            .request(&server)
            .send()
    });
    let mut ids = Vec::new();
    for response in futures_util::future::join_all(racing).await {
        let response = response.unwrap();
        assert!(matches!(response.status().as_u16(), 200 | 201));
        let body: Value = response.json().await.unwrap();
        ids.push(body["ticket_id"].as_str().unwrap().to_owned());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "{ids:?}");

    assert_eq!(tickets_stored(&server).await, 2);
    server.stop().await;
}

/// Escalations arriving together are written together (one transaction for several); each still
/// gets its own ticket, messages, contact and token, and retries racing with each other (in one
/// batch or across batches) still share one ticket.
async fn concurrent_escalations_keep_their_own_rows(db: String) {
    let server = TestServer::start(&db).await;
    let post = |body: Value, key: Option<&'static str>| {
        let escalation = Escalation::raw(body);
        match key {
            Some(key) => escalation.with_key(key),
            None => escalation,
        }
        .request(&server)
        .send()
    };
    let distinct = (0..24).map(|i| {
        let mut body = json!({
            "site": "demo",
            "message": format!("question {i}"),
            "transcript": [{ "role": "visitor", "text": format!("turn {i}") }],
        });
        if i % 2 == 0 {
            body["contact"] = json!({ "email": format!("v{i}@example.com") });
        }
        post(body, None)
    });
    let retries = (0..8).map(|_| post(json!({ "site": "demo", "message": "same" }), Some("k")));
    let other = post(
        json!({ "site": "demo", "message": "not the same" }),
        Some("k"),
    );
    let (distinct, retries, other) = tokio::join!(
        futures_util::future::join_all(distinct),
        futures_util::future::join_all(retries),
        other
    );

    let store = Store::connect(&server.database_url).await.unwrap();
    let mut ids = std::collections::HashSet::new();
    for (i, response) in distinct.into_iter().enumerate() {
        let response = response.unwrap();
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        let id = body["ticket_id"].as_str().unwrap();
        assert!(ids.insert(id.to_owned()), "ticket {id} given twice");
        let ticket = store
            .visitor_ticket(id, body["token"].as_str().unwrap())
            .await
            .unwrap()
            .expect("the token opens its own ticket");
        assert_eq!(ticket.subject, format!("question {i}"));
        let texts: Vec<String> = store
            .messages(ticket.row_id, 0, false)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.body_text)
            .collect();
        assert_eq!(texts, [format!("turn {i}"), format!("question {i}")]);
        let contact = store.ticket_contact(id).await.unwrap();
        assert_eq!(
            contact.and_then(|c| c.email),
            (i % 2 == 0).then(|| format!("v{i}@example.com"))
        );
    }

    // One content owns the key; every retry of it gets its ticket, the other content a 422.
    let mut keyed = Vec::new();
    let mut refused = 0;
    for response in retries.into_iter().chain([other]) {
        let response = response.unwrap();
        match response.status().as_u16() {
            200 | 201 => {
                let created = response.status() == 201;
                let body: Value = response.json().await.unwrap();
                keyed.push((
                    created,
                    body["ticket_id"].as_str().unwrap().to_owned(),
                    body["token"].as_str().unwrap().to_owned(),
                ));
            }
            422 => refused += 1,
            status => panic!("unexpected status {status}"),
        }
    }
    assert!(refused == 1 || refused == 8, "{refused} refused");
    assert_eq!(keyed.iter().filter(|(created, ..)| *created).count(), 1);
    assert!(
        keyed.iter().all(|(_, id, _)| *id == keyed[0].1),
        "{keyed:?}"
    );
    // Retries in the same batch as the first attempt, or in later ones, get its token.
    assert!(
        keyed.iter().all(|(.., token)| *token == keyed[0].2),
        "{keyed:?}"
    );
    assert_eq!(ticket_count(&store).await, 25);
    store.close().await;
    server.stop().await;
}

async fn token_reads_only_its_own_ticket(db: String) {
    let server = TestServer::start(&db).await;
    let (ticket_a, token_a) = server.escalate("first").await;
    let (ticket_b, token_b) = server.escalate("second").await;
    let get = |ticket: &str, token: Option<&str>| {
        let request = server.get(&format!("/api/v1/tickets/{ticket}/messages"));
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
        .send()
    };
    assert_eq!(get(&ticket_a, Some(&token_a)).await.unwrap().status(), 200);
    assert_eq!(get(&ticket_b, Some(&token_b)).await.unwrap().status(), 200);
    expect_problem(get(&ticket_b, Some(&token_a)).await.unwrap(), 404).await;
    expect_problem(get(&ticket_a, Some(&token_b)).await.unwrap(), 404).await;
    expect_problem(get("T-NOPENOPE", Some(&token_a)).await.unwrap(), 404).await;
    expect_problem(get(&ticket_a, Some("forged")).await.unwrap(), 404).await;
    expect_problem(get(&ticket_a, None).await.unwrap(), 401).await;
    refused(server.reply(&ticket_b, &token_a, "let me in"), 404).await;
    server.stop().await;
}

async fn visitor_writes_to_their_ticket(db: String) {
    let server = TestServer::start(&db).await;
    let (ticket, token) = server.escalate("hello").await;
    let posted = send(server.reply(&ticket, &token, "  one more thing  ")).await;
    assert_eq!(posted.status(), 201);
    let posted: Value = posted.json().await.unwrap();
    assert_eq!(posted["author"], "visitor");
    assert_eq!(posted["body_text"], "one more thing");

    let all = common::body(server.visitor(Method::GET, &ticket, &token, "/messages")).await;
    assert_eq!(all["messages"].as_array().unwrap().len(), 2);
    let first_id = all["messages"][0]["id"].as_i64().unwrap();
    let after = format!("/messages?after={first_id}");
    let newer = common::body(server.visitor(Method::GET, &ticket, &token, &after)).await;
    assert_eq!(newer["messages"].as_array().unwrap().len(), 1);
    assert_eq!(newer["messages"][0]["body_text"], "one more thing");

    refused(server.reply(&ticket, &token, "   "), 422).await;
    server.stop().await;
}

async fn bad_input_is_a_problem(db: String) {
    let server = TestServer::start(&db).await;
    let url = server.url("/api/v1/escalations");
    let post_raw = |body: String| {
        server
            .client
            .post(&url)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };

    let malformed = post_raw("{\"site\": \"demo\", ".into()).await.unwrap();
    expect_problem(malformed, 400).await;

    let wrong_type = post_raw(json!({"site": "demo", "message": 42}).to_string())
        .await
        .unwrap();
    expect_problem(wrong_type, 422).await;

    let missing = post_raw(json!({"site": "demo"}).to_string()).await.unwrap();
    expect_problem(missing, 422).await;

    let bad_role = post_raw(
        json!({"site": "demo", "message": "x", "transcript": [{"role": "agent", "text": "x"}]})
            .to_string(),
    )
    .await
    .unwrap();
    expect_problem(bad_role, 422).await;

    let unknown_site = post_raw(json!({"site": "nope", "message": "hi"}).to_string())
        .await
        .unwrap();
    let problem = expect_problem(unknown_site, 422).await;
    assert_eq!(problem["type"], "/problems/unknown-site");

    let empty = post_raw(json!({"site": "demo", "message": " \n "}).to_string())
        .await
        .unwrap();
    expect_problem(empty, 422).await;

    let too_long = post_raw(json!({"site": "demo", "message": "x".repeat(10_001)}).to_string())
        .await
        .unwrap();
    expect_problem(too_long, 422).await;

    let huge = post_raw(json!({"site": "demo", "message": "x".repeat(200_000)}).to_string())
        .await
        .unwrap();
    expect_problem(huge, 413).await;

    let no_content_type = json!({"site": "demo", "message": "hi"}).to_string();
    refused(server.client.post(&url).body(no_content_type), 415).await;

    let bad_key = Escalation::new("hi").with_key("");
    expect_problem(bad_key.send(&server).await, 400).await;

    refused(server.get("/api/v1/nothing-here"), 404).await;
    refused(server.client.delete(&url), 405).await;
    refused(server.get("/kb.snapshot"), 404).await;

    // None of that created anything.
    assert_eq!(tickets_stored(&server).await, 0);
    server.stop().await;
}

async fn cors_follows_the_site_allow_list(db: String) {
    let server = TestServer::start(&db).await;
    let preflight = |origin: &'static str| {
        server
            .request(Method::OPTIONS, "/api/v1/escalations")
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "content-type,idempotency-key",
            )
            .send()
    };
    let allowed = preflight("http://localhost:5173").await.unwrap();
    assert!(allowed.status().is_success());
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "http://localhost:5173"
    );
    let refused = preflight("https://evil.example").await.unwrap();
    assert!(refused
        .headers()
        .get("access-control-allow-origin")
        .is_none());

    let from = |origin: &str| Escalation::new("hi").with_origin(origin);
    expect_problem(from("https://evil.example").send(&server).await, 403).await;

    let from_demo = from("http://127.0.0.1:8080").send(&server).await;
    assert_eq!(from_demo.status(), 201);
    assert_eq!(
        from_demo.headers()["access-control-allow-origin"],
        "http://127.0.0.1:8080"
    );
    server.stop().await;
}

async fn first_start_bootstraps_once(db: String) {
    let server = TestServer::start(&db).await;
    let admin = server
        .first_admin
        .clone()
        .expect("a first start creates an admin");
    assert_eq!(admin.email, "admin@answerdesk.local");
    assert!(admin.password.len() >= 16);
    server.stop().await;

    let again = TestServer::start(&db).await;
    assert!(again.first_admin.is_none(), "the admin is created once");
    again.stop().await;

    let other = TestServer::start(&db).await;
    let store = Store::connect(&db).await.unwrap();
    let password = store
        .create_agent(
            "Bo@Example.com",
            "Bo",
            server::domain::Role::Agent,
            &["general".to_owned()],
        )
        .await
        .unwrap();
    assert!(password.len() >= 16);
    assert_ne!(password, admin.password);
    let agent = store
        .agent_by_email("bo@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(agent.groups, ["general"]);
    let duplicate = store
        .create_agent("bo@example.com", "Bo", server::domain::Role::Agent, &[])
        .await;
    assert!(matches!(
        duplicate,
        Err(server::store::StoreError::Conflict(_))
    ));
    let unknown_group = store
        .create_agent(
            "cy@example.com",
            "Cy",
            server::domain::Role::Agent,
            &["nope".into()],
        )
        .await;
    assert!(matches!(
        unknown_group,
        Err(server::store::StoreError::UnknownGroup(_))
    ));
    store.close().await;
    other.stop().await;
}

async fn health_and_readiness(db: String) {
    let server = TestServer::start(&db).await;
    for path in ["/healthz", "/readyz"] {
        let response = send(server.get(path)).await;
        assert_eq!(response.status(), 200, "{path}");
    }
    server.stop().await;
}

/// How many tickets the server's database holds.
async fn tickets_stored(server: &TestServer) -> usize {
    let store = Store::connect(&server.database_url).await.unwrap();
    let count = ticket_count(&store).await;
    store.close().await;
    count
}

/// How many tickets the database holds.
async fn ticket_count(store: &Store) -> usize {
    store
        .list_tickets(&TicketFilter::default())
        .await
        .unwrap()
        .len()
}
