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
