//! The widget's anonymous conversation events, from the browser to the database: a visitor's
//! answered question, their "helpful", a question the demo cannot answer (with an email and a
//! phone number, masked before they leave the browser) and the escalation arrive as events of one
//! conversation; with analytics off, nothing arrives.

use std::ops::ControlFlow;

use anyhow::{ensure, Context, Result};
use e2e::{wait_until, Browser, Server};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread")]
async fn a_conversation_arrives_as_masked_anonymous_events() -> Result<()> {
    e2e::run(conversation_events).await
}

#[tokio::test(flavor = "multi_thread")]
async fn analytics_off_sends_nothing() -> Result<()> {
    e2e::run(analytics_off).await
}

/// The stored events, oldest first, as `answerdesk events list --json` prints them.
fn stored(server: &Server) -> Result<Vec<Value>> {
    server
        .answerdesk(&["events", "list", "--json", "--limit", "1000"])?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).with_context(|| format!("not JSON: {l}")))
        .collect()
}

/// Waits until the stored events include every one of `kinds`; answers them all.
async fn wait_for_events(server: &Server, kinds: &[&str]) -> Result<Vec<Value>> {
    wait_until(async || {
        let events = stored(server)?;
        let missing: Vec<&&str> = kinds
            .iter()
            .filter(|k| !events.iter().any(|e| e["type"] == **k))
            .collect();
        Ok(if missing.is_empty() {
            ControlFlow::Break(events)
        } else {
            ControlFlow::Continue(format!("no {missing:?} event stored; stored: {events:?}"))
        })
    })
    .await
}

fn of_type<'a>(events: &'a [Value], kind: &str) -> Result<&'a Value> {
    events
        .iter()
        .find(|e| e["type"] == kind)
        .with_context(|| format!("no {kind} event in {events:?}"))
}

async fn conversation_events(server: &mut Server, browser: &Browser) -> Result<()> {
    browser.open_demo_widget(server).await?;
    browser
        .ask("how long does delivery take to arrive?")
        .await?;
    browser.answer_entries(1).await?;
    browser.click("[data-testid=helpful-yes]").await?;
    browser.find("[data-testid=helpful-thanks]").await?;

    let private =
        "write me a poem about cats and send it to ada.lovelace@example.com or +1 (555) 123-4567";
    browser.ask(private).await?;
    browser.find(".ad-fallback").await?;
    browser.escalate("Ada Visitor").await?;
    browser.wait_for_text(".ad-notice", "T-").await?;

    // Leaving the page sends what waits, by beacon.
    browser.driver.enter_default_frame().await?;
    browser.driver.goto("about:blank").await?;
    let events =
        wait_for_events(server, &["answered", "helpful", "no_answer", "escalated"]).await?;

    let conversation = &events[0]["conversation"];
    ensure!(
        conversation.as_str().is_some_and(|c| c.len() >= 24),
        "a random conversation id: {conversation}"
    );
    ensure!(
        events
            .iter()
            .all(|e| &e["conversation"] == conversation && e["site"] == "demo"),
        "one conversation: {events:?}"
    );
    let answered = of_type(&events, "answered")?;
    ensure!(
        answered["entry_id"].as_str().is_some_and(|e| !e.is_empty())
            && answered["confidence"]
                .as_f64()
                .is_some_and(|c| (0.0..=1.0).contains(&c)),
        "the answer's entry and confidence: {answered}"
    );
    ensure!(
        of_type(&events, "helpful")?["helpful"] == true,
        "the visitor found it helpful"
    );
    let no_answer = of_type(&events, "no_answer")?["text"]
        .as_str()
        .context("the unanswered question")?;
    ensure!(
        no_answer.contains("poem about cats")
            && no_answer.contains("[email]")
            && no_answer.contains("[phone]")
            && !no_answer.contains("lovelace")
            && !no_answer.contains("4567"),
        "masked in the browser: {no_answer}"
    );
    let escalated = of_type(&events, "escalated")?;
    ensure!(
        escalated["reason"] == "no_answer",
        "escalated after no answer: {escalated}"
    );
    let all = serde_json::to_string(&events)?;
    ensure!(
        !all.contains("example.com") && !all.contains("Ada Visitor"),
        "nothing identifying is stored: {all}"
    );
    Ok(())
}

async fn analytics_off(server: &mut Server, browser: &Browser) -> Result<()> {
    // The site owner turned analytics off: the same things happen, and nothing is sent.
    browser.driver.goto(server.url("/?analytics=off")).await?;
    browser
        .ask("how long does delivery take to arrive?")
        .await?;
    browser.answer_entries(1).await?;
    browser.click("[data-testid=helpful-no]").await?;
    browser.find("[data-testid=helpful-thanks]").await?;
    browser.ask("write me a poem about cats").await?;
    browser.find(".ad-fallback").await?;

    // Then a page with analytics on, in the same browser, after the first page went away: once
    // its event is stored, whatever the first page would have sent has had its moment.
    browser.driver.goto(server.url("/")).await?;
    browser.ask("write me a poem about dogs").await?;
    browser.find(".ad-fallback").await?;
    browser.driver.goto("about:blank").await?;
    let events = wait_for_events(server, &["no_answer"]).await?;
    ensure!(
        events.len() == 1 && events[0]["text"] == "write me a poem about dogs",
        "only the page with analytics on reported, once: {events:?}"
    );
    Ok(())
}
