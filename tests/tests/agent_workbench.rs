//! The agent workbench end to end: a visitor escalates from the Chinese widget while an agent
//! watches the inbox in another browser; the case arrives live with the bot's transcript and
//! candidates, smart assist suggests the right entry, the reply reaches the visitor live, the
//! case is resolved and rated. A transferred case reaches the other group's agent with its note.
//! And the admin pages are for admins only, in the UI and at the server.

use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use e2e::{Browser, Server, PATIENCE};
use thirtyfour::prelude::*;

/// Creates a skill group on the admin page, as the signed-in admin; then back to the inbox.
async fn create_group(browser: &Browser, server: &Server, id: &str, name: &str) -> Result<()> {
    browser.click("[data-testid=admin-link]").await?;
    browser.click("[data-testid=admin-nav-groups]").await?;
    browser.type_into("[data-testid=group-id]", id).await?;
    browser
        .type_into("[data-testid=group-name]", name.to_owned() + Key::Enter)
        .await?;
    browser
        .wait_for_text("[data-testid=admin-groups]", id)
        .await?;
    browser.driver.goto(server.url("/agent")).await?;
    browser.find("[data-testid=inbox]").await?;
    Ok(())
}

/// Transfers the open case to `group` with `note`, as the signed-in agent.
async fn transfer_open_case(browser: &Browser, group: &str, note: &str) -> Result<()> {
    browser.click("[data-testid=transfer]").await?;
    choose(browser, "[data-testid=transfer-group]", group).await?;
    browser
        .type_into("[data-testid=transfer-note]", note)
        .await?;
    submit_transfer(browser, group).await
}

/// Submits the transfer form and waits until the case shows its new `group`.
async fn submit_transfer(browser: &Browser, group: &str) -> Result<()> {
    browser.click("[data-testid=transfer-submit]").await?;
    browser
        .wait_for_text("[data-testid=case-group]", group)
        .await?;
    Ok(())
}

/// The visitor asks `question` as answer number `n` (1-based); when the bot offers choices
/// instead, the visitor picks the first (the engine's best candidate). Returns the id of the
/// entry that answered.
async fn ask(visitor: &Browser, question: &str, n: usize) -> Result<String> {
    let count = |css: &'static str| visitor.count(css);
    let choices_before = count(".ad-log .ad-chips").await?;
    visitor
        .type_into(
            "[data-testid=ask-input]:enabled",
            question.to_owned() + Key::Enter,
        )
        .await?;
    let deadline = Instant::now() + PATIENCE;
    loop {
        if count("[data-testid=answer]").await? >= n {
            break;
        }
        if count(".ad-log .ad-chips").await? > choices_before {
            visitor
                .driver
                .execute(
                    "const groups = document.querySelectorAll('.ad-log .ad-chips');\
                     groups[groups.length - 1].querySelector('[data-testid=suggestion]').click();",
                    vec![],
                )
                .await?;
            break;
        }
        ensure!(
            Instant::now() < deadline,
            "the bot neither answered nor offered choices for {question:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let answered = visitor.answer_entries(n).await?;
    Ok(answered[n - 1].clone())
}

/// Opens `ticket` from the inbox.
async fn open_case(agent: &Browser, ticket: &str) -> Result<()> {
    agent
        .click(&format!(
            "[data-testid=inbox-item][data-ticket='{ticket}'] a"
        ))
        .await
}

/// Sets a `<select>` the way a person picking an option does (value, then `change`).
async fn choose(browser: &Browser, css: &str, value: &str) -> Result<()> {
    let select = browser.find(css).await?;
    browser
        .driver
        .execute(
            "arguments[0].value = arguments[1];\
             arguments[0].dispatchEvent(new Event('change', { bubbles: true }));",
            vec![select.to_json()?, serde_json::json!(value)],
        )
        .await?;
    Ok(())
}

/// A `fetch` from the page, with the page's cookies: the HTTP status.
async fn page_fetch_status(browser: &Browser, method: &str, path: &str) -> Result<u16> {
    let status = browser
        .driver
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             fetch(arguments[1], { method: arguments[0], credentials: 'same-origin',\
               headers: { 'content-type': 'application/json' }, body: arguments[0] === 'GET' ? undefined : '{}' })\
               .then(r => done(r.status), () => done(0));",
            vec![serde_json::json!(method), serde_json::json!(path)],
        )
        .await?;
    Ok(status.convert()?)
}

#[tokio::test(flavor = "multi_thread")]
async fn escalated_case_arrives_live_is_answered_with_assist_and_rated() -> Result<()> {
    let server = Server::start()?;
    let visitor = Browser::start_in_language("zh-CN").await?;
    let agent = match Browser::start().await {
        Ok(agent) => agent,
        Err(e) => {
            visitor.quit().await?;
            return Err(e);
        }
    };
    let result = acceptance(&server, &visitor, &agent).await;
    if result.is_err() {
        eprintln!("agent page:\n{}", agent.page_text().await);
        eprintln!("visitor page:\n{}", visitor.page_text().await);
    }
    let _ = visitor.quit().await;
    let _ = agent.quit().await;
    if result.is_err() {
        eprintln!("server log:\n{}", server.log_lines().join("\n"));
    }
    result
}

async fn acceptance(server: &Server, visitor: &Browser, agent: &Browser) -> Result<()> {
    // The team lead (an admin, in the general group) opens a billing group; Ming works in it.
    agent
        .sign_in_new(server, "lead@example.com", "Lin Lead", "admin", "general")
        .await?;
    create_group(agent, server, "billing", "Billing").await?;
    let ming_password = server.add_agent("ming@example.com", "Ming", "agent", "billing")?;

    // The first agent waits at an empty inbox, live.
    agent
        .wait_for_text("[data-testid=live-status]", "live")
        .await?;
    ensure!(
        agent.count("[data-testid=inbox-item]").await? == 0,
        "the inbox starts empty"
    );

    // The visitor asks two questions in Chinese, then asks for a person.
    visitor.driver.goto(server.url("/?locale=zh-CN")).await?;
    ask(visitor, "我想退货，怎么申请", 1).await?;
    let last_answer = ask(visitor, "退款多久能到账", 2).await?;
    visitor.escalate("王小明").await?;
    let notice = visitor.wait_for_text(".ad-notice", "T-").await?;
    let ticket = notice
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .find(|w| w.starts_with("T-"))
        .context("no ticket id in the notice")?
        .to_owned();

    // The case appears in the agent's inbox without a reload.
    let item = agent
        .find(&format!("[data-testid=inbox-item][data-ticket='{ticket}']"))
        .await?;
    ensure!(
        item.text().await?.contains("王小明"),
        "the inbox names the visitor"
    );
    agent.screenshot("inbox").await?;
    item.find(By::Css("a")).await?.click().await?;

    // The bot's transcript, set apart, with its candidates and the page.
    let transcript = agent
        .wait_for_text("[data-testid=bot-transcript]", "我想退货")
        .await?;
    ensure!(
        transcript.contains("退款多久能到账"),
        "both questions are in the bot transcript: {transcript}"
    );
    agent.find("[data-testid=bot-message]").await?;
    agent.find("[data-testid=bot-candidate]").await?;
    let page = agent.find("[data-testid=page-url]").await?.text().await?;
    ensure!(page.contains("locale=zh-CN"), "the visitor's page: {page}");
    let summary = agent.find("[data-testid=summary]").await?.text().await?;
    ensure!(
        summary.contains("退款多久能到账") && summary.contains("王小明"),
        "the summary quotes the request and the name: {summary}"
    );
    agent
        .wait_for_text("[data-testid=contact]", "王小明")
        .await?;

    // Smart assist: the same entry the bot answered the visitor's last question with.
    let suggestions = agent.find_n("[data-testid=assist-suggestion]", 1).await?;
    ensure!(suggestions.len() <= 3, "at most three suggestions");
    let suggested = suggestions[0].attr("data-entry").await?.unwrap_or_default();
    ensure!(
        suggested == last_answer,
        "assist suggests {suggested}, the bot answered with {last_answer}"
    );
    suggestions[0]
        .find(By::Css("[data-testid=insert]"))
        .await?
        .click()
        .await?;
    let composer = agent.find("[data-testid=composer]").await?;
    let inserted: String = composer.prop("value").await?.unwrap_or_default();
    ensure!(!inserted.trim().is_empty(), "insert fills the composer");
    composer
        .send_keys(Key::End + "\n如有其他问题，请随时告诉我们。")
        .await?;
    agent.click("[data-testid=send]").await?;
    agent
        .wait_for_text("[data-testid=agent-message]", "如有其他问题")
        .await?;
    // The case as an agent first sees it: summary and transcript at the top.
    agent
        .driver
        .execute(
            "document.querySelector('.wb-case-main').scrollTop = 0;\
             document.querySelector('.wb-side').scrollTop = 0;",
            vec![],
        )
        .await?;
    agent.screenshot("case").await?;

    // The visitor's page shows the reply live.
    visitor
        .wait_for_text("[data-testid=agent-message]", "如有其他问题")
        .await?;

    // An internal note stays internal.
    agent.click("[data-testid=mode-note]").await?;
    agent
        .type_into("[data-testid=composer]", "客户是老顾客，优先处理。")
        .await?;
    agent.click("[data-testid=send]").await?;
    agent.wait_for_text("[data-testid=note]", "老顾客").await?;

    // The refund itself is billing's: transferred there with a note.
    transfer_open_case(agent, "billing", "退款需财务确认，请核对订单后回复客户。").await?;
    agent.sign_out().await?;

    // Ming, in billing, finds the case with the note on top of it.
    agent
        .sign_in(server, "ming@example.com", &ming_password)
        .await?;
    open_case(agent, &ticket).await?;
    agent
        .wait_for_text("[data-testid=transfer-note-banner]", "请核对订单后回复客户")
        .await?;
    let on_top: bool = agent
        .driver
        .execute(
            "const banner = document.querySelector('[data-testid=transfer-note-banner]');\
             const thread = document.querySelector('[data-testid=thread]');\
             return !!(banner.compareDocumentPosition(thread) & Node.DOCUMENT_POSITION_FOLLOWING);",
            vec![],
        )
        .await?
        .convert()?;
    ensure!(on_top, "the transfer note comes before the conversation");

    // Resolved; the visitor rates the conversation and Ming sees it without a reload.
    choose(agent, "[data-testid=status]", "resolved").await?;
    agent
        .wait_gone(
            &format!("[data-testid=inbox-item][data-ticket='{ticket}']"),
            "the resolved case stays in the Open view",
        )
        .await?;
    visitor.click("[data-testid=rate-5]").await?;
    // The rating's own update re-renders the widget: look the thanks up afresh each time.
    visitor
        .wait_for_text("[data-testid=rating-thanks]", "感谢")
        .await?;
    agent.wait_for_text("[data-testid=rating]", "5 / 5").await?;

    // Nothing internal leaked to the visitor.
    let visitor_page = visitor.find("[data-testid=log]").await?.text().await?;
    ensure!(
        !visitor_page.contains("老顾客"),
        "the visitor saw an internal note: {visitor_page}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn admin_pages_are_for_admins_only() -> Result<()> {
    e2e::run(admins_only).await
}

async fn admins_only(server: &mut Server, browser: &Browser) -> Result<()> {
    browser
        .sign_in_new(server, "grace@example.com", "Grace", "agent", "general")
        .await?;
    ensure!(
        browser.count("[data-testid=admin-link]").await? == 0,
        "an agent sees no admin link"
    );
    browser.driver.goto(server.url("/admin")).await?;
    browser.find("[data-testid=admin-refused]").await?;
    ensure!(
        browser.count("[data-testid=admin]").await? == 0,
        "an agent gets no admin page"
    );
    let status = page_fetch_status(browser, "GET", "/api/v1/admin/agents").await?;
    ensure!(status == 403, "the server refuses an agent: HTTP {status}");
    let status = page_fetch_status(browser, "POST", "/api/v1/admin/agents").await?;
    ensure!(
        status == 403,
        "the server refuses an agent's write: HTTP {status}"
    );

    // An admin invites an agent from the admin page; the invitation's password signs in.
    browser.sign_out().await?;
    browser
        .sign_in_new(server, "lead@example.com", "Lin Lead", "admin", "general")
        .await?;
    browser.click("[data-testid=admin-link]").await?;
    browser
        .type_into("[data-testid=invite-email]", "new@example.com")
        .await?;
    browser
        .type_into("[data-testid=invite-name]", "New Agent" + Key::Enter)
        .await?;
    let result = browser
        .wait_for_text("[data-testid=invite-result]", "password")
        .await?;
    let invited_password = result
        .split("password ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .context("no password in the invitation")?
        .to_owned();
    browser
        .wait_for_text("[data-testid=admin-agents]", "new@example.com")
        .await?;
    browser
        .sign_in_as(server, "new@example.com", &invited_password)
        .await?;
    browser
        .wait_for_text("[data-testid=me]", "New Agent")
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn transfer_note_reaches_the_other_groups_agent() -> Result<()> {
    e2e::run(transfer).await
}

async fn transfer(server: &mut Server, agent: &Browser) -> Result<()> {
    // The admin creates a second skill group; an agent works in it.
    agent
        .sign_in_new(server, "lead@example.com", "Lin Lead", "admin", "general")
        .await?;
    create_group(agent, server, "billing", "Billing").await?;
    agent.sign_out().await?;
    let first_password = server.add_agent("grace@example.com", "Grace", "agent", "general")?;
    let second_password = server.add_agent("ming@example.com", "Ming", "agent", "billing")?;

    let escalation =
        serde_json::json!({ "site": "demo", "message": "支付宝付款了两次", "locale": "zh-CN" });
    let created: serde_json::Value = reqwest::Client::new()
        .post(server.url("/api/v1/escalations"))
        .json(&escalation)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let ticket = created["ticket_id"]
        .as_str()
        .context("no ticket_id")?
        .to_owned();

    // Grace hands it to billing: she no longer sees it, but her screen says where it went.
    agent
        .sign_in(server, "grace@example.com", &first_password)
        .await?;
    open_case(agent, &ticket).await?;
    transfer_open_case(agent, "billing", "重复扣款，请核对支付宝流水后退款。").await?;
    agent
        .wait_gone(
            &format!("[data-testid=inbox-item][data-ticket='{ticket}']"),
            "a case transferred out of the agent's groups leaves her inbox",
        )
        .await?;
    agent.sign_out().await?;

    // Ming reads the note first, then hands the case straight back to Grace as an agent.
    agent
        .sign_in(server, "ming@example.com", &second_password)
        .await?;
    open_case(agent, &ticket).await?;
    agent
        .wait_for_text("[data-testid=transfer-note-banner]", "请核对支付宝流水")
        .await?;
    agent.click("[data-testid=transfer]").await?;
    choose(agent, "[data-testid=transfer-group]", "general").await?;
    choose(agent, "[data-testid=transfer-agent]", "grace@example.com").await?;
    // No note, no transfer.
    agent.click("[data-testid=transfer-submit]").await?;
    agent
        .wait_for_text("[data-testid=transfer-form] [role=alert]", "note")
        .await?;
    agent
        .type_into("[data-testid=transfer-note]", "已退款，请通知客户。")
        .await?;
    submit_transfer(agent, "general").await?;
    agent
        .sign_in_as(server, "grace@example.com", &first_password)
        .await?;
    agent.click("[data-testid=view-mine]").await?;
    open_case(agent, &ticket).await?;
    agent
        .wait_for_text("[data-testid=transfer-note-banner]", "请通知客户")
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn workbench_speaks_the_browsers_language_or_the_agents_choice() -> Result<()> {
    e2e::run_with(Browser::start_in_language("zh-CN").await?, languages).await
}

async fn languages(server: &mut Server, browser: &Browser) -> Result<()> {
    let password = server.add_agent("ming@example.com", "Ming", "agent", "general")?;
    let shows = |css, text| browser.wait_for_text(css, text);
    browser.driver.goto(server.url("/agent")).await?;
    shows("[data-testid=login-submit]", "登录").await?;
    browser
        .sign_in(server, "ming@example.com", &password)
        .await?;
    shows("[data-testid=view-open]", "未解决").await?;
    // The toggle names the other language; the choice outlives the page.
    browser.click("[data-testid=language-toggle]").await?;
    shows("[data-testid=logout]", "Sign out").await?;
    browser.driver.goto(server.url("/agent")).await?;
    shows("[data-testid=view-open]", "Open").await?;
    Ok(())
}
