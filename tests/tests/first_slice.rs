//! The first slice through every layer: the visitor's browser answers from the
//! snapshot with the engine in WASM, then hands the conversation to a person,
//! and the ticket is in the database.

use anyhow::{ensure, Result};
use e2e::{Browser, Server};
use thirtyfour::prelude::*;

#[tokio::test(flavor = "multi_thread")]
async fn visitor_is_answered_in_the_browser_then_escalates_to_a_ticket() -> Result<()> {
    e2e::run(scenario).await
}

async fn scenario(server: &mut Server, browser: &Browser) -> Result<()> {
    browser.driver.goto(server.url("/?locale=en")).await?;
    let input = browser.find("[data-testid=ask-input]:enabled").await?;

    input
        .send_keys("how long will delivery take to arrive?" + Key::Enter)
        .await?;
    let answer = browser.find("[data-testid=answer]").await?;
    let text = answer.text().await?;
    ensure!(
        text.contains("How long does delivery take?"),
        "wrong answer for a delivery question: {text}"
    );

    input.send_keys("我想退货，怎么申请" + Key::Enter).await?;
    let answers = browser.find_n("[data-testid=answer]", 2).await?;
    let zh = answers[1].text().await?;
    ensure!(
        zh.contains("怎么申请退货？"),
        "wrong answer for a Chinese return question: {zh}"
    );
    browser.screenshot("visitor-answer").await?;

    // Answers came from the engine in the page: the server saw no request per question.
    let requests = browser.requested_urls().await?;
    ensure!(
        !requests.iter().any(|u| u.contains("/api/")),
        "questions must be answered without the server, but the page requested: {requests:?}"
    );
    ensure!(
        requests
            .iter()
            .filter(|u| u.ends_with("/kb.snapshot"))
            .count()
            == 1,
        "snapshot fetched once: {requests:?}"
    );
    // The app and the snapshot came compressed, as Chromium received them (brotli: 127.0.0.1
    // is a secure context, to which Chromium sends `br` in Accept-Encoding).
    let transfers = browser.transfers().await?;
    for suffix in ["_bg.wasm", ".js", "/kb.snapshot"] {
        let sent: Vec<_> = transfers
            .iter()
            .filter(|t| t.url.ends_with(suffix) && !t.url.ends_with("/embed.js"))
            .collect();
        ensure!(!sent.is_empty(), "no {suffix} among {transfers:?}");
        // The service worker, once it controls the page, answers the snapshot from its cache.
        let sent: Vec<_> = sent.into_iter().filter(|t| !t.worker).collect();
        for t in sent {
            ensure!(
                t.encoded > 0 && t.encoded * 10 < t.decoded * 9,
                "{} came uncompressed: {} bytes on the wire for {} decoded",
                t.url,
                t.encoded,
                t.decoded
            );
        }
    }

    browser.escalate("Ada Visitor").await?;
    let notice = browser.find(".ad-notice").await?.text().await?;
    ensure!(
        notice.contains("T-"),
        "the visitor should see the ticket id, saw: {notice}"
    );

    let listed = server.answerdesk(&["tickets", "list", "--json"])?;
    let tickets: Vec<serde_json::Value> = listed
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    ensure!(
        tickets.len() == 1,
        "expected exactly one ticket, got: {listed}"
    );
    let ticket = &tickets[0];
    ensure!(
        notice.contains(ticket["id"].as_str().unwrap_or("?")),
        "ticket id shown {notice} vs stored {ticket}"
    );

    // The browser keeps the ticket's capability token; with it, the transcript is readable.
    let stored: String = browser
        .driver
        .execute("return localStorage.getItem('answerdesk.ticket');", vec![])
        .await?
        .convert()?;
    let stored: serde_json::Value = serde_json::from_str(&stored)?;
    let messages: serde_json::Value = reqwest::Client::new()
        .get(server.url(&format!(
            "/api/v1/tickets/{}/messages",
            ticket["id"].as_str().unwrap_or_default()
        )))
        .bearer_auth(stored["token"].as_str().unwrap_or_default())
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let text = messages.to_string();
    // Two questions, two bot answers, and the escalation message itself.
    ensure!(
        text.contains("how long will delivery take")
            && text.contains("我想退货，怎么申请")
            && text.contains("How long does delivery take?"),
        "the transcript is missing from the ticket: {text}"
    );
    Ok(())
}
