//! Test harness: a real server on 127.0.0.1:0 over a throwaway database.
//!
//! Every scenario is an `async fn(String)` taking a database URL, instantiated twice by
//! [`on_both_databases!`]: `sqlite_<name>` on a temporary file and `postgres_<name>` on a fresh
//! database created beside `DATABASE_URL` and dropped afterwards, so tests run in parallel.

#![allow(dead_code)] // each test binary uses a different part of the harness

use std::future::Future;
use std::path::PathBuf;

use rand::Rng;
use reqwest::{Method, RequestBuilder, Response};
use serde_json::{json, Value};
use server::{Config, FirstAdmin, Server};
use sqlx::{Connection, Executor, PgConnection};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Declares `sqlite_<name>` and `postgres_<name>` tests running `scenario`.
#[macro_export]
macro_rules! on_both_databases {
    ($($scenario:ident => $sqlite:ident, $postgres:ident;)+) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $sqlite() {
            common::on_sqlite($scenario).await
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $postgres() {
            common::on_postgres($scenario).await
        }
    )+};
}

pub async fn on_sqlite<F, Fut>(scenario: F)
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("temporary directory");
    // A directory that does not exist yet: the store must create it.
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("data/answerdesk.db").display()
    );
    scenario(url).await;
}

pub async fn on_postgres<F, Fut>(scenario: F)
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let admin_url = std::env::var("DATABASE_URL").expect(
        "postgres_* tests need DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/test \
         (each test creates and drops its own database beside it)",
    );
    let name = format!("test_{:016x}", rand::thread_rng().gen::<u64>());
    let mut admin = PgConnection::connect(&admin_url)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to DATABASE_URL: {e}"));
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create the test database");
    let outcome = tokio::spawn(scenario(with_database(&admin_url, &name))).await;
    admin
        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
        .await
        .expect("drop the test database");
    if let Err(err) = outcome {
        std::panic::resume_unwind(err.into_panic());
    }
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = base[scheme_end..]
        .find('/')
        .map(|i| scheme_end + i)
        .unwrap_or(base.len());
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// A test server's configuration on `database_url`: loopback, a free port, defaults otherwise.
/// Change what a test needs with `Config { field, ..common::config(url) }`.
pub fn config(database_url: &str) -> Config {
    Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        database_url: database_url.to_owned(),
        ..Config::default()
    }
}

/// A running server and a client for it.
pub struct TestServer {
    pub base: String,
    pub database_url: String,
    pub client: reqwest::Client,
    pub first_admin: Option<FirstAdmin>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

impl TestServer {
    pub async fn start(database_url: &str) -> TestServer {
        Self::start_with(config(database_url)).await
    }

    pub async fn start_with(config: Config) -> TestServer {
        let database_url = config.database_url.clone();
        let server = Server::bind(config).await.expect("server binds");
        let base = format!("http://{}", server.local_addr());
        let first_admin = server.first_admin().cloned();
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(server.serve(async {
            stopped.await.ok();
        }));
        TestServer {
            base,
            database_url,
            client: reqwest::Client::new(),
            first_admin,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request to `path`, without credentials.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.client.get(self.url(path))
    }

    /// A `POST` of `body` as JSON, without credentials.
    pub fn post(&self, path: &str, body: Value) -> RequestBuilder {
        self.client.post(self.url(path)).json(&body)
    }

    /// A request of the visitor holding `token`, to `below` (`""`, `/messages`, …) of the
    /// ticket's path.
    pub fn visitor(
        &self,
        method: Method,
        ticket: &str,
        token: &str,
        below: &str,
    ) -> RequestBuilder {
        self.request(method, &format!("/api/v1/tickets/{ticket}{below}"))
            .bearer_auth(token)
    }

    /// The visitor's reply `text` to their ticket.
    pub fn reply(&self, ticket: &str, token: &str, text: &str) -> RequestBuilder {
        self.visitor(Method::POST, ticket, token, "/messages")
            .json(&json!({ "text": text }))
    }

    /// The ticket's event stream, with the token in the query as `EventSource` sends it.
    pub fn events(&self, ticket: &str, token: &str) -> RequestBuilder {
        self.get(&format!("/api/v1/tickets/{ticket}/events?token={token}"))
    }

    /// Posts an escalation for the demo site; returns `(ticket_id, token)`.
    pub async fn escalate(&self, message: &str) -> (String, String) {
        Escalation::new(message).create(self).await
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            stop.send(()).ok();
        }
        if let Some(task) = self.task.take() {
            task.await
                .expect("server task")
                .expect("server ran cleanly");
        }
    }
}

/// Sends `request`; the response, whatever its status.
pub async fn send(request: RequestBuilder) -> Response {
    request.send().await.unwrap()
}

/// The JSON body of `request`'s response, whatever its status.
pub async fn body(request: RequestBuilder) -> Value {
    send(request).await.json().await.unwrap()
}

/// The text of `request`'s response, whatever its status.
pub async fn text(request: RequestBuilder) -> String {
    send(request).await.text().await.unwrap()
}

/// Sends `request` and asserts a problem+json answer with `status` (see [`expect_problem`]).
pub async fn refused(request: RequestBuilder, status: u16) -> Value {
    expect_problem(send(request).await, status).await
}

/// An escalation as the widget posts it: to the demo site, with only a message, unless a test
/// says otherwise.
pub struct Escalation {
    body: Value,
    headers: Vec<(&'static str, String)>,
}

impl Escalation {
    pub fn new(message: &str) -> Escalation {
        Escalation {
            body: json!({ "site": "demo", "message": message }),
            headers: Vec::new(),
        }
    }

    /// This body instead of the demo site's message.
    pub fn raw(body: Value) -> Escalation {
        Escalation {
            body,
            headers: Vec::new(),
        }
    }

    /// Sets a field of the body: `site`, `group`, `identity_token`, `contact`, …
    pub fn with(mut self, field: &str, value: impl Into<Value>) -> Escalation {
        self.body[field] = value.into();
        self
    }

    /// Sent with this header too.
    pub fn with_header(mut self, name: &'static str, value: &str) -> Escalation {
        self.headers.push((name, value.to_owned()));
        self
    }

    /// Sent by a page of `origin`, as a browser would send it.
    pub fn with_origin(self, origin: &str) -> Escalation {
        self.with_header("origin", origin)
    }

    /// Sent with this `Idempotency-Key`, as the widget retries.
    pub fn with_key(self, key: &str) -> Escalation {
        self.with_header("Idempotency-Key", key)
    }

    /// The request, to send now or from another task.
    pub fn request(&self, server: &TestServer) -> RequestBuilder {
        let mut request = server.client.post(server.url("/api/v1/escalations"));
        for (name, value) in &self.headers {
            request = request.header(*name, value);
        }
        request.json(&self.body)
    }

    pub async fn send(&self, server: &TestServer) -> Response {
        send(self.request(server)).await
    }

    /// Sends it and expects a new ticket: `(ticket_id, token)`.
    pub async fn create(&self, server: &TestServer) -> (String, String) {
        ticket_of(self.send(server).await).await
    }
}

/// Reads an event stream until what it read satisfies `done`; panics when the stream ends or
/// 10 s pass first (`what` says what was awaited). Returns everything read.
pub async fn read_until_with(
    stream: &mut Response,
    what: &str,
    done: impl Fn(&str) -> bool,
) -> String {
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !done(&seen) {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk())
            .await
            .unwrap_or_else(|_| panic!("no {what} within 10 s; got {seen:?}"))
            .unwrap()
            .unwrap_or_else(|| panic!("the stream ended before {what}; got {seen:?}"));
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    seen
}

/// Reads an event stream until `needle` appears (see [`read_until_with`]).
pub async fn read_until(stream: &mut Response, needle: &str) -> String {
    read_until_with(stream, &format!("{needle:?}"), |seen| seen.contains(needle)).await
}

/// Reads until the stream ends; panics if it is still open after 10 s. Answers what it carried.
pub async fn read_to_end(stream: &mut Response) -> String {
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match tokio::time::timeout_at(deadline, stream.chunk()).await {
            Err(_) => panic!("the stream is still open after 10 s; it carried {seen:?}"),
            Ok(Ok(Some(chunk))) => seen.push_str(&String::from_utf8_lossy(&chunk)),
            Ok(Ok(None)) | Ok(Err(_)) => return seen,
        }
    }
}

/// Asserts that an escalation made a new ticket (`201`); returns `(ticket_id, token)`.
pub async fn ticket_of(response: reqwest::Response) -> (String, String) {
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    (
        body["ticket_id"].as_str().unwrap().to_owned(),
        body["token"].as_str().unwrap().to_owned(),
    )
}

/// Asserts a problem+json response with `status`; returns its body.
pub async fn expect_problem(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status, "unexpected status");
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.expect("problem body is JSON");
    assert_eq!(body["status"], status);
    assert!(body["type"].is_string() && body["title"].is_string());
    assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    body
}

/// Writes a real knowledge-base snapshot with one English entry per id (built by the same
/// engine the widget runs) to `path`.
pub fn write_snapshot(path: &std::path::Path, entry_ids: &[&str]) {
    let entries = entry_ids
        .iter()
        .map(|id| engine::Entry {
            id: (*id).to_owned(),
            locale: "en".into(),
            question: format!("What about {id}?"),
            alternates: vec![format!("tell me about {id}")],
            answer_html: format!("<p>All about {id}.</p>"),
            answer_text: format!("All about {id}."),
            category: "test".into(),
            tags: vec![],
            links: vec![],
        })
        .collect();
    let snapshot = engine::build(entries, &engine::BuildOptions::default()).expect("snapshot");
    std::fs::write(path, snapshot.to_bytes()).expect("write the snapshot");
}

/// A server like [`TestServer::start`] serving a snapshot of `entry_ids` (kept in `dir`).
pub async fn start_with_snapshot(
    database_url: &str,
    dir: &tempfile::TempDir,
    entry_ids: &[&str],
) -> TestServer {
    TestServer::start_with(with_snapshot(config(database_url), dir, entry_ids)).await
}

/// `config` serving a snapshot of `entry_ids` (kept in `dir`).
pub fn with_snapshot(config: Config, dir: &tempfile::TempDir, entry_ids: &[&str]) -> Config {
    let path = dir.path().join("kb.snapshot");
    write_snapshot(&path, entry_ids);
    Config {
        snapshot: Some(path),
        ..config
    }
}

/// The item of the array `value[list]` whose `key` is `wanted` (panics when none is).
pub fn item<'a>(value: &'a Value, list: &str, key: &str, wanted: &str) -> &'a Value {
    value[list]
        .as_array()
        .unwrap_or_else(|| panic!("no array {list} in {value}"))
        .iter()
        .find(|item| item[key] == wanted)
        .unwrap_or_else(|| panic!("no {key} {wanted} in {list}"))
}

/// The string `key` of every item of the array `value[list]`, in order.
pub fn strings<'a>(value: &'a Value, list: &str, key: &str) -> Vec<&'a str> {
    value[list]
        .as_array()
        .unwrap_or_else(|| panic!("no array {list} in {value}"))
        .iter()
        .map(|item| item[key].as_str().unwrap())
        .collect()
}

/// A SQLite database in `dir`, for a test that runs on SQLite only.
pub fn sqlite_in(dir: &tempfile::TempDir) -> String {
    format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("db.sqlite").display()
    )
}

/// A connection to the test's database, to look at or age rows as time would.
pub async fn database(url: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::AnyPool::connect(url).await.unwrap()
}

/// The OpenAPI document the server serves.
pub async fn openapi(server: &TestServer) -> Value {
    body(server.get("/api/openapi.json")).await
}

pub fn temp_path(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    dir.path().join(name)
}

#[test]
fn replaces_the_database_name() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://u:p@h/test?sslmode=disable", "x"),
        "postgres://u:p@h/x?sslmode=disable"
    );
    assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
}
