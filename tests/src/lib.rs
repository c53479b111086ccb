//! Harness for the end-to-end tests: the real `answerdesk` server on a temporary
//! SQLite database, the real web app built by Trunk, and headless Chromium driven
//! through Debian's chromedriver.
//!
//! `cargo xtask test` builds everything and points the tests at it with
//! `ANSWERDESK_BIN`, `ANSWERDESK_DIST`, `ANSWERDESK_SNAPSHOT` and `CHROMEDRIVER`;
//! without them the tests fail and say what is missing.

pub mod kb;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use serde_json::{json, Value};
use thirtyfour::prelude::*;

/// How long a test waits for something a person would see happen.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// Asks `check` again and again (every 50 ms) until it says `Break(value)`; fails with the
/// reason of its last `Continue(reason)` when [`PATIENCE`] runs out first.
pub async fn wait_until<T>(
    mut check: impl AsyncFnMut() -> Result<ControlFlow<T, String>>,
) -> Result<T> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        match check().await? {
            ControlFlow::Break(value) => return Ok(value),
            ControlFlow::Continue(reason) => ensure!(Instant::now() < deadline, "{reason}"),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Runs `scenario` on a fresh server with `browser`. The browser quits afterwards whatever
/// happened; a failure first prints what the page showed and what the server logged.
pub async fn run_with(
    browser: Browser,
    scenario: impl AsyncFnOnce(&mut Server, &Browser) -> Result<()>,
) -> Result<()> {
    let mut server = Server::start()?;
    let result = scenario(&mut server, &browser).await;
    if result.is_err() {
        eprintln!("page:\n{}", browser.page_text().await);
        eprintln!("server log:\n{}", server.log_lines().join("\n"));
    }
    let quit = browser.quit().await;
    result.and(quit)
}

/// [`run_with`] in a browser started with [`Browser::start`].
pub async fn run(scenario: impl AsyncFnOnce(&mut Server, &Browser) -> Result<()>) -> Result<()> {
    run_with(Browser::start().await?, scenario).await
}

/// The password `answerdesk agent add` or `agent reset-password` printed.
pub fn password_line(out: &str) -> Result<String> {
    Ok(out
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .with_context(|| format!("no password in the output: {out}"))?
        .trim()
        .to_owned())
}

/// Counts, in every document of the browser, the `fetch` calls started and settled (answered or
/// failed), so a test can wait until none is in flight: [`Browser::wait_for_network_idle`]. The
/// URLs in flight are kept too, so a wait that gives up names what it waited on.
const REQUEST_COUNTER: &str = "if (!window.__answerdeskRequests) {
  const counter = { started: 0, settled: 0, pending: new Map() };
  window.__answerdeskRequests = counter;
  const fetch = window.fetch;
  window.fetch = function (...args) {
    const n = ++counter.started;
    const input = args[0];
    counter.pending.set(n, String(input && input.url ? input.url : input));
    const sent = fetch.apply(this, args);
    const settle = () => { counter.settled += 1; counter.pending.delete(n); };
    sent.then(settle, settle);
    return sent;
  };
}";

fn env_path(name: &str) -> Result<PathBuf> {
    let value = std::env::var_os(name).with_context(|| {
        format!("{name} is not set: run the end-to-end tests through `cargo xtask test`, which builds what they need")
    })?;
    let path = PathBuf::from(value);
    if !path.exists() {
        bail!("{name} points at {}, which does not exist", path.display());
    }
    Ok(path)
}

/// A running `answerdesk serve` with its own database; killed when dropped.
pub struct Server {
    child: Child,
    pub base_url: String,
    pub database_url: String,
    _dir: tempfile::TempDir,
    log: mpsc::Receiver<String>,
    /// The knowledge snapshot served; `ANSWERDESK_SNAPSHOT` unless a restart changed it.
    snapshot: PathBuf,
    /// Extra environment for every start (see [`ServerOptions::env`]).
    env: Vec<(String, String)>,
}

/// How [`Server::start_with`] starts the server.
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    /// The database, e.g. a PostgreSQL URL; a fresh SQLite file in a temporary folder when `None`.
    pub database_url: Option<String>,
    /// Environment variables for `answerdesk serve`, e.g. `ANSWERDESK_RATE_LIMIT=off` for a load.
    pub env: Vec<(String, String)>,
}

fn spawn_serve(
    addr: &str,
    database_url: &str,
    snapshot: &Path,
    env: &[(String, String)],
) -> Result<(Child, mpsc::Receiver<String>)> {
    let mut child = Command::new(env_path("ANSWERDESK_BIN")?)
        .arg("serve")
        .args(["--addr", addr])
        .args(["--database-url", database_url])
        .arg("--dist")
        .arg(env_path("ANSWERDESK_DIST")?)
        .arg("--snapshot")
        .arg(snapshot)
        .env("RUST_LOG", "info")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot start answerdesk serve")?;
    let (tx, log) = mpsc::channel();
    for stream in [
        Box::new(child.stdout.take().expect("piped")) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().expect("piped")),
    ] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
    }
    Ok((child, log))
}

impl Server {
    pub fn start() -> Result<Server> {
        Server::start_with(ServerOptions::default())
    }

    /// Starts the server on the database and with the environment `options` give.
    pub fn start_with(options: ServerOptions) -> Result<Server> {
        let dir = tempfile::tempdir()?;
        let database_url = options
            .database_url
            .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("answerdesk.db").display()));
        let snapshot = env_path("ANSWERDESK_SNAPSHOT")?;
        let (child, log) = spawn_serve("127.0.0.1:0", &database_url, &snapshot, &options.env)?;
        let mut server = Server {
            child,
            base_url: String::new(),
            database_url,
            _dir: dir,
            log,
            snapshot,
            env: options.env,
        };
        server.base_url = server.wait_until_listening()?;
        Ok(server)
    }

    /// Stops the server, as a network outage would look to the browser; the database stays.
    pub fn stop(&mut self) -> Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }

    /// Kills the server with SIGKILL, as a crash or the OOM killer would: no graceful shutdown,
    /// no flush, in-flight requests cut. Fails unless the process died of that signal.
    pub fn kill_9(&mut self) -> Result<()> {
        use std::os::unix::process::ExitStatusExt as _;
        let status = Command::new("kill")
            .args(["-s", "KILL", &self.child.id().to_string()])
            .status()
            .context("cannot run kill")?;
        if !status.success() {
            bail!("kill -9 {} failed: {status}", self.child.id());
        }
        let exit = self.child.wait()?;
        if exit.signal() != Some(9) {
            bail!("the server did not die of SIGKILL: {exit}");
        }
        Ok(())
    }

    /// Asks for the served snapshot in each coding and waits, however long it takes, until all
    /// are answered. A snapshot written without `kb build`'s sidecars is compressed by the server
    /// on the first request for each coding, which the debug build on a loaded machine can take
    /// longer than [`PATIENCE`] to do: a test that checks what a page does with the snapshot, not
    /// how fast it arrives, warms it first.
    pub async fn warm_snapshot(&self) -> Result<()> {
        let http = reqwest::Client::new();
        for coding in ["br", "gzip", "identity"] {
            http.get(self.url("/kb.snapshot"))
                .header(reqwest::header::ACCEPT_ENCODING, coding)
                .send()
                .await?
                .error_for_status()?
                .bytes()
                .await?;
        }
        Ok(())
    }

    /// Starts the server again on the same address and database after [`Server::stop`], serving
    /// another knowledge snapshot: a site publishing a new version of its knowledge base.
    pub fn restart_with_snapshot(&mut self, snapshot: &Path) -> Result<()> {
        self.snapshot = snapshot.to_path_buf();
        self.restart()
    }

    /// Starts the server again on the same address and database after [`Server::stop`].
    pub fn restart(&mut self) -> Result<()> {
        let addr = self
            .base_url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let deadline = Instant::now() + PATIENCE;
        loop {
            let (child, log) = spawn_serve(&addr, &self.database_url, &self.snapshot, &self.env)?;
            self.child = child;
            self.log = log;
            match self.wait_until_listening() {
                Ok(_) => return Ok(()),
                // The port may still be held for a moment by the old process.
                Err(_) if Instant::now() < deadline => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    std::thread::sleep(Duration::from_millis(250));
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn wait_until_listening(&mut self) -> Result<String> {
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            match self.log.recv_timeout(Duration::from_millis(200)) {
                Ok(line) => {
                    if let Some(url) = line.split("listening on ").nth(1) {
                        return Ok(url.trim().to_string());
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Some(status) = self.child.try_wait()? {
                        std::thread::sleep(Duration::from_millis(100));
                        bail!(
                            "answerdesk serve exited early ({status}):\n{}",
                            self.log_lines().join("\n")
                        );
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    bail!("answerdesk serve closed its output")
                }
            }
        }
        bail!("answerdesk serve did not say where it listens within {PATIENCE:?}")
    }

    /// The tickets in the database, as `answerdesk tickets list --json` prints them.
    pub fn tickets(&self) -> Result<Vec<serde_json::Value>> {
        let listed = self.answerdesk(&["tickets", "list", "--json"])?;
        listed
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).with_context(|| format!("not JSON: {l}")))
            .collect()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Lines the server has logged so far.
    pub fn log_lines(&self) -> Vec<String> {
        self.log.try_iter().collect()
    }

    /// Runs another `answerdesk` command against this server's database.
    pub fn answerdesk(&self, args: &[&str]) -> Result<String> {
        let out = Command::new(env_path("ANSWERDESK_BIN")?)
            .args(args)
            .args(["--database-url", &self.database_url])
            .output()
            .context("cannot run answerdesk")?;
        if !out.status.success() {
            bail!(
                "answerdesk {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A network to throttle a browser to: download and upload bytes per second, round-trip latency.
#[derive(Debug, Clone, Copy)]
pub struct Network {
    pub name: &'static str,
    pub down: u64,
    pub up: u64,
    pub latency_ms: u64,
}

/// Chrome DevTools' presets, the benchmarks' phone networks: "Fast 4G" is 9 Mbit/s down, 1.5 up,
/// 60 ms (called 4G here); "Fast 3G" 1.6 Mbit/s down, 0.75 up, 150 ms.
pub const NETWORKS: [Network; 2] = [
    Network {
        name: "4G",
        down: 9_000_000 / 8,
        up: 1_500_000 / 8,
        latency_ms: 60,
    },
    Network {
        name: "Fast 3G",
        down: 1_600_000 / 8,
        up: 750_000 / 8,
        latency_ms: 150,
    },
];

/// chromedriver in its own process group, so the browsers it starts die with it.
pub struct Browser {
    pub driver: WebDriver,
    chromedriver: Child,
    /// A temporary profile, removed on drop; `None` for [`Browser::start_with_profile`]'s.
    _profile: Option<tempfile::TempDir>,
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Browser {
    pub async fn start() -> Result<Browser> {
        Browser::start_with_args(&[]).await
    }

    /// A browser whose preferred language is `lang` (e.g. `zh-CN`), as `navigator.language` says.
    pub async fn start_in_language(lang: &str) -> Result<Browser> {
        Browser::start_with_args(&[&format!("--lang={lang}"), &format!("--accept-lang={lang}")])
            .await
    }

    async fn start_with_args(extra: &[&str]) -> Result<Browser> {
        Browser::start_in(None, extra, false).await
    }

    /// A browser that records its network traffic as the DevTools protocol reports it (every
    /// `Network.*` event), read with [`Browser::network_log`]: the bytes each response took on
    /// the wire, and when they arrived.
    pub async fn start_recording_network() -> Result<Browser> {
        Browser::start_in(None, &[], true).await
    }

    /// The `Network.*` events since the last call (or since the start), each the DevTools
    /// protocol's `{"method", "params"}`, in order; for [`Browser::start_recording_network`].
    /// chromedriver hands them out through its log endpoint, which thirtyfour does not wrap.
    pub async fn network_log(&self) -> Result<Vec<Value>> {
        let handle = self.driver.handle();
        let url = handle
            .server_url()
            .join(&format!("session/{}/se/log", handle.session_id()))?;
        let reply: Value = reqwest::Client::new()
            .post(url)
            .json(&json!({ "type": "performance" }))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let entries = reply["value"]
            .as_array()
            .context("chromedriver's performance log is not a list")?;
        let mut events = Vec::new();
        for entry in entries {
            let text = entry["message"].as_str().unwrap_or_default();
            let message: Value = serde_json::from_str(text)
                .with_context(|| format!("a performance log entry is not JSON: {text:.200}"))?;
            let event = &message["message"];
            if event["method"]
                .as_str()
                .is_some_and(|m| m.starts_with("Network."))
            {
                events.push(event.clone());
            }
        }
        Ok(events)
    }

    /// A browser on the profile folder `profile` (created when missing, kept after `quit`): a
    /// second browser on the same folder is the same browser after a restart, with its
    /// localStorage, service workers and caches. Quit the first before starting the second.
    pub async fn start_with_profile(profile: &Path) -> Result<Browser> {
        std::fs::create_dir_all(profile)?;
        Browser::start_in(Some(profile), &[], false).await
    }

    async fn start_in(
        persistent: Option<&Path>,
        extra: &[&str],
        record_network: bool,
    ) -> Result<Browser> {
        use std::os::unix::process::CommandExt as _;
        let port = free_port()?;
        let chromedriver = Command::new(env_path("CHROMEDRIVER")?)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .context("cannot start chromedriver")?;
        let temporary = match persistent {
            Some(_) => None,
            None => Some(tempfile::tempdir()?),
        };
        let profile = persistent
            .or(temporary.as_ref().map(tempfile::TempDir::path))
            .context("a profile folder")?
            .to_path_buf();
        let mut caps = DesiredCapabilities::chrome();
        if Path::new("/usr/bin/chromium").exists() {
            caps.set_binary("/usr/bin/chromium")?;
        }
        for arg in [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1100,900",
        ] {
            caps.add_arg(arg)?;
        }
        for arg in extra {
            caps.add_arg(arg)?;
        }
        caps.add_arg(&format!("--user-data-dir={}", profile.display()))?;
        if record_network {
            caps.set("goog:loggingPrefs", json!({ "performance": "ALL" }))?;
        }
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + PATIENCE;
        let driver = loop {
            match WebDriver::new(&url, caps.clone()).await {
                Ok(driver) => break driver,
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(150)).await
                }
                Err(e) => return Err(e).context("chromedriver did not start a browser session"),
            }
        };
        let browser = Browser {
            driver,
            chromedriver,
            _profile: temporary,
        };
        browser
            .driver
            .cdp()
            .page()
            .add_script_to_evaluate_on_new_document(REQUEST_COUNTER)
            .await
            .context("cannot install the request counter")?;
        Ok(browser)
    }

    /// From now on, as a first-time visitor on `network`: the HTTP cache disabled and the
    /// network throttled (DevTools protocol, `Network.emulateNetworkConditions`).
    pub async fn throttle(&self, network: &Network) -> Result<()> {
        let cdp = self.driver.cdp();
        cdp.send_raw("Network.enable", json!({})).await?;
        cdp.send_raw("Network.setCacheDisabled", json!({ "cacheDisabled": true }))
            .await?;
        cdp.send_raw(
            "Network.emulateNetworkConditions",
            json!({
                "offline": false,
                "latency": network.latency_ms,
                "downloadThroughput": network.down,
                "uploadThroughput": network.up,
            }),
        )
        .await?;
        Ok(())
    }

    /// Ends the session; the process group is killed on drop either way.
    pub async fn quit(self) -> Result<()> {
        self.driver.clone().quit().await?;
        Ok(())
    }

    /// Waits until `css` matches a visible element.
    pub async fn find(&self, css: &str) -> Result<WebElement> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            for element in self.driver.find_all(By::Css(css)).await? {
                // A re-render can replace the element between finding and asking: a stale
                // element is looked for again, not a failure.
                if element.is_displayed().await.unwrap_or(false) {
                    return Ok(element);
                }
            }
            if Instant::now() > deadline {
                bail!("nothing matched `{css}` within {PATIENCE:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until `count` elements match `css`, returning them.
    pub async fn find_n(&self, css: &str, count: usize) -> Result<Vec<WebElement>> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let found = self.driver.find_all(By::Css(css)).await?;
            if found.len() >= count {
                return Ok(found);
            }
            if Instant::now() > deadline {
                bail!(
                    "expected {count} `{css}`, found {} within {PATIENCE:?}",
                    found.len()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until `css` matches a visible element, and clicks it.
    pub async fn click(&self, css: &str) -> Result<()> {
        self.find(css).await?.click().await?;
        Ok(())
    }

    /// Waits until `css` matches a visible element, and types `keys` into it.
    pub async fn type_into(&self, css: &str, keys: impl Into<TypingData>) -> Result<()> {
        self.find(css).await?.send_keys(keys).await?;
        Ok(())
    }

    /// How many elements match `css` now.
    pub async fn count(&self, css: &str) -> Result<usize> {
        Ok(self.driver.find_all(By::Css(css)).await?.len())
    }

    /// The text of every element matching `css`, read in one script call: the page re-renders
    /// while messages arrive, so element handles found first and read later can go stale.
    pub async fn texts(&self, css: &str) -> Result<Vec<String>> {
        let ret = self
            .driver
            .execute(
                "return Array.from(document.querySelectorAll(arguments[0]), e => e.innerText);",
                vec![json!(css)],
            )
            .await?;
        Ok(ret.convert()?)
    }

    /// Waits until an element matching `css` contains `needle`; returns its text.
    pub async fn wait_for_text(&self, css: &str, needle: &str) -> Result<String> {
        wait_until(async || {
            let seen = self.texts(css).await?;
            Ok(match seen.iter().find(|t| t.contains(needle)) {
                Some(text) => ControlFlow::Break(text.clone()),
                None => ControlFlow::Continue(format!(
                    "no `{css}` contained {needle:?} within {PATIENCE:?}; saw {seen:?}"
                )),
            })
        })
        .await
    }

    /// Waits until nothing matches `css`; fails with `what` when something still does.
    pub async fn wait_gone(&self, css: &str, what: &str) -> Result<()> {
        wait_until(async || {
            Ok(match self.count(css).await? {
                0 => ControlFlow::Break(()),
                _ => ControlFlow::Continue(what.to_owned()),
            })
        })
        .await
    }

    /// Waits until no `fetch` of this document is in flight: every request it started has been
    /// answered (or has failed). What such an answer could still change has been decided then,
    /// which is what a check that something did *not* happen has to wait for.
    pub async fn wait_for_network_idle(&self) -> Result<()> {
        self.wait_for_none(
            "const r = window.__answerdeskRequests;
             if (!r) throw new Error('this document does not count its requests');
             return r.started - r.settled;",
            "request(s) still in flight",
        )
        .await
    }

    /// Waits until this document has settled after insertions: loaded, every image loaded or
    /// failed (so its `onerror` ran), no request in flight, and the tasks queued meanwhile (load,
    /// error and toggle events) run. Then a handler that was going to fire has fired.
    pub async fn wait_for_page_settled(&self) -> Result<()> {
        let pending = "const r = window.__answerdeskRequests;
             return (document.readyState === 'complete' ? [] : ['document ' + document.readyState])
               .concat(Array.from(document.images).filter(i => !i.complete).map(i => 'image ' + i.src))
               .concat(r ? Array.from(r.pending.values(), u => 'fetch ' + u) : []);";
        wait_until(async || {
            let pending: Vec<String> = self.driver.execute(pending, vec![]).await?.convert()?;
            Ok(match pending.is_empty() {
                true => ControlFlow::Break(()),
                false => ControlFlow::Continue(format!(
                    "still pending after {PATIENCE:?}: {}",
                    pending.join(", ")
                )),
            })
        })
        .await?;
        self.after_queued_tasks().await
    }

    /// Waits until `script` counts nothing pending (returns 0); `what` names what it counts.
    async fn wait_for_none(&self, script: &str, what: &str) -> Result<()> {
        wait_until(async || {
            let pending: i64 = self.driver.execute(script, vec![]).await?.convert()?;
            Ok(match pending {
                0 => ControlFlow::Break(()),
                _ => ControlFlow::Continue(format!("{pending} {what} after {PATIENCE:?}")),
            })
        })
        .await
    }

    /// Returns once the tasks this document has queued so far have run: a message it posts to
    /// itself now arrives after them, and a timer set then fires after the timers they set.
    async fn after_queued_tasks(&self) -> Result<()> {
        self.driver
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 const marker = 'answerdesk-e2e-' + Math.random();
                 window.addEventListener('message', function seen(e) {
                   if (e.data !== marker) return;
                   window.removeEventListener('message', seen);
                   setTimeout(() => done(true), 0);
                 });
                 window.postMessage(marker, '*');",
                vec![],
            )
            .await?;
        Ok(())
    }

    /// Posts `message` to this document's window (as `window.postMessage(message, '*')` in the
    /// page would) and returns once every listener has handled it and what they queued has run:
    /// a second message posted right after it arrives only then.
    pub async fn post_message(&self, message: Value) -> Result<()> {
        self.driver
            .execute("window.postMessage(arguments[0], '*');", vec![message])
            .await?;
        self.after_queued_tasks().await
    }

    /// What the page shows (its address and text), for a failure report.
    pub async fn page_text(&self) -> String {
        match self
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

    /// Signs in on the workbench (`/agent`) and waits for the inbox.
    pub async fn sign_in(&self, server: &Server, email: &str, password: &str) -> Result<()> {
        self.driver.goto(server.url("/agent")).await?;
        self.type_into("[data-testid=login-email]", email).await?;
        self.type_into("[data-testid=login-password]", password)
            .await?;
        self.click("[data-testid=login-submit]").await?;
        self.find("[data-testid=inbox]").await?;
        Ok(())
    }

    /// Creates an agent with `answerdesk agent add` (see [`Server::add_agent`]) and signs in as
    /// it; returns its password.
    pub async fn sign_in_new(
        &self,
        server: &Server,
        email: &str,
        name: &str,
        role: &str,
        group: &str,
    ) -> Result<String> {
        let password = server.add_agent(email, name, role, group)?;
        self.sign_in(server, email, &password).await?;
        Ok(password)
    }

    /// Signs out of the workbench, then in again as `email`.
    pub async fn sign_in_as(&self, server: &Server, email: &str, password: &str) -> Result<()> {
        self.sign_out().await?;
        self.sign_in(server, email, password).await
    }

    /// Signs out of the workbench and waits for the sign-in form.
    pub async fn sign_out(&self) -> Result<()> {
        self.click("[data-testid=logout]").await?;
        self.find("[data-testid=login-email]").await?;
        Ok(())
    }

    /// Opens the embedded widget on the demo page and switches into its frame.
    pub async fn open_demo_widget(&self, server: &Server) -> Result<()> {
        self.driver.goto(server.url("/demo.html")).await?;
        self.open_widget().await
    }

    /// Waits for the embed's launcher on this page, opens the widget with it and switches into
    /// the widget's frame.
    pub async fn open_widget(&self) -> Result<()> {
        self.launcher().await?;
        self.open_widget_timed().await?;
        self.enter_widget().await
    }

    /// Types `question` into the widget's input and sends it.
    pub async fn ask(&self, question: &str) -> Result<()> {
        self.type_into("[data-testid=ask-input]", question.to_owned() + Key::Enter)
            .await
    }

    /// "Talk to a person": opens the escalation form, types `name` and submits it.
    pub async fn escalate(&self, name: &str) -> Result<()> {
        self.click("[data-testid=escalate]").await?;
        self.type_into(".ad-escalate input[autocomplete=name]", name)
            .await?;
        self.click("[data-testid=escalate-submit]").await
    }

    /// On the demo page: a question the demo answers, then "Talk to a person" as `name`; returns
    /// the id of the ticket the server made of it, the first of this server.
    pub async fn escalate_on_demo(&self, server: &Server, name: &str) -> Result<String> {
        self.open_demo_widget(server).await?;
        self.ask("how long does delivery take to arrive?").await?;
        self.answer_entries(1).await?;
        self.escalate(name).await?;
        self.wait_for_text(".ad-notice", "T-").await?;
        let tickets = server.tickets()?;
        ensure!(tickets.len() == 1, "one ticket: {tickets:?}");
        Ok(tickets[0]["id"].as_str().context("ticket id")?.to_string())
    }

    /// What the widget's outbox holds: the requests it has not had answered yet.
    pub async fn outbox(&self) -> Result<Vec<Value>> {
        let json: String = self
            .driver
            .execute(
                "return localStorage.getItem('answerdesk.outbox') || '[]';",
                vec![],
            )
            .await?
            .convert()?;
        Ok(serde_json::from_str(&json)?)
    }

    /// Waits until the widget has delivered its outbox and no request is in flight: what it
    /// sent has been answered, and nothing more is on its way. `what` is the failure message.
    pub async fn wait_until_delivered(&self, what: &str) -> Result<()> {
        wait_until(async || {
            Ok(match self.outbox().await?.len() {
                0 => ControlFlow::Break(()),
                _ => ControlFlow::Continue(what.to_owned()),
            })
        })
        .await?;
        self.wait_for_network_idle().await
    }

    /// Saves a screenshot `name.png` for the README when `ANSWERDESK_SCREENSHOTS` names a folder,
    /// and only there: `cargo xtask test` points it into the target folder and `cargo xtask
    /// screenshots` copies the pictures to `docs/screenshots`, so a test run leaves the tracked
    /// files alone. Unset, nothing is written.
    pub async fn screenshot(&self, name: &str) -> Result<()> {
        if let Some(dir) = std::env::var_os("ANSWERDESK_SCREENSHOTS") {
            let dir = PathBuf::from(dir);
            std::fs::create_dir_all(&dir)?;
            self.driver
                .screenshot(&dir.join(format!("{name}.png")))
                .await?;
        }
        Ok(())
    }

    /// The embed's launcher button, inside its shadow root.
    pub async fn launcher(&self) -> Result<WebElement> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let ret = self
                .driver
                .execute(
                    "const h = document.querySelector('[data-answerdesk]'); \
                     return h && h.shadowRoot && h.shadowRoot.querySelector('[data-testid=launcher]');",
                    vec![],
                )
                .await?;
            if let Ok(element) = ret.element() {
                return Ok(element);
            }
            if Instant::now() > deadline {
                bail!("no launcher in a shadow root within {PATIENCE:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Clicks the launcher and waits until the widget's input has focus — the page's static
    /// skeleton input (whose text the app adopts) or the app's own; returns the milliseconds from
    /// click to focus, as the page measured them.
    pub async fn open_widget_timed(&self) -> Result<f64> {
        let ret = self
            .driver
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 const root = document.querySelector('[data-answerdesk]').shadowRoot;
                 const t0 = performance.now();
                 root.querySelector('[data-testid=launcher]').click();
                 (function poll() {
                   const f = root.querySelector('iframe');
                   let a = null;
                   try { a = f && f.contentDocument && f.contentDocument.activeElement; } catch (e) {}
                   if (a && (a.id === 'ad-skeleton-input' || (a.dataset && a.dataset.testid === 'ask-input'))) done(performance.now() - t0);
                   else if (performance.now() - t0 > 30000) done(-1);
                   else setTimeout(poll, 1);
                 })();",
                vec![],
            )
            .await?;
        let ms: f64 = ret.convert()?;
        if ms < 0.0 {
            bail!("the widget's input did not get focus within 30 s of the click");
        }
        Ok(ms)
    }

    /// Switches into the widget's iframe (inside the embed's shadow root).
    pub async fn enter_widget(&self) -> Result<()> {
        self.driver.enter_default_frame().await?;
        let frame = self
            .driver
            .execute(
                "return document.querySelector('[data-answerdesk]').shadowRoot.querySelector('iframe');",
                vec![],
            )
            .await?
            .element()
            .context("the embed has not created its iframe")?;
        frame.enter_frame().await?;
        Ok(())
    }

    /// Waits until `count` answers are shown; returns the knowledge-base ids they came from.
    pub async fn answer_entries(&self, count: usize) -> Result<Vec<String>> {
        let mut ids = Vec::new();
        for answer in self.find_n("[data-testid=answer]", count).await? {
            ids.push(answer.attr("data-entry").await?.unwrap_or_default());
        }
        Ok(ids)
    }

    /// URLs the page has fetched since it loaded (Resource Timing).
    pub async fn requested_urls(&self) -> Result<Vec<String>> {
        let ret = self
            .driver
            .execute(
                "return performance.getEntriesByType('resource').map(e => e.name);",
                vec![],
            )
            .await?;
        Ok(ret.convert()?)
    }

    /// Every resource the document loaded, with the bytes of its body as they came over the
    /// network (`encodedBodySize`) and once decoded (`decodedBodySize`): fewer on the wire
    /// means the server sent it compressed and Chromium decompressed it.
    pub async fn transfers(&self) -> Result<Vec<Transfer>> {
        let ret = self
            .driver
            .execute(
                "return performance.getEntriesByType('resource')
                   .map(e => ({ url: e.name, encoded: e.encodedBodySize, decoded: e.decodedBodySize, worker: e.workerStart > 0 }));",
                vec![],
            )
            .await?;
        Ok(ret.convert()?)
    }
}

/// One resource as [`Browser::transfers`] reports it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Transfer {
    pub url: String,
    /// Body bytes as received, compressed or not.
    pub encoded: u64,
    /// Body bytes after decoding.
    pub decoded: u64,
    /// Answered by the service worker: its sizes are the worker's copy, not the network's.
    pub worker: bool,
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Negative pid: the whole group, Chromium included.
        // `--` keeps the negative pid from being read as an option (or, worse, as "every process").
        let group = format!("-{}", self.chromedriver.id());
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &group])
            .status();
        let _ = self.chromedriver.wait();
    }
}

/// An agent signed in over the REST endpoint, for tests where the team answers a visitor.
pub struct AgentClient {
    base_url: String,
    cookie: String,
    csrf: String,
    http: reqwest::Client,
}

impl Server {
    /// Creates an agent with `answerdesk agent add` and signs it in.
    pub async fn sign_in_agent(&self, email: &str, name: &str) -> Result<AgentClient> {
        self.sign_in_with_role(email, name, "agent").await
    }

    /// Creates an admin with `answerdesk agent add --role admin` and signs it in.
    pub async fn sign_in_admin(&self, email: &str, name: &str) -> Result<AgentClient> {
        self.sign_in_with_role(email, name, "admin").await
    }

    /// Asserts that the database holds exactly one ticket (`what` says which, for the failure
    /// message); signs in a new agent `email` to read it. Returns the agent and the ticket's id.
    pub async fn only_ticket(&self, what: &str, email: &str) -> Result<(AgentClient, String)> {
        let tickets = self.tickets()?;
        ensure!(tickets.len() == 1, "exactly one ticket {what}: {tickets:?}");
        let id = tickets[0]["id"].as_str().unwrap_or_default().to_string();
        Ok((self.sign_in_agent(email, "Desk Agent").await?, id))
    }

    /// Creates an agent with `answerdesk agent add` (`role` is `agent` or `admin`); returns its
    /// one-time password.
    pub fn add_agent(&self, email: &str, name: &str, role: &str, group: &str) -> Result<String> {
        password_line(&self.answerdesk(&[
            "agent", "add", email, "--name", name, "--role", role, "--group", group,
        ])?)
    }

    async fn sign_in_with_role(&self, email: &str, name: &str, role: &str) -> Result<AgentClient> {
        let out = self.answerdesk(&["agent", "add", email, "--name", name, "--role", role])?;
        let password = password_line(&out)?;
        let http = reqwest::Client::new();
        let response = http
            .post(self.url("/api/v1/session"))
            .json(&serde_json::json!({ "email": email, "password": password }))
            .send()
            .await?
            .error_for_status()?;
        let cookie = response
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| {
                v.split(';')
                    .next()
                    .filter(|c| c.starts_with("answerdesk_session="))
            })
            .context("no session cookie")?
            .to_string();
        let body: serde_json::Value = response.json().await?;
        let csrf = body["csrf_token"]
            .as_str()
            .context("no csrf_token")?
            .to_string();
        Ok(AgentClient {
            base_url: self.base_url.clone(),
            cookie,
            csrf,
            http,
        })
    }
}

impl AgentClient {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: serde_json::Value,
    ) -> Result<serde_json::Value> {
        let response = self
            .http
            .request(method, format!("{}{path}", self.base_url))
            .header(reqwest::header::COOKIE, &self.cookie)
            .header("X-CSRF-Token", &self.csrf)
            .json(&body)
            .send()
            .await?;
        let status = response.status();
        let text = response.text().await?;
        if !status.is_success() {
            bail!("{path}: HTTP {status}: {text}");
        }
        Ok(serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
    }

    /// `POST` a JSON body to an API path as this agent; the answer's JSON.
    pub async fn post(&self, path: &str, body: serde_json::Value) -> Result<serde_json::Value> {
        self.send(reqwest::Method::POST, path, body).await
    }

    /// `PATCH` a JSON body to an API path as this agent; the answer's JSON.
    pub async fn patch(&self, path: &str, body: serde_json::Value) -> Result<serde_json::Value> {
        self.send(reqwest::Method::PATCH, path, body).await
    }

    /// Replies to the visitor (Markdown).
    pub async fn reply(&self, ticket: &str, body: &str) -> Result<serde_json::Value> {
        let path = format!("/api/v1/desk/tickets/{ticket}/messages");
        self.post(&path, json!({ "body": body })).await
    }

    /// Moves the ticket to `status` (`open`, `pending`, `resolved`, `closed`).
    pub async fn set_status(&self, ticket: &str, status: &str) -> Result<serde_json::Value> {
        let path = format!("/api/v1/desk/tickets/{ticket}");
        self.patch(&path, json!({ "status": status })).await
    }

    /// `GET` an API path (e.g. `/api/v1/admin/feedback`) as this agent.
    pub async fn get(&self, path: &str) -> Result<serde_json::Value> {
        let response = self
            .http
            .get(format!("{}{path}", self.base_url))
            .header(reqwest::header::COOKIE, &self.cookie)
            .send()
            .await?
            .error_for_status()?;
        Ok(response.json().await?)
    }

    /// The ticket as the desk sees it: messages, context, rating.
    pub async fn ticket(&self, ticket: &str) -> Result<serde_json::Value> {
        self.get(&format!("/api/v1/desk/tickets/{ticket}")).await
    }
}
