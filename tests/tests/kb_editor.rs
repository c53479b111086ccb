//! The Knowledge base page end to end: an admin edits an entry of the imported demo knowledge
//! base and sees the answer rendered as visitors will; typing another entry's question brings a
//! lint finding that links to it; an empty answer is refused next to the field, the draft stays
//! and nothing changes on the server; publishing shows its progress until the new version is
//! served, and an older version is served again with one confirmed click. "Add answer" on a
//! group of unanswered questions opens a new entry with the group's wordings, "Turn into an
//! answer" on a resolved ticket one with the visitor's question and the agent's reply (for admins
//! only). In Chinese too.

use std::ops::ControlFlow;

use anyhow::{ensure, Context as _, Result};
use e2e::{wait_until, Browser, Server};
use serde_json::{json, Value};
use thirtyfour::prelude::*;

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_edits_checks_publishes_and_rolls_back() -> Result<()> {
    e2e::run(edit_publish_roll_back).await
}

#[tokio::test(flavor = "multi_thread")]
async fn add_answer_on_a_cluster_prefills_a_new_entry() -> Result<()> {
    e2e::run(add_answer_from_cluster).await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_knowledge_base_page_speaks_chinese() -> Result<()> {
    e2e::run_with(
        Browser::start_in_language("zh-CN").await?,
        async |server, browser| {
            server.import_demo_kb()?;
            browser
                .sign_in_new(server, "lead@example.com", "Lin Lead", "admin", "general")
                .await?;
            browser.driver.goto(server.url("/admin/kb")).await?;
            browser.wait_for_text(".wb-admin-page h1", "知识库").await?;
            browser.find("[data-testid=kb-entry]").await?;
            browser.wait_for_text(".wb-kb", "新建条目").await?;
            browser
                .wait_for_text("[data-testid=kb-publish]", "立即发布")
                .await?;
            browser.open_kb_entry("zh-CN", "create-account").await?;
            browser
                .wait_for_text("[data-testid=kb-entry-editor]", "预览")
                .await?;
            browser
                .wait_for_text("[data-testid=kb-entry-editor]", "访客的其他问法")
                .await?;
            browser.find("[data-testid=kb-preview] p").await?;
            show_editor(browser).await?;
            browser.screenshot("kb-editor-zh").await?;
            Ok(())
        },
    )
    .await
}

/// Brings the editor into view for a screenshot.
async fn show_editor(browser: &Browser) -> Result<()> {
    browser
        .driver
        .execute(
            "document.querySelector('[data-testid=kb-entry-editor]').scrollIntoView();",
            vec![],
        )
        .await?;
    Ok(())
}

/// The entry as the server holds it.
async fn entry(admin: &e2e::AgentClient, id: &str) -> Result<Value> {
    admin
        .get(&format!("/api/v1/admin/kb/demo/entries/{id}?locale=en"))
        .await
}

async fn edit_publish_roll_back(server: &mut Server, browser: &Browser) -> Result<()> {
    server.import_demo_kb()?;
    let api = server.sign_in_admin("api@example.com", "API").await?;
    browser
        .sign_in_new(server, "lead@example.com", "Lin Lead", "admin", "general")
        .await?;
    browser.click("[data-testid=admin-link]").await?;
    browser.click("[data-testid=admin-nav-kb]").await?;
    browser
        .wait_for_text(".wb-admin-page h1", "Knowledge base")
        .await?;
    browser.find("[data-testid=kb-entry]").await?;

    // Search narrows the list.
    browser
        .type_into("[data-testid=kb-search]", "guest".to_owned() + Key::Enter)
        .await?;
    wait_until(async || {
        let ids = browser
            .driver
            .execute(
                "return Array.from(document.querySelectorAll('[data-testid=kb-entry]'), r => r.dataset.id);",
                vec![],
            )
            .await?
            .convert::<Vec<String>>()?;
        let narrowed = ids.iter().any(|id| id == "guest-checkout")
            && !ids.iter().any(|id| id == "delivery-time");
        Ok(match narrowed {
            true => ControlFlow::Break(()),
            false => ControlFlow::Continue(format!("the search for guest listed {ids:?}")),
        })
    })
    .await?;
    browser.set_field("[data-testid=kb-search]", "").await?;
    browser.click(".wb-kb-search button[type=submit]").await?;
    browser
        .find("[data-testid=kb-entry][data-id=create-account]")
        .await?;

    // A passage of a Markdown article is shown, not edited, and the page says why.
    browser
        .click("[data-testid=kb-entry][data-editable=false] [data-testid=kb-entry-open]")
        .await?;
    browser
        .wait_for_text("[data-testid=kb-not-editable]", "articles/")
        .await?;
    browser.find("[data-testid=kb-preview] p").await?;
    ensure!(
        browser.count("[data-testid=kb-save]").await? == 0
            && browser.count("[data-testid=kb-retire]").await? == 0,
        "an article passage cannot be saved or retired here"
    );

    // Edit: the preview shows the answer as visitors will see it, rendered by the server.
    browser.open_kb_entry("en", "create-account").await?;
    browser
        .set_field(
            "[data-testid=kb-field-answer]",
            "Creating an account is **free**.\n\nSign in with a *passkey* or a password.",
        )
        .await?;
    browser
        .wait_for_text("[data-testid=kb-preview] strong", "free")
        .await?;
    browser.find("[data-testid=kb-preview] em").await?;
    browser.find("[data-testid=kb-no-findings]").await?;

    // Typing another entry's question: a finding that names that entry and links to it.
    let alternates = browser
        .field_value("[data-testid=kb-field-alternates]")
        .await?;
    browser
        .type_into(
            "[data-testid=kb-field-alternates]",
            "\nCan I order without creating an account?",
        )
        .await?;
    browser
        .wait_for_text("[data-testid=kb-finding]", "guest-checkout")
        .await?;
    browser
        .find("[data-testid=kb-finding-entry][data-id=guest-checkout]")
        .await?;
    show_editor(browser).await?;
    browser.screenshot("kb-editor").await?;
    browser
        .set_field("[data-testid=kb-field-alternates]", &alternates)
        .await?;
    browser.find("[data-testid=kb-no-findings]").await?;

    browser.click("[data-testid=kb-save]").await?;
    browser
        .wait_for_text("[data-testid=kb-note]", "Saved create-account")
        .await?;
    let saved = entry(&api, "create-account").await?;
    ensure!(
        saved["entry"]["answer"]
            .as_str()
            .is_some_and(|a| a.contains("passkey")),
        "the edit is stored: {saved}"
    );

    // An empty answer: refused next to the field; the draft stays, the server keeps the entry.
    browser
        .set_field("[data-testid=kb-field-answer]", "   ")
        .await?;
    browser
        .set_field(
            "[data-testid=kb-field-question]",
            "How do I open an account?",
        )
        .await?;
    browser.click("[data-testid=kb-save]").await?;
    browser
        .find("[data-testid=kb-field-error][data-field=answer]")
        .await?;
    ensure!(
        browser
            .field_value("[data-testid=kb-field-question]")
            .await?
            == "How do I open an account?",
        "the draft stays after a refusal"
    );
    ensure!(
        entry(&api, "create-account").await? == saved,
        "a refused save changes nothing"
    );

    // Publish: progress until the new version is served.
    browser.click("[data-testid=kb-close]").await?;
    browser.find("[data-testid=kb-no-versions]").await?;
    browser.click("[data-testid=kb-publish]").await?;
    let done = browser.wait_for_publish(1).await?;
    let listed = browser.kb_versions().await?;
    ensure!(listed[0].1, "the new version is served: {listed:?}");
    let first = listed[0].0.clone();
    ensure!(
        done.contains(&format!("version {first}")),
        "the status names the version served: {done}"
    );

    // A second publish, then roll back to the first with a confirmed click.
    browser.click("[data-testid=kb-publish]").await?;
    browser.wait_for_publish(2).await?;
    let listed = browser.kb_versions().await?;
    ensure!(
        matches!(listed.as_slice(), [(_, true), (old, false)] if *old == first),
        "two versions, the new one served: {listed:?}"
    );
    browser.click("[data-testid=kb-rollback]").await?;
    ensure!(
        browser.kb_versions().await?[1] == (first.clone(), false),
        "one click only arms the rollback"
    );
    browser
        .wait_for_text("[data-testid=kb-rollback]", &first)
        .await?;
    browser.click("[data-testid=kb-rollback]").await?;
    wait_until(async || {
        let now = browser.kb_versions().await?;
        Ok(match now.as_slice() {
            [(_, false), (old, true)] if *old == first => ControlFlow::Break(()),
            _ => ControlFlow::Continue(format!("version {first} served again; saw {now:?}")),
        })
    })
    .await?;
    let listed = api.get("/api/v1/admin/kb/demo/versions").await?;
    let served: Vec<String> = listed["versions"]
        .as_array()
        .context("versions")?
        .iter()
        .filter(|v| v["served"] == true)
        .map(|v| v["id"].to_string())
        .collect();
    ensure!(served == [first], "the server serves it too: {listed}");
    Ok(())
}

async fn add_answer_from_cluster(server: &mut Server, browser: &Browser) -> Result<()> {
    server.import_demo_kb()?;
    // Three visitors ask, in different words, what the demo cannot answer.
    let wordings = [
        "Do you sell gift cards?",
        "can I buy a gift card for my sister",
        "gift card available?",
    ];
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64;
    let http = reqwest::Client::new();
    for (i, text) in wordings.iter().enumerate() {
        let sent = http
            .post(server.url("/api/v1/events"))
            .json(&json!({
                "batch_id": format!("batch-kb-editor-{i}"),
                "site": "demo",
                "events": [{ "conversation": format!("c-kb-editor-{i}"), "at": now - 1000,
                    "type": "no_answer", "text": text, "locale": "en" }],
            }))
            .send()
            .await?;
        ensure!(sent.status().is_success(), "events: HTTP {}", sent.status());
    }

    browser
        .sign_in_new(server, "lead@example.com", "Lin Lead", "admin", "general")
        .await?;
    browser.driver.goto(server.url("/admin/unanswered")).await?;
    browser
        .wait_for_text("[data-testid=cluster-title]", "gift card")
        .await?;
    browser.click("[data-testid=cluster-add-answer]").await?;

    // The Knowledge base page, with a new entry holding the group's wordings.
    browser.find("[data-testid=kb-entry-editor]").await?;
    ensure!(
        browser.driver.current_url().await?.path() == "/admin/kb",
        "Add answer opens the Knowledge base page"
    );
    let question = browser
        .field_value("[data-testid=kb-field-question]")
        .await?;
    let alternates = browser
        .field_value("[data-testid=kb-field-alternates]")
        .await?;
    ensure!(
        wordings.contains(&question.as_str()),
        "the question is one of the wordings: {question:?}"
    );
    let mut all: Vec<&str> = alternates.lines().collect();
    all.push(&question);
    all.sort_unstable();
    let mut expected = wordings.to_vec();
    expected.sort_unstable();
    ensure!(
        all == expected,
        "every wording is in the entry: {question:?} + {alternates:?}"
    );
    ensure!(
        browser.field_value("[data-testid=kb-field-locale]").await? == "en",
        "in the group's language"
    );
    ensure!(
        browser
            .find("[data-testid=kb-site]")
            .await?
            .prop("value")
            .await?
            .as_deref()
            == Some("demo"),
        "for the group's site"
    );

    // Answered and saved, it is an entry of the site.
    browser
        .set_field("[data-testid=kb-field-id]", "gift-cards")
        .await?;
    browser
        .set_field(
            "[data-testid=kb-field-answer]",
            "Yes: **gift cards** from 10 to 500 dollars, at checkout.",
        )
        .await?;
    browser
        .wait_for_text("[data-testid=kb-preview] strong", "gift cards")
        .await?;
    browser.click("[data-testid=kb-save]").await?;
    browser
        .wait_for_text("[data-testid=kb-note]", "Created gift-cards")
        .await?;
    browser
        .find("[data-testid=kb-entry][data-id=gift-cards]")
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_resolved_ticket_turns_into_an_answer_for_admins_only() -> Result<()> {
    e2e::run(ticket_into_answer).await
}

async fn ticket_into_answer(server: &mut Server, browser: &Browser) -> Result<()> {
    server.import_demo_kb()?;
    let created = reqwest::Client::new()
        .post(server.url("/api/v1/escalations"))
        .json(&json!({ "site": "demo", "message": "Can I pay with a gift card?" }))
        .send()
        .await?;
    ensure!(
        created.status() == 201,
        "escalation: HTTP {}",
        created.status()
    );
    let ticket = created.json::<Value>().await?["ticket_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let agent = server.sign_in_agent("ming@example.com", "Ming").await?;
    agent
        .reply(&ticket, "Yes: enter the **gift card code** at checkout.")
        .await?;

    // Not resolved yet: nothing to turn into an answer.
    browser
        .sign_in_new(server, "lead@example.com", "Lin Lead", "admin", "general")
        .await?;
    let case = server.url(&format!("/agent/tickets/{ticket}"));
    browser.driver.goto(&case).await?;
    browser
        .wait_for_text("[data-testid=case]", "gift card code")
        .await?;
    ensure!(
        browser.count("[data-testid=case-to-answer]").await? == 0,
        "an open ticket offers no answer"
    );
    agent.set_status(&ticket, "resolved").await?;
    browser.driver.goto(&case).await?;
    browser.click("[data-testid=case-to-answer]").await?;

    browser.find("[data-testid=kb-entry-editor]").await?;
    ensure!(
        browser
            .field_value("[data-testid=kb-field-question]")
            .await?
            == "Can I pay with a gift card?",
        "the visitor's question"
    );
    ensure!(
        browser.field_value("[data-testid=kb-field-answer]").await?
            == "Yes: enter the **gift card code** at checkout.",
        "the agent's reply"
    );
    browser
        .wait_for_text("[data-testid=kb-preview] strong", "gift card code")
        .await?;

    // An agent without the admin role does not see the button.
    browser.driver.goto(server.url("/agent")).await?;
    let agent_password = server.add_agent("ann@example.com", "Ann", "agent", "general")?;
    browser
        .sign_in_as(server, "ann@example.com", &agent_password)
        .await?;
    browser.driver.goto(&case).await?;
    browser
        .wait_for_text("[data-testid=case]", "gift card code")
        .await?;
    ensure!(
        browser.count("[data-testid=case-to-answer]").await? == 0,
        "agents do not edit the knowledge base"
    );
    Ok(())
}
