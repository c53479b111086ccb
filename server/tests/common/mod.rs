//! Test harness: a real server on 127.0.0.1:0 over a throwaway database.
//!
//! Every scenario is an `async fn(String)` taking a database URL, instantiated twice by
//! [`on_both_databases!`]: `sqlite_<name>` on a temporary file and `postgres_<name>` on a fresh
//! database created beside `DATABASE_URL` and dropped afterwards, so tests run in parallel.

#![allow(dead_code)] // each test binary uses a different part of the harness

use std::future::Future;
use std::path::PathBuf;

use rand::Rng;
use serde_json::Value;
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
        Self::start_with(Config {
            addr: "127.0.0.1:0".parse().unwrap(),
            database_url: database_url.to_owned(),
            ..Config::default()
        })
        .await
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

    /// Posts an escalation for the demo site; returns `(ticket_id, token)`.
    pub async fn escalate(&self, message: &str) -> (String, String) {
        let response = self
            .client
            .post(self.url("/api/v1/escalations"))
            .json(&serde_json::json!({ "site": "demo", "message": message }))
            .send()
            .await
            .unwrap();
        ticket_of(response).await
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
    let path = dir.path().join("kb.snapshot");
    write_snapshot(&path, entry_ids);
    TestServer::start_with(Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        database_url: database_url.to_owned(),
        snapshot: Some(path),
        ..Config::default()
    })
    .await
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
