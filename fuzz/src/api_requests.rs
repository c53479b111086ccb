//! Request bodies, paths and headers through the real server: the `answerdesk` router on a SQLite
//! database, on loopback, with a visitor's ticket and a signed-in admin made at start. Whatever
//! a client sends, the answer is a response below 500 (a problem+json 4xx for bad input), and the
//! server keeps answering.
//!
//! Input: byte 0 picks the route, byte 1 the credentials, content type and optional headers, the
//! rest is the body (or, for the `{fuzz}` routes, a path segment or query string).

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::sync::OnceLock;
use std::time::Duration;

/// Methods and paths; `{ticket}` is the ticket made at start, `{fuzz}` takes the input as text.
/// Left out: `POST /session` and creating agents (each an Argon2 hash: the fuzzer would mostly
/// wait) and the event streams (they never end).
const ROUTES: [(&str, &str); 26] = [
    ("POST", "/api/v1/escalations"),
    ("GET", "/api/v1/tickets/{ticket}"),
    ("GET", "/api/v1/tickets/{ticket}/messages?after=0"),
    ("POST", "/api/v1/tickets/{ticket}/messages"),
    ("POST", "/api/v1/tickets/{ticket}/rating"),
    ("POST", "/api/v1/feedback"),
    ("GET", "/api/v1/session"),
    ("GET", "/api/v1/desk/tickets"),
    ("GET", "/api/v1/desk/tickets/{ticket}"),
    ("PATCH", "/api/v1/desk/tickets/{ticket}"),
    ("POST", "/api/v1/desk/tickets/{ticket}/messages"),
    ("POST", "/api/v1/desk/tickets/{ticket}/claim"),
    ("POST", "/api/v1/desk/tickets/{ticket}/assign"),
    ("POST", "/api/v1/desk/tickets/{ticket}/transfer"),
    ("POST", "/api/v1/desk/tickets/{ticket}/merge"),
    ("PATCH", "/api/v1/desk/me"),
    ("POST", "/api/v1/desk/canned-responses"),
    ("PUT", "/api/v1/desk/canned-responses/1"),
    ("PATCH", "/api/v1/desk/contacts/1"),
    ("POST", "/api/v1/admin/groups"),
    ("POST", "/api/v1/admin/sites"),
    ("PUT", "/api/v1/admin/config"),
    ("GET", "/api/v1/tickets/{fuzz}/messages"),
    ("GET", "/api/v1/desk/tickets?{fuzz}"),
    ("GET", "/api/v1/desk/contacts?{fuzz}"),
    ("GET", "/api/v1/admin/feedback?{fuzz}"),
];

const CONTENT_TYPES: [Option<&str>; 4] = [
    Some("application/json"),
    None,
    Some("text/plain"),
    Some("application/json; charset=utf-8"),
];

struct Fixture {
    addr: SocketAddr,
    ticket: String,
    token: String,
    cookie: String,
    csrf: String,
    // Kept alive for the process: the database file and the runtime serving it.
    _dir: tempfile::TempDir,
    _runtime: tokio::runtime::Runtime,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(start)
}

fn start() -> Fixture {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let snapshot = dir.path().join("kb.snapshot");
    std::fs::write(&snapshot, crate::snapshot_bytes()).expect("write the snapshot");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let config = server::Config {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        database_url: format!("sqlite://{}?mode=rwc", dir.path().join("fuzz.db").display()),
        snapshot: Some(snapshot),
        rate_limit: false,
        ..server::Config::default()
    };
    let server = runtime
        .block_on(server::Server::bind(config))
        .expect("the server starts");
    let addr = server.local_addr();
    let admin = server.first_admin().cloned().expect("a first admin");
    runtime.spawn(server.serve(std::future::pending()));

    let (status, body, _) = send(
        addr,
        "POST",
        "/api/v1/escalations",
        &[("Content-Type", "application/json")],
        br#"{"site":"demo","message":"my parcel is late","contact":{"name":"Fuzz","email":"fuzz@example.com"}}"#,
    );
    assert_eq!(status, 201, "the fixture's escalation: {body}");
    let created: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let login = serde_json::json!({ "email": admin.email, "password": admin.password });
    let (status, body, head) = send(
        addr,
        "POST",
        "/api/v1/session",
        &[("Content-Type", "application/json")],
        login.to_string().as_bytes(),
    );
    assert_eq!(status, 200, "the fixture's admin login: {body}");
    let cookie = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(name, _)| name.eq_ignore_ascii_case("set-cookie"))
        .find_map(|(_, v)| v.trim().split(';').next().map(str::to_owned))
        .expect("a session cookie");
    let session: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    Fixture {
        addr,
        ticket: created["ticket_id"].as_str().expect("ticket_id").to_owned(),
        token: created["token"].as_str().expect("token").to_owned(),
        cookie,
        csrf: session["csrf_token"]
            .as_str()
            .expect("csrf_token")
            .to_owned(),
        _dir: dir,
        _runtime: runtime,
    }
}

pub fn check(data: &[u8]) {
    let [route, flags, body @ ..] = data else {
        return;
    };
    let fixture = fixture();
    let (method, template) = ROUTES[usize::from(*route) % ROUTES.len()];
    let mut path = template.replace("{ticket}", &fixture.ticket);
    let mut body = body;
    if path.contains("{fuzz}") {
        let in_query = path.contains("?{fuzz}");
        path = path.replace("{fuzz}", &encode(body, in_query));
        body = &[];
    }
    let mut headers: Vec<(&str, String)> = Vec::new();
    match flags & 0b11 {
        1 => headers.push(("Authorization", format!("Bearer {}", fixture.token))),
        2 => {
            headers.push(("Cookie", fixture.cookie.clone()));
            headers.push(("X-CSRF-Token", fixture.csrf.clone()));
        }
        3 => headers.push(("Cookie", fixture.cookie.clone())),
        _ => {}
    }
    if let Some(content_type) = CONTENT_TYPES[usize::from((flags >> 2) & 0b11)] {
        headers.push(("Content-Type", content_type.to_owned()));
    }
    if flags & 0b1_0000 != 0 {
        headers.push(("Idempotency-Key", format!("fuzz-{}", flags >> 5)));
    }
    if flags & 0b10_0000 != 0 {
        headers.push(("Origin", "https://elsewhere.example".to_owned()));
    }
    let borrowed: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, answer, _) = send(fixture.addr, method, &path, &borrowed, body);
    assert!(
        (200..500).contains(&status),
        "{method} {path} with {headers:?} and body {:?} was answered {status}: {answer}",
        String::from_utf8_lossy(body)
    );
}

/// `bytes` percent-encoded for a path segment, or for a query string (where `=` and `&` stay).
fn encode(bytes: &[u8], query: bool) -> String {
    let mut out = String::new();
    for &b in bytes {
        let keep =
            b.is_ascii_alphanumeric() || b"-._~".contains(&b) || (query && b"=&+,:".contains(&b));
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One HTTP/1.1 request on a fresh connection: status, body and the raw head of the response.
/// A connection closed without a status line (a handler that panicked) counts as status 0.
fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String, String) {
    let mut stream = TcpStream::connect(addr).expect("connect to the server");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("a read timeout");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    let mut bytes = request.into_bytes();
    bytes.extend_from_slice(body);
    // The server may answer (413, 4xx) and close before reading the whole body.
    let _ = stream.write_all(&bytes);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    (status, body.to_owned(), head.to_owned())
}
