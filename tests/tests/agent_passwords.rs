//! Passwords end to end: the bootstrap admin's password rotated from the command line, an admin
//! resetting an agent's password on the Agents page, and the agent changing it from the
//! workbench header; each new password signs in, and only it.

use anyhow::{bail, Context, Result};
use e2e::{password_line, Browser, Server};

#[tokio::test(flavor = "multi_thread")]
async fn passwords_are_rotated_reset_and_changed() -> Result<()> {
    e2e::run(passwords).await
}

async fn passwords(server: &mut Server, browser: &Browser) -> Result<()> {
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

    browser
        .sign_in(server, "admin@answerdesk.local", &admin_password)
        .await?;
    browser.click("[data-testid=admin-link]").await?;
    let reset =
        "[data-testid=agent-row][data-email='ann@example.com'] [data-testid=agent-reset-password]";
    // The first click only arms the button: resetting signs the agent out everywhere.
    browser.click(reset).await?;
    browser.wait_for_text(reset, "again").await?;
    browser.click(reset).await?;
    let shown = browser
        .wait_for_text("[data-testid=agent-reset-result]", "ann@example.com")
        .await?;
    let reset_password = shown
        .split_once("ann@example.com: ")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .with_context(|| format!("no password in {shown:?}"))?
        .to_owned();
    if reset_password == first {
        bail!("the reset kept the old password");
    }
    browser
        .sign_in_as(server, "ann@example.com", &reset_password)
        .await?;
    browser
        .click("[data-testid=change-password-toggle]")
        .await?;
    for (css, text) in [
        ("[data-testid=current-password]", reset_password.as_str()),
        ("[data-testid=new-password]", "correct horse battery"),
        ("[data-testid=repeat-password]", "correct horse battery"),
    ] {
        browser.type_into(css, text).await?;
    }
    browser
        .click("[data-testid=change-password] button[type=submit]")
        .await?;
    browser
        .wait_for_text("[data-testid=password-result]", "Password changed")
        .await?;
    browser
        .sign_in_as(server, "ann@example.com", "correct horse battery")
        .await?;
    Ok(())
}
