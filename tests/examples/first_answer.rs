//! `cargo xtask bench first-answer`: how long a first-time visitor on a phone network waits for
//! the first answer. Figures, not a test.
//!
//! Each round starts Chromium with a fresh profile, disables its HTTP cache and throttles the
//! network through the DevTools protocol (`Network.emulateNetworkConditions`), opens the widget
//! page, and types "How long does shipping take?" the moment the app's input appears (a script
//! the page runs before its own sets the input's value and submits the form, so WebDriver's
//! round trips are not counted). Times are from the start of navigation to the input and to the
//! answer on screen. Then, once the service worker has cached the snapshot, the same page is
//! loaded again in the same browser: the repeat visit. `FIRST_ANSWER_SNAPSHOTS` (`name=path;…`)
//! lists the knowledge bases to measure (`cargo xtask bench first-answer` passes the demo and the
//! demo grown to 1,000 and 10,000 entries).

use anyhow::{bail, Result};
use e2e::{Browser, Server};
use serde_json::json;

const ROUNDS: usize = 3;
const QUESTION: &str = "How long does shipping take?";

/// A network profile: name, download and upload bytes per second, round-trip latency in ms.
struct Profile {
    name: &'static str,
    down: u64,
    up: u64,
    latency_ms: u64,
}

/// Chrome DevTools' presets: "Fast 4G" is 9 Mbit/s down, 1.5 up, 60 ms (the 4G);
/// "Fast 3G" 1.6 Mbit/s down, 0.75 up, 150 ms.
const PROFILES: [Profile; 2] = [
    Profile {
        name: "4G",
        down: 9_000_000 / 8,
        up: 1_500_000 / 8,
        latency_ms: 60,
    },
    Profile {
        name: "Fast 3G",
        down: 1_600_000 / 8,
        up: 750_000 / 8,
        latency_ms: 150,
    },
];

/// Runs before the page's own scripts: the moment the app's input exists, asks the question;
/// records when the input appeared and when the first answer was shown (ms since navigation).
fn probe() -> String {
    format!(
        "(function () {{
           if (window.top !== window) return;
           var t = {{}};
           window.__firstAnswer = t;
           (function poll() {{
             var input = document.querySelector('[data-testid=ask-input]');
             if (input && t.input === undefined) {{
               t.input = performance.now();
               input.value = {question};
               input.dispatchEvent(new Event('input', {{ bubbles: true }}));
               input.form.requestSubmit();
             }}
             if (t.input !== undefined && document.querySelector('[data-testid=answer]')) {{
               t.answer = performance.now();
               return;
             }}
             setTimeout(poll, 5);
           }})();
         }})();",
        question = json!(QUESTION)
    )
}

/// Loads `url` and waits for the probe's figures: (to the input, to the answer) in ms.
async fn visit(browser: &Browser, url: &str) -> Result<(f64, f64)> {
    browser.driver.goto(url).await?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let t: serde_json::Value = browser
            .driver
            .execute("return window.__firstAnswer || {};", vec![])
            .await?
            .convert()?;
        if let (Some(input), Some(answer)) = (t["input"].as_f64(), t["answer"].as_f64()) {
            return Ok((input, answer));
        }
        if std::time::Instant::now() > deadline {
            bail!("no answer to {QUESTION:?} within 120 s of loading {url} (so far: {t})");
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[tokio::main]
async fn main() -> Result<()> {
    // `name=path;name=path`: the knowledge bases to measure, else the demo alone.
    let snapshots: Vec<(String, String)> = match std::env::var("FIRST_ANSWER_SNAPSHOTS") {
        Ok(list) => list
            .split(';')
            .filter_map(|pair| pair.split_once('='))
            .map(|(name, path)| (name.to_string(), path.to_string()))
            .collect(),
        Err(_) => vec![("demo".into(), std::env::var("ANSWERDESK_SNAPSHOT")?)],
    };
    let mut server = Server::start()?;
    let url = server.url("/?locale=en");
    println!(
        "first answer to {QUESTION:?}, median of {ROUNDS} fresh browsers \
         (ms from the start of navigation)"
    );
    println!(
        "{:<15} {:<10} {:>10} {:>16} {:>22}",
        "knowledge base", "network", "to input", "to first answer", "repeat visit: answer"
    );
    for (name, snapshot) in &snapshots {
        server.stop()?;
        server.restart_with_snapshot(std::path::Path::new(snapshot))?;
        for profile in &PROFILES {
            let (mut inputs, mut answers, mut repeats) = (vec![], vec![], vec![]);
            for _ in 0..ROUNDS {
                let (input, answer, repeat) = round(&url, profile).await?;
                inputs.push(input);
                answers.push(answer);
                repeats.push(repeat);
            }
            println!(
                "{:<15} {:<10} {:>10.0} {:>16.0} {:>22.0}",
                name,
                profile.name,
                median(inputs),
                median(answers),
                median(repeats)
            );
        }
    }
    Ok(())
}

/// One fresh browser on `profile`: (to the input, to the answer, repeat visit to the answer).
async fn round(url: &str, profile: &Profile) -> Result<(f64, f64, f64)> {
    let browser = Browser::start().await?;
    let measured = async {
        browser
            .driver
            .cdp()
            .page()
            .add_script_to_evaluate_on_new_document(probe())
            .await?;
        let cdp = browser.driver.cdp();
        cdp.send_raw("Network.enable", json!({})).await?;
        cdp.send_raw("Network.setCacheDisabled", json!({ "cacheDisabled": true }))
            .await?;
        cdp.send_raw(
            "Network.emulateNetworkConditions",
            json!({
                "offline": false,
                "latency": profile.latency_ms,
                "downloadThroughput": profile.down,
                "uploadThroughput": profile.up,
            }),
        )
        .await?;
        let (input, answer) = visit(&browser, url).await?;
        // Let the service worker install and cache the app and the snapshot.
        wait_for_cached_snapshot(&browser).await?;
        let (_, again) = visit(&browser, url).await?;
        anyhow::Ok((input, answer, again))
    }
    .await;
    browser.quit().await?;
    measured
}

/// Waits until the service worker holds the snapshot in its cache.
async fn wait_for_cached_snapshot(browser: &Browser) -> Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    loop {
        let cached: bool = browser
            .driver
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 caches.match('/kb.snapshot').then(r => done(!!r), () => done(false));",
                vec![],
            )
            .await?
            .convert()?;
        if cached {
            return Ok(());
        }
        if std::time::Instant::now() > deadline {
            bail!("the service worker did not cache the snapshot within 300 s");
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
