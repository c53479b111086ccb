//! The embed on a plain static page (`/demo.html`, nothing but the script tag): the launcher,
//! the lazily loaded widget, answers in English and Chinese, "did you mean", thumbs (recorded on
//! the server), the JS API and the postMessage checks.

use std::ops::ControlFlow;

use anyhow::{ensure, Result};
use e2e::{Browser, Server};
use serde_json::json;
use thirtyfour::prelude::*;

#[tokio::test(flavor = "multi_thread")]
async fn embed_answers_english_and_chinese_on_a_static_page() -> Result<()> {
    e2e::run(english).await
}

#[tokio::test(flavor = "multi_thread")]
async fn embed_speaks_chinese_to_a_chinese_browser() -> Result<()> {
    e2e::run_with(Browser::start_in_language("zh-CN").await?, chinese).await
}

async fn count(browser: &Browser, script: &str) -> Result<u64> {
    Ok(browser.driver.execute(script, vec![]).await?.convert()?)
}

async fn english(server: &mut Server, browser: &Browser) -> Result<()> {
    browser.driver.goto(server.url("/demo.html")).await?;
    let launcher = browser.launcher().await?;
    ensure!(
        launcher.text().await?.contains("Need help?"),
        "English launcher label expected"
    );
    // The launcher lives in a shadow root: the page's own DOM queries do not see it.
    ensure!(
        count(
            browser,
            "return document.querySelectorAll('[data-testid=launcher]').length;"
        )
        .await?
            == 0,
        "the launcher must not be in the host page's DOM"
    );

    // The script tag twice draws one launcher.
    browser
        .driver
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const s = document.createElement('script');
             s.src = '/embed.js'; s.onload = () => done(true); s.onerror = () => done(false);
             document.body.appendChild(s);",
            vec![],
        )
        .await?;
    ensure!(
        count(
            browser,
            "return document.querySelectorAll('[data-answerdesk]').length;"
        )
        .await?
            == 1,
        "loading embed.js twice must draw one launcher"
    );

    // Nothing of the widget is loaded before the visitor asks for it.
    let before_click = browser.requested_urls().await?;
    ensure!(
        !before_click
            .iter()
            .any(|u| u.contains("/widget") || u.ends_with(".wasm") || u.ends_with("kb.snapshot")),
        "the widget must load lazily, but the page already fetched: {before_click:?}"
    );
    ensure!(
        count(
            browser,
            "return document.querySelector('[data-answerdesk]').shadowRoot.querySelectorAll('iframe').length;"
        )
        .await?
            == 0,
        "no iframe before the launcher is clicked"
    );
    browser.screenshot("launcher").await?;

    let ms = browser.open_widget_timed().await?;
    println!("launcher click → input focused (cold, loads the widget): {ms:.0} ms");
    ensure!(
        launcher.attr("aria-expanded").await?.as_deref() == Some("true"),
        "the launcher says the widget is open"
    );

    browser.enter_widget().await?;
    let input = browser.find("[data-testid=ask-input]").await?;
    let focused: bool = browser
        .driver
        .execute(
            "return document.activeElement === document.querySelector('[data-testid=ask-input]');",
            vec![],
        )
        .await?
        .convert()?;
    ensure!(focused, "opening the widget focuses its input");

    input
        .send_keys("how long does delivery take to arrive?" + Key::Enter)
        .await?;
    let ids = browser.answer_entries(1).await?;
    ensure!(
        ids[0] == "delivery-time",
        "English delivery question answered with {ids:?}"
    );

    // Thumbs up: kept in the browser, and sent anonymously to the server.
    browser.click("[data-testid=helpful-yes]").await?;
    browser.find("[data-testid=helpful-thanks]").await?;
    let feedback: String = browser
        .driver
        .execute(
            "return localStorage.getItem('answerdesk.feedback') || '';",
            vec![],
        )
        .await?
        .convert()?;
    let feedback: serde_json::Value = serde_json::from_str(&feedback)?;
    ensure!(
        feedback[0]["entry"] == "delivery-time" && feedback[0]["helpful"] == true,
        "the verdict is recorded: {feedback}"
    );
    let admin = server
        .sign_in_admin("erin.admin@example.com", "Erin Admin")
        .await?;
    e2e::wait_until(async || {
        let summary = admin.get("/api/v1/admin/feedback").await?;
        let expected = json!([
            {"site": "demo", "entry_id": "delivery-time", "up": 1, "down": 0}
        ]);
        Ok(match summary["entries"] == expected {
            true => ControlFlow::Break(()),
            false => {
                ControlFlow::Continue(format!("the thumbs-up did not reach the server: {summary}"))
            }
        })
    })
    .await?;

    input.send_keys("我想退货，怎么申请" + Key::Enter).await?;
    let ids = browser.answer_entries(2).await?;
    ensure!(
        ids[1] == "start-return",
        "Chinese return question answered with {ids:?}"
    );

    // Suggestions while typing, before the question is sent.
    input.send_keys("reset my pass").await?;
    let instant = browser.find("[data-testid=instant]").await?;
    ensure!(
        instant.text().await?.to_lowercase().contains("password"),
        "typing offers matching questions: {}",
        instant.text().await?
    );
    input.send_keys(Key::Control + "a").await?;
    input.send_keys(Key::Backspace).await?;

    // Time from sending a question to its answer on screen, the snapshot being loaded.
    let ms: f64 = browser
        .driver
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const input = document.querySelector('[data-testid=ask-input]');
             const before = document.querySelectorAll('[data-testid=answer]').length;
             input.value = 'How do I cancel my order?';
             input.dispatchEvent(new Event('input', { bubbles: true }));
             const t0 = performance.now();
             input.form.requestSubmit();
             (function poll() {
               if (document.querySelectorAll('[data-testid=answer]').length > before) done(performance.now() - t0);
               else requestAnimationFrame(poll);
             })();",
            vec![],
        )
        .await?
        .convert()?;
    println!("question sent → answer shown: {ms:.1} ms");
    let ids = browser.answer_entries(3).await?;
    ensure!(
        ids[2] == "cancel-order",
        "cancel question answered with {ids:?}"
    );

    // One word is not enough to choose: the engine offers choices.
    input.send_keys("refund" + Key::Enter).await?;
    let chips = browser
        .find_n(".ad-log .ad-chips [data-testid=suggestion]", 2)
        .await?;
    let chosen = chips[0].text().await?;
    chips[0].click().await?;
    browser.find_n("[data-testid=answer]", 4).await?;
    let last_heading = browser
        .driver
        .find_all(By::Css("[data-testid=answer] h2"))
        .await?
        .pop()
        .expect("four answers")
        .text()
        .await?;
    ensure!(
        last_heading == chosen,
        "choosing {chosen:?} answers it, got {last_heading:?}"
    );

    browser.driver.enter_default_frame().await?;
    browser.screenshot("widget-en").await?;

    // The host page's API reaches the widget.
    browser
        .driver
        .execute("answerdesk('ask', 'How do I reset my password?');", vec![])
        .await?;
    browser.enter_widget().await?;
    let ids = browser.answer_entries(5).await?;
    ensure!(
        ids[4] == "reset-password",
        "answerdesk('ask') answered with {ids:?}"
    );

    // postMessage checks. The widget ignores a message that is not from its parent window…
    // (each check reads the page once the message has been handled: see `post_message`)
    browser
        .post_message(json!({"answerdesk": "ask", "text": "How do I cancel my order?"}))
        .await?;
    // …and the embed ignores a "close" that does not come from the widget's frame.
    browser.driver.enter_default_frame().await?;
    browser.post_message(json!({"answerdesk": "close"})).await?;
    ensure!(
        launcher.attr("aria-expanded").await?.as_deref() == Some("true"),
        "a forged close message must not close the widget"
    );
    browser.enter_widget().await?;
    let answers = browser
        .driver
        .find_all(By::Css("[data-testid=answer]"))
        .await?;
    ensure!(
        answers.len() == 5,
        "a message from outside the parent window must not ask a question ({} answers)",
        answers.len()
    );

    // Escape closes the widget and gives focus back to the launcher.
    browser
        .type_into("[data-testid=ask-input]", Key::Escape)
        .await?;
    browser.driver.enter_default_frame().await?;
    e2e::wait_until(async || {
        Ok(match launcher.attr("aria-expanded").await?.as_deref() {
            Some("false") => ControlFlow::Break(()),
            _ => ControlFlow::Continue("Escape did not close the widget".to_owned()),
        })
    })
    .await?;

    // Opening again is warm: the widget is already loaded.
    let ms = browser.open_widget_timed().await?;
    println!("launcher click → input focused (warm): {ms:.0} ms");
    Ok(())
}

async fn chinese(server: &mut Server, browser: &Browser) -> Result<()> {
    browser.driver.goto(server.url("/demo.html")).await?;
    let language: String = browser
        .driver
        .execute("return navigator.language;", vec![])
        .await?
        .convert()?;
    let launcher = browser.launcher().await?;
    let label = launcher.text().await?;
    ensure!(
        label.contains("需要帮助"),
        "a {language} browser gets the Chinese launcher, saw {label:?}"
    );
    browser.open_widget_timed().await?;
    browser.enter_widget().await?;
    let title = browser.find(".ad-header h1").await?.text().await?;
    ensure!(title == "帮助", "Chinese widget title, saw {title:?}");
    let input = browser.find("[data-testid=ask-input]").await?;
    input.send_keys("我想退货，怎么申请" + Key::Enter).await?;
    let ids = browser.answer_entries(1).await?;
    ensure!(
        ids[0] == "start-return",
        "Chinese return question answered with {ids:?}"
    );
    input.send_keys("退款" + Key::Enter).await?;
    browser
        .find_n(".ad-log .ad-chips [data-testid=suggestion]", 2)
        .await?;
    browser.driver.enter_default_frame().await?;
    browser.screenshot("widget-zh").await?;
    Ok(())
}

/// The usual deployment: the host page on one origin, Answerdesk on another. Messages pass the
/// origin checks both ways, and the widget knows its host page only by origin.
#[tokio::test(flavor = "multi_thread")]
async fn embed_works_from_another_origin() -> Result<()> {
    e2e::run(cross_origin).await
}

async fn cross_origin(server: &mut Server, browser: &Browser) -> Result<()> {
    // Same server, different origin: `localhost` hosts the page, `127.0.0.1` serves Answerdesk.
    let host_page = server.url("/healthz").replace("127.0.0.1", "localhost");
    browser.driver.goto(&host_page).await?;
    browser
        .driver
        .execute(
            "const s = document.createElement('script');
             s.src = arguments[0]; s.dataset.site = 'demo'; s.dataset.locale = 'en';
             document.body.appendChild(s);",
            vec![serde_json::Value::String(server.url("/embed.js"))],
        )
        .await?;
    // Asked before the widget is ready: the embed queues it until the widget says `ready`.
    browser.launcher().await?.click().await?;
    browser
        .driver
        .execute(
            "answerdesk('ask', 'how long does delivery take to arrive?');",
            vec![],
        )
        .await?;
    browser.enter_widget().await?;
    let ids = browser.answer_entries(1).await?;
    ensure!(
        ids[0] == "delivery-time",
        "answerdesk('ask') across origins answered with {ids:?}"
    );
    let parent: String = browser
        .driver
        .execute("return location.ancestorOrigins[0];", vec![])
        .await?
        .convert()?;
    ensure!(
        parent.starts_with("http://localhost:"),
        "the widget sees its host page's origin: {parent}"
    );
    Ok(())
}
