//! The headers that keep a browser from running what it should not: `nosniff` and a referrer
//! policy on every response, a Content-Security-Policy on every page, framing of the widget only
//! by its site's origins, and the workbench kept to its own origin when it has one.

mod common;

use base64::Engine as _;
use common::{expect_problem, TestServer};
use server::store::{SiteDraft, Store};
use server::Config;
use sha2::{Digest, Sha256};

const LOADER: &str = "import init from '/app-0123456789abcdef.js'; init();";
const SKELETON: &str = "\n  document.title = 'skeleton';\n";
const WORKBENCH_LOADER: &str = "import init from '/agent/agent-0123456789abcdef.js'; init();";

/// A `dist/` shaped like Trunk's: inline loaders in both apps' `index.html`, a static demo page.
fn dist(dir: &tempfile::TempDir) {
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(dist.join("agent")).unwrap();
    std::fs::write(
        dist.join("index.html"),
        format!(
            "<!doctype html><title>visitor</title><script type=\"module\">{LOADER}</script>\
             <script src=\"/x.js\"></script><script>{SKELETON}</script>"
        ),
    )
    .unwrap();
    std::fs::write(
        dist.join("agent/index.html"),
        format!("<!doctype html><title>workbench</title><script type=\"module\">{WORKBENCH_LOADER}</script>"),
    )
    .unwrap();
    std::fs::write(
        dist.join("demo.html"),
        "<!doctype html><title>demo</title><script src=\"/embed.js\" defer></script>",
    )
    .unwrap();
    std::fs::write(dist.join("embed.js"), "void 0").unwrap();
    std::fs::write(dir.path().join("kb.snapshot"), b"snapshot").unwrap();
}

fn config(dir: &tempfile::TempDir) -> Config {
    Config {
        snapshot: Some(dir.path().join("kb.snapshot")),
        dist_dir: Some(dir.path().join("dist")),
        ..common::config(&common::sqlite_in(dir))
    }
}

/// A server of the built app (see [`dist`]) on SQLite, and the folder it serves from.
async fn serve_dist() -> (tempfile::TempDir, TestServer) {
    let dir = tempfile::tempdir().unwrap();
    dist(&dir);
    let server = TestServer::start_with(config(&dir)).await;
    (dir, server)
}

fn sha256(text: &str) -> String {
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
    )
}

/// The value of one directive of a policy, e.g. `frame-ancestors` → `'none'`.
fn directive(policy: &str, name: &str) -> String {
    policy
        .split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix(name))
        .unwrap_or_else(|| panic!("no {name} in {policy}"))
        .trim()
        .to_owned()
}

async fn policy_of(server: &TestServer, path: &str) -> String {
    let response = common::send(server.get(path)).await;
    assert_eq!(response.status(), 200, "{path}");
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "{path}"
    );
    response
        .headers()
        .get("content-security-policy")
        .unwrap_or_else(|| panic!("{path} has no Content-Security-Policy"))
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn every_response_says_nosniff_and_keeps_its_referrer() {
    let (_dir, server) = serve_dist().await;
    for (method, path) in [
        ("GET", "/"),
        ("GET", "/widget?site=demo"),
        ("GET", "/agent/"),
        ("GET", "/admin"),
        ("GET", "/demo.html"),
        ("GET", "/embed.js"),
        ("GET", "/kb.snapshot"),
        ("GET", "/healthz"),
        ("GET", "/api/openapi.json"),
        ("GET", "/api/v1/session"),
        ("POST", "/api/v1/escalations"),
        ("GET", "/no/such/file"),
    ] {
        let response = common::send(server.request(method.parse().unwrap(), path)).await;
        let headers = response.headers();
        assert_eq!(
            headers
                .get("x-content-type-options")
                .map(|v| v.to_str().unwrap()),
            Some("nosniff"),
            "{method} {path} ({})",
            response.status()
        );
        assert_eq!(
            headers.get("referrer-policy").map(|v| v.to_str().unwrap()),
            Some("same-origin"),
            "{method} {path}"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn every_page_runs_only_its_own_scripts() {
    let (_dir, server) = serve_dist().await;

    for path in ["/", "/widget?site=demo"] {
        let policy = policy_of(&server, path).await;
        assert_eq!(
            directive(&policy, "script-src"),
            format!(
                "'self' 'wasm-unsafe-eval' {} {}",
                sha256(LOADER),
                sha256(SKELETON)
            ),
            "{path}: {policy}"
        );
    }
    for path in ["/agent/", "/agent/tickets/T-1", "/admin", "/admin/sites"] {
        let policy = policy_of(&server, path).await;
        assert_eq!(
            directive(&policy, "script-src"),
            format!("'self' 'wasm-unsafe-eval' {}", sha256(WORKBENCH_LOADER)),
            "{path}: {policy}"
        );
        assert_eq!(directive(&policy, "frame-ancestors"), "'none'", "{path}");
        assert_eq!(directive(&policy, "connect-src"), "'self'", "{path}");
    }
    let demo = policy_of(&server, "/demo.html").await;
    assert_eq!(
        directive(&demo, "script-src"),
        "'self' 'wasm-unsafe-eval'",
        "{demo}"
    );
    for path in ["/", "/agent/", "/demo.html", "/widget"] {
        let policy = policy_of(&server, path).await;
        assert_eq!(directive(&policy, "object-src"), "'none'", "{path}");
        assert_eq!(directive(&policy, "base-uri"), "'none'", "{path}");
        assert!(
            !directive(&policy, "script-src").contains("'unsafe-inline'"),
            "{path}"
        );
    }
    // The full-page assistant files tickets for its site as the widget does: the same framing.
    assert_eq!(
        directive(
            &policy_of(&server, "/?site=nobody").await,
            "frame-ancestors"
        ),
        "'none'"
    );
    server.stop().await;
}

#[tokio::test]
async fn only_a_sites_own_origins_may_frame_its_widget() {
    let dir = tempfile::tempdir().unwrap();
    dist(&dir);
    let config = config(&dir);
    let store = Store::connect(&config.database_url).await.unwrap();
    store.bootstrap(&[]).await.unwrap();
    store
        .create_site(&SiteDraft {
            id: "shop".into(),
            name: "Shop".into(),
            allowed_origins: vec!["https://shop.example".parse().unwrap()],
            default_group_id: None,
            visitor_groups: None,
        })
        .await
        .unwrap();
    store.close().await;
    let server = TestServer::start_with(config).await;

    let shop = policy_of(&server, "/widget?site=shop&locale=en").await;
    assert_eq!(
        directive(&shop, "frame-ancestors"),
        "https://shop.example",
        "another site's page, or this server's own, cannot frame shop's widget: {shop}"
    );
    assert_eq!(
        directive(&shop, "connect-src"),
        "'self' https://shop.example"
    );

    let encoded = policy_of(&server, "/widget?%73ite=sho%70").await;
    assert_eq!(
        directive(&encoded, "frame-ancestors"),
        "https://shop.example",
        "the site is read as the widget reads it, percent-decoded"
    );

    // The bundled demo page, on this server's origin, frames the demo site.
    let demo = policy_of(&server, "/widget?site=demo").await;
    assert_eq!(
        directive(&demo, "frame-ancestors"),
        "'self' http://127.0.0.1:* http://localhost:*"
    );
    assert_eq!(
        directive(&policy_of(&server, "/widget").await, "frame-ancestors"),
        directive(&demo, "frame-ancestors"),
        "no site is the demo site, as in the widget"
    );
    let unknown = policy_of(&server, "/widget?site=nobody").await;
    assert_eq!(directive(&unknown, "frame-ancestors"), "'none'");
    assert_eq!(directive(&unknown, "connect-src"), "'self'");
    server.stop().await;
}

#[tokio::test]
async fn the_workbench_answers_only_on_its_own_origin() {
    let dir = tempfile::tempdir().unwrap();
    dist(&dir);
    let server = TestServer::start_with(Config {
        workbench_origin: Some("http://desk.test".into()),
        ..config(&dir)
    })
    .await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let on_desk = |method: &str, path: &str| {
        client
            .request(method.parse().unwrap(), server.url(path))
            .header("host", "desk.test")
    };

    // The visitors' origin: no workbench, no desk API, no session cookie to be had.
    for path in [
        "/agent/",
        "/agent/tickets/T-1",
        "/admin",
        "/admin/sites",
        "/api/v1/session",
        "/api/v1/desk/tickets",
        "/api/v1/admin/agents",
    ] {
        common::refused(server.get(path), 404).await;
    }
    let login = serde_json::json!({"email": "admin@answerdesk.local", "password": "x"});
    common::refused(server.post("/api/v1/session", login), 404).await;
    for path in ["/", "/widget?site=demo", "/demo.html", "/kb.snapshot"] {
        let response = common::send(server.get(path)).await;
        assert_eq!(response.status(), 200, "{path} on the visitors' origin");
    }

    // The workbench's origin: the workbench and the desk API, nothing a visitor controls.
    for path in ["/agent/", "/admin/sites", "/kb.snapshot", "/healthz"] {
        let response = on_desk("GET", path).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path} on the workbench origin");
    }
    let session = on_desk("GET", "/api/v1/session").send().await.unwrap();
    assert_eq!(session.status(), 401, "the desk API answers there");
    let root = on_desk("GET", "/").send().await.unwrap();
    assert_eq!(root.status(), 303);
    assert_eq!(root.headers()["location"], "/agent");
    for path in ["/widget?site=demo", "/demo.html", "/embed.js"] {
        expect_problem(on_desk("GET", path).send().await.unwrap(), 404).await;
    }
    let escalation = on_desk("POST", "/api/v1/escalations")
        .json(&serde_json::json!({"site": "demo", "message": "hello"}))
        .send()
        .await
        .unwrap();
    expect_problem(escalation, 404).await;
    server.stop().await;
}

#[tokio::test]
async fn the_workbench_origin_must_be_another_origin() {
    let dir = tempfile::tempdir().unwrap();
    dist(&dir);
    let same = server::Server::bind(Config {
        public_origin: Some("https://help.example.com".into()),
        workbench_origin: Some("https://help.example.com".into()),
        ..config(&dir)
    })
    .await;
    let err = format!("{:#}", same.err().expect("refused"));
    assert!(err.contains("workbench origin"), "{err}");
    let malformed = server::Server::bind(Config {
        workbench_origin: Some("desk.example.com".into()),
        ..config(&dir)
    })
    .await;
    let err = format!("{:#}", malformed.err().expect("refused"));
    assert!(err.contains("desk.example.com"), "{err}");
}
