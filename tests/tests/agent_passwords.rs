//! Passwords end to end: the bootstrap admin's password rotated from the command line, an admin
//! resetting an agent's password on the Agents page, and the agent changing it from the
//! workbench header; each new password signs in, and only it.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use e2e::{Browser, Server, PATIENCE};
use thirtyfour::prelude::*;

async fn sign_in(browser: &Browser, server: &Server, email: &str, password: &str) -> Result<()> {
    browser.driver.goto(server.url("/agent")).await?;
    browser
        .find("[data-testid=login-email]")
        .await?
        .send_keys(email)
        .await?;
    browser
        .find("[data-testid=login-password]")
        .await?
        .send_keys(password)
        .await?;
    browser
        .find("[data-testid=login-submit]")
        .await?
        .click()
        .await?;
    browser.find("[data-testid=inbox]").await?;
    Ok(())
}

async fn sign_out(browser: &Browser) -> Result<()> {
    browser.find("[data-testid=logout]").await?.click().await?;
    browser.find("[data-testid=login-email]").await?;
    Ok(())
}

/// Waits until an element matching `css` contains `needle`; returns its text.
async fn wait_for_text(browser: &Browser, css: &str, needle: &str) -> Result<String> {
    let deadline = Instant::now() + PATIENCE;
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        seen.clear();
        for element in browser.driver.find_all(By::Css(css)).await? {
            let text = element.text().await.unwrap_or_default();
            if text.contains(needle) {
                return Ok(text);
            }
            seen.push(text);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("no `{css}` contained {needle:?} within {PATIENCE:?}; saw {seen:?}")
}

/// What the page shows, for the failure report.
async fn page_text(browser: &Browser) -> String {
    match browser
        .driver
        .execute(
            "return location.href + '\\n' + document.body.innerText;",
            vec![],
        )
        .await
    {
        Ok(ret) => ret.convert().unwrap_or_default(),
        Err(e) => format!("(cannot read the page: {e})"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn passwords_are_rotated_reset_and_changed() -> Result<()> {
    let server = Server::start()?;
    let browser = Browser::start().await?;
    let result = passwords(&server, &browser).await;
    if result.is_err() {
        eprintln!("page:\n{}", page_text(&browser).await);
        eprintln!("server log:\n{}", server.log_lines().join("\n"));
    }
    let _ = browser.quit().await;
    result
}

fn password_line(out: &str) -> Result<String> {
    Ok(out
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .with_context(|| format!("no password in the output: {out}"))?
        .trim()
        .to_owned())
}

async fn passwords(server: &Server, browser: &Browser) -> Result<()> {
    // The bootstrap password was printed once, to the server's log; the operator rotates it.
    let admin_password = password_line(&server.answerdesk(&[
        "agent",
        "reset-password",
        "admin@answerdesk.local",
    ])?)?;
    let first = password_line(&server.answerdesk(&[
        "agent",
        "add",
        "ann@example.com",
        "--name",
        "Ann",
        "--group",
        "general",
    ])?)?;

    sign_in(browser, server, "admin@answerdesk.local", &admin_password).await?;
    browser
        .find("[data-testid=admin-link]")
        .await?
        .click()
        .await?;
    let reset =
        "[data-testid=agent-row][data-email='ann@example.com'] [data-testid=agent-reset-password]";
    // The first click only arms the button: resetting signs the agent out everywhere.
    browser.find(reset).await?.click().await?;
    wait_for_text(browser, reset, "again").await?;
    browser.find(reset).await?.click().await?;
    let shown = wait_for_text(
        browser,
        "[data-testid=agent-reset-result]",
        "ann@example.com",
    )
    .await?;
    let reset_password = shown
        .split_once("ann@example.com: ")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .with_context(|| format!("no password in {shown:?}"))?
        .to_owned();
    if reset_password == first {
        bail!("the reset kept the old password");
    }
    sign_out(browser).await?;

    sign_in(browser, server, "ann@example.com", &reset_password).await?;
    browser
        .find("[data-testid=change-password-toggle]")
        .await?
        .click()
        .await?;
    browser
        .find("[data-testid=current-password]")
        .await?
        .send_keys(&reset_password)
        .await?;
    browser
        .find("[data-testid=new-password]")
        .await?
        .send_keys("correct horse battery")
        .await?;
    browser
        .find("[data-testid=repeat-password]")
        .await?
        .send_keys("correct horse battery")
        .await?;
    browser
        .find("[data-testid=change-password] button[type=submit]")
        .await?
        .click()
        .await?;
    wait_for_text(browser, "[data-testid=password-result]", "Password changed").await?;
    sign_out(browser).await?;
    sign_in(browser, server, "ann@example.com", "correct horse battery").await?;
    Ok(())
}
