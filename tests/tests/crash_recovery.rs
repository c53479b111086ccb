//! Crash without loss: under a bounded loopback load of escalations and visitor messages (each
//! with an `Idempotency-Key`) and with visitors' event streams open, the real `answerdesk serve`
//! is killed with SIGKILL and started again on the same database, round after round.
//!
//! Afterwards every escalation and message that got a 2xx exists, with all its messages, exactly
//! once; every request, answered or cut by the kill, is retried with its key as the widget's
//! outbox would, and the retries create no duplicates.
//!
//! Rounds: `ANSWERDESK_CRASH_ROUNDS` (default 1; `cargo xtask reliability` runs 10). SQLite
//! always; PostgreSQL with `DATABASE_URL` (a database of its own, dropped afterwards). With
//! `ANSWERDESK_CRASH_REPORT=path`, the figures are appended to that file as one line.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};
use e2e::{Server, ServerOptions};
use serde_json::{json, Value};

/// Concurrent visitors writing.
const WORKERS: usize = 4;
/// Visitors following their ticket's event stream when the kill comes.
const SSE_CLIENTS: usize = 4;
/// Messages each visitor writes after escalating.
const MESSAGES_PER_TICKET: usize = 2;
/// How long the load runs before the kill.
const LOAD_BEFORE_KILL: Duration = Duration::from_millis(1500);
/// Most escalations one worker attempts in a round: the load is bounded in count as in time.
const MAX_ESCALATIONS_PER_WORKER: usize = 150;

/// An escalation as the client saw it.
#[derive(Debug, Clone)]
struct Escalation {
    key: String,
    body: Value,
    message: String,
    /// Set once any attempt got a 2xx.
    ticket: Option<String>,
    token: Option<String>,
    /// The first attempt got a 2xx: the server promised the ticket exists.
    acknowledged: bool,
}

#[derive(Debug, Clone)]
struct VisitorMessage {
    /// Index into the escalations.
    escalation: usize,
    key: String,
    text: String,
    acknowledged: bool,
}

#[derive(Default)]
struct Ledger {
    escalations: Vec<Escalation>,
    messages: Vec<VisitorMessage>,
    /// Answers that were neither 2xx nor a cut connection (should stay 0).
    unexpected: Vec<String>,
}

#[derive(Debug, Default)]
struct Figures {
    rounds: usize,
    acknowledged_escalations: usize,
    acknowledged_messages: usize,
    cut_by_kill: usize,
    sse_connected: usize,
    sse_events: usize,
    found: usize,
    lost: usize,
    duplicated: usize,
}

impl Figures {
    fn line(&self, backend: &str) -> String {
        format!(
            "crash-recovery {backend}: {} round(s) of kill -9, acknowledged {} escalations + {} messages, \
             {} requests cut by the kill and retried, {} SSE clients connected ({} events), \
             found {}, lost {}, duplicated {}",
            self.rounds,
            self.acknowledged_escalations,
            self.acknowledged_messages,
            self.cut_by_kill,
            self.sse_connected,
            self.sse_events,
            self.found,
            self.lost,
            self.duplicated
        )
    }
}

fn rounds() -> Result<usize> {
    match std::env::var("ANSWERDESK_CRASH_ROUNDS") {
        Ok(n) => n
            .parse()
            .with_context(|| format!("ANSWERDESK_CRASH_ROUNDS={n} is not a number")),
        Err(_) => Ok(1),
    }
}

/// A load test needs no rate limit: every request comes from 127.0.0.1.
fn options(database_url: Option<String>) -> ServerOptions {
    ServerOptions {
        database_url,
        env: vec![("ANSWERDESK_RATE_LIMIT".into(), "off".into())],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_escalations_and_messages_survive_kill_9_on_sqlite() -> Result<()> {
    let mut server = Server::start_with(options(None))?;
    let figures = scenario(&mut server, rounds()?).await?;
    report(&figures, "sqlite")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_acknowledged_escalations_and_messages_survive_kill_9() -> Result<()> {
    let admin_url = std::env::var("DATABASE_URL").context(
        "postgres_* tests need DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/test",
    )?;
    let database = PostgresDatabase::create(&admin_url)?;
    let result = async {
        let mut server = Server::start_with(options(Some(database.url.clone())))?;
        let figures = scenario(&mut server, rounds()?).await;
        drop(server);
        figures
    }
    .await;
    drop(database);
    report(&result?, "postgres")
}

fn report(figures: &Figures, backend: &str) -> Result<()> {
    let line = figures.line(backend);
    println!("{line}");
    if let Some(path) = std::env::var_os("ANSWERDESK_CRASH_REPORT") {
        use std::io::Write as _;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?;
        writeln!(file, "{line}")?;
    }
    ensure!(figures.lost == 0, "acknowledged writes were lost: {line}");
    ensure!(figures.duplicated == 0, "retries made duplicates: {line}");
    ensure!(
        figures.acknowledged_escalations > 0,
        "the load got no escalation acknowledged, so it proved nothing: {line}"
    );
    Ok(())
}

/// A database of its own beside DATABASE_URL's, dropped (with its connections) at the end.
struct PostgresDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl PostgresDatabase {
    fn create(admin_url: &str) -> Result<PostgresDatabase> {
        let name = format!(
            "crash_{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .subsec_nanos()
        );
        psql(admin_url, &format!("CREATE DATABASE {name}"))?;
        let (base, query) = admin_url.split_once('?').unwrap_or((admin_url, ""));
        let host_end = base
            .find("://")
            .map(|i| i + 3)
            .and_then(|start| base[start..].find('/').map(|i| start + i))
            .unwrap_or(base.len());
        let mut url = format!("{}/{name}", &base[..host_end]);
        if !query.is_empty() {
            url = format!("{url}?{query}");
        }
        Ok(PostgresDatabase {
            admin_url: admin_url.to_owned(),
            name,
            url,
        })
    }
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        let _ = psql(
            &self.admin_url,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

fn psql(url: &str, sql: &str) -> Result<()> {
    let out = std::process::Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-c", sql])
        .output()
        .context("cannot run psql (apt-get install postgresql-client)")?;
    if !out.status.success() {
        bail!("psql `{sql}`: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

async fn scenario(server: &mut Server, rounds: usize) -> Result<Figures> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()?;
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let mut figures = Figures {
        rounds,
        ..Figures::default()
    };
    for round in 0..rounds {
        let (connected, events) = load_then_kill(server, &http, &ledger, round).await?;
        figures.sse_connected += connected;
        figures.sse_events += events;
        server.restart()?;
        figures.cut_by_kill += retry_everything(server, &http, &ledger).await?;
    }
    let ledger = ledger.lock().expect("ledger").clone_ledger();
    ensure!(
        ledger.unexpected.is_empty(),
        "answers that were neither 2xx nor cut by the kill: {:?}",
        ledger.unexpected
    );
    figures.acknowledged_escalations = ledger.escalations.iter().filter(|e| e.acknowledged).count();
    figures.acknowledged_messages = ledger.messages.iter().filter(|m| m.acknowledged).count();
    verify(server, &http, &ledger, &mut figures).await?;
    Ok(figures)
}

impl Ledger {
    fn clone_ledger(&self) -> Ledger {
        Ledger {
            escalations: self.escalations.clone(),
            messages: self.messages.clone(),
            unexpected: self.unexpected.clone(),
        }
    }
}

/// Starts the writers and the event streams, kills the server mid-load, and waits for both to
/// notice. Returns the event streams that were connected and the events they received.
async fn load_then_kill(
    server: &mut Server,
    http: &reqwest::Client,
    ledger: &Arc<Mutex<Ledger>>,
    round: usize,
) -> Result<(usize, usize)> {
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for worker in 0..WORKERS {
        let (http, ledger, stop, base) = (
            http.clone(),
            ledger.clone(),
            stop.clone(),
            server.base_url.clone(),
        );
        workers.push(tokio::spawn(async move {
            write_load(&http, &base, &ledger, &stop, round, worker).await
        }));
    }
    // Event streams on tickets of this round, open across the kill.
    let connected = Arc::new(AtomicUsize::new(0));
    let events = Arc::new(AtomicUsize::new(0));
    let mut streams = Vec::new();
    let deadline = tokio::time::Instant::now() + LOAD_BEFORE_KILL;
    let mut followed = 0;
    while tokio::time::Instant::now() < deadline {
        let next = {
            let ledger = ledger.lock().expect("ledger");
            ledger
                .escalations
                .iter()
                .filter(|e| e.acknowledged && e.key.starts_with(&format!("crash-{round}-")))
                .nth(followed)
                .map(|e| (e.ticket.clone(), e.token.clone()))
        };
        if let (Some((Some(ticket), Some(token))), true) = (next, followed < SSE_CLIENTS) {
            followed += 1;
            // `after=0`: the stream first replays the ticket's messages so far.
            let url = server.url(&format!(
                "/api/v1/tickets/{ticket}/events?token={token}&after=0"
            ));
            let (connected, events) = (connected.clone(), events.clone());
            // Its own client: no timeout, a stream stays open until the server goes.
            let sse = reqwest::Client::new();
            streams.push(tokio::spawn(async move {
                follow(&sse, &url, &connected, &events).await
            }));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.kill_9()?;
    stop.store(true, Ordering::SeqCst);
    for worker in workers {
        worker.await??;
    }
    for stream in streams {
        // A stream ends when its connection is cut; give it a moment, then stop waiting.
        let _ = tokio::time::timeout(Duration::from_secs(5), stream).await;
    }
    Ok((
        connected.load(Ordering::SeqCst),
        events.load(Ordering::SeqCst),
    ))
}

async fn follow(http: &reqwest::Client, url: &str, connected: &AtomicUsize, events: &AtomicUsize) {
    let Ok(mut response) = http.get(url).send().await else {
        return;
    };
    if !response.status().is_success() {
        return;
    }
    connected.fetch_add(1, Ordering::SeqCst);
    while let Ok(Some(chunk)) = response.chunk().await {
        let text = String::from_utf8_lossy(&chunk);
        let count = text.matches("event: message").count();
        events.fetch_add(count, Ordering::SeqCst);
    }
}

enum Outcome {
    /// 2xx, with the JSON body.
    Ok(u16, Value),
    /// The connection failed or was cut: the server may or may not have written.
    Cut,
    /// Any other answer.
    Refused(u16, String),
}

async fn post(
    http: &reqwest::Client,
    url: &str,
    key: &str,
    token: Option<&str>,
    body: &Value,
) -> Outcome {
    let mut request = http.post(url).header("Idempotency-Key", key).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = match request.send().await {
        Ok(response) => response,
        Err(_) => return Outcome::Cut,
    };
    let status = response.status().as_u16();
    let Ok(text) = response.text().await else {
        return Outcome::Cut;
    };
    if (200..300).contains(&status) {
        match serde_json::from_str(&text) {
            Ok(value) => Outcome::Ok(status, value),
            Err(_) => Outcome::Refused(status, text),
        }
    } else {
        Outcome::Refused(status, text)
    }
}

/// One visitor: escalate, write a few messages, again, until stopped (or the bound).
async fn write_load(
    http: &reqwest::Client,
    base: &str,
    ledger: &Mutex<Ledger>,
    stop: &AtomicBool,
    round: usize,
    worker: usize,
) -> Result<()> {
    for n in 0..MAX_ESCALATIONS_PER_WORKER {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let key = format!("crash-{round}-{worker}-{n}");
        let message = format!("[{key}] my parcel has not arrived, order {n}");
        let body = json!({
            "site": "demo",
            "message": message,
            "contact": { "name": format!("Visitor {key}") },
            "transcript": [{ "role": "visitor", "text": "where is my parcel?" }],
        });
        let outcome = post(
            http,
            &format!("{base}/api/v1/escalations"),
            &key,
            None,
            &body,
        )
        .await;
        let mut escalation = Escalation {
            key: key.clone(),
            body,
            message,
            ticket: None,
            token: None,
            acknowledged: false,
        };
        match outcome {
            Outcome::Ok(_, value) => {
                escalation.ticket = value["ticket_id"].as_str().map(String::from);
                escalation.token = value["token"].as_str().map(String::from);
                escalation.acknowledged = true;
            }
            Outcome::Cut => {}
            Outcome::Refused(status, text) => {
                record_unexpected(ledger, stop, format!("escalation {key}: {status} {text}"))
            }
        }
        let (index, ticket, token) = {
            let mut ledger = ledger.lock().expect("ledger");
            ledger.escalations.push(escalation.clone());
            (
                ledger.escalations.len() - 1,
                escalation.ticket,
                escalation.token,
            )
        };
        let (Some(ticket), Some(token)) = (ticket, token) else {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        for m in 0..MESSAGES_PER_TICKET {
            if stop.load(Ordering::SeqCst) {
                break;
            }
            let message_key = format!("{key}-m{m}");
            let text = format!("[{message_key}] it was due on Monday ({m})");
            let url = format!("{base}/api/v1/tickets/{ticket}/messages");
            let outcome = post(
                http,
                &url,
                &message_key,
                Some(&token),
                &json!({ "text": text }),
            )
            .await;
            let acknowledged = match outcome {
                Outcome::Ok(..) => true,
                Outcome::Cut => false,
                Outcome::Refused(status, body) => {
                    record_unexpected(
                        ledger,
                        stop,
                        format!("message {message_key}: {status} {body}"),
                    );
                    false
                }
            };
            ledger
                .lock()
                .expect("ledger")
                .messages
                .push(VisitorMessage {
                    escalation: index,
                    key: message_key,
                    text,
                    acknowledged,
                });
        }
    }
    Ok(())
}

/// A refusal during the load is a finding, unless the kill has begun: a request racing the kill
/// may see a half-written answer.
fn record_unexpected(ledger: &Mutex<Ledger>, stop: &AtomicBool, what: String) {
    if !stop.load(Ordering::SeqCst) {
        ledger.lock().expect("ledger").unexpected.push(what);
    }
}

/// After a restart, every escalation and message is sent again with its key, as the widget's
/// outbox does with what it never saw answered (and may do with what it did). Returns how many
/// had been cut by the kill.
async fn retry_everything(
    server: &Server,
    http: &reqwest::Client,
    ledger: &Arc<Mutex<Ledger>>,
) -> Result<usize> {
    let (escalations, messages) = {
        let ledger = ledger.lock().expect("ledger");
        (ledger.escalations.clone(), ledger.messages.clone())
    };
    let mut cut = 0;
    let mut updated = escalations.clone();
    for (i, escalation) in escalations.iter().enumerate() {
        let url = server.url("/api/v1/escalations");
        match post(http, &url, &escalation.key, None, &escalation.body).await {
            Outcome::Ok(status, value) => {
                let ticket = value["ticket_id"].as_str().map(String::from);
                if escalation.acknowledged {
                    ensure!(
                        status == 200 && ticket == escalation.ticket,
                        "a retry of acknowledged escalation {} answered {status} with {value} \
                         instead of 200 with {:?}",
                        escalation.key,
                        escalation.ticket
                    );
                } else {
                    cut += 1;
                    if let Some(known) = &escalation.ticket {
                        ensure!(ticket.as_ref() == Some(known), "ticket changed on retry");
                    }
                }
                updated[i].ticket = ticket;
                if let Some(token) = value["token"].as_str() {
                    updated[i].token = Some(token.to_owned());
                }
            }
            Outcome::Cut => bail!("the restarted server cut a retry of {}", escalation.key),
            Outcome::Refused(status, text) => {
                bail!("a retry of {} was refused: {status} {text}", escalation.key)
            }
        }
    }
    for message in &messages {
        let escalation = &updated[message.escalation];
        let (Some(ticket), Some(token)) = (&escalation.ticket, &escalation.token) else {
            bail!(
                "escalation {} has no ticket after its retry",
                escalation.key
            );
        };
        let url = server.url(&format!("/api/v1/tickets/{ticket}/messages"));
        let body = json!({ "text": message.text });
        match post(http, &url, &message.key, Some(token), &body).await {
            Outcome::Ok(status, _) => {
                if message.acknowledged {
                    ensure!(
                        status == 200,
                        "a retry of acknowledged message {} answered {status}, not 200",
                        message.key
                    );
                } else {
                    cut += 1;
                }
            }
            Outcome::Cut => bail!("the restarted server cut a retry of {}", message.key),
            Outcome::Refused(status, text) => {
                bail!("a retry of {} was refused: {status} {text}", message.key)
            }
        }
    }
    // Messages not yet written because the kill stopped their visitor count as never sent.
    ledger.lock().expect("ledger").escalations = updated;
    Ok(cut)
}

/// Reads every ticket back: each escalation once, with its message and each of its messages
/// exactly once.
async fn verify(
    server: &Server,
    http: &reqwest::Client,
    ledger: &Ledger,
    figures: &mut Figures,
) -> Result<()> {
    let mut wanted: HashMap<usize, Vec<&VisitorMessage>> = HashMap::new();
    for message in &ledger.messages {
        wanted.entry(message.escalation).or_default().push(message);
    }
    let mut problems = Vec::new();
    for (i, escalation) in ledger.escalations.iter().enumerate() {
        let (Some(ticket), Some(token)) = (&escalation.ticket, &escalation.token) else {
            bail!("escalation {} has no ticket", escalation.key);
        };
        let response = http
            .get(server.url(&format!("/api/v1/tickets/{ticket}/messages")))
            .bearer_auth(token)
            .send()
            .await?;
        if !response.status().is_success() {
            if escalation.acknowledged {
                figures.lost += 1;
            }
            problems.push(format!("{ticket}: {}", response.status()));
            continue;
        }
        let body: Value = response.json().await?;
        let texts: Vec<&str> = body["messages"]
            .as_array()
            .context("a message list")?
            .iter()
            .filter_map(|m| m["body_text"].as_str())
            .collect();
        let count = |text: &str| texts.iter().filter(|t| **t == text).count();
        let mut expected = vec![(escalation.message.as_str(), escalation.acknowledged)];
        for message in wanted.get(&i).into_iter().flatten() {
            expected.push((message.text.as_str(), message.acknowledged));
        }
        for (text, acknowledged) in expected {
            match count(text) {
                1 => {
                    if acknowledged {
                        figures.found += 1;
                    }
                }
                0 => {
                    if acknowledged {
                        figures.lost += 1;
                    }
                    problems.push(format!("{ticket}: missing {text:?}"));
                }
                n => {
                    figures.duplicated += n - 1;
                    problems.push(format!("{ticket}: {n} copies of {text:?}"));
                }
            }
        }
    }
    // One ticket per escalation key: a retry must not have made a second. The desk lists at
    // most 1000 tickets at a time, so round by round (a round makes at most 600).
    let admin = server
        .sign_in_admin("crash.admin@example.com", "Crash Admin")
        .await?;
    let mut per_key: HashMap<String, usize> = HashMap::new();
    for round in 0..figures.rounds {
        let listed = admin
            .get(&format!("/api/v1/desk/tickets?limit=1000&q=crash-{round}-"))
            .await?;
        for ticket in listed["tickets"].as_array().context("a ticket list")? {
            let subject = ticket["subject"].as_str().unwrap_or_default();
            if let Some(key) = subject
                .strip_prefix('[')
                .and_then(|s| s.split_once(']'))
                .map(|(key, _)| key.to_string())
                .filter(|key| key.starts_with(&format!("crash-{round}-")))
            {
                *per_key.entry(key).or_default() += 1;
            }
        }
    }
    for (key, n) in &per_key {
        if *n > 1 {
            figures.duplicated += n - 1;
            problems.push(format!("{n} tickets for escalation {key}"));
        }
    }
    ensure!(
        per_key.len() == ledger.escalations.len(),
        "{} escalations were sent, {} tickets carry their keys",
        ledger.escalations.len(),
        per_key.len()
    );
    if !problems.is_empty() {
        println!("problems found:\n  {}", problems.join("\n  "));
    }
    Ok(())
}
