//! Offline: after a first visit the service worker has the app, the wasm and the snapshot, so
//! with the server gone the page reloads and still answers; an escalation made meanwhile is
//! queued and reaches the server exactly once when it is back, and so does a reply to the team
//! typed during a second outage.

use std::ops::ControlFlow;

use anyhow::{ensure, Result};
use e2e::{Browser, Server, PATIENCE};
use thirtyfour::prelude::*;

#[tokio::test(flavor = "multi_thread")]
async fn widget_answers_offline_and_sends_a_queued_escalation_once() -> Result<()> {
    e2e::run(scenario).await
}

/// Waits until the service worker controls the page and has cached what answering needs.
async fn wait_for_offline_cache(browser: &Browser) -> Result<Vec<String>> {
    e2e::wait_until(async || {
        let cached: Vec<String> = browser
            .driver
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 navigator.serviceWorker.ready
                   .then(() => caches.open('answerdesk-v1'))
                   .then(c => c.keys())
                   .then(keys => done(keys.map(k => new URL(k.url).pathname)))
                   .catch(() => done([]));",
                vec![],
            )
            .await?
            .convert()?;
        let has = |suffix: &str| cached.iter().any(|p| p.ends_with(suffix));
        Ok(
            if has(".wasm") && has("/kb.snapshot") && has("/index.html") && has("/embed.js") {
                ControlFlow::Break(cached)
            } else {
                ControlFlow::Continue(format!(
                    "the service worker did not cache the app within {PATIENCE:?}: {cached:?}"
                ))
            },
        )
    })
    .await
}

async fn outbox_len(browser: &Browser) -> Result<usize> {
    Ok(browser.outbox().await?.len())
}

async fn scenario(server: &mut Server, browser: &Browser) -> Result<()> {
    // First visit, online: the widget loads and its service worker caches the app.
    browser.open_demo_widget(server).await?;
    browser.find("[data-testid=ask-input]").await?;
    let cached = wait_for_offline_cache(browser).await?;
    println!("cached for offline use: {cached:?}");
    // A second online visit lets the worker keep the host page too (it was not controlled yet).
    browser.driver.enter_default_frame().await?;
    browser.driver.refresh().await?;
    browser.launcher().await?;

    // The network is gone.
    server.stop()?;
    browser.driver.refresh().await?;
    browser.launcher().await?;
    browser.open_widget_timed().await?;
    browser.enter_widget().await?;
    browser
        .ask("how long does delivery take to arrive?")
        .await?;
    let ids = browser.answer_entries(1).await?;
    ensure!(
        ids[0] == "delivery-time",
        "offline answer from the cached snapshot: {ids:?}"
    );

    // Escalate while offline: queued, not lost.
    browser.escalate("Olga Offline").await?;
    browser.find("[data-testid=queued]").await?;
    ensure!(
        outbox_len(browser).await? == 1,
        "one escalation waits in the outbox"
    );

    // The network is back: the widget sends it by itself, once.
    server.restart()?;
    browser
        .wait_until_delivered(&format!(
            "the queued escalation was not sent within {PATIENCE:?} of the server's return"
        ))
        .await?;
    let notices = browser.find_n(".ad-notice", 2).await?;
    let last = notices.last().expect("two notices").text().await?;
    ensure!(last.contains("T-"), "the visitor sees the ticket: {last}");
    // Counted once the outbox is empty and no request of the widget is in flight: a duplicate
    // attempt would have had to be one of those requests, so it has landed by now if it was made.
    let (agent, id) = server
        .only_ticket("after the offline escalation", "olga.agent@example.com")
        .await?;
    let detail = agent.ticket(&id).await?.to_string();
    ensure!(
        detail.contains("how long does delivery take to arrive?")
            && detail.contains("How long does delivery take?"),
        "the ticket carries the transcript made offline: {detail}"
    );

    // Offline again, the visitor writes to the team: the reply waits in the outbox, on screen.
    server.stop()?;
    let reply = "It is order 1042, still not here";
    browser.ask(reply).await?;
    browser.find("[data-testid=pending-reply]").await?;
    ensure!(
        outbox_len(browser).await? == 1,
        "the reply waits in the outbox"
    );
    // Back online: sent once, and shown as the stored message.
    server.restart()?;
    // Delivered: the server's answer has come back, and with it the stored message.
    browser
        .wait_until_delivered(&format!(
            "the queued reply was not sent within {PATIENCE:?} of the server's return"
        ))
        .await?;
    let pending = browser
        .driver
        .find_all(By::Css("[data-testid=pending-reply]"))
        .await?;
    ensure!(pending.is_empty(), "the pending reply became the sent one");
    let detail = agent.ticket(&id).await?;
    let copies = detail["messages"]
        .as_array()
        .map(|messages| messages.iter().filter(|m| m["body_text"] == reply).count());
    ensure!(
        copies == Some(1),
        "the reply typed offline reached the ticket exactly once: {detail}"
    );
    Ok(())
}
