//! A visitor with a ticket open going from page to page of the shop, as following its links
//! does: on the last page the widget still shows the team's reply as it comes.
//!
//! Chromium keeps a page it leaves in the back/forward cache, and HTTP/1.1 gives it six
//! connections to a host. The workbench's pages went into that cache with their event streams
//! connected and starved the page in front of connections (`desk_navigation.rs`). The widget's
//! frames go into the cache too (measured: `pagehide` with `persisted` on every page left, both
//! the shop's page and the widget's frame), and after fourteen pages the server still saw six
//! connections established; yet the widget in front follows the ticket and gets the reply. This
//! test holds the visitor's side there: the reply reaches the widget after more page loads than
//! broke the workbench.

use anyhow::{Context, Result};
use e2e::{Browser, Server};

/// More shop pages than the connections a browser opens to a host.
const PAGES: usize = 14;

#[tokio::test(flavor = "multi_thread")]
async fn the_teams_reply_reaches_the_widget_after_many_page_loads() -> Result<()> {
    e2e::run(scenario).await
}

async fn scenario(server: &mut Server, browser: &Browser) -> Result<()> {
    let ticket = browser.escalate_on_demo(server, "Ada Visitor").await?;

    // The visitor reads on: every page load shows the widget, which follows the ticket again.
    for page in 0..PAGES {
        browser.driver.enter_default_frame().await?;
        browser
            .driver
            .goto(server.url(&format!("/demo.html?page={page}")))
            .await?;
        browser.open_widget().await?;
        // With the team: the widget resumed the ticket.
        browser.find("[data-testid=back-to-bot]").await?;
    }

    let agent = server
        .sign_in_agent("grace@example.com", "Grace Agent")
        .await?;
    agent
        .reply(&ticket, "Hi Ada, it is on its way again.")
        .await?;
    browser
        .wait_for_text("[data-testid=agent-message]", "on its way again")
        .await
        .with_context(|| format!("the reply on the widget of page {PAGES}"))?;
    Ok(())
}
