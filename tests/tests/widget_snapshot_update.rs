//! A new knowledge snapshot is picked up in the background: the service worker answers from the
//! cached snapshot at once and revalidates it with the server; after the server starts serving a
//! knowledge base with one more entry, the next load answers that entry's question.

use std::ops::ControlFlow;
use std::path::Path;
use std::process::Command;

use anyhow::{ensure, Context, Result};
use e2e::{Browser, Server};

const NEW_ENTRY: &str = "\
locale: en
category: store
entries:
  - id: bicycle-parking
    question: Is there bicycle parking at your stores?
    alternates:
      - where can I park my bike
      - do you have bike racks
      - can I leave my bicycle outside the shop
      - secure cycle parking near the store
      - bike parking spaces
    answer: |
      Yes: every Maple Market store has **covered bike racks** by the entrance.
";

#[tokio::test(flavor = "multi_thread")]
async fn a_new_snapshot_is_used_on_the_next_load() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let updated = build_updated_snapshot(dir.path())?;
    e2e::run(async |server: &mut Server, browser: &Browser| {
        scenario(server, browser, &updated).await
    })
    .await
}

/// The demo knowledge base plus one entry, compiled with `answerdesk kb build`.
fn build_updated_snapshot(dir: &Path) -> Result<std::path::PathBuf> {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/demo-kb");
    let copy = dir.join("kb");
    let status = Command::new("cp")
        .arg("-r")
        .arg(&source)
        .arg(&copy)
        .status()?;
    ensure!(status.success(), "cannot copy {}", source.display());
    std::fs::write(copy.join("en/zz-bicycles.yaml"), NEW_ENTRY)?;
    let output = dir.join("updated.snapshot");
    let bin = std::env::var_os("ANSWERDESK_BIN").context("ANSWERDESK_BIN is not set")?;
    let built = Command::new(bin)
        .args(["kb", "build"])
        .arg(&copy)
        .arg("--output")
        .arg(&output)
        .output()?;
    ensure!(
        built.status.success(),
        "kb build failed: {}",
        String::from_utf8_lossy(&built.stderr)
    );
    Ok(output)
}

/// The ETag of the demo site's snapshot the worker has cached, if any (the demo page embeds the
/// widget of the site `demo`, which loads `/kb.snapshot?site=demo`).
async fn cached_etag(browser: &Browser) -> Result<String> {
    Ok(browser
        .driver
        .execute_async(
            "const done = arguments[arguments.length - 1];
             caches.open('answerdesk-v1')
               .then(c => c.match('/kb.snapshot?site=demo'))
               .then(r => done(r ? (r.headers.get('etag') || '') : ''))
               .catch(() => done(''));",
            vec![],
        )
        .await?
        .convert()?)
}

/// The ETag the server sends Chromium for the demo site's snapshot (the server's file: the site
/// published nothing): each coding has its own, and Chromium asks 127.0.0.1 (a secure context)
/// for brotli.
async fn served_etag(server: &Server) -> Result<String> {
    let response = reqwest::Client::new()
        .get(server.url("/kb.snapshot?site=demo"))
        .header("Accept-Encoding", "gzip, deflate, br, zstd")
        .send()
        .await?;
    Ok(response
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string())
}

async fn wait_for_cached(browser: &Browser, etag: &str) -> Result<()> {
    e2e::wait_until(async || {
        let cached = cached_etag(browser).await?;
        Ok(match cached == etag {
            true => ControlFlow::Break(()),
            false => ControlFlow::Continue(format!(
                "the worker still caches snapshot {cached:?}, the server serves {etag:?}"
            )),
        })
    })
    .await
}

async fn open_and_ask(browser: &Browser, question: &str) -> Result<()> {
    browser.driver.enter_default_frame().await?;
    browser.open_widget().await?;
    browser.ask(question).await
}

async fn scenario(server: &mut Server, browser: &Browser, updated: &Path) -> Result<()> {
    // First visit: the worker caches the first snapshot.
    browser.driver.goto(server.url("/demo.html")).await?;
    open_and_ask(browser, "how long does delivery take to arrive?").await?;
    let ids = browser.answer_entries(1).await?;
    ensure!(ids[0] == "delivery-time", "first snapshot answers: {ids:?}");
    let first = served_etag(server).await?;
    wait_for_cached(browser, &first).await?;

    // The site publishes a knowledge base with one more entry.
    server.stop()?;
    server.restart_with_snapshot(updated)?;
    let second = served_etag(server).await?;
    ensure!(first != second, "the new snapshot has its own ETag");

    // This load is answered from the cached snapshot at once; the worker fetches the new one.
    browser.driver.enter_default_frame().await?;
    browser.driver.refresh().await?;
    open_and_ask(browser, "how long does delivery take to arrive?").await?;
    browser.answer_entries(1).await?;
    wait_for_cached(browser, &second).await?;

    // The next load answers from the new snapshot.
    browser.driver.enter_default_frame().await?;
    browser.driver.refresh().await?;
    open_and_ask(browser, "where can I park my bike?").await?;
    let ids = browser.answer_entries(1).await?;
    ensure!(
        ids[0] == "bicycle-parking",
        "the new entry is answered after the update: {ids:?}"
    );
    Ok(())
}
