//! The authorization table: every operation of the OpenAPI document (read from the server's own
//! `/api/openapi.json`) × every kind of caller, each with the status it must get, over real HTTP
//! on SQLite.
//!
//! The table is [`ROWS`]: one row per operation, one expected status per [`Role`] (in
//! [`ROLES`] order). The test fails when an operation of the document has no row (a new route
//! must say who may call it) and when a row names an operation the document no longer has.
//! With `ANSWERDESK_AUTHZ_REPORT=path`, it also writes the table as Markdown (operation × role →
//! status, mismatches marked) for `docs/RELIABILITY.md`.
//!
//! Adding a route: add a [`Row`] with its method, path (as the document spells it), how to
//! [`Prep`]are the request (which ticket, contact, group… it targets, and its body) and the eight
//! statuses. Each call that changes something gets a target of its own ([`Prep::FreshTicket`],
//! [`Prep::FreshGroup`], …), so the table's order does not matter.

mod common;
mod desk_support;

use std::collections::BTreeSet;
use std::fmt::Write as _;

use common::{send, Escalation, TestServer};
use desk_support::{json_of, Agent};
use reqwest::Method;
use serde_json::{json, Value};

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A visitor with the token of the ticket the operation targets.
    OwnToken,
    /// No cookie, no token.
    Anonymous,
    /// A visitor holding the token of another ticket.
    OtherToken,
    /// An agent signed in, member of another group than the targeted ticket's.
    OtherGroupAgent,
    /// An agent signed in, member of the targeted ticket's group (`general`).
    Agent,
    Admin,
    /// An agent whose account an admin disabled after they signed in.
    DisabledAgent,
    /// An agent whose session expired.
    ExpiredSession,
}

const ROLES: [Role; 8] = [
    Role::OwnToken,
    Role::Anonymous,
    Role::OtherToken,
    Role::OtherGroupAgent,
    Role::Agent,
    Role::Admin,
    Role::DisabledAgent,
    Role::ExpiredSession,
];

impl Role {
    fn label(self) -> &'static str {
        match self {
            Role::OwnToken => "ticket's token",
            Role::Anonymous => "anonymous",
            Role::OtherToken => "another ticket's token",
            Role::OtherGroupAgent => "agent of another group",
            Role::Agent => "agent",
            Role::Admin => "admin",
            Role::DisabledAgent => "disabled agent",
            Role::ExpiredSession => "expired session",
        }
    }
}

/// What a row's request targets and sends.
#[derive(Clone, Copy)]
enum Prep {
    /// No path parameter, no body.
    Nothing,
    /// No path parameter; this body.
    Body(fn() -> Value),
    /// No path parameter; a body made unique per call (creating agents, groups, sites…).
    UniqueBody(fn(&str) -> Value),
    /// The shared ticket (in `general`, with a contact); this body, if any.
    Ticket(Option<fn() -> Value>),
    /// A new ticket in `general` per call; this body, if any.
    FreshTicket(Option<fn() -> Value>),
    /// A new ticket per call, merged into another new one of the same (verified) contact.
    Merge,
    /// The shared ticket's contact; this body, if any.
    Contact(Option<fn() -> Value>),
    /// A new canned response of `general` per call; this body, if any.
    FreshCanned(Option<fn() -> Value>),
    /// The agent admins edit (not one of the callers); this body.
    TargetAgent(fn() -> Value),
    /// The group admins rename; this body.
    TargetGroup(fn() -> Value),
    /// A new group per call (deleting).
    FreshGroup,
    /// The site admins edit; this body, if any.
    TargetSite(Option<fn() -> Value>),
    /// A new knowledge-base entry of the demo site per call; this body, if any.
    FreshKbEntry(Option<fn() -> Value>),
    /// No path parameter, no body; this query string.
    Query(&'static str),
    /// No path parameter, no body, and the caller's session is a fresh one (signing out).
    FreshSession,
}

/// One operation and the status each role gets.
struct Row {
    method: &'static str,
    path: &'static str,
    prep: Prep,
    /// In [`ROLES`] order: own token, anonymous, another token, other group's agent, agent,
    /// admin, disabled agent, expired session.
    expect: [u16; 8],
}

const fn row(method: &'static str, path: &'static str, prep: Prep, expect: [u16; 8]) -> Row {
    Row {
        method,
        path,
        prep,
        expect,
    }
}

// Statuses every desk operation gives callers without a valid session.
//               own  anon  other-token
const NO_SESSION: [u16; 3] = [401, 401, 401];

/// A desk operation: `[other group's agent, agent, admin]`, and 401 for everyone else.
const fn desk(other_group: u16, agent: u16, admin: u16) -> [u16; 8] {
    [
        NO_SESSION[0],
        NO_SESSION[1],
        NO_SESSION[2],
        other_group,
        agent,
        admin,
        401,
        401,
    ]
}

/// An admin operation: `admin` for admins, 403 for other agents, 401 without a session.
const fn admin_only(admin: u16) -> [u16; 8] {
    desk(403, 403, admin)
}

/// A visitor operation on a ticket: `own` with its token, 404 with another's, 401 otherwise.
const fn visitor(own: u16) -> [u16; 8] {
    [own, 401, 404, 401, 401, 401, 401, 401]
}

/// Everyone gets `status`.
const fn public(status: u16) -> [u16; 8] {
    [status; 8]
}

#[rustfmt::skip]
const ROWS: &[Row] = &[
    // Visitors (the widget).
    row("POST", "/api/v1/escalations", Prep::UniqueBody(|n| json!({ "site": "demo", "message": format!("question {n}") })), public(201)),
    row("GET", "/api/v1/tickets/{id}", Prep::Ticket(None), visitor(200)),
    row("GET", "/api/v1/tickets/{id}/messages", Prep::Ticket(None), visitor(200)),
    row("POST", "/api/v1/tickets/{id}/messages", Prep::Ticket(Some(|| json!({ "text": "any news?" }))), visitor(201)),
    row("GET", "/api/v1/tickets/{id}/events", Prep::Ticket(None), visitor(200)),
    row("POST", "/api/v1/tickets/{id}/rating", Prep::Ticket(Some(|| json!({ "score": 5 }))), visitor(201)),
    row("POST", "/api/v1/feedback", Prep::Body(|| json!({ "site": "demo", "entry_id": "authz-entry", "helpful": true })), public(204)),
    row("POST", "/api/v1/events", Prep::UniqueBody(|n| json!({ "batch_id": format!("authz-batch-{n}"), "site": "demo", "events": [{ "conversation": "authz-conversation", "at": 0, "type": "no_answer", "text": "what about gift cards" }] })), public(204)),
    // Signing in and out.
    row("GET", "/api/v1/session", Prep::Nothing, desk(200, 200, 200)),
    row("POST", "/api/v1/session", Prep::Body(|| json!({ "email": LOGIN_EMAIL, "password": LOGIN_PASSWORD })), public(200)),
    row("DELETE", "/api/v1/session", Prep::FreshSession, desk(204, 204, 204)),
    // A signed-in agent reaches the password check (403: the current password given is wrong,
    // so no caller's password changes under the rest of the table).
    row("POST", "/api/v1/session/password", Prep::Body(|| json!({ "current_password": "not the password", "new_password": "a long new password" })), desk(403, 403, 403)),
    // The desk.
    row("GET", "/api/v1/desk/tickets", Prep::Nothing, desk(200, 200, 200)),
    row("GET", "/api/v1/desk/tickets/{id}", Prep::Ticket(None), desk(404, 200, 200)),
    row("PATCH", "/api/v1/desk/tickets/{id}", Prep::FreshTicket(Some(|| json!({ "priority": "high" }))), desk(404, 200, 200)),
    row("POST", "/api/v1/desk/tickets/{id}/messages", Prep::FreshTicket(Some(|| json!({ "body": "We are on it." }))), desk(404, 201, 201)),
    row("POST", "/api/v1/desk/tickets/{id}/claim", Prep::FreshTicket(None), desk(404, 200, 200)),
    row("POST", "/api/v1/desk/tickets/{id}/assign", Prep::FreshTicket(Some(|| json!({ "agent": AGENT_EMAIL }))), desk(404, 200, 200)),
    row("POST", "/api/v1/desk/tickets/{id}/transfer", Prep::FreshTicket(Some(|| json!({ "group": "elsewhere", "note": "theirs" }))), desk(404, 200, 200)),
    row("POST", "/api/v1/desk/tickets/{id}/merge", Prep::Merge, desk(404, 200, 200)),
    row("GET", "/api/v1/desk/events", Prep::Nothing, desk(200, 200, 200)),
    row("GET", "/api/v1/desk/me", Prep::Nothing, desk(200, 200, 200)),
    row("PATCH", "/api/v1/desk/me", Prep::Body(|| json!({ "available": true })), desk(200, 200, 200)),
    row("GET", "/api/v1/desk/groups", Prep::Nothing, desk(200, 200, 200)),
    row("GET", "/api/v1/desk/canned-responses", Prep::Nothing, desk(200, 200, 200)),
    row("POST", "/api/v1/desk/canned-responses", Prep::UniqueBody(|n| json!({ "shortcut": format!("c{n}"), "title": "T", "body": "B", "group": "general" })), desk(403, 201, 201)),
    row("PUT", "/api/v1/desk/canned-responses/{id}", Prep::FreshCanned(Some(|| json!({ "shortcut": "edited", "title": "T", "body": "B2", "group": "general" }))), desk(403, 200, 200)),
    row("DELETE", "/api/v1/desk/canned-responses/{id}", Prep::FreshCanned(None), desk(403, 204, 204)),
    row("GET", "/api/v1/desk/contacts", Prep::Nothing, desk(200, 200, 200)),
    row("GET", "/api/v1/desk/contacts/{id}", Prep::Contact(None), desk(200, 200, 200)),
    row("PATCH", "/api/v1/desk/contacts/{id}", Prep::Contact(Some(|| json!({ "tags": ["vip"] }))), desk(200, 200, 200)),
    // Administration.
    row("GET", "/api/v1/admin/agents", Prep::Nothing, admin_only(200)),
    row("POST", "/api/v1/admin/agents", Prep::UniqueBody(|n| json!({ "email": format!("new{n}@example.com"), "name": "New" })), admin_only(201)),
    row("PUT", "/api/v1/admin/agents/{id}", Prep::TargetAgent(|| json!({ "name": "Target" })), admin_only(200)),
    row("POST", "/api/v1/admin/agents/{id}/password", Prep::TargetAgent(|| json!({})), admin_only(200)),
    row("POST", "/api/v1/admin/groups", Prep::UniqueBody(|n| json!({ "id": format!("g{n}"), "name": "G" })), admin_only(201)),
    row("PUT", "/api/v1/admin/groups/{id}", Prep::TargetGroup(|| json!({ "name": "Renamed" })), admin_only(200)),
    row("DELETE", "/api/v1/admin/groups/{id}", Prep::FreshGroup, admin_only(204)),
    row("GET", "/api/v1/admin/feedback", Prep::Nothing, admin_only(200)),
    row("GET", "/api/v1/admin/reports", Prep::Nothing, admin_only(200)),
    row("GET", "/api/v1/admin/reports/{file}", Prep::Nothing, admin_only(200)),
    // Unanswered questions: any signed-in agent; no group of that name, so marking is 404.
    row("GET", "/api/v1/admin/clusters", Prep::Query("site=demo"), desk(200, 200, 200)),
    row("POST", "/api/v1/admin/clusters/{id}/mark", Prep::Body(|| json!({ "site": "demo", "state": "dismissed" })), desk(404, 404, 404)),
    row("GET", "/api/v1/admin/sites", Prep::Nothing, admin_only(200)),
    row("POST", "/api/v1/admin/sites", Prep::UniqueBody(|n| json!({ "id": format!("s{n}"), "name": "S" })), admin_only(201)),
    row("PUT", "/api/v1/admin/sites/{id}", Prep::TargetSite(Some(|| json!({ "name": "Target site" }))), admin_only(200)),
    row("POST", "/api/v1/admin/sites/{id}/identity-secret", Prep::TargetSite(None), admin_only(201)),
    row("GET", "/api/v1/admin/config", Prep::Nothing, admin_only(200)),
    row("PUT", "/api/v1/admin/config", Prep::Body(|| json!({ "auto_assign": false })), admin_only(200)),
    // The knowledge base (`{site}` is the demo site).
    row("GET", "/api/v1/admin/kb/{site}/entries", Prep::Nothing, admin_only(200)),
    row("POST", "/api/v1/admin/kb/{site}/entries", Prep::UniqueBody(|n| json!({ "id": format!("kb{n}"), "question": format!("Question {n}?"), "answer": "An answer." })), admin_only(201)),
    row("GET", "/api/v1/admin/kb/{site}/entries/{id}", Prep::FreshKbEntry(None), admin_only(200)),
    row("PUT", "/api/v1/admin/kb/{site}/entries/{id}", Prep::FreshKbEntry(Some(|| json!({ "question": "Edited?", "answer": "Edited." }))), admin_only(200)),
    row("DELETE", "/api/v1/admin/kb/{site}/entries/{id}", Prep::FreshKbEntry(None), admin_only(204)),
    row("POST", "/api/v1/admin/kb/preview", Prep::Body(|| json!({ "markdown": "**hi**" })), admin_only(200)),
    row("POST", "/api/v1/admin/kb/{site}/lint", Prep::Body(|| json!({ "draft": { "id": "x", "question": "Q?", "answer": "A." } })), admin_only(200)),
    row("POST", "/api/v1/admin/kb/{site}/publish", Prep::Nothing, admin_only(202)),
    row("GET", "/api/v1/admin/kb/{site}/publish", Prep::Nothing, admin_only(200)),
    row("GET", "/api/v1/admin/kb/{site}/versions", Prep::Nothing, admin_only(200)),
    // No version is kept yet: the admin gets past the checks to a 404.
    row("POST", "/api/v1/admin/kb/{site}/versions/{version}/rollback", Prep::Nothing, admin_only(404)),
    // Operations and public files.
    row("GET", "/healthz", Prep::Nothing, public(200)),
    row("GET", "/readyz", Prep::Nothing, public(200)),
    // Only with the metrics token (none of these callers has it).
    row("GET", "/metrics", Prep::Nothing, public(403)),
    row("GET", "/kb.snapshot", Prep::Nothing, public(200)),
    row("GET", "/api/openapi.json", Prep::Nothing, public(200)),
];

const AGENT_EMAIL: &str = "ann@example.com";
/// An agent nobody else uses, whom the login row signs in.
const LOGIN_EMAIL: &str = "login@example.com";
/// Set by the fixture through the admin API (agents get a generated password; see
/// [`Fixture::start`]).
const LOGIN_PASSWORD: &str = "unused";

/// A caller's credentials.
#[derive(Clone, Default)]
struct Credentials {
    token: Option<String>,
    cookie: Option<String>,
    csrf: Option<String>,
}

/// The server, the callers and the shared targets.
struct Fixture {
    server: TestServer,
    admin: Agent,
    callers: Vec<Credentials>,
    /// Emails and passwords of the callers with sessions, to sign them in afresh.
    logins: Vec<Option<(String, String)>>,
    ticket: String,
    contact: i64,
    target_agent: i64,
    login_password: String,
    /// The demo site's identity secret, to sign visitors in.
    identity_secret: String,
    counter: std::sync::atomic::AtomicUsize,
}

fn session_of(agent: &Agent) -> Credentials {
    Credentials {
        token: None,
        cookie: Some(agent.cookie().to_owned()),
        csrf: Some(agent.csrf.clone()),
    }
}

impl Fixture {
    async fn start(db: &str, dir: &tempfile::TempDir) -> Fixture {
        let config = server::Config {
            rate_limit: false,
            ..common::config(db)
        };
        let server =
            TestServer::start_with(common::with_snapshot(config, dir, &["authz-entry"])).await;
        let admin = Agent::admin(&server).await;
        admin.create_group(&server, "elsewhere", "Elsewhere").await;
        let mut passwords = Vec::new();
        for (email, group) in [
            (AGENT_EMAIL, "general"),
            ("olga@example.com", "elsewhere"),
            ("dora@example.com", "general"),
            ("eve@example.com", "general"),
            ("target@example.com", "general"),
            (LOGIN_EMAIL, "general"),
        ] {
            let created = admin
                .create_agent(
                    &server,
                    json!({ "email": email, "name": email, "groups": [group] }),
                )
                .await;
            passwords.push((
                email.to_owned(),
                created["password"].as_str().unwrap().to_owned(),
            ));
        }
        let login = |i: usize| Agent::login(&server, &passwords[i].0, &passwords[i].1);
        let agent = login(0).await;
        let other_group = login(1).await;
        let disabled = login(2).await;
        let expired = login(3).await;
        admin
            .update_agent(&server, disabled.id, json!({ "disabled": true }))
            .await;
        let pool = common::database(db).await;
        sqlx::query("UPDATE sessions SET expires_at = 1 WHERE agent_id = $1")
            .bind(expired.id)
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;

        let identity_secret = admin.identity_secret(&server, "demo").await;
        let (ticket, token) = Escalation::new("the shared ticket")
            .with(
                "contact",
                json!({ "name": "Vi", "email": "vi@example.com" }),
            )
            .create(&server)
            .await;
        let (_, other_token) = server.escalate("another ticket").await;
        let detail = admin.ticket(&server, &ticket).await;
        let contact = detail["contact"]["id"]
            .as_i64()
            .expect("the ticket's contact");
        let target_agent = json_of(admin.get(&server, "/api/v1/admin/agents")).await["agents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["email"] == "target@example.com")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        admin.create_group(&server, "target", "Target").await;
        json_of(admin.post(
            &server,
            "/api/v1/admin/sites",
            json!({ "id": "target-site", "name": "Target site" }),
        ))
        .await;

        let callers = ROLES
            .iter()
            .map(|role| match role {
                Role::OwnToken => Credentials {
                    token: Some(token.clone()),
                    ..Credentials::default()
                },
                Role::Anonymous => Credentials::default(),
                Role::OtherToken => Credentials {
                    token: Some(other_token.clone()),
                    ..Credentials::default()
                },
                Role::OtherGroupAgent => session_of(&other_group),
                Role::Agent => session_of(&agent),
                Role::Admin => session_of(&admin),
                Role::DisabledAgent => session_of(&disabled),
                Role::ExpiredSession => session_of(&expired),
            })
            .collect();
        let first_admin = server.first_admin.clone().unwrap();
        let logins = ROLES
            .iter()
            .map(|role| match role {
                Role::OtherGroupAgent => Some((passwords[1].0.clone(), passwords[1].1.clone())),
                Role::Agent => Some((passwords[0].0.clone(), passwords[0].1.clone())),
                Role::Admin => Some((first_admin.email.clone(), first_admin.password.clone())),
                _ => None,
            })
            .collect();
        Fixture {
            login_password: passwords[5].1.clone(),
            identity_secret,
            server,
            admin,
            callers,
            logins,
            ticket,
            contact,
            target_agent,
            counter: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    fn unique(&self) -> String {
        let n = self
            .counter
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("{n}")
    }

    async fn fresh_ticket(&self) -> String {
        self.server
            .escalate(&format!("fresh {}", self.unique()))
            .await
            .0
    }

    /// The path and body of `row`'s request.
    async fn prepare(&self, row: &Row) -> (String, Option<Value>) {
        let with_id = |id: &str| row.path.replace("{id}", id);
        let body = |f: Option<fn() -> Value>| f.map(|f| f());
        match row.prep {
            Prep::Nothing | Prep::FreshSession => (row.path.to_owned(), None),
            Prep::Query(query) => (format!("{}?{query}", row.path), None),
            Prep::Body(f) => {
                let mut value = f();
                if row.path == "/api/v1/session" {
                    value["password"] = json!(self.login_password);
                }
                (row.path.to_owned(), Some(value))
            }
            Prep::UniqueBody(f) => (row.path.to_owned(), Some(f(&self.unique()))),
            Prep::Ticket(f) => (with_id(&self.ticket), body(f)),
            Prep::FreshTicket(f) => (with_id(&self.fresh_ticket().await), body(f)),
            Prep::Merge => {
                // Only tickets of one contact merge: the same verified visitor twice.
                let visitor = format!("merge-{}", self.unique());
                let mut ids = Vec::new();
                for n in 0..2 {
                    let message = format!("{visitor} asks, {n}");
                    let claims = json!({ "sub": visitor });
                    let (id, _) =
                        desk_support::signed_escalation(&message, &self.identity_secret, claims)
                            .create(&self.server)
                            .await;
                    ids.push(id);
                }
                (with_id(&ids[0]), Some(json!({ "into": ids[1] })))
            }
            Prep::Contact(f) => (with_id(&self.contact.to_string()), body(f)),
            Prep::FreshCanned(f) => {
                let created = json_of(self.admin.post(
                    &self.server,
                    "/api/v1/desk/canned-responses",
                    json!({ "shortcut": format!("fresh{}", self.unique()), "title": "T",
                            "body": "B", "group": "general" }),
                ))
                .await;
                let id = created["id"].as_i64().unwrap().to_string();
                let mut value = body(f);
                if let Some(value) = value.as_mut() {
                    value["shortcut"] = json!(format!("edited{}", self.unique()));
                }
                (with_id(&id), value)
            }
            Prep::TargetAgent(f) => (with_id(&self.target_agent.to_string()), Some(f())),
            Prep::TargetGroup(f) => (with_id("target"), Some(f())),
            Prep::FreshGroup => {
                let id = format!("gone{}", self.unique());
                self.admin.create_group(&self.server, &id, "Gone").await;
                (with_id(&id), None)
            }
            Prep::TargetSite(f) => (with_id("target-site"), body(f)),
            Prep::FreshKbEntry(f) => {
                let id = format!("fresh{}", self.unique());
                let created = send(self.admin.post(
                    &self.server,
                    "/api/v1/admin/kb/demo/entries",
                    json!({ "id": id, "question": format!("Fresh {id}?"), "answer": "Fresh." }),
                ))
                .await;
                assert_eq!(created.status(), 201);
                let value = body(f).map(|mut v| {
                    v["id"] = json!(id);
                    v
                });
                (with_id(&id), value)
            }
        }
    }

    /// `role`'s credentials for `row`: a fresh session when the row ends the one it uses.
    async fn credentials(&self, row: &Row, index: usize) -> Credentials {
        match (&row.prep, &self.logins[index]) {
            (Prep::FreshSession, Some((email, password))) => {
                session_of(&Agent::login(&self.server, email, password).await)
            }
            _ => self.callers[index].clone(),
        }
    }

    /// The status `row`'s request gets from the caller at `index` of [`ROLES`].
    async fn call(&self, row: &Row, index: usize) -> u16 {
        let (path, body) = self.prepare(row).await;
        let path = path
            .replace("{site}", "demo")
            .replace("{version}", "999999")
            .replace("{file}", "conversations.csv")
            .replace("{id}", "999999");
        let credentials = self.credentials(row, index).await;
        let method = Method::from_bytes(row.method.as_bytes()).unwrap();
        let mut request = self.server.request(method, &path);
        if let Some(token) = &credentials.token {
            request = request.bearer_auth(token);
        }
        if let Some(cookie) = &credentials.cookie {
            request = request.header("cookie", cookie);
        }
        if let Some(csrf) = &credentials.csrf {
            request = request.header("x-csrf-token", csrf);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = send(request).await;
        // Dropped at once: event streams would otherwise stay open.
        response.status().as_u16()
    }
}

/// `(METHOD, path)` of every operation the OpenAPI document describes.
async fn documented_operations(server: &TestServer) -> BTreeSet<(String, String)> {
    let doc = common::openapi(server).await;
    let mut operations = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "put", "post", "delete", "patch", "head", "options"]
                .contains(&method.as_str())
            {
                operations.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    operations
}

/// The table as Markdown: each cell the status the role got, marked when it is not the one the
/// table expects.
fn markdown(results: &[(&Row, [u16; 8])]) -> String {
    let mut out = String::from("| operation |");
    for role in ROLES {
        let _ = write!(out, " {} |", role.label());
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(ROLES.len()));
    out.push('\n');
    for (row, actual) in results {
        let _ = write!(out, "| `{} {}` |", row.method, row.path);
        for (expected, got) in row.expect.iter().zip(actual) {
            if expected == got {
                let _ = write!(out, " {got} |");
            } else {
                let _ = write!(out, " **{got}** (expected {expected}) |");
            }
        }
        out.push('\n');
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_answers_every_role_as_the_table_says() {
    common::on_sqlite(|db| async move {
        let dir = tempfile::tempdir().unwrap();
        let fixture = Fixture::start(&db, &dir).await;

        let documented = documented_operations(&fixture.server).await;
        let tabled: BTreeSet<(String, String)> = ROWS
            .iter()
            .map(|row| (row.method.to_owned(), row.path.to_owned()))
            .collect();
        assert_eq!(tabled.len(), ROWS.len(), "an operation has two rows");
        let missing: Vec<_> = documented.difference(&tabled).collect();
        let stale: Vec<_> = tabled.difference(&documented).collect();

        let mut results = Vec::new();
        let mut mismatches = Vec::new();
        for row in ROWS {
            let mut actual = [0u16; 8];
            for (index, role) in ROLES.iter().enumerate() {
                actual[index] = fixture.call(row, index).await;
                if actual[index] != row.expect[index] {
                    mismatches.push(format!(
                        "{} {} as {}: {} (expected {})",
                        row.method,
                        row.path,
                        role.label(),
                        actual[index],
                        row.expect[index]
                    ));
                }
            }
            results.push((row, actual));
        }
        if let Ok(path) = std::env::var("ANSWERDESK_AUTHZ_REPORT") {
            std::fs::write(&path, markdown(&results))
                .unwrap_or_else(|e| panic!("cannot write {path}: {e}"));
        }
        // Still serving after all of it.
        let health = send(fixture.server.get("/healthz")).await;
        assert_eq!(health.status(), 200);
        fixture.server.stop().await;

        assert!(
            missing.is_empty(),
            "operations in the OpenAPI document without a row in the authorization table: \
             {missing:?}"
        );
        assert!(
            stale.is_empty(),
            "rows for operations the OpenAPI document no longer has: {stale:?}"
        );
        assert!(
            mismatches.is_empty(),
            "{} statuses differ from the table:\n{}",
            mismatches.len(),
            mismatches.join("\n")
        );
    })
    .await
}
