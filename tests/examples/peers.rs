//! `cargo xtask bench peers`: Answerdesk's engine beside MiniSearch, FlexSearch, Orama, Lunr and
//! Fuse.js in one headless Chromium page (`bench/page/`). Figures, not a test.
//!
//! `ANSWERDESK_DIST` is the built page with its data (`cargo xtask bench peers` lays it out and
//! precompresses it), served by `answerdesk serve` as the widget is, brotli and gzip included.
//! For each knowledge base of `PEERS_SETS` and library of `PEERS_LIBS` (comma-separated), a fresh
//! page builds the index and runs every scored query (`bench/page/runner.js`); then, for each
//! library, fresh browsers with the HTTP cache disabled and the network throttled as in
//! `bench first-answer` time the first answer to `PEERS_QUESTION` over `PEERS_FIRST_SET`. The
//! figures go to `PEERS_OUT` as JSON, for xtask to write docs/BENCHMARKS.md.

use anyhow::{bail, Context, Result};
use e2e::{Browser, Network, Server, ServerOptions, NETWORKS};
use serde_json::{json, Value};

/// Fresh browsers per library and network for the first answer; the median is reported.
const ROUNDS: usize = 3;

fn list(name: &str) -> Result<Vec<String>> {
    Ok(std::env::var(name)
        .with_context(|| format!("{name} is not set"))?
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect())
}

/// Loads `url` and waits up to `seconds` for the page's `window.__peers`.
async fn figures(browser: &Browser, url: &str, seconds: u64) -> Result<Value> {
    browser.driver.goto(url).await?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    loop {
        let found: Value = browser
            .driver
            .execute("return window.__peers || null;", vec![])
            .await?
            .convert()?;
        if let Some(error) = found.get("error") {
            bail!("{url}: {error}");
        }
        if !found.is_null() {
            return Ok(found);
        }
        if std::time::Instant::now() > deadline {
            bail!("{url}: no figures within {seconds} s");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One fresh browser on a throttled network with its cache disabled: ms from navigation start
/// to the first answer, and the entry it found.
async fn first_answer(url: &str, network: &Network) -> Result<Value> {
    let browser = Browser::start().await?;
    let measured = async {
        browser.throttle(network).await?;
        figures(&browser, url, 300).await
    }
    .await;
    browser.quit().await?;
    measured
}

#[tokio::main]
async fn main() -> Result<()> {
    let libs = list("PEERS_LIBS")?;
    let sets = list("PEERS_SETS")?;
    let first_set = std::env::var("PEERS_FIRST_SET").unwrap_or_else(|_| "demo".into());
    let question =
        std::env::var("PEERS_QUESTION").unwrap_or_else(|_| "How long does shipping take?".into());
    let out = std::env::var("PEERS_OUT").context("PEERS_OUT is not set")?;
    let server = Server::start_with(ServerOptions {
        env: vec![("ANSWERDESK_RATE_LIMIT".into(), "off".into())],
        ..ServerOptions::default()
    })?;

    let mut runs = Vec::new();
    let browser = Browser::start().await?;
    let evaluated = async {
        for set in &sets {
            for lib in &libs {
                let url = server.url(&format!("/index.html?lib={lib}&set={set}"));
                let started = std::time::Instant::now();
                let run = figures(&browser, &url, 1800).await?;
                println!(
                    "    {set:<18} {lib:<11} top-1 {:.3}  p50 {:>8.1} µs  ({:.0} s)",
                    run["top1"].as_f64().unwrap_or(f64::NAN),
                    run["p50_us"].as_f64().unwrap_or(f64::NAN),
                    started.elapsed().as_secs_f64()
                );
                runs.push(run);
            }
        }
        anyhow::Ok(())
    }
    .await;
    browser.quit().await?;
    evaluated?;

    let mut first = Vec::new();
    for lib in &libs {
        for profile in &NETWORKS {
            let url = server.url(&format!(
                "/index.html?lib={lib}&set={first_set}&first={}",
                encode(&question)
            ));
            let mut times = Vec::new();
            let mut answer = Value::Null;
            for _ in 0..ROUNDS {
                let found = first_answer(&url, profile).await?;
                times.push(found["ms"].as_f64().context("no time")?);
                answer = found["id"].clone();
            }
            times.sort_by(f64::total_cmp);
            let median = times[times.len() / 2];
            println!(
                "    first answer {lib:<11} {:<8} {median:>7.0} ms  ({answer})",
                profile.name
            );
            first.push(json!({ "lib": lib, "network": profile.name, "ms": median, "rounds": times, "answer": answer }));
        }
    }
    std::fs::write(
        &out,
        serde_json::to_string_pretty(&json!({ "runs": runs, "first_answer": first }))?,
    )?;
    Ok(())
}
