//! The knowledge base as the end-to-end tests handle it: the demo imported as a site's, the
//! entry editor's fields, and a publish watched on the Knowledge base page.

use std::ops::ControlFlow;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context as _, Result};
use serde_json::json;

use crate::{wait_until, Browser, Server};

/// Publishing runs the engine's whole build in the debug server: give it longer than a click.
pub const PUBLISH_PATIENCE: Duration = Duration::from_secs(240);

impl Server {
    /// Stores the bundled demo knowledge base as site `demo`'s, as `answerdesk kb import` does.
    pub fn import_demo_kb(&self) -> Result<()> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/demo-kb");
        let dir = dir.to_str().context("a UTF-8 path")?;
        self.answerdesk(&["kb", "import", dir, "--site", "demo"])?;
        Ok(())
    }
}

impl Browser {
    /// Replaces the text of a form field and lets the page hear it, as typing would.
    pub async fn set_field(&self, css: &str, text: &str) -> Result<()> {
        self.find(css).await?;
        self.driver
            .execute(
                "const el = document.querySelector(arguments[0]);\
                 el.value = arguments[1];\
                 el.dispatchEvent(new Event('input', { bubbles: true }));",
                vec![json!(css), json!(text)],
            )
            .await?;
        Ok(())
    }

    /// The current value of a form field.
    pub async fn field_value(&self, css: &str) -> Result<String> {
        Ok(self
            .find(css)
            .await?
            .prop("value")
            .await?
            .unwrap_or_default())
    }

    /// Opens entry `id` in `locale` from the Knowledge base page's list.
    pub async fn open_kb_entry(&self, locale: &str, id: &str) -> Result<()> {
        self.click(&format!(
            "[data-testid=kb-entry][data-id='{id}'][data-locale='{locale}'] [data-testid=kb-entry-open]"
        ))
        .await?;
        wait_until(async || {
            Ok(
                match self.field_value("[data-testid=kb-field-id]").await? == id {
                    true => ControlFlow::Break(()),
                    false => ControlFlow::Continue(format!("the editor did not open {id}")),
                },
            )
        })
        .await
    }

    /// Waits, as the admin watches the Knowledge base page, until the version list has `count`
    /// rows and the publish status says it is done; returns the status line. Fails at once when
    /// it says failed, and when the page never showed the publish running.
    pub async fn wait_for_publish(&self, count: usize) -> Result<String> {
        let deadline = Instant::now() + PUBLISH_PATIENCE;
        let mut saw_progress = false;
        loop {
            let status = self
                .driver
                .execute(
                    "const s = document.querySelector('[data-testid=kb-publish-status]');\
                     return s ? [s.dataset.state, s.innerText] : ['', ''];",
                    vec![],
                )
                .await?
                .convert::<(String, String)>()?;
            saw_progress |= status.0 == "running";
            if status.0 == "failed" {
                bail!("the publish failed: {}", status.1);
            }
            if status.0 == "done" && self.kb_versions().await?.len() == count {
                ensure!(
                    saw_progress,
                    "the page showed the publish running before it was done"
                );
                return Ok(status.1);
            }
            if Instant::now() > deadline {
                bail!("no publish done within {PUBLISH_PATIENCE:?}: {status:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The Knowledge base page's version rows: (version, served).
    pub async fn kb_versions(&self) -> Result<Vec<(String, bool)>> {
        let rows = self
            .driver
            .execute(
                "return Array.from(document.querySelectorAll('[data-testid=kb-version]'),\
                   r => [r.dataset.version, r.dataset.served === 'true']);",
                vec![],
            )
            .await?;
        Ok(rows.convert()?)
    }
}
