//! An agent going from page to page of the workbench by full page loads, as following a link
//! or typing an address does: every page's requests, the snapshot smart assist searches among
//! them, are answered every time, however many pages came before.
//!
//! Chromium keeps a page it leaves in the back/forward cache, and HTTP/1.1 gives it six
//! connections to a host. A page that went into the cache still streaming its events held one
//! of them: at the sixth page the cached streams and the new page's own held all six, and the
//! new page's next request waited for a connection for more than 30 s (see `workbench/live.rs`).

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::time::Instant;

use anyhow::{ensure, Result};
use e2e::{wait_until, Browser, Server};
use serde_json::Value;

/// Enough page loads for the cached pages to outnumber the connections a browser opens to a host.
const ROUNDS: usize = 3;
const PAGES: [&str; 4] = ["agents", "groups", "canned", "sites"];

/// Records, in the page's `localStorage`, each page left and whether it went into the
/// back/forward cache (`pagehide` with `persisted`), and each page shown from that cache.
const PAGE_LOG: &str = "for (const name of ['pagehide', 'pageshow']) addEventListener(name, e => {
  const log = JSON.parse(localStorage.getItem('pages') || '[]');
  log.push(name + ' ' + location.pathname + (e.persisted ? ' cached' : ''));
  localStorage.setItem('pages', JSON.stringify(log));
});";

async fn page_log(desk: &Browser) -> Result<Vec<String>> {
    let log: String = desk
        .driver
        .execute("return localStorage.getItem('pages') || '[]';", vec![])
        .await?
        .convert()?;
    Ok(serde_json::from_str(&log)?)
}

/// One request to the server as the DevTools network events tell it.
#[derive(Debug, Default)]
struct Seen {
    url: String,
    kind: String,
    asked: f64,
    /// The connection the response came on, or `None` while no response headers arrived.
    connection: Option<String>,
    /// How it ended; `None` while in flight (an event stream stays in flight).
    end: Option<String>,
}

fn record(events: &[Value], log: &mut BTreeMap<String, Seen>) {
    for event in events {
        let params = &event["params"];
        let id = params["requestId"].as_str().unwrap_or_default().to_owned();
        let seen = log.entry(id).or_default();
        match event["method"].as_str().unwrap_or_default() {
            "Network.requestWillBeSent" => {
                seen.url = params["request"]["url"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                seen.kind = params["type"].as_str().unwrap_or_default().to_owned();
                seen.asked = params["timestamp"].as_f64().unwrap_or_default();
            }
            "Network.responseReceived" => {
                seen.connection = Some(params["response"]["connectionId"].to_string());
            }
            "Network.loadingFinished" => seen.end = Some("finished".to_owned()),
            "Network.loadingFailed" => seen.end = Some(params["errorText"].to_string()),
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_page_load_is_answered_however_many_came_before() -> Result<()> {
    let server = Server::start()?;
    server.warm_snapshot().await?;
    let desk = Browser::start_recording_network().await?;
    desk.driver
        .cdp()
        .page()
        .add_script_to_evaluate_on_new_document(PAGE_LOG)
        .await?;
    let mut requests = BTreeMap::new();
    let outcome = async {
        let out = server.answerdesk(&[
            "agent",
            "add",
            "nav@example.com",
            "--name",
            "Nav Admin",
            "--role",
            "admin",
        ])?;
        let password = e2e::password_line(&out)?;
        desk.sign_in(&server, "nav@example.com", &password).await?;
        desk.wait_for_page_settled().await?;
        for round in 0..ROUNDS {
            for page in PAGES {
                let started = Instant::now();
                desk.driver
                    .goto(server.url(&format!("/admin/{page}")))
                    .await?;
                desk.find(&format!("[data-testid=admin-nav-{page}]"))
                    .await?;
                desk.wait_for_page_settled().await.map_err(|e| {
                    e.context(format!(
                        "round {round}, /admin/{page}: not every request was answered"
                    ))
                })?;
                eprintln!(
                    "round {round}, /admin/{page}: settled in {:?}",
                    started.elapsed()
                );
            }
        }
        // Back to the page before, from the cache: it opens its stream again.
        desk.driver.back().await?;
        desk.find("[data-testid=admin-nav-canned]").await?;
        let log = page_log(&desk).await?;
        ensure!(
            log.iter().any(|l| l == "pageshow /admin/canned cached"),
            "the page before came back from the back/forward cache: {log:?}"
        );
        // One stream for the inbox, one for each admin page, one for the page shown again.
        let streams = 1 + ROUNDS * PAGES.len() + 1;
        wait_until(async || {
            record(&desk.network_log().await?, &mut requests);
            let opened = requests
                .values()
                .filter(|s| s.kind == "EventSource" && s.connection.is_some())
                .count();
            Ok(match opened {
                n if n >= streams => ControlFlow::Break(()),
                n => ControlFlow::Continue(format!("{n} event streams answered, not {streams}")),
            })
        })
        .await?;
        desk.wait_for_text("[data-testid=live-status]", "● live")
            .await?;
        desk.wait_for_page_settled().await?;
        Ok(())
    }
    .await;
    if outcome.is_err() {
        record(&desk.network_log().await.unwrap_or_default(), &mut requests);
        let mut seen: Vec<&Seen> = requests
            .values()
            .filter(|s| s.url.starts_with(&server.base_url))
            .collect();
        seen.sort_by(|a, b| a.asked.total_cmp(&b.asked));
        for s in seen {
            eprintln!(
                "{:>10.3} {:<12} {:<40} connection {:<6} {}",
                s.asked,
                s.kind,
                s.url.trim_start_matches(&server.base_url),
                s.connection.as_deref().unwrap_or("none"),
                s.end.as_deref().unwrap_or("in flight"),
            );
        }
        eprintln!("pages: {:?}", page_log(&desk).await.unwrap_or_default());
        eprintln!("server log:\n{}", server.log_lines().join("\n"));
    }
    let _ = desk.quit().await;
    outcome
}
