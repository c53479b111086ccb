//! Offline durability across a browser restart: an escalation made while the server is
//! unreachable waits in the widget's outbox (localStorage), survives the browser being closed
//! and started again on the same profile, and reaches the server exactly once when it is back.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use e2e::{Browser, Server, PATIENCE};
use thirtyfour::prelude::*;

const QUESTION: &str = "how long does delivery take to arrive?";
const NAME: &str = "Rita Restart";

#[tokio::test(flavor = "multi_thread")]
async fn an_escalation_queued_offline_is_sent_once_after_the_browser_restarts() -> Result<()> {
    let mut server = Server::start()?;
    let profile = tempfile::tempdir()?;

    // First browser session: online long enough to load the widget, then the server goes away
    // and the visitor escalates; the browser is closed with the escalation still queued.
    let first = Browser::start_with_profile(profile.path()).await?;
    let queued = first_session(&mut server, &first).await;
    close(first, profile.path()).await?;
    let queued = queued?;
    ensure!(
        server.tickets()?.is_empty(),
        "nothing reached the database while the server was down"
    );

    // The server is back; the browser starts again on the same profile.
    server.restart()?;
    let second = Browser::start_with_profile(profile.path()).await?;
    let result = second_session(&server, &second, &queued).await;
    second.quit().await?;
    result
}

/// Quits the browser and waits until Chromium has let go of the profile (its lock file gone),
/// so that what it keeps on disk is complete before the next session opens it.
async fn close(browser: Browser, profile: &Path) -> Result<()> {
    browser.driver.clone().quit().await?;
    let lock = profile.join("SingletonLock");
    let deadline = Instant::now() + PATIENCE;
    while lock.symlink_metadata().is_ok() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(browser);
    Ok(())
}

async fn outbox(browser: &Browser) -> Result<Vec<serde_json::Value>> {
    let json: String = browser
        .driver
        .execute(
            "return localStorage.getItem('answerdesk.outbox') || '[]';",
            vec![],
        )
        .await?
        .convert()?;
    Ok(serde_json::from_str(&json)?)
}

/// Returns the idempotency key of the queued escalation.
async fn first_session(server: &mut Server, browser: &Browser) -> Result<String> {
    browser.driver.goto(server.url("/demo.html")).await?;
    browser.launcher().await?;
    browser.open_widget_timed().await?;
    browser.enter_widget().await?;
    // Answered while the server is up: the answer proves the snapshot has arrived, which a
    // server stopped earlier could cut off. Then the server goes, and the escalation is queued.
    let input = browser.find("[data-testid=ask-input]").await?;
    input.send_keys(QUESTION.to_string() + Key::Enter).await?;
    browser.answer_entries(1).await?;
    server.stop()?;
    browser
        .find("[data-testid=escalate]")
        .await?
        .click()
        .await?;
    browser
        .find(".ad-escalate input[autocomplete=name]")
        .await?
        .send_keys(NAME)
        .await?;
    browser
        .find("[data-testid=escalate-submit]")
        .await?
        .click()
        .await?;
    browser.find("[data-testid=queued]").await?;
    let queued = outbox(browser).await?;
    ensure!(queued.len() == 1, "one escalation waits: {queued:?}");
    ensure!(
        queued[0]["kind"] == "escalation",
        "the queued item is the escalation: {queued:?}"
    );
    queued[0]["key"]
        .as_str()
        .map(String::from)
        .context("the queued escalation has an idempotency key")
}

async fn second_session(server: &Server, browser: &Browser, key: &str) -> Result<()> {
    browser.driver.goto(server.url("/demo.html")).await?;
    browser.launcher().await?;
    browser.open_widget_timed().await?;
    browser.enter_widget().await?;
    // The restarted browser still has the item: it was not lost with the first session.
    let deadline = Instant::now() + PATIENCE;
    loop {
        let left = outbox(browser).await?;
        if left.is_empty() {
            break;
        }
        ensure!(
            left.iter().all(|q| q["key"] == key),
            "only the escalation from before the restart is queued: {left:?}"
        );
        ensure!(
            Instant::now() < deadline,
            "the escalation queued before the restart was not delivered within {PATIENCE:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let deadline = Instant::now() + PATIENCE;
    loop {
        let mut notices = Vec::new();
        for notice in browser.driver.find_all(By::Css(".ad-notice")).await? {
            notices.push(notice.text().await.unwrap_or_default());
        }
        if notices.iter().any(|n| n.contains("T-")) {
            break;
        }
        ensure!(
            Instant::now() < deadline,
            "the visitor was not shown the ticket: {notices:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Time for a duplicate attempt to land, if the widget made one.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let tickets = server.tickets()?;
    ensure!(
        tickets.len() == 1,
        "exactly one ticket from the escalation queued before the browser restart: {tickets:?}"
    );
    let id = tickets[0]["id"].as_str().unwrap_or_default().to_string();
    let agent = server
        .sign_in_agent("rita.agent@example.com", "Desk Agent")
        .await?;
    let detail = agent.ticket(&id).await?.to_string();
    ensure!(
        detail.contains(QUESTION) && detail.contains(NAME),
        "the ticket carries what the visitor typed before the restart: {detail}"
    );
    Ok(())
}
