//! A first-time visitor on a slow connection is answered before the snapshot has finished
//! downloading: the snapshot's core (entries, lexical index, the lexical ranker's thresholds)
//! comes first, and the engine answers from it while the dense index, most of the file, is
//! still on its way.

use std::time::Duration;

use anyhow::{ensure, Context as _, Result};
use e2e::{Browser, Server};
use serde_json::json;
use thirtyfour::prelude::*;

#[tokio::test(flavor = "multi_thread")]
async fn a_question_typed_while_the_dense_index_downloads_is_answered() -> Result<()> {
    e2e::run(scenario).await
}

/// Whether the page has the whole snapshot: a resource timing entry is added when a response
/// has ended, not before.
async fn snapshot_finished(browser: &Browser) -> Result<bool> {
    let finished: bool = browser
        .driver
        .execute(
            "return performance.getEntriesByType('resource')\
                .some(e => e.name.endsWith('/kb.snapshot'));",
            vec![],
        )
        .await?
        .convert()?;
    Ok(finished)
}

async fn scenario(server: &mut Server, browser: &Browser) -> Result<()> {
    // 160 KB/s: the app and the snapshot's core (about 300 KB with brotli) take about two
    // seconds, the dense index (over 2 MB) more than ten.
    let cdp = browser.driver.cdp();
    cdp.send_raw("Network.enable", json!({})).await?;
    let throttle = |bytes_per_second: i64| {
        json!({
            "offline": false,
            "latency": 40,
            "downloadThroughput": bytes_per_second,
            "uploadThroughput": bytes_per_second,
        })
    };
    cdp.send_raw("Network.emulateNetworkConditions", throttle(160_000))
        .await?;

    browser.driver.goto(server.url("/?locale=en")).await?;
    let input = browser.find("[data-testid=ask-input]").await?;
    input
        .send_keys("how long will delivery take to arrive?" + Key::Enter)
        .await?;
    let answer = browser.find("[data-testid=answer]").await?.text().await?;
    ensure!(
        answer.contains("How long does delivery take?"),
        "wrong early answer for a delivery question: {answer}"
    );
    ensure!(
        !snapshot_finished(browser).await?,
        "the answer should come before the snapshot has finished downloading"
    );
    input.send_keys("我想退货，怎么申请" + Key::Enter).await?;
    let answers = browser.find_n("[data-testid=answer]", 2).await?;
    let zh = answers[1].text().await?;
    ensure!(
        zh.contains("怎么申请退货？"),
        "wrong early answer for a Chinese return question: {zh}"
    );
    ensure!(
        !snapshot_finished(browser).await?,
        "the Chinese answer should also come before the snapshot has finished downloading"
    );

    // The rest arrives and takes over; the widget keeps answering.
    cdp.send_raw("Network.emulateNetworkConditions", throttle(-1))
        .await?;
    e2e::wait_until(async || {
        Ok(if snapshot_finished(browser).await? {
            std::ops::ControlFlow::Break(())
        } else {
            std::ops::ControlFlow::Continue("the snapshot is still downloading".to_string())
        })
    })
    .await
    .context("the snapshot never finished")?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    input
        .send_keys("when will my refund arrive" + Key::Enter)
        .await?;
    let answers = browser.find_n("[data-testid=answer]", 3).await?;
    let refund = answers[2].text().await?;
    ensure!(
        refund.to_lowercase().contains("refund"),
        "wrong answer once the whole snapshot is in: {refund}"
    );
    Ok(())
}
