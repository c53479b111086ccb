//! The reports page end to end: an admin opens `/admin/reports` after a visitor escalated and an
//! agent answered; the page draws its figures as SVG charts with titles, shows the numbers as
//! tables, and every table downloads as CSV with the page's filters. In Chinese as in English.

use anyhow::{ensure, Result};
use e2e::{Browser, Server};
use thirtyfour::prelude::*;

/// Charts the page always draws: conversations, reasons, CSAT, SLA and four ticket breakdowns.
const CHARTS: usize = 8;
/// Tables with a CSV link: one per `protocol::ReportTable`.
const CSV_LINKS: usize = 11;

#[tokio::test(flavor = "multi_thread")]
async fn reports_page_draws_charts_and_links_csv() -> Result<()> {
    e2e::run(reports_page).await
}

#[tokio::test(flavor = "multi_thread")]
async fn reports_page_speaks_chinese() -> Result<()> {
    e2e::run_with(
        Browser::start_in_language("zh-CN").await?,
        async |server, browser| {
            browser
                .sign_in_new(server, "lead@example.com", "Lin Lead", "admin", "general")
                .await?;
            browser.driver.goto(server.url("/admin/reports")).await?;
            browser.find("[data-testid=report]").await?;
            browser.wait_for_text(".wb-admin-page h1", "报表").await?;
            browser
                .wait_for_text("[data-testid=report]", "每日对话")
                .await?;
            browser
                .wait_for_text("[data-testid=report]", "下载 CSV")
                .await?;
            Ok(())
        },
    )
    .await
}

async fn reports_page(server: &mut Server, browser: &Browser) -> Result<()> {
    // A visitor escalates; an agent answers it.
    let http = reqwest::Client::new();
    let created = http
        .post(server.url("/api/v1/escalations"))
        .json(&serde_json::json!({ "site": "demo", "message": "My order never arrived" }))
        .send()
        .await?;
    ensure!(
        created.status() == 201,
        "escalation: HTTP {}",
        created.status()
    );
    let ticket = created.json::<serde_json::Value>().await?["ticket_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let agent = server.sign_in_agent("ming@example.com", "Ming").await?;
    agent.reply(&ticket, "It ships today.").await?;
    week_of_conversations(server).await?;

    browser
        .sign_in_new(server, "lead@example.com", "Lin Lead", "admin", "general")
        .await?;
    browser.click("[data-testid=admin-link]").await?;
    browser.click("[data-testid=admin-nav-reports]").await?;
    browser.find("[data-testid=report]").await?;
    let charts = browser.find_n("[data-testid=report-chart]", CHARTS).await?;
    for chart in &charts {
        ensure!(
            chart.attr("role").await?.as_deref() == Some("img"),
            "a chart is an image to screen readers"
        );
        let title = chart.find(By::Css("title")).await?;
        let text = title.prop("textContent").await?.unwrap_or_default();
        ensure!(!text.trim().is_empty(), "a chart has a title");
        let labelled = chart.attr("aria-labelledby").await?;
        ensure!(
            labelled.is_some() && labelled == title.attr("id").await?,
            "a chart is labelled by its title"
        );
    }
    // The one ticket is in the figures: answered, so the SLA counts it attained.
    browser
        .wait_for_text("[data-testid=report]", "question")
        .await?;
    browser
        .wait_for_text("[data-testid=sla-attainment]", "100.0 %")
        .await?;
    browser
        .wait_for_text(
            "[data-testid=report]",
            &format!("Conversations: {WEEK_CONVERSATIONS}"),
        )
        .await?;

    // Every table has its CSV link, with the page's filters, and it downloads CSV.
    let links = browser
        .find_n("[data-testid=report-csv]", CSV_LINKS)
        .await?;
    let href = links[0].attr("href").await?.unwrap_or_default();
    ensure!(
        href.starts_with("/api/v1/admin/reports/conversations.csv?from="),
        "the link carries the filters: {href}"
    );
    let answer = browser
        .driver
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             fetch(arguments[0], { credentials: 'same-origin' })\
               .then(async r => done([r.status, r.headers.get('content-type'), await r.text()]), () => done([0, '', '']));",
            vec![serde_json::json!(href)],
        )
        .await?;
    let (status, content_type, text): (u16, String, String) = answer.convert()?;
    ensure!(status == 200, "CSV download: HTTP {status}");
    ensure!(content_type == "text/csv; charset=utf-8", "{content_type}");
    ensure!(
        text.trim_start_matches('\u{feff}')
            .starts_with("day,self_served"),
        "{text}"
    );
    browser.screenshot("reports").await?;
    Ok(())
}

/// Conversations [`week_of_conversations`] reports: 8, 11, … 23 over six days.
const WEEK_CONVERSATIONS: i64 = 93;

/// A week of widget conversations, as the widget reports them: each day some answered (a few
/// rated), some clarified and then chosen, some unanswered and escalated, so the charts have
/// something to draw (and the README's screenshot shows what a team sees). Returns once the
/// reports count them: events are folded into the roll-ups a few seconds after they arrive.
async fn week_of_conversations(server: &Server) -> Result<()> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64;
    let day = 86_400_000;
    let http = reqwest::Client::new();
    for d in 0..6i64 {
        let mut events = Vec::new();
        for c in 0..(8 + d * 3) {
            let conversation = format!("c-report-{d}-{c}");
            let at = now - (6 - d) * day + c * 60_000;
            let event = |kind: serde_json::Value| {
                let mut e =
                    serde_json::json!({ "conversation": conversation, "at": at, "locale": "en" });
                e.as_object_mut()
                    .expect("an object")
                    .extend(kind.as_object().expect("an object").clone());
                e
            };
            match c % 5 {
                0..=2 => {
                    events.push(event(serde_json::json!({ "type": "answered", "entry": "delivery-time", "confidence": 0.8 })));
                    if c % 2 == 0 {
                        events.push(event(
                            serde_json::json!({ "type": "rated", "score": 4 + (c % 3 == 0) as u8 }),
                        ));
                    }
                }
                3 => {
                    events.push(event(serde_json::json!({ "type": "clarified", "choices": ["start-return", "exchange-item"] })));
                    events.push(event(
                        serde_json::json!({ "type": "chose", "entry": "start-return" }),
                    ));
                }
                _ => {
                    events.push(event(
                        serde_json::json!({ "type": "no_answer", "text": "are you hiring?" }),
                    ));
                    events.push(event(
                        serde_json::json!({ "type": "escalated", "reason": "no_answer" }),
                    ));
                }
            }
        }
        let sent = http
            .post(server.url("/api/v1/events"))
            .json(&serde_json::json!({ "batch_id": format!("batch-report-{d}"), "site": "demo", "events": events }))
            .send()
            .await?;
        ensure!(sent.status().is_success(), "events: HTTP {}", sent.status());
    }
    let admin = server.sign_in_admin("api@example.com", "API").await?;
    e2e::wait_until(async || {
        let report = admin.get("/api/v1/admin/reports").await?;
        let total = report["conversations"]["total"]["total"].as_i64();
        Ok(match total == Some(WEEK_CONVERSATIONS) {
            true => std::ops::ControlFlow::Break(()),
            false => std::ops::ControlFlow::Continue(format!(
                "{WEEK_CONVERSATIONS} conversations in the report, not {total:?}"
            )),
        })
    })
    .await
}
