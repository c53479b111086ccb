//! Each site's widget answers from its own site's knowledge: site `maple` publishes a knowledge
//! base from the app (imported with `answerdesk kb import`, published through the API) and its
//! widget answers from it, while site `birch`, which published nothing, answers from the
//! server's file; the service worker keeps both snapshots apart, and with the server gone each
//! site still answers from its own.

use std::ops::ControlFlow;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use e2e::{AgentClient, Browser, Server};
use serde_json::json;

/// What maple's published knowledge base says about delivery, and the server's file does not.
const MAPLE_DELIVERY: &str = "Maple couriers bring every order the next morning";

#[tokio::test(flavor = "multi_thread")]
async fn each_site_answers_from_its_published_snapshot_online_and_offline() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let kb = maple_kb(dir.path())?;
    e2e::run(async |server: &mut Server, browser: &Browser| scenario(server, browser, &kb).await)
        .await
}

/// The demo knowledge base with maple's own delivery answer.
fn maple_kb(dir: &Path) -> Result<std::path::PathBuf> {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/demo-kb");
    let copy = dir.join("maple-kb");
    let status = Command::new("cp")
        .arg("-r")
        .arg(&source)
        .arg(&copy)
        .status()?;
    ensure!(status.success(), "cannot copy {}", source.display());
    let shipping = copy.join("en/shipping.yaml");
    let text = std::fs::read_to_string(&shipping)?;
    let old = "Delivery time is counted from the day your order ships:";
    ensure!(text.contains(old), "the demo's delivery answer changed");
    std::fs::write(&shipping, text.replace(old, &format!("{MAPLE_DELIVERY}.")))?;
    Ok(copy)
}

async fn add_site(admin: &AgentClient, id: &str) -> Result<()> {
    let site =
        json!({ "id": id, "name": id, "allowed_origins": [format!("https://{id}.example")] });
    admin.post("/api/v1/admin/sites", site).await?;
    Ok(())
}

/// Publishes `site`'s knowledge base and waits until the server serves it: building the demo's
/// dense index takes a debug server well over [`e2e::PATIENCE`], so this waits up to 5 minutes.
async fn publish(admin: &AgentClient, site: &str) -> Result<()> {
    let path = format!("/api/v1/admin/kb/{site}/publish");
    admin.post(&path, json!({})).await?;
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let status = admin.get(&path).await?;
        if status["state"] != "running" {
            ensure!(status["state"] == "done", "publish failed: {status}");
            return Ok(());
        }
        ensure!(
            Instant::now() < deadline,
            "publish did not finish: {status}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The snapshot URLs the service worker has cached.
async fn cached_snapshots(browser: &Browser) -> Result<Vec<String>> {
    Ok(browser
        .driver
        .execute_async(
            "const done = arguments[arguments.length - 1];
             caches.open('answerdesk-v1')
               .then(c => c.keys())
               .then(keys => done(keys.map(k => new URL(k.url))
                 .filter(u => u.pathname === '/kb.snapshot').map(u => u.pathname + u.search)))
               .catch(() => done([]));",
            vec![],
        )
        .await?
        .convert()?)
}

async fn wait_for_cached(browser: &Browser, wanted: &[&str]) -> Result<()> {
    e2e::wait_until(async || {
        let cached = cached_snapshots(browser).await?;
        Ok(if wanted.iter().all(|w| cached.iter().any(|c| c == w)) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(format!(
                "the service worker caches {cached:?}, not all of {wanted:?}"
            ))
        })
    })
    .await
}

/// Opens `site`'s assistant (full page), asks about delivery; answers the answer's text.
async fn delivery_answer(server: &Server, browser: &Browser, site: &str) -> Result<String> {
    browser
        .driver
        .goto(server.url(&format!("/?site={site}")))
        .await?;
    browser
        .ask("how long does delivery take to arrive?")
        .await?;
    let ids = browser.answer_entries(1).await?;
    ensure!(
        ids[0] == "delivery-time",
        "{site} answers delivery: {ids:?}"
    );
    let texts = browser
        .texts("[data-testid=answer] .ad-answer-body")
        .await?;
    texts.into_iter().next().context("no answer text")
}

async fn scenario(server: &mut Server, browser: &Browser, kb: &Path) -> Result<()> {
    let admin = server
        .sign_in_admin("kb.admin@example.com", "KB Admin")
        .await?;
    add_site(&admin, "maple").await?;
    add_site(&admin, "birch").await?;
    let kb = kb.to_str().context("a UTF-8 temporary path")?;
    server.answerdesk(&["kb", "import", kb, "--site", "maple"])?;
    publish(&admin, "maple").await?;

    // Online: maple answers from what it published, birch from the server's file.
    let maple = delivery_answer(server, browser, "maple").await?;
    ensure!(
        maple.contains(MAPLE_DELIVERY),
        "maple's widget answers from maple's published knowledge base: {maple}"
    );
    wait_for_cached(browser, &["/kb.snapshot?site=maple"]).await?;
    let birch = delivery_answer(server, browser, "birch").await?;
    ensure!(
        !birch.contains(MAPLE_DELIVERY) && birch.contains("counted from the day your order ships"),
        "birch's widget answers from the server's file: {birch}"
    );
    wait_for_cached(
        browser,
        &["/kb.snapshot?site=maple", "/kb.snapshot?site=birch"],
    )
    .await?;

    // Offline: each site still answers from its own cached snapshot.
    server.stop()?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let maple = delivery_answer(server, browser, "maple").await?;
    ensure!(
        maple.contains(MAPLE_DELIVERY),
        "offline, maple answers from its cached published snapshot: {maple}"
    );
    let birch = delivery_answer(server, browser, "birch").await?;
    ensure!(
        !birch.contains(MAPLE_DELIVERY),
        "offline, birch still answers from its own snapshot: {birch}"
    );
    Ok(())
}
