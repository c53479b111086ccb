//! Rate limits on the public endpoints and on sign-in, on SQLite and on PostgreSQL.

mod common;

use std::time::Duration;

use common::{expect_problem, send, Escalation, TestServer};
use reqwest::Method;
use serde_json::json;
use server::{Backoff, Config, LoginLimits, Quota, RateLimits};

on_both_databases! {
    per_ip_limit_answers_429_with_retry_after => sqlite_per_ip_limit_answers_429_with_retry_after, postgres_per_ip_limit_answers_429_with_retry_after;
    per_site_limit_counts_escalations => sqlite_per_site_limit_counts_escalations, postgres_per_site_limit_counts_escalations;
    limits_off_lets_everything_through => sqlite_limits_off_lets_everything_through, postgres_limits_off_lets_everything_through;
    failed_logins_lock_the_account_with_backoff => sqlite_failed_logins_lock_the_account_with_backoff, postgres_failed_logins_lock_the_account_with_backoff;
    failed_logins_lock_the_address_behind_a_trusted_proxy => sqlite_failed_logins_lock_the_address_behind_a_trusted_proxy, postgres_failed_logins_lock_the_address_behind_a_trusted_proxy;
    a_known_browser_gets_past_a_locked_account => sqlite_a_known_browser_gets_past_a_locked_account, postgres_a_known_browser_gets_past_a_locked_account;
    password_hashing_is_bounded => sqlite_password_hashing_is_bounded, postgres_password_hashing_is_bounded;
    visitor_limits_key_on_the_forwarded_client_behind_a_trusted_proxy => sqlite_visitor_limits_key_on_the_forwarded_client_behind_a_trusted_proxy, postgres_visitor_limits_key_on_the_forwarded_client_behind_a_trusted_proxy;
}

/// A quota that refills so slowly no test outlives it.
fn tight(burst: u32) -> Quota {
    Quota {
        burst,
        per_minute: 1,
    }
}

/// Tight quotas (see [`tight`]) with these bursts, per address and per site; the defaults
/// where none is given.
fn limits(per_ip: Option<u32>, per_site: Option<u32>) -> RateLimits {
    let default = RateLimits::default();
    RateLimits {
        per_ip: per_ip.map_or(default.per_ip, tight),
        per_site_escalations: per_site.map_or(default.per_site_escalations, tight),
    }
}

async fn start(database_url: &str, rate_limit: bool, limits: RateLimits) -> TestServer {
    TestServer::start_with(Config {
        rate_limit,
        rate_limits: limits,
        ..common::config(database_url)
    })
    .await
}

async fn per_ip_limit_answers_429_with_retry_after(database_url: String) {
    let server = start(&database_url, true, limits(Some(3), None)).await;
    let (ticket, token) = server.escalate("my order never arrived").await;
    let read = || {
        server
            .visitor(Method::GET, &ticket, &token, "")
            .header("Origin", "http://localhost:8080")
            .send()
    };
    assert_eq!(read().await.unwrap().status(), 200);
    assert_eq!(read().await.unwrap().status(), 200);

    let limited = read().await.unwrap();
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "Retry-After {retry_after}");
    // The widget on another origin must be able to read the refusal.
    assert!(limited
        .headers()
        .contains_key("access-control-allow-origin"));
    let problem = expect_problem(limited, 429).await;
    assert_eq!(problem["type"], "/problems/rate-limited");

    // Every public endpoint shares the address's bucket, escalations included.
    let escalation = Escalation::new("hello?").send(&server).await;
    expect_problem(escalation, 429).await;

    // Agents' endpoints are not public and not limited per address.
    for _ in 0..5 {
        let session = send(server.get("/api/v1/session")).await;
        assert_ne!(session.status(), 429);
    }
    // Nor are the operations endpoints.
    let health = send(server.get("/healthz")).await;
    assert_eq!(health.status(), 200);
    server.stop().await;
}

async fn per_site_limit_counts_escalations(database_url: String) {
    let server = start(&database_url, true, limits(None, Some(2))).await;
    let escalate = |message: &'static str| Escalation::new(message).request(&server).send();
    assert_eq!(escalate("one").await.unwrap().status(), 201);
    assert_eq!(escalate("two").await.unwrap().status(), 201);
    let limited = escalate("three").await.unwrap();
    assert!(limited.headers().contains_key("retry-after"));
    let problem = expect_problem(limited, 429).await;
    assert!(problem["detail"].as_str().unwrap().contains("demo"));

    // An unknown site spends nothing and is told so, not limited.
    let unknown = Escalation::new("hi")
        .with("site", "nowhere")
        .send(&server)
        .await;
    expect_problem(unknown, 422).await;
    server.stop().await;
}

async fn limits_off_lets_everything_through(database_url: String) {
    let server = start(&database_url, false, limits(Some(1), Some(1))).await;
    for i in 0..5 {
        server.escalate(&format!("question {i}")).await;
    }
    server.stop().await;
}

/// `free` failures, then a lock of `lock` that does not grow (the tests wait it out).
fn backoff(free: u32, lock: Duration) -> Backoff {
    Backoff {
        free_failures: free,
        base: lock,
        max: lock,
        forget_after: Duration::from_secs(3600),
    }
}

/// Sign-in limits per address and per account, each `(free failures, lock in seconds)` (see
/// [`backoff`]); the rest as by default.
fn login_limits(per_ip: (u32, u64), per_account: (u32, u64)) -> LoginLimits {
    let backoff = |(free, lock): (u32, u64)| backoff(free, Duration::from_secs(lock));
    LoginLimits {
        per_ip: backoff(per_ip),
        per_account: backoff(per_account),
        ..LoginLimits::default()
    }
}

/// A server behind a "reverse proxy" on loopback: the tests choose the client address with
/// `X-Forwarded-For`.
async fn behind_proxy(database_url: &str, login_limits: LoginLimits) -> TestServer {
    TestServer::start_with(Config {
        trusted_proxies: vec!["127.0.0.1".to_owned()],
        login_limits,
        ..common::config(database_url)
    })
    .await
}

/// Signs in as `email` from client address `ip`, with extra cookies.
async fn login_from(
    server: &TestServer,
    ip: &str,
    email: &str,
    password: &str,
    cookie: Option<&str>,
) -> reqwest::Response {
    let request = server
        .post(
            "/api/v1/session",
            json!({ "email": email, "password": password }),
        )
        .header("x-forwarded-for", ip);
    send(match cookie {
        Some(cookie) => request.header("cookie", cookie),
        None => request,
    })
    .await
}

/// Signs in once per `(ip, email)` of `attempts` with `password`, without a device cookie; with
/// a `status`, each attempt must be refused with it.
async fn sign_ins(
    server: &TestServer,
    attempts: Vec<(String, String)>,
    password: &str,
    status: Option<u16>,
) {
    for (ip, email) in attempts {
        let response = login_from(server, &ip, &email, password, None).await;
        if let Some(status) = status {
            expect_problem(response, status).await;
        }
    }
}

/// `(ip, email)` for `email` from the addresses `{prefix}{i}` of `range`.
fn spread(prefix: &str, range: std::ops::Range<u32>, email: &str) -> Vec<(String, String)> {
    range
        .map(|i| (format!("{prefix}{i}"), email.to_owned()))
        .collect()
}

fn retry_after(response: &reqwest::Response) -> u64 {
    response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

async fn failed_logins_lock_the_account_with_backoff(database_url: String) {
    let server = behind_proxy(&database_url, login_limits((1000, 1), (3, 2))).await;
    let admin = server.first_admin.clone().unwrap();

    // A guesser spreading over many addresses: the account's count is what stops them.
    let guessers = spread("203.0.113.", 0..3, &admin.email);
    sign_ins(&server, guessers, "guess", Some(401)).await;
    let locked = login_from(&server, "203.0.113.50", &admin.email, "guess", None).await;
    let wait = retry_after(&locked);
    assert!((1..=2).contains(&wait), "Retry-After {wait}");
    let problem = expect_problem(locked, 429).await;
    assert_eq!(problem["type"], "/problems/rate-limited");
    // Locked means locked, from a browser the account does not know, even with the password.
    let right = login_from(&server, "198.51.100.9", &admin.email, &admin.password, None).await;
    expect_problem(right, 429).await;
    // Other accounts are not affected.
    let other = login_from(&server, "203.0.113.50", "nobody@example.com", "x", None).await;
    expect_problem(other, 401).await;

    // After the window the right password works, and clears the count.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let right = login_from(&server, "198.51.100.9", &admin.email, &admin.password, None).await;
    assert_eq!(right.status(), 200);
    let guessers = spread("203.0.113.", 0..2, &admin.email);
    sign_ins(&server, guessers, "guess", Some(401)).await;

    // Before the fix, 40 wrong passwords in a row were answered 401 every time.
    let mut limited = 0;
    for _ in 0..40 {
        let guess = login_from(&server, "203.0.113.99", &admin.email, "guess", None).await;
        if guess.status() == 429 {
            limited += 1;
        }
    }
    assert!(limited >= 35, "{limited} of 40 guesses refused");
    server.stop().await;
}

async fn failed_logins_lock_the_address_behind_a_trusted_proxy(database_url: String) {
    let limits = login_limits((4, 60), (1000, 1));
    let server = behind_proxy(&database_url, limits).await;
    let admin = server.first_admin.clone().unwrap();
    // One machine trying many accounts.
    let accounts = (0..4)
        .map(|i| ("198.51.100.7".to_owned(), format!("user{i}@example.com")))
        .collect();
    sign_ins(&server, accounts, "x", Some(401)).await;
    let locked = login_from(&server, "198.51.100.7", &admin.email, &admin.password, None).await;
    assert!(retry_after(&locked) >= 50);
    expect_problem(locked, 429).await;
    // Another client behind the same proxy is not.
    let other = login_from(&server, "198.51.100.8", &admin.email, &admin.password, None).await;
    assert_eq!(other.status(), 200);
    // The client's own X-Forwarded-For entry (left of what the proxy appended) is not believed.
    let spoofed = login_from(
        &server,
        "10.9.9.9, 198.51.100.7",
        &admin.email,
        &admin.password,
        None,
    )
    .await;
    expect_problem(spoofed, 429).await;
    server.stop().await;

    // Without trusted proxies, X-Forwarded-For is ignored: changing it does not escape the lock.
    let server = TestServer::start_with(Config {
        login_limits: limits,
        ..common::config(&database_url)
    })
    .await;
    let spoofers = spread("192.0.2.", 0..4, "someone@example.com");
    sign_ins(&server, spoofers, "x", Some(401)).await;
    let spoofed = login_from(&server, "192.0.2.200", "someone@example.com", "x", None).await;
    expect_problem(spoofed, 429).await;
    server.stop().await;
}

async fn a_known_browser_gets_past_a_locked_account(database_url: String) {
    // The account stays locked long enough that only the device cookie can explain a success.
    let server = behind_proxy(&database_url, login_limits((1000, 1), (3, 600))).await;
    let admin = server.first_admin.clone().unwrap();
    // The admin's usual browser signs in once and keeps its device cookie.
    let first = login_from(&server, "198.51.100.1", &admin.email, &admin.password, None).await;
    assert_eq!(first.status(), 200);
    let device = first
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|c| c.starts_with("answerdesk_device="))
        .expect("a device cookie")
        .to_owned();
    assert!(
        device.contains("HttpOnly") && device.contains("SameSite=Strict"),
        "{device}"
    );
    let device = device.split(';').next().unwrap().to_owned();

    // Someone else locks the account.
    let guessers = spread("203.0.113.", 0..3, &admin.email);
    sign_ins(&server, guessers, "guess", None).await;
    let stranger = login_from(&server, "203.0.113.9", &admin.email, &admin.password, None).await;
    expect_problem(stranger, 429).await;
    // A forged device cookie does not help.
    let forged = login_from(
        &server,
        "203.0.113.9",
        &admin.email,
        &admin.password,
        Some("answerdesk_device=AAAAAAAAAAAAAAAAAAAAAAAA"),
    )
    .await;
    expect_problem(forged, 429).await;

    // The admin's browser still gets in, with the right password only.
    let wrong = login_from(&server, "198.51.100.1", &admin.email, "typo", Some(&device)).await;
    expect_problem(wrong, 401).await;
    let back = login_from(
        &server,
        "198.51.100.1",
        &admin.email,
        &admin.password,
        Some(&device),
    )
    .await;
    assert_eq!(back.status(), 200);
    // Which does not lift the lock for the guessers.
    let stranger = login_from(&server, "203.0.113.9", &admin.email, &admin.password, None).await;
    expect_problem(stranger, 429).await;
    server.stop().await;
}

async fn password_hashing_is_bounded(database_url: String) {
    let limits = LoginLimits {
        per_ip: backoff(1000, Duration::from_secs(1)),
        per_account: backoff(1000, Duration::from_secs(1)),
        hashing_concurrency: 1,
        hashing_wait: Duration::from_millis(1),
    };
    let server = behind_proxy(&database_url, limits).await;
    let attempts = (0..8).map(|i| {
        let body = json!({ "email": format!("user{i}@example.com"), "password": "guess" });
        send(
            server
                .post("/api/v1/session", body)
                .header("x-forwarded-for", format!("203.0.113.{i}")),
        )
    });
    let responses = futures_util::future::join_all(attempts).await;
    let mut busy = 0;
    for response in responses {
        match response.status().as_u16() {
            401 => {}
            503 => {
                busy += 1;
                assert!(retry_after(&response) >= 1);
                expect_problem(response, 503).await;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(busy >= 1, "one hash at a time: the others are turned away");
    // Once the flood is over, sign-in works again.
    let admin = server.first_admin.clone().unwrap();
    let right = login_from(&server, "198.51.100.1", &admin.email, &admin.password, None).await;
    assert_eq!(right.status(), 200);
    server.stop().await;
}

async fn visitor_limits_key_on_the_forwarded_client_behind_a_trusted_proxy(database_url: String) {
    let config = |trusted: Vec<String>| Config {
        rate_limits: limits(Some(2), None),
        trusted_proxies: trusted,
        ..common::config(&database_url)
    };
    let escalate = |server: &TestServer, client: &str| {
        Escalation::new("hello")
            .with_header("x-forwarded-for", client)
            .request(server)
            .send()
    };
    // Behind the proxy each visitor has their own bucket.
    let server = TestServer::start_with(config(vec!["127.0.0.0/8".to_owned()])).await;
    for client in ["192.0.2.1", "192.0.2.2", "192.0.2.3"] {
        assert_eq!(escalate(&server, client).await.unwrap().status(), 201);
        assert_eq!(escalate(&server, client).await.unwrap().status(), 201);
    }
    expect_problem(escalate(&server, "192.0.2.1").await.unwrap(), 429).await;
    server.stop().await;
    // Not listed: the header is the client's own claim, and everyone is the peer.
    let server = TestServer::start_with(config(Vec::new())).await;
    assert_eq!(escalate(&server, "192.0.2.1").await.unwrap().status(), 201);
    assert_eq!(escalate(&server, "192.0.2.2").await.unwrap().status(), 201);
    expect_problem(escalate(&server, "192.0.2.3").await.unwrap(), 429).await;
    server.stop().await;
}
