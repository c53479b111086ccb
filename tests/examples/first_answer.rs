//! `cargo xtask bench first-answer`: how long a first-time visitor on a phone network waits for
//! the assistant's first reply. Figures, not a test.
//!
//! Each round starts Chromium with a fresh profile, disables its HTTP cache and throttles the
//! network through the DevTools protocol (`Network.emulateNetworkConditions`), opens the widget
//! page, and types "How long does shipping take?" the moment the app's input appears (a script
//! the page runs before its own sets the input's value and submits the form, so WebDriver's
//! round trips are not counted). Times are from the start of navigation to the input and to the
//! reply on screen, whichever the engine decided: an answer, "did you mean" choices, or the offer
//! of a person (the table says which). The wait is the download and the engine's start, the same
//! for every decision; whether the decision is right is `kb eval`'s to measure. Then, once the
//! service worker has cached the snapshot, the same page is loaded again in the same browser: the
//! repeat visit. Each knowledge base's first round on 4G also
//! lists the responses of the first visit as Chromium received them (from the DevTools protocol's
//! network events, chromedriver's performance log): their `Content-Encoding`, their bytes on the
//! wire, and how many of those had arrived when the reply showed. `FIRST_ANSWER_SNAPSHOTS`
//! (`name=path;…`) lists the knowledge bases to measure (`cargo xtask bench first-answer` passes
//! the demo and the demo grown to 1,000 and 10,000 entries).

use anyhow::{bail, Result};
use e2e::{Browser, Network, Server, NETWORKS};
use serde_json::{json, Value};

const ROUNDS: usize = 3;
const QUESTION: &str = "How long does shipping take?";

/// Runs before the page's own scripts: the moment the app's input exists, asks the question;
/// records when the input appeared, when the first reply was shown (ms since navigation) and
/// what kind of reply it was.
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
             if (t.input !== undefined) {{
               var kinds = [['[data-testid=answer]', 'answer'],
                            ['.ad-msg.ad-bot .ad-chips', 'did you mean'],
                            ['.ad-fallback', 'no answer']];
               for (var i = 0; i < kinds.length; i++) {{
                 if (document.querySelector(kinds[i][0])) {{
                   t.reply = performance.now();
                   t.kind = kinds[i][1];
                   return;
                 }}
               }}
             }}
             setTimeout(poll, 5);
           }})();
         }})();",
        question = json!(QUESTION)
    )
}

/// Loads `url` and waits for the probe's figures: to the input and to the reply in ms, and the
/// reply's kind.
async fn visit(browser: &Browser, url: &str) -> Result<(f64, f64, String)> {
    browser.driver.goto(url).await?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let t: serde_json::Value = browser
            .driver
            .execute("return window.__firstAnswer || {};", vec![])
            .await?
            .convert()?;
        if let (Some(input), Some(reply), Some(kind)) =
            (t["input"].as_f64(), t["reply"].as_f64(), t["kind"].as_str())
        {
            return Ok((input, reply, kind.to_string()));
        }
        if std::time::Instant::now() > deadline {
            bail!("no reply to {QUESTION:?} within 120 s of loading {url} (so far: {t})");
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
        "first reply to {QUESTION:?}, median of {ROUNDS} fresh browsers \
         (ms from the start of navigation)"
    );
    println!(
        "{:<15} {:<10} {:>10} {:>16} {:>22}  reply",
        "knowledge base", "network", "to input", "to first reply", "repeat visit: reply"
    );
    // Per knowledge base, the responses of its first round on the first profile.
    let mut resources: Vec<(String, Vec<Resource>)> = Vec::new();
    for (name, snapshot) in &snapshots {
        server.stop()?;
        server.restart_with_snapshot(std::path::Path::new(snapshot))?;
        for profile in &NETWORKS {
            let (mut inputs, mut replies, mut repeats) = (vec![], vec![], vec![]);
            let mut kinds: Vec<String> = Vec::new();
            for _ in 0..ROUNDS {
                let round = round(&url, profile).await?;
                inputs.push(round.input);
                replies.push(round.reply);
                repeats.push(round.repeat);
                if !kinds.contains(&round.kind) {
                    kinds.push(round.kind);
                }
                // The first round on the first profile of each knowledge base.
                if profile.name == NETWORKS[0].name && !resources.iter().any(|(n, _)| n == name) {
                    resources.push((name.clone(), round.resources));
                }
            }
            println!(
                "{:<15} {:<10} {:>10.0} {:>16.0} {:>22.0}  {}",
                name,
                profile.name,
                median(inputs),
                median(replies),
                median(repeats),
                kinds.join(" / ")
            );
        }
    }
    for (name, resources) in &resources {
        print_resources(name, resources);
    }
    Ok(())
}

/// What one round measured.
struct Round {
    /// To the input, to the first reply, to the reply on the repeat visit (ms).
    input: f64,
    reply: f64,
    repeat: f64,
    /// What the first reply was: "answer", "did you mean" or "no answer".
    kind: String,
    /// The first visit's responses, as the browser received them.
    resources: Vec<Resource>,
}

/// One response of a visit, from the DevTools protocol's network events.
#[derive(Debug, Default, Clone)]
struct Resource {
    path: String,
    /// `Content-Encoding` as received (empty: none).
    encoding: String,
    /// Bytes on the wire, headers included (`Network.loadingFinished`'s `encodedDataLength`).
    wire: u64,
    /// Of those, the bytes received by the time the first reply showed.
    before_reply: u64,
}

/// The responses of a visit from its `Network.*` events, in the order they were requested;
/// `reply_ms` (since navigation) splits each one's bytes into before and after the first reply.
fn resources(events: &[Value], reply_ms: f64) -> Vec<Resource> {
    use std::collections::HashMap;
    let mut order: Vec<String> = Vec::new();
    let mut by_id: HashMap<String, Resource> = HashMap::new();
    // Monotonic seconds at the start of navigation: the document's request.
    let mut start: Option<f64> = None;
    for event in events {
        let params = &event["params"];
        let id = params["requestId"].as_str().unwrap_or_default().to_string();
        match event["method"].as_str().unwrap_or_default() {
            "Network.requestWillBeSent" => {
                let url = params["request"]["url"].as_str().unwrap_or_default();
                if params["type"] == "Document" && start.is_none() {
                    start = params["timestamp"].as_f64();
                }
                let path = url
                    .split_once("://")
                    .and_then(|(_, rest)| rest.find('/').map(|at| &rest[at..]))
                    .unwrap_or(url);
                if !by_id.contains_key(&id) {
                    order.push(id.clone());
                }
                by_id.entry(id).or_default().path = path.to_string();
            }
            "Network.responseReceived" => {
                let headers = params["response"]["headers"].as_object();
                let encoding = headers
                    .into_iter()
                    .flatten()
                    .find(|(name, _)| name.eq_ignore_ascii_case("content-encoding"))
                    .and_then(|(_, value)| value.as_str())
                    .unwrap_or_default();
                by_id.entry(id).or_default().encoding = encoding.to_string();
            }
            "Network.dataReceived" => {
                let at = params["timestamp"].as_f64().unwrap_or(f64::MAX);
                let arrived = start.is_some_and(|s| (at - s) * 1000.0 <= reply_ms);
                if arrived {
                    by_id.entry(id).or_default().before_reply +=
                        params["encodedDataLength"].as_u64().unwrap_or(0);
                }
            }
            "Network.loadingFinished" => {
                let resource = by_id.entry(id).or_default();
                resource.wire = params["encodedDataLength"].as_f64().unwrap_or(0.0) as u64;
                let at = params["timestamp"].as_f64().unwrap_or(f64::MAX);
                if start.is_some_and(|s| (at - s) * 1000.0 <= reply_ms) {
                    // All of it arrived before the first reply, headers included.
                    resource.before_reply = resource.wire;
                }
            }
            _ => {}
        }
    }
    order
        .into_iter()
        .filter_map(|id| by_id.remove(&id))
        .filter(|r| r.wire > 0)
        .collect()
}

/// The first visit's responses: path, coding, bytes on the wire, and before the first reply.
fn print_resources(name: &str, resources: &[Resource]) {
    println!("\n{name}, first visit on 4G: bytes on the wire per response (headers included)");
    println!(
        "  {:<44} {:<9} {:>12} {:>22}",
        "resource", "coding", "bytes", "before the first reply"
    );
    for r in resources {
        println!(
            "  {:<44} {:<9} {:>12} {:>22}",
            r.path,
            if r.encoding.is_empty() {
                "-"
            } else {
                &r.encoding
            },
            r.wire,
            r.before_reply
        );
    }
    println!(
        "  {:<44} {:<9} {:>12} {:>22}",
        "total",
        "",
        resources.iter().map(|r| r.wire).sum::<u64>(),
        resources.iter().map(|r| r.before_reply).sum::<u64>()
    );
}

/// One fresh browser on `profile`: the figures of a first and a repeat visit.
async fn round(url: &str, profile: &Network) -> Result<Round> {
    let browser = Browser::start_recording_network().await?;
    let measured = async {
        browser
            .driver
            .cdp()
            .page()
            .add_script_to_evaluate_on_new_document(probe())
            .await?;
        browser.throttle(profile).await?;
        browser.network_log().await?; // what the blank page did
        let (input, reply, kind) = visit(&browser, url).await?;
        // Let the service worker install and cache the app and the snapshot.
        let resources = resources(&whole_visit(&browser).await?, reply);
        wait_for_cached_snapshot(&browser).await?;
        let (_, repeat, _) = visit(&browser, url).await?;
        anyhow::Ok(Round {
            input,
            reply,
            repeat,
            kind,
            resources,
        })
    }
    .await;
    browser.quit().await?;
    measured
}

/// The first visit's network events, up to the end of the snapshot's download: the page goes on
/// streaming the dense index after its first reply.
async fn whole_visit(browser: &Browser) -> Result<Vec<Value>> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    let mut events = Vec::new();
    loop {
        events.extend(browser.network_log().await?);
        let snapshot_requests: Vec<&Value> = events
            .iter()
            .filter(|e| e["method"] == "Network.requestWillBeSent")
            .filter(|e| {
                e["params"]["request"]["url"]
                    .as_str()
                    .is_some_and(|u| u.ends_with("/kb.snapshot"))
            })
            .map(|e| &e["params"]["requestId"])
            .collect();
        let finished = events.iter().any(|e| {
            e["method"] == "Network.loadingFinished"
                && snapshot_requests.contains(&&e["params"]["requestId"])
        });
        if finished {
            return Ok(events);
        }
        if std::time::Instant::now() > deadline {
            bail!("the snapshot's download did not finish within 300 s");
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
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
