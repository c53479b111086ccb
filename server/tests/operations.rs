//! What operators rely on, over real HTTP on SQLite and PostgreSQL: Prometheus metrics and who
//! may read them, and a graceful shutdown that finishes the requests already in flight.

mod common;

use std::time::Duration;

use common::{expect_problem, send, TestServer};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

on_both_databases! {
    metrics_count_requests_tickets_and_streams => sqlite_metrics_count_requests_tickets_and_streams, postgres_metrics_count_requests_tickets_and_streams;
    shutdown_finishes_requests_in_flight => sqlite_shutdown_finishes_requests_in_flight, postgres_shutdown_finishes_requests_in_flight;
}

/// The scrape token the metrics tests configure.
const SCRAPE_TOKEN: &str = "scrape-token";

async fn metrics_text(server: &TestServer) -> String {
    let response = send(server.get("/metrics").bearer_auth(SCRAPE_TOKEN)).await;
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

async fn metrics_count_requests_tickets_and_streams(db: String) {
    let server = TestServer::start_with(server::Config {
        metrics_token: Some(SCRAPE_TOKEN.to_owned()),
        ..common::config(&db)
    })
    .await;
    let (ticket, token) = server.escalate("my parcel is late").await;
    let unknown = send(server.visitor(reqwest::Method::GET, "T-NOPE0000", &token, "")).await;
    assert_eq!(unknown.status(), 404);
    let _stream = send(server.events(&ticket, &token)).await;

    let text = metrics_text(&server).await;
    for needle in [
        r#"answerdesk_http_requests_total{method="POST",route="/api/v1/escalations",status="201"} 1"#,
        r#"answerdesk_http_requests_total{method="GET",route="/api/v1/tickets/{id}",status="404"} 1"#,
        r#"answerdesk_http_request_duration_seconds_count{route="/api/v1/escalations"} 1"#,
        "answerdesk_tickets_created_total 1",
        "answerdesk_sse_clients 1",
    ] {
        assert!(text.contains(needle), "{needle} missing from\n{text}");
    }
    assert!(
        !text.contains("T-NOPE0000"),
        "routes are labelled by template, not by path"
    );

    // Without the token, refused even from loopback.
    let proxied = server
        .get("/metrics")
        .header("x-forwarded-for", "192.0.2.1");
    expect_problem(send(proxied).await, 403).await;
    server.stop().await;
}

async fn shutdown_finishes_requests_in_flight(db: String) {
    let server = TestServer::start(&db).await;
    let addr = server.base.trim_start_matches("http://").to_owned();
    let body = br#"{"site": "demo", "message": "sent slowly, across a shutdown"}"#;
    let mut socket = TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/v1/escalations HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    socket.write_all(&body[..10]).await.unwrap();
    // The request is in flight, its body half sent, when the shutdown begins.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let stopping = tokio::spawn(server.stop());
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!stopping.is_finished(), "the server waits for the request");
    socket.write_all(&body[10..]).await.unwrap();
    let mut response = String::new();
    tokio::time::timeout(
        Duration::from_secs(10),
        socket.read_to_string(&mut response),
    )
    .await
    .expect("answered")
    .unwrap();
    assert!(response.starts_with("HTTP/1.1 201"), "{response}");
    tokio::time::timeout(Duration::from_secs(10), stopping)
        .await
        .expect("then stops")
        .unwrap();
}

/// The document is the same whatever the database; one run is enough.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_openapi_document_lists_and_describes_the_paths() {
    common::on_sqlite(|db| async move {
        let server = TestServer::start(&db).await;
        let response = send(server.get("/api/openapi.json")).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/json");
        let doc: serde_json::Value = response.json().await.expect("the document is JSON");
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        let paths = doc["paths"].as_object().expect("paths");
        for (path, method) in [
            ("/api/v1/escalations", "post"),
            ("/api/v1/tickets/{id}", "get"),
            ("/api/v1/tickets/{id}/messages", "get"),
            ("/api/v1/tickets/{id}/messages", "post"),
            ("/api/v1/tickets/{id}/events", "get"),
            ("/api/v1/tickets/{id}/rating", "post"),
            ("/api/v1/session", "post"),
            ("/api/v1/desk/tickets", "get"),
            ("/api/v1/desk/tickets/{id}/messages", "post"),
            ("/api/v1/desk/tickets/{id}/transfer", "post"),
            ("/api/v1/admin/agents", "post"),
            ("/readyz", "get"),
            ("/metrics", "get"),
        ] {
            let operation = &paths.get(path).unwrap_or_else(|| panic!("{path} missing"))[method];
            assert!(operation.is_object(), "{method} {path} missing");
            assert!(
                operation["responses"]
                    .as_object()
                    .is_some_and(|r| !r.is_empty()),
                "{method} {path} has no responses"
            );
        }
        let escalate = &paths["/api/v1/escalations"]["post"];
        assert_eq!(
            escalate["requestBody"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/EscalationRequest"
        );
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for schema in [
            "EscalationRequest",
            "EscalationCreated",
            "Message",
            "Problem",
        ] {
            assert!(schemas.contains_key(schema), "schema {schema} missing");
        }
        let required = &schemas["EscalationRequest"]["required"];
        assert_eq!(*required, serde_json::json!(["site", "message"]));

        let desk_list = &paths["/api/v1/desk/tickets"]["get"];
        let filters: Vec<&str> = desk_list["parameters"]
            .as_array()
            .expect("the inbox filters")
            .iter()
            .filter(|p| p["in"] == "query")
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            filters,
            ["status", "priority", "site", "group", "assignee", "tag", "q", "limit"]
        );
        // method, path, request schema (`-` for none), the success response's schema
        for row in [
            "post /api/v1/session Credentials SessionInfo",
            "get /api/v1/desk/tickets - TicketList",
            "get /api/v1/desk/tickets/{id} - TicketDetail",
            "patch /api/v1/desk/tickets/{id} ChangeRequest TicketSummary",
            "post /api/v1/desk/tickets/{id}/transfer TransferRequest TicketSummary",
            "patch /api/v1/desk/me AvailabilityChange Agent",
            "post /api/v1/desk/canned-responses CannedRequest CannedResponse",
            "patch /api/v1/desk/contacts/{id} ContactPatch ContactDetail",
            "put /api/v1/admin/agents/{id} AgentUpdate Agent",
            "post /api/v1/admin/sites SiteRequest SiteView",
            "put /api/v1/admin/config ConfigChange DeskConfig",
            "get /api/v1/admin/feedback - FeedbackSummary",
        ] {
            let [method, path, request, response] =
                row.split(' ').collect::<Vec<_>>().try_into().unwrap();
            let operation = &paths[path][method];
            if request != "-" {
                assert_eq!(
                    operation["requestBody"]["content"]["application/json"]["schema"]["$ref"],
                    format!("#/components/schemas/{request}"),
                    "{method} {path} request"
                );
            }
            let ok = operation["responses"]
                .as_object()
                .unwrap()
                .iter()
                .find(|(status, _)| status.starts_with('2'))
                .map(|(_, response)| response)
                .unwrap_or_else(|| panic!("{method} {path} has no 2xx response"));
            assert_eq!(
                ok["content"]["application/json"]["schema"]["$ref"],
                format!("#/components/schemas/{response}"),
                "{method} {path} response"
            );
        }
        assert_every_body_is_described(&doc);
        server.stop().await;
    })
    .await
}

/// What a client generator needs from every operation: each JSON request and each 2xx JSON
/// response has a schema, each `{name}` in a path is a declared parameter, and each `$ref` names
/// a schema in `components`. A handler added without its schemas fails here.
fn assert_every_body_is_described(doc: &serde_json::Value) {
    // Writes that take no body: the path says it all.
    const NO_BODY: [(&str, &str); 5] = [
        ("/api/v1/desk/tickets/{id}/claim", "post"),
        ("/api/v1/admin/sites/{id}/identity-secret", "post"),
        ("/api/v1/admin/agents/{id}/password", "post"),
        ("/api/v1/admin/kb/{site}/publish", "post"),
        (
            "/api/v1/admin/kb/{site}/versions/{version}/rollback",
            "post",
        ),
    ];
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            operations += 1;
            let parameters = operation["parameters"].as_array();
            for name in path
                .split('/')
                .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            {
                assert!(
                    parameters.is_some_and(|ps| ps
                        .iter()
                        .any(|p| p["in"] == "path" && p["name"] == name)),
                    "{method} {path}: path parameter {name} is not declared"
                );
            }
            let writes = matches!(method.as_str(), "post" | "put" | "patch");
            if writes && !NO_BODY.contains(&(path.as_str(), method.as_str())) {
                assert!(
                    operation["requestBody"]["content"]["application/json"]["schema"].is_object(),
                    "{method} {path}: no JSON request schema"
                );
            }
            for (status, response) in operation["responses"].as_object().unwrap() {
                let content = response["content"].as_object();
                let empty = matches!(status.as_str(), "204" | "304");
                if status.starts_with('2') && !empty {
                    assert!(
                        content.is_some_and(|c| !c.is_empty()),
                        "{method} {path}: {status} says nothing of its content"
                    );
                }
                for (media_type, body) in content.into_iter().flatten() {
                    if media_type.contains("json") {
                        assert!(
                            body["schema"].is_object(),
                            "{method} {path}: {status} {media_type} has no schema"
                        );
                    }
                }
            }
        }
    }
    assert!(operations > 40, "only {operations} operations");

    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let mut refs = Vec::new();
    collect_refs(doc, &mut refs);
    assert!(!refs.is_empty());
    for reference in refs {
        let name = reference
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{reference} points outside the schemas"));
        assert!(
            schemas.contains_key(name),
            "{reference} resolves to nothing"
        );
    }
}

fn collect_refs<'a>(value: &'a serde_json::Value, refs: &mut Vec<&'a str>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("$ref", serde_json::Value::String(reference)) => refs.push(reference),
                    _ => collect_refs(value, refs),
                }
            }
        }
        serde_json::Value::Array(values) => values.iter().for_each(|v| collect_refs(v, refs)),
        _ => {}
    }
}
