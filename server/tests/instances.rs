//! Many stateless instances on one PostgreSQL database: an event published by one reaches the
//! event streams of the others (`LISTEN/NOTIFY`), and each stream gets it once.
//!
//! Instance A runs in the test process; instance B is this test binary started again as a
//! separate process running [`instance_process`], so the two share nothing but the database.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::{read_until, send, TestServer};
use serde_json::{json, Value};
use server::Server;
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, BufReader};
use tokio::process::{Child, Command};

/// Where [`instance_process`] finds its database; unset, it does nothing.
const INSTANCE_DB: &str = "ANSWERDESK_TEST_INSTANCE_DB";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_instances_deliver_each_others_events() {
    common::on_postgres(instances_deliver_each_others_events).await
}

/// Not a test on its own: the body of instance B, in a process of its own. Serves until its
/// standard input closes, so it stops with the test that started it.
#[tokio::test]
#[ignore = "run as a child process by postgres_instances_deliver_each_others_events"]
async fn instance_process() {
    let Ok(database_url) = std::env::var(INSTANCE_DB) else {
        return;
    };
    let server = Server::bind(common::config(&database_url))
        .await
        .expect("instance B binds");
    println!("instance listening on http://{}", server.local_addr());
    server
        .serve(async {
            let mut sink = Vec::new();
            let _ = tokio::io::stdin().read_to_end(&mut sink).await;
        })
        .await
        .expect("instance B serves");
}

/// Instance B in its own process, and its base URL.
async fn spawn_instance(database_url: &str) -> (Child, String) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["instance_process", "--exact", "--ignored", "--nocapture"])
        .env(INSTANCE_DB, database_url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start instance B");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(base) = line.strip_prefix("instance listening on ") {
                return base.to_owned();
            }
        }
        panic!("instance B exited before listening");
    })
    .await
    .expect("instance B listens within 30 s");
    // Keep reading, so the child never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, base)
}

async fn instances_deliver_each_others_events(db: String) {
    let a = TestServer::start(&db).await;
    let (mut b_process, b) = spawn_instance(&db).await;
    let client = &a.client;

    // Agent sessions live in the database: one sign-in on A works on B.
    let admin = a.first_admin.clone().unwrap();
    let credentials = json!({ "email": admin.email, "password": admin.password });
    let login = send(a.post("/api/v1/session", credentials)).await;
    assert_eq!(login.status(), 200);
    let cookie = login.headers()["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let csrf = login.json::<Value>().await.unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut inbox_on_b = client
        .get(format!("{b}/api/v1/desk/events"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(inbox_on_b.status(), 200);

    // An escalation through A appears in B's inbox.
    let (ticket, token) = a.escalate("where is my parcel?").await;
    read_until(&mut inbox_on_b, &ticket).await;

    let events = format!("/api/v1/tickets/{ticket}/events?token={token}");
    let mut visitor_on_b = send(client.get(format!("{b}{events}"))).await;
    assert_eq!(visitor_on_b.status(), 200);
    let mut visitor_on_a = send(a.get(&events)).await;
    assert_eq!(visitor_on_a.status(), 200);

    // An agent's reply through A reaches the visitor connected to B, body and all.
    let reply = a.post(
        &format!("/api/v1/desk/tickets/{ticket}/messages"),
        json!({ "body": "It ships today from instance A." }),
    );
    let reply = send(
        reply
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf),
    )
    .await;
    assert!(reply.status().is_success(), "{}", reply.status());
    let seen = read_until(&mut visitor_on_b, "It ships today from instance A.").await;
    assert!(seen.contains("event: message"), "{seen}");

    // A visitor message through B reaches A; A's own reply came first, and only once.
    let posted = client
        .post(format!("{b}/api/v1/tickets/{ticket}/messages"))
        .bearer_auth(&token)
        .json(&json!({ "text": "Thanks, says the visitor via B." }));
    let posted = send(posted).await;
    assert_eq!(posted.status(), 201);
    let seen = read_until(&mut visitor_on_a, "Thanks, says the visitor via B.").await;
    assert_eq!(
        seen.matches(r#""body_text":"It ships today from instance A.""#)
            .count(),
        1,
        "an instance delivers its own event once: {seen}"
    );
    let seen = read_until(&mut inbox_on_b, "Thanks, says the visitor via B.").await;
    assert_eq!(
        seen.matches(r#""body_text":"Thanks, says the visitor via B.""#)
            .count(),
        1,
        "{seen}"
    );

    drop(b_process.stdin.take());
    let status = tokio::time::timeout(Duration::from_secs(10), b_process.wait())
        .await
        .expect("instance B stops when told")
        .unwrap();
    assert!(status.success(), "instance B: {status}");
    tokio::time::timeout(Duration::from_secs(10), a.stop())
        .await
        .expect("instance A stops");
}
