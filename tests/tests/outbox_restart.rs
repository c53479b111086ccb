//! Offline durability across a browser restart: an escalation made while the server is
//! unreachable waits in the widget's outbox (localStorage), survives the browser being closed
//! and started again on the same profile, and reaches the server exactly once when it is back.

use std::ops::ControlFlow;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use e2e::{Browser, Server, PATIENCE};

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

/// Returns the idempotency key of the queued escalation.
async fn first_session(server: &mut Server, browser: &Browser) -> Result<String> {
    browser.open_demo_widget(server).await?;
    // Answered while the server is up: the answer proves the snapshot has arrived, which a
    // server stopped earlier could cut off. Then the server goes, and the escalation is queued.
    browser.ask(QUESTION).await?;
    browser.answer_entries(1).await?;
    server.stop()?;
    browser.escalate(NAME).await?;
    browser.find("[data-testid=queued]").await?;
    let queued = browser.outbox().await?;
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
    browser.open_demo_widget(server).await?;
    // The restarted browser still has the item: it was not lost with the first session.
    e2e::wait_until(async || {
        let left = browser.outbox().await?;
        ensure!(
            left.iter().all(|q| q["key"] == key),
            "only the escalation from before the restart is queued: {left:?}"
        );
        Ok(match left.is_empty() {
            true => ControlFlow::Break(()),
            false => ControlFlow::Continue(format!(
                "the escalation queued before the restart was not delivered within {PATIENCE:?}"
            )),
        })
    })
    .await?;
    e2e::wait_until(async || {
        let notices = browser.texts(".ad-notice").await?;
        Ok(match notices.iter().any(|n| n.contains("T-")) {
            true => ControlFlow::Break(()),
            false => {
                ControlFlow::Continue(format!("the visitor was not shown the ticket: {notices:?}"))
            }
        })
    })
    .await?;
    // Counted once no request of the widget is in flight: a duplicate attempt would have had
    // to be one of them, so it has landed by now if the widget made one.
    browser.wait_for_network_idle().await?;
    let (agent, id) = server
        .only_ticket(
            "from the escalation queued before the browser restart",
            "rita.agent@example.com",
        )
        .await?;
    let detail = agent.ticket(&id).await?.to_string();
    ensure!(
        detail.contains(QUESTION) && detail.contains(NAME),
        "the ticket carries what the visitor typed before the restart: {detail}"
    );
    Ok(())
}
