//! A first-time visitor is answered before the snapshot has finished downloading: the
//! snapshot's core (entries, lexical index, the lexical ranker's calibration and thresholds)
//! comes first, and the widget answers from it while the dense index, most of the file, is
//! still on its way. Here the dense index never arrives: the server sends the core alone.
//! And what the visitor downloads comes brotli-compressed, as Chromium's own network events say.

use anyhow::{ensure, Context as _, Result};
use e2e::{Browser, Server};
use thirtyfour::prelude::*;

#[tokio::test(flavor = "multi_thread")]
async fn questions_are_answered_from_the_snapshots_core_before_the_dense_index_arrives(
) -> Result<()> {
    e2e::run(scenario).await
}

/// `Content-Encoding` as Chromium received each response, from the DevTools protocol's
/// `Network.responseReceived` events: (URL, coding), empty when none.
fn codings(events: &[serde_json::Value]) -> Vec<(String, String)> {
    events
        .iter()
        .filter(|e| e["method"] == "Network.responseReceived")
        .map(|e| {
            let response = &e["params"]["response"];
            let coding = response["headers"]
                .as_object()
                .into_iter()
                .flatten()
                .find(|(name, _)| name.eq_ignore_ascii_case("content-encoding"))
                .and_then(|(_, v)| v.as_str())
                .unwrap_or_default();
            (
                response["url"].as_str().unwrap_or_default().to_string(),
                coding.to_string(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_app_and_the_snapshot_arrive_brotli_compressed() -> Result<()> {
    e2e::run_with(
        Browser::start_recording_network().await?,
        async |server, browser| {
            browser.driver.goto(server.url("/?locale=en")).await?;
            browser.ask("how long does shipping take?").await?;
            browser.find("[data-testid=answer]").await?;
            let origin = server.url("/");
            let received: Vec<(String, String)> = codings(&browser.network_log().await?)
                .into_iter()
                .filter(|(url, _)| url.starts_with(&origin)) // not the browser's own pages
                .collect();
            // 127.0.0.1 is a secure context, so Chromium asks for `br` as for any https origin.
            for (what, suffix) in [
                ("the app's wasm", "_bg.wasm"),
                ("the app's JavaScript", ".js"),
                ("the snapshot", "/kb.snapshot"),
            ] {
                let responses: Vec<&(String, String)> = received
                    .iter()
                    .filter(|(url, _)| url.ends_with(suffix) && !url.ends_with("/embed.js"))
                    .collect();
                ensure!(
                    !responses.is_empty(),
                    "no response for {what} among {received:?}"
                );
                for (url, coding) in responses {
                    ensure!(
                        coding == "br",
                        "{what} ({url}) arrived with Content-Encoding {coding:?}, not br"
                    );
                }
            }
            Ok(())
        },
    )
    .await
}

async fn scenario(server: &mut Server, browser: &Browser) -> Result<()> {
    let whole = std::fs::read(std::env::var("ANSWERDESK_SNAPSHOT")?)?;
    let core_end = engine::Snapshot::core_end(&whole).context("the demo snapshot's core")?;
    ensure!(
        core_end * 3 < whole.len(),
        "the core should be a small part of the demo snapshot: {core_end} of {} bytes",
        whole.len()
    );
    let dir = tempfile::tempdir()?;
    let core_only = dir.path().join("core-only.snapshot");
    std::fs::write(&core_only, &whole[..core_end])?;
    server.stop()?;
    server.restart_with_snapshot(&core_only)?;

    browser.driver.goto(server.url("/?locale=en")).await?;
    let input = browser.find("[data-testid=ask-input]").await?;
    input
        .send_keys("how long will delivery take to arrive?" + Key::Enter)
        .await?;
    let answer = browser.find("[data-testid=answer]").await?.text().await?;
    ensure!(
        answer.contains("How long does delivery take?"),
        "wrong answer from the core for a delivery question: {answer}"
    );
    input.send_keys("我想退货，怎么申请" + Key::Enter).await?;
    let answers = browser.find_n("[data-testid=answer]", 2).await?;
    let zh = answers[1].text().await?;
    ensure!(
        zh.contains("怎么申请退货？"),
        "wrong answer from the core for a Chinese return question: {zh}"
    );
    // Off-topic questions still escalate rather than guess.
    input
        .send_keys("write me a poem about cats" + Key::Enter)
        .await?;
    // "I can't answer that": the fallback that offers a person.
    browser.find(".ad-fallback").await?;
    ensure!(
        browser.count("[data-testid=answer]").await? == 2,
        "an off-topic question should get no answer"
    );
    Ok(())
}
