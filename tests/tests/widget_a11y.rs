//! Accessibility of the open widget: keyboard-only use, the focus trap, Escape back to the
//! launcher, and an axe-core audit with no serious or critical violations.

use std::ops::ControlFlow;

use anyhow::{ensure, Context, Result};
use e2e::{Browser, Server};
use thirtyfour::prelude::*;

const AXE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../node_modules/axe-core/axe.min.js"
);

#[tokio::test(flavor = "multi_thread")]
async fn open_widget_is_keyboard_usable_and_passes_axe() -> Result<()> {
    e2e::run(scenario).await
}

/// Presses `key` on whatever has the focus, as a person at the keyboard does.
async fn press(browser: &Browser, key: Key) -> Result<()> {
    browser
        .driver
        .action_chain()
        .send_keys(key)
        .perform()
        .await?;
    Ok(())
}

/// Runs axe-core in the current frame; returns the serious and critical violations.
async fn axe_violations(browser: &Browser, axe: &str) -> Result<Vec<serde_json::Value>> {
    browser.driver.execute(axe, vec![]).await?;
    let ret = browser
        .driver
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
               .then(r => done(r.violations.map(v => ({
                 id: v.id, impact: v.impact, help: v.help,
                 nodes: v.nodes.map(n => n.html).slice(0, 3) }))))
               .catch(e => done([{ id: 'axe-error', impact: 'critical', help: String(e) }]));",
            vec![],
        )
        .await?;
    let all: Vec<serde_json::Value> = ret.convert()?;
    for v in &all {
        println!("axe: {} ({}) {}", v["id"], v["impact"], v["help"]);
    }
    Ok(all
        .into_iter()
        .filter(|v| v["impact"] == "serious" || v["impact"] == "critical")
        .collect())
}

async fn focus_inside_widget(browser: &Browser) -> Result<bool> {
    Ok(browser
        .driver
        .execute(
            "const a = document.activeElement; \
             return !!a && a !== document.body && !!a.closest('.ad-shell');",
            vec![],
        )
        .await?
        .convert()?)
}

async fn scenario(server: &mut Server, browser: &Browser) -> Result<()> {
    let axe = std::fs::read_to_string(AXE)
        .with_context(|| format!("{AXE}: run `npm ci` for axe-core"))?;
    browser.driver.goto(server.url("/demo.html")).await?;

    // Keyboard only: focus the launcher, press Enter.
    let launcher = browser.launcher().await?;
    launcher.focus().await?;
    launcher.send_keys(Key::Enter).await?;
    browser.enter_widget().await?;
    let input = browser.find("[data-testid=ask-input]").await?;
    e2e::wait_until(async || {
        Ok(match focus_inside_widget(browser).await? {
            true => ControlFlow::Break(()),
            false => ControlFlow::Continue(
                "Enter on the launcher must put focus in the widget".to_owned(),
            ),
        })
    })
    .await?;
    input
        .send_keys("how long does delivery take to arrive?" + Key::Enter)
        .await?;
    browser.answer_entries(1).await?;

    // New messages are announced: the log is a polite live region.
    let log = browser.find("[data-testid=log]").await?;
    ensure!(
        log.attr("role").await?.as_deref() == Some("log")
            && log.attr("aria-live").await?.as_deref() == Some("polite"),
        "the conversation is an ARIA live region"
    );

    // Tab never leaves the open widget.
    let stops = browser
        .driver
        .find_all(By::Css(
            ".ad-shell button, .ad-shell input, .ad-shell a[href]",
        ))
        .await?
        .len();
    let mut visited = std::collections::BTreeSet::new();
    for _ in 0..stops + 3 {
        press(browser, Key::Tab).await?;
        ensure!(
            focus_inside_widget(browser).await?,
            "Tab moved focus out of the open widget"
        );
        let here: String = browser
            .driver
            .execute(
                "const a = document.activeElement; return a.dataset.testid || a.className || a.tagName;",
                vec![],
            )
            .await?
            .convert()?;
        visited.insert(here);
    }
    println!("Tab visits: {visited:?}");
    ensure!(
        visited.contains("helpful-yes") && visited.contains("ask-input"),
        "keyboard reaches the answer's buttons and the input: {visited:?}"
    );

    let serious = axe_violations(browser, &axe).await?;
    ensure!(
        serious.is_empty(),
        "axe found serious or critical violations in the open widget: {serious:#?}"
    );

    // The escalation form, opened from the keyboard, passes too.
    browser
        .type_into("[data-testid=escalate]", Key::Enter)
        .await?;
    browser.find(".ad-escalate").await?;
    let serious = axe_violations(browser, &axe).await?;
    ensure!(
        serious.is_empty(),
        "axe found serious or critical violations in the escalation form: {serious:#?}"
    );

    // Escape closes the form, then the widget, and focus returns to the launcher.
    press(browser, Key::Escape).await?;
    ensure!(
        browser.count(".ad-escalate").await? == 0,
        "Escape closes the escalation form first"
    );
    press(browser, Key::Escape).await?;
    browser.driver.enter_default_frame().await?;
    e2e::wait_until(async || {
        let back: bool = browser
            .driver
            .execute(
                "const h = document.querySelector('[data-answerdesk]'); \
                 return document.activeElement === h && \
                   h.shadowRoot.activeElement === h.shadowRoot.querySelector('[data-testid=launcher]');",
                vec![],
            )
            .await?
            .convert()?;
        Ok(match back {
            true => ControlFlow::Break(()),
            false => ControlFlow::Continue(
                "Escape must close the widget and return focus to the launcher".to_owned(),
            ),
        })
    })
    .await
}
