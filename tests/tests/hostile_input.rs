//! Hostile input in real Chromium: an XSS corpus sent everywhere a visitor, a host page, a
//! knowledge-base author or a desk user can put text — visitor messages and names, contact
//! attributes, page URLs, transcripts, knowledge-base answers (through `kb build`, and patched
//! into a snapshot afterwards with its checksum recomputed, as an attacker would), canned
//! responses, agent, group and site names — and then looked at where it is shown: the widget,
//! the workbench's inbox and case view, the admin pages. Every payload, if it ran, would set
//! `window.__pwned` (or open a dialog); the test asserts that nothing did, that the answers the
//! widget shows carry no handler, script, frame or `javascript:` link, that a snapshot named by
//! `?snapshot=` on another origin is never fetched, and that the pages carry the
//! Content-Security-Policy and the other security headers.
//!
//! With `ANSWERDESK_XSS_REPORT=FILE`, one line (payloads × surfaces, executed) is written there
//! for `docs/RELIABILITY.md`.

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use e2e::{Browser, Server, PATIENCE};
use engine::snapshot::fnv1a64;
use serde_json::json;
use thirtyfour::prelude::*;

/// `(id, payload)`: each payload sets `__pwned` to its id (on the page, or on `top` from a frame
/// it might open), or opens a dialog, if it ever runs.
const CORPUS: &[(&str, &str)] = &[
    ("script", "<script>window.__pwned='script'</script>"),
    ("img-onerror", "<img src=x onerror=\"window.__pwned='img-onerror'\">"),
    ("svg-onload", "<svg onload=\"window.__pwned='svg-onload'\"><circle r=\"1\"/></svg>"),
    ("svg-script", "<svg><script>window.__pwned='svg-script'</script></svg>"),
    ("js-link", "<a href=\"javascript:window.__pwned='js-link'\">js link</a>"),
    (
        "js-link-entity",
        "<a href=\"jav&#x61;script&colon;window.__pwned='js-link-entity'\">entity link</a>",
    ),
    ("js-link-tab", "<a href=\"java&#9;script:window.__pwned='js-link-tab'\">tab link</a>"),
    (
        "data-link",
        "<a href=\"data:text/html,<script>top.__pwned='data-link'</script>\">data link</a>",
    ),
    ("md-js-link", "[markdown link](javascript:window.__pwned='md-js-link')"),
    ("md-img", "![x](x\" onerror=\"window.__pwned='md-img')"),
    ("md-autolink", "<javascript:window.__pwned='md-autolink'>"),
    (
        "iframe-srcdoc",
        "<iframe srcdoc=\"<script>top.__pwned='iframe-srcdoc'</script>\"></iframe>",
    ),
    ("iframe-js", "<iframe src=\"javascript:top.__pwned='iframe-js'\"></iframe>"),
    (
        "details-ontoggle",
        "<details open ontoggle=\"window.__pwned='details-ontoggle'\"><summary>s</summary></details>",
    ),
    (
        "mxss-math",
        "<math><mtext><table><mglyph><style><img src=x onerror=\"window.__pwned='mxss-math'\"></style></mglyph></table></mtext></math>",
    ),
    ("attr-breakout", "\"><img src=x onerror=window.__pwned='attr-breakout'>"),
    ("object", "<object data=\"javascript:window.__pwned='object'\"></object>"),
    (
        "entity-text",
        "&lt;img src=x onerror=window.__pwned='entity-text'&gt;",
    ),
    ("dialog", "<img src=y onerror=alert('xss')>"),
    (
        "form-action",
        "<form action=\"javascript:window.__pwned='form-action'\"><button>go</button></form>",
    ),
];

/// The same corpus as an answer in a snapshot whose checksum was recomputed: raw HTML that no
/// sanitizer saw. Every element here the widget must drop or defuse.
const RAW_ANSWER: &str = "<p>patched</p><img src=x onerror=\"window.__pwned='raw-img'\">\
<script>window.__pwned='raw-script'</script><svg onload=\"window.__pwned='raw-svg'\"></svg>\
<a href=\"javascript:window.__pwned='raw-js-link'\">raw js</a>\
<a href=\" jav&#x09;ascript:window.__pwned='raw-js-entity'\">raw entity</a>\
<a href=\"data:text/html,<script>top.__pwned='raw-data'</script>\">raw data</a>\
<iframe srcdoc=\"<script>top.__pwned='raw-srcdoc'</script>\"></iframe>\
<details open ontoggle=\"window.__pwned='raw-toggle'\"></details>\
<math><mtext><table><mglyph><style><img src=x onerror=\"window.__pwned='raw-mxss'\"></style></mglyph></table></mtext></math>\
<a href=\"https://example.com/ok\" onclick=\"window.__pwned='raw-onclick'\">safe link</a>";

/// The length of `RAW_ANSWER` in `Z`s: the placeholder `kb build` puts in the snapshot.
fn placeholder(len: usize) -> String {
    "Z".repeat(len)
}

/// A link URL of the patched entry, replaced by `javascript:` of the same length.
const LINK_PLACEHOLDER: &str = "https://zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz.example/";

fn hostile_link() -> String {
    let js = "javascript:window.__pwned='raw-link'//";
    format!("{js}{}", "x".repeat(LINK_PLACEHOLDER.len() - js.len()))
}

/// The demo knowledge base plus two entries: one whose every field carries the corpus (built
/// by `kb build`, so sanitized there), one with placeholders to patch afterwards.
fn hostile_kb(dir: &Path) -> Result<PathBuf> {
    let kb = dir.join("kb");
    copy_dir(Path::new("../examples/demo-kb"), &kb)
        .or_else(|_| copy_dir(Path::new("examples/demo-kb"), &kb))
        .context("cannot copy examples/demo-kb")?;
    let answer: String = CORPUS
        .iter()
        .map(|(_, p)| format!("- {p}\n"))
        .collect::<String>();
    let yaml = format!(
        "locale: en\ncategory: {category}\nentries:\n  - id: hostile-corpus\n    question: {question}\n    \
         alternates: [hostile corpus marker, show the hostile corpus marker]\n    answer: {answer}\n    \
         links: [{{title: {title}, url: \"https://example.com/ok\"}}]\n  - id: patched-answer\n    \
         question: Patched answer marker\n    alternates: [patched answer marker, the patched marker answer]\n    \
         answer: {placeholder}\n    links: [{{title: patched link, url: \"{LINK_PLACEHOLDER}\"}}]\n",
        category = serde_json::to_string("<img src=x onerror=\"window.__pwned='category'\">")?,
        question = serde_json::to_string(
            "Hostile corpus marker <script>window.__pwned='question'</script>"
        )?,
        answer = serde_json::to_string(&answer)?,
        title = serde_json::to_string("<img src=x onerror=\"window.__pwned='link-title'\">")?,
        placeholder = placeholder(RAW_ANSWER.len()),
    );
    std::fs::write(kb.join("en/zz-hostile.yaml"), yaml)?;
    Ok(kb)
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// The attacker's edit: the placeholders replaced in place by raw HTML and a `javascript:`
/// link, and the FNV-1a checksum of the body (offset 28 on) written again at offset 12.
fn patch_snapshot(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut out = bytes.to_vec();
    let mut replaced = 0;
    let mut last_end = 0;
    for (from, to) in [
        (placeholder(RAW_ANSWER.len()), RAW_ANSWER.to_owned()),
        (LINK_PLACEHOLDER.to_owned(), hostile_link()),
    ] {
        assert_eq!(from.len(), to.len());
        let mut at = 0;
        while let Some(i) = find(&out[at..], from.as_bytes()) {
            out[at + i..at + i + from.len()].copy_from_slice(to.as_bytes());
            at += i + from.len();
            last_end = last_end.max(at);
            replaced += 1;
        }
    }
    ensure!(replaced >= 2, "the placeholders are not in the snapshot");
    // Checksums made to match, as a forger would: the core's (the answers are in it), then
    // the body's (engine/src/snapshot.rs has the layout).
    let core_end = engine::Snapshot::core_end(bytes)?;
    ensure!(
        last_end <= core_end,
        "the patched answer should be in the snapshot's core"
    );
    let core = fnv1a64(&out[44..core_end]);
    out[36..44].copy_from_slice(&core.to_le_bytes());
    let body = fnv1a64(&out[28..]);
    out[12..20].copy_from_slice(&body.to_le_bytes());
    Ok(out)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A server on another origin that hands out `body` to anyone (CORS `*`), counting requests.
fn attacker_origin(body: Vec<u8>) -> Result<(String, Arc<AtomicUsize>)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}/k.snapshot", listener.local_addr()?);
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            counted.fetch_add(1, Ordering::SeqCst);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\
                 Access-Control-Allow-Origin: *\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    Ok((url, hits))
}

/// Fails if a dialog is open or any payload ran, in this document or the top one.
async fn assert_inert(browser: &Browser, surface: &str) -> Result<()> {
    // Handlers of broken images, toggles and loads fire a moment after insertion: read once
    // the images have loaded or failed, no request is in flight and the queued events have run.
    browser.wait_for_page_settled().await?;
    if let Ok(text) = browser.driver.get_alert_text().await {
        bail!("{surface}: a dialog opened: {text:?}");
    }
    let pwned: serde_json::Value = browser
        .driver
        .execute(
            "let t; try { t = top.__pwned; } catch (e) {} return [window.__pwned, t].filter(v => v !== undefined);",
            vec![],
        )
        .await?
        .convert()?;
    ensure!(
        pwned.as_array().is_some_and(Vec::is_empty),
        "{surface}: injected script ran: {pwned}"
    );
    Ok(())
}

/// What is dangerous in the HTML under `css`: handler attributes, script-capable elements,
/// links and sources with a scheme other than http(s), mailto, tel.
async fn dangerous_markup(browser: &Browser, css: &str) -> Result<Vec<String>> {
    let found = browser
        .driver
        .execute(
            r#"const bad = [];
            for (const root of document.querySelectorAll(arguments[0])) {
              for (const el of root.querySelectorAll('*')) {
                if (/^(script|iframe|object|embed|svg|math|style|form|details|base|meta|link)$/i.test(el.localName)) bad.push('<' + el.localName + '>');
                for (const a of el.attributes) {
                  if (/^on/i.test(a.name) || a.name === 'srcdoc') bad.push(el.localName + '[' + a.name + ']');
                  if (/^(href|src|action|data|formaction|xlink:href)$/i.test(a.name)) {
                    let scheme = '';
                    try { scheme = new URL(a.value, location.href).protocol; } catch (e) { scheme = 'invalid:'; }
                    if (!/^(https?|mailto|tel):$/.test(scheme)) bad.push(el.localName + '[' + a.name + '=' + a.value + ']');
                  }
                }
              }
            }
            return bad;"#,
            vec![json!(css)],
        )
        .await?;
    Ok(found.convert()?)
}

/// Clicks every link under `css` (in this document, not a new tab): a `javascript:` one that
/// survived would run now, unless the policy stops it.
async fn click_links(browser: &Browser, css: &str) -> Result<()> {
    browser
        .driver
        .execute(
            "for (const a of document.querySelectorAll(arguments[0] + ' a[href]')) {
               if (/^\\s*javascript:/i.test(a.getAttribute('href'))) { a.removeAttribute('target'); a.click(); }
             }",
            vec![json!(css)],
        )
        .await?;
    Ok(())
}

/// Asks until the answer from `entry` is shown (picking it when the bot offers choices).
async fn ask_for_entry(browser: &Browser, question: &str, entry: &str) -> Result<()> {
    browser.ask(question).await?;
    let selector = format!("[data-testid=answer][data-entry='{entry}']");
    let deadline = Instant::now() + PATIENCE;
    loop {
        if browser.count(&selector).await? > 0 {
            return Ok(());
        }
        for chip in browser
            .driver
            .find_all(By::Css("[data-testid=suggestion]"))
            .await?
        {
            if chip.text().await.unwrap_or_default().contains("marker") {
                let _ = chip.click().await;
            }
        }
        ensure!(
            Instant::now() < deadline,
            "no answer from {entry} to {question:?} within {PATIENCE:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The corpus in visitor-sized messages (the widget takes 500 characters at a time).
fn corpus_messages() -> Vec<String> {
    let mut messages = vec![String::new()];
    for (_, payload) in CORPUS {
        let last = messages.last_mut().expect("one");
        if last.chars().count() + payload.chars().count() + 1 > 480 {
            messages.push(String::new());
        }
        let last = messages.last_mut().expect("one");
        last.push_str(payload);
        last.push(' ');
    }
    messages
}

fn all_payloads() -> String {
    CORPUS
        .iter()
        .map(|(_, p)| *p)
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Tally of what was checked, for the report line.
#[derive(Default)]
struct Tally {
    surfaces: Vec<&'static str>,
}

impl Tally {
    fn checked(&mut self, surface: &'static str) {
        self.surfaces.push(surface);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_input_renders_inert_everywhere() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let kb = hostile_kb(dir.path())?;
    let snapshot = dir.path().join("hostile.snapshot");
    let bin = std::env::var_os("ANSWERDESK_BIN").context("ANSWERDESK_BIN is not set")?;
    let built = std::process::Command::new(bin)
        .args(["kb", "build"])
        .arg(&kb)
        .arg("--output")
        .arg(&snapshot)
        .output()?;
    ensure!(
        built.status.success(),
        "kb build of the hostile knowledge base failed: {}",
        String::from_utf8_lossy(&built.stderr)
    );
    let mut server = Server::start()?;
    server.stop()?;
    server.restart_with_snapshot(&snapshot)?;
    server.warm_snapshot().await?;
    let patched = dir.path().join("patched.snapshot");
    std::fs::write(&patched, patch_snapshot(&std::fs::read(&snapshot)?)?)?;

    let mut tally = Tally::default();
    let visitor = Browser::start().await?;
    let desk = Browser::start().await?;
    let result = scenario(&mut server, &visitor, &desk, &patched, &mut tally).await;
    if result.is_err() {
        eprintln!("desk page:\n{}", desk.page_text().await);
        eprintln!("server log:\n{}", server.log_lines().join("\n"));
    }
    let _ = visitor.quit().await;
    let _ = desk.quit().await;
    result?;

    let line = format!(
        "{} payloads × {} surfaces ({}), plus a patched snapshot of {} raw-HTML attacks: 0 executed, 0 dialogs",
        CORPUS.len(),
        tally.surfaces.len(),
        tally.surfaces.join(", "),
        RAW_ANSWER.matches("__pwned").count(),
    );
    println!("{line}");
    if let Some(path) = std::env::var_os("ANSWERDESK_XSS_REPORT") {
        std::fs::write(path, format!("{line}\n"))?;
    }
    Ok(())
}

async fn scenario(
    server: &mut Server,
    visitor: &Browser,
    desk: &Browser,
    patched: &Path,
    tally: &mut Tally,
) -> Result<()> {
    headers(server).await?;
    tally.checked("response headers");

    // The widget: knowledge-base answers built from the corpus (question, answer, category,
    // link title), then the visitor's own messages.
    visitor.driver.goto(server.url("/?locale=en")).await?;
    ask_for_entry(visitor, "hostile corpus marker", "hostile-corpus").await?;
    let bad = dangerous_markup(visitor, ".ad-answer-body").await?;
    ensure!(bad.is_empty(), "the widget's answer carries {bad:?}");
    click_links(visitor, ".ad-answer").await?;
    assert_inert(visitor, "widget: KB answer").await?;
    tally.checked("widget KB answer");
    for message in corpus_messages() {
        visitor.ask(&message).await?;
    }
    visitor.wait_for_text(".ad-visitor", "form-action").await?;
    assert_inert(visitor, "widget: visitor messages").await?;
    tally.checked("widget visitor messages");

    // The visitor escalates under a hostile name.
    visitor
        .escalate("<img src=x onerror=\"window.__pwned='name'\">")
        .await?;
    visitor.wait_for_text(".ad-notice", "T-").await?;
    let widget_ticket = server
        .tickets()?
        .into_iter()
        .find_map(|t| t["id"].as_str().map(str::to_owned))
        .context("the widget's ticket")?;

    // Everything else a visitor controls, through the API as an attacker would send it.
    let http = reqwest::Client::new();
    let mut rest_ticket = None;
    for page_url in [
        "javascript:window.__pwned='page-url'",
        "https://help.example/?snapshot=https://attacker.example/k.snapshot&q=\"><img src=x onerror=window.__pwned='page-url-2'>",
        // The same attack as a well-formed http(s) URL, which the server accepts and the
        // workbench shows as its "Page" link.
        "https://help.example/?snapshot=https://attacker.example/k.snapshot&q=%22%3E%3Cimg%20src=x%20onerror=window.__pwned=%27page-url-3%27%3E",
    ] {
        let response = http
            .post(server.url("/api/v1/escalations"))
            .json(&json!({
                "site": "demo",
                "message": all_payloads(),
                "transcript": CORPUS.iter().enumerate().map(|(i, (_, p))| json!({
                    "role": if i % 2 == 0 { "visitor" } else { "bot" },
                    "text": p,
                    "at": "2026-01-01T00:00:00Z",
                })).collect::<Vec<_>>(),
                "contact": {"name": "<svg onload=\"window.__pwned='contact-name'\">", "email": "x@example.com"},
                "page_url": page_url,
                "locale": "en",
            }))
            .send()
            .await?;
        let status = response.status();
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        if status.as_u16() == 201 {
            rest_ticket = body["ticket_id"].as_str().map(str::to_owned);
        } else {
            ensure!(
                status.is_client_error(),
                "a hostile escalation is a 201 or a 4xx, not {status}: {body}"
            );
        }
    }
    let rest_ticket = rest_ticket.context("no hostile escalation was accepted")?;

    // The desk: canned responses, contact attributes, group and site names, an agent's name.
    let admin = server
        .sign_in_admin(
            "admin-xss@example.com",
            "<img src=x onerror=\"window.__pwned='agent-name'\">",
        )
        .await?;
    admin
        .post(
            "/api/v1/desk/canned-responses",
            json!({
                "shortcut": "xss",
                "title": "<img src=x onerror=\"window.__pwned='canned-title'\">",
                "body": all_payloads(),
            }),
        )
        .await?;
    admin
        .post(
            "/api/v1/admin/groups",
            json!({"id": "xss", "name": "<svg onload=\"window.__pwned='group-name'\">"}),
        )
        .await?;
    admin
        .post(
            "/api/v1/admin/sites",
            json!({"id": "xss", "name": "<img src=x onerror=\"window.__pwned='site-name'\">",
                   "allowed_origins": ["https://shop.example"]}),
        )
        .await?;
    let detail = admin.ticket(&rest_ticket).await?;
    let contact = detail["contact"]["id"].clone();
    ensure!(!contact.is_null(), "the escalation has a contact: {detail}");
    let attributes: serde_json::Map<String, serde_json::Value> = CORPUS
        .iter()
        .map(|(id, p)| (format!("attr-{id}"), json!(p)))
        .collect();
    admin
        .patch(
            &format!("/api/v1/desk/contacts/{}", json_id(&contact)),
            json!({"attributes": attributes}),
        )
        .await?;

    // The team answers the widget's visitor with the corpus (Markdown and raw HTML).
    admin.reply(&widget_ticket, &all_payloads()).await?;
    visitor
        .wait_for_text("[data-testid=agent-message]", "js link")
        .await?;
    let bad = dangerous_markup(visitor, "[data-testid=agent-message] .ad-answer-body").await?;
    ensure!(
        bad.is_empty(),
        "the agent's reply in the widget carries {bad:?}"
    );
    click_links(visitor, "[data-testid=agent-message]").await?;
    assert_inert(visitor, "widget: agent reply").await?;
    tally.checked("widget agent reply");

    // The workbench: the inbox and both cases, with the composer's canned responses open.
    workbench(server, desk, &[&rest_ticket, &widget_ticket], tally).await?;

    // A hostile snapshot on another origin, named by `?snapshot=` in a link the agent opens
    // (a browser that has no ticket yet, so the bot answers).
    let (attacker_url, hits) = attacker_origin(std::fs::read(patched)?)?;
    let agent_opens = Browser::start().await?;
    let outcome = async {
        agent_opens
            .driver
            .goto(server.url(&format!("/?locale=en&snapshot={attacker_url}")))
            .await?;
        ask_for_entry(&agent_opens, "patched answer marker", "patched-answer").await?;
        assert_inert(&agent_opens, "widget: ?snapshot= from another origin").await?;
        ensure!(
            hits.load(Ordering::SeqCst) == 0,
            "the widget fetched the snapshot from another origin"
        );
        agent_opens
            .wait_for_text("[data-testid=answer]", "ZZZZ")
            .await
    }
    .await;
    let _ = agent_opens.quit().await;
    outcome?;
    tally.checked("widget ?snapshot= from another origin");

    // The same patched snapshot served by the server itself: only the widget's own rebuilding
    // of the HTML stands between it and the page (the policy behind it as well).
    server.stop()?;
    server.restart_with_snapshot(patched)?;
    // Written without sidecars, as an attacker would: the server compresses it itself.
    server.warm_snapshot().await?;
    let fresh = Browser::start().await?;
    let outcome = async {
        fresh.driver.goto(server.url("/?locale=en")).await?;
        ask_for_entry(&fresh, "patched answer marker", "patched-answer").await?;
        fresh.wait_for_text("[data-testid=answer]", "safe link").await?;
        let bad = dangerous_markup(&fresh, ".ad-answer-body, .ad-links").await?;
        ensure!(bad.is_empty(), "the patched answer carries {bad:?}");
        let links: Vec<String> = fresh
            .driver
            .execute(
                "return Array.from(document.querySelectorAll('[data-testid=answer] a'), a => a.getAttribute('href') || '');",
                vec![],
            )
            .await?
            .convert()?;
        ensure!(
            links.iter().any(|l| l == "https://example.com/ok"),
            "a safe link survives: {links:?}"
        );
        click_links(&fresh, "[data-testid=answer]").await?;
        assert_inert(&fresh, "widget: patched snapshot on its own origin").await
    }
    .await;
    let _ = fresh.quit().await;
    outcome?;
    tally.checked("widget patched snapshot");
    Ok(())
}

fn json_id(value: &serde_json::Value) -> String {
    value
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| value.to_string())
}

async fn workbench(
    server: &Server,
    desk: &Browser,
    tickets: &[&str],
    tally: &mut Tally,
) -> Result<()> {
    let out = server.answerdesk(&[
        "agent",
        "add",
        "desk-xss@example.com",
        "--name",
        "Desk Admin",
        "--role",
        "admin",
    ])?;
    let password = e2e::password_line(&out)?;
    desk.sign_in(server, "desk-xss@example.com", &password)
        .await?;
    desk.find_n("[data-testid=inbox-item]", tickets.len())
        .await?;
    assert_inert(desk, "workbench: inbox").await?;
    tally.checked("workbench inbox");

    for ticket in tickets {
        desk.driver
            .goto(server.url(&format!("/agent/tickets/{ticket}")))
            .await?;
        desk.find("[data-testid=case]").await?;
        desk.find("[data-testid=thread]").await?;
        desk.find("[data-testid=contact]").await?;
        let composer = desk.find("[data-testid=composer]").await?;
        composer.send_keys("/xss").await?;
        desk.find("[data-testid=canned-options]").await?;
        click_links(desk, "[data-testid=case]").await?;
        assert_inert(desk, "workbench: case view").await?;
    }
    tally.checked("workbench case view");
    tally.checked("workbench canned responses");
    // Admin sees the agent, group, site and canned names.
    for page in ["agents", "groups", "canned", "sites"] {
        desk.driver
            .goto(server.url(&format!("/admin/{page}")))
            .await?;
        desk.find(&format!("[data-testid=admin-nav-{page}]"))
            .await?;
        // The page has loaded what it lists once its first row is drawn: the list comes in one
        // response and is drawn at once, and the scenario made at least one of each earlier.
        let rows = if page == "sites" { "> *" } else { "tbody tr" };
        desk.find(&format!("[data-testid=admin-{page}] {rows}"))
            .await?;
        assert_inert(desk, "admin pages").await?;
    }
    tally.checked("admin agents/groups/canned/sites");
    Ok(())
}

/// The pages carry the policy and the headers, as a browser receives them.
async fn headers(server: &Server) -> Result<()> {
    let http = reqwest::Client::new();
    for path in [
        "/",
        "/widget?site=demo",
        "/demo.html",
        "/agent",
        "/agent/tickets/T-1",
        "/admin/sites",
    ] {
        let response = http.get(server.url(path)).send().await?;
        ensure!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let policy = header("content-security-policy");
        let scripts = policy
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap_or_default();
        // Trunk's loader is inline in both apps' pages, allowed by its hash alone.
        let loader = path != "/demo.html";
        let strict = if loader {
            scripts.contains("'self' 'wasm-unsafe-eval' 'sha256-")
                && !scripts.contains("unsafe-inline")
        } else {
            scripts.trim() == "script-src 'self' 'wasm-unsafe-eval'"
        };
        ensure!(strict, "{path}: script-src {scripts:?} in {policy:?}");
        for directive in ["object-src 'none'", "base-uri 'none'", "frame-ancestors"] {
            ensure!(
                policy.contains(directive),
                "{path}: no {directive} in {policy:?}"
            );
        }
        if path.starts_with("/agent") || path.starts_with("/admin") {
            ensure!(
                policy.contains("frame-ancestors 'none'"),
                "{path}: {policy}"
            );
        }
        ensure!(header("x-content-type-options") == "nosniff", "{path}");
        ensure!(!header("referrer-policy").is_empty(), "{path}");
    }
    Ok(())
}
