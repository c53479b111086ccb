//! After "Talk to a person": the team's replies appear in the open widget without a reload, the
//! visitor answers them, the bot stays quiet until the visitor goes back to it, the conversation
//! survives a reload, and the visitor rates it once it is resolved.

use std::ops::ControlFlow;
use std::time::Instant;

use anyhow::{ensure, Context, Result};
use e2e::{Browser, Server};

#[tokio::test(flavor = "multi_thread")]
async fn agent_reply_reaches_the_open_widget_and_the_visitor_answers() -> Result<()> {
    e2e::run(scenario).await
}

async fn scenario(server: &mut Server, browser: &Browser) -> Result<()> {
    let ticket = browser.escalate_on_demo(server, "Ada Visitor").await?;

    // The team answers through the desk API; the open widget shows it without a reload.
    let agent = server
        .sign_in_agent("grace@example.com", "Grace Agent")
        .await?;
    let started = Instant::now();
    agent
        .reply(&ticket, "Hi Ada, your parcel left our warehouse **today**.")
        .await?;
    browser
        .wait_for_text("[data-testid=agent-message]", "left our warehouse")
        .await?;
    println!(
        "agent reply shown in the widget {} ms after it was posted",
        started.elapsed().as_millis()
    );
    let shown = browser.texts("[data-testid=agent-message]").await?;
    ensure!(
        shown[0].contains("Grace Agent"),
        "the reply names its author: {shown:?}"
    );
    // Markdown rendered by the server, not by the widget.
    ensure!(
        browser.count("[data-testid=agent-message] strong").await? > 0,
        "the agent's Markdown arrives as (sanitized) HTML"
    );

    // The visitor answers; it goes to the team and the bot keeps quiet.
    let answers_before = browser.count("[data-testid=answer]").await?;
    browser
        .ask("Thanks! How do I reset my password, by the way?")
        .await?;
    browser.wait_for_text(".ad-visitor", "by the way").await?;
    // The bot would have answered as the message was sent; counted once the widget has sent it
    // to the team and had the answer, with no request of its own still in flight.
    browser
        .wait_until_delivered("the visitor's reply to the team was not sent")
        .await?;
    let answers_after = browser.count("[data-testid=answer]").await?;
    ensure!(
        answers_after == answers_before,
        "the bot must not answer over a person ({answers_before} → {answers_after} answers)"
    );
    let detail = agent.ticket(&ticket).await?.to_string();
    ensure!(
        detail.contains("by the way"),
        "the visitor's reply reaches the ticket: {detail}"
    );

    // A reload keeps the conversation and who it is with.
    browser.driver.enter_default_frame().await?;
    browser.driver.refresh().await?;
    browser.open_widget().await?;
    browser
        .wait_for_text("[data-testid=agent-message]", "left our warehouse")
        .await?;
    browser.wait_for_text(".ad-visitor", "by the way").await?;
    browser.find("[data-testid=back-to-bot]").await?;

    // A second reply while the widget is open after the reload.
    agent
        .reply(&ticket, "You can reset it from the sign-in page.")
        .await?;
    browser
        .wait_for_text("[data-testid=agent-message]", "sign-in page")
        .await?;

    // Back to the assistant: the bot answers again.
    browser.click("[data-testid=back-to-bot]").await?;
    browser.ask("How do I reset my password?").await?;
    let ids = browser.answer_entries(1).await?;
    ensure!(
        ids.last().map(String::as_str) == Some("reset-password"),
        "the bot answers again once the visitor is back with it: {ids:?}"
    );

    // The team resolves the case; the visitor rates it.
    agent.set_status(&ticket, "resolved").await?;
    browser.click("[data-testid=rate-5]").await?;
    browser.find("[data-testid=rating-thanks]").await?;
    e2e::wait_until(async || {
        let detail = agent.ticket(&ticket).await?;
        Ok(match detail["rating"]["score"] == 5 {
            true => ControlFlow::Break(()),
            false => {
                ControlFlow::Continue(format!("the rating did not reach the ticket: {detail}"))
            }
        })
    })
    .await
}

/// `answerdesk('identify', {id, hmac, name, email})` from the host page: the form is prefilled
/// and the ticket's contact is the verified host user.
#[tokio::test(flavor = "multi_thread")]
async fn identified_visitor_escalates_as_the_verified_host_user() -> Result<()> {
    let mut server = Server::start()?;
    // The site's identity secret, set in the database (no API sets it yet).
    let db = server
        .database_url
        .trim_start_matches("sqlite://")
        .to_string();
    server.stop()?;
    sqlite(
        &db,
        "UPDATE sites SET identity_secret = 'test-identity-secret' WHERE id = 'demo';",
    )?;
    server.restart()?;
    let browser = Browser::start().await?;
    let result = identified(&server, &browser, &db).await;
    browser.quit().await?;
    result
}

fn sqlite(db: &str, sql: &str) -> Result<String> {
    let out = std::process::Command::new("sqlite3")
        .arg(db)
        .arg(sql)
        .output()
        .context("sqlite3 is needed for this test")?;
    ensure!(
        out.status.success(),
        "sqlite3: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

async fn identified(server: &Server, browser: &Browser, db: &str) -> Result<()> {
    browser.driver.goto(server.url("/demo.html")).await?;
    browser.launcher().await?;
    // What the host's backend would compute: hex HMAC-SHA256 of "id:ts" under the secret, ts
    // being the Unix time it signed (an untimed signature is refused: it would never expire).
    browser
        .driver
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const enc = new TextEncoder();
             const ts = Math.floor(Date.now() / 1000);
             crypto.subtle.importKey('raw', enc.encode('test-identity-secret'),
                 { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
               .then(key => crypto.subtle.sign('HMAC', key, enc.encode('user-42:' + ts)))
               .then(sig => {
                 const hmac = [...new Uint8Array(sig)].map(b => b.toString(16).padStart(2, '0')).join('');
                 answerdesk('identify', { id: 'user-42', ts, hmac, name: 'Ida Identified', email: 'ida@example.com' });
                 done(true);
               });",
            vec![],
        )
        .await?;
    browser.open_widget_timed().await?;
    browser.enter_widget().await?;
    browser
        .ask("how long does delivery take to arrive?")
        .await?;
    browser.answer_entries(1).await?;
    browser.click("[data-testid=escalate]").await?;
    let name = browser
        .find(".ad-escalate input[autocomplete=name]")
        .await?
        .prop("value")
        .await?;
    ensure!(
        name.as_deref() == Some("Ida Identified"),
        "the host's name prefills the form: {name:?}"
    );
    browser.click("[data-testid=escalate-submit]").await?;
    browser.wait_for_text(".ad-notice", "T-").await?;
    let contact = sqlite(
        db,
        "SELECT c.external_id || '|' || c.verified FROM contacts c JOIN tickets t ON t.contact_id = c.id;",
    )?;
    ensure!(
        contact == "user-42|1",
        "the ticket's contact is the verified host user: {contact:?}"
    );
    Ok(())
}
