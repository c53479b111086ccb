//! Harness for the end-to-end tests: the real `answerdesk` server on a temporary
//! SQLite database, the real web app built by Trunk, and headless Chromium driven
//! through Debian's chromedriver.
//!
//! `cargo xtask test` builds everything and points the tests at it with
//! `ANSWERDESK_BIN`, `ANSWERDESK_DIST`, `ANSWERDESK_SNAPSHOT` and `CHROMEDRIVER`;
//! without them the tests fail and say what is missing.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use thirtyfour::prelude::*;

/// How long a test waits for something a person would see happen.
pub const PATIENCE: Duration = Duration::from_secs(30);

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
        Browser::start_in(None, extra).await
    }

    /// A browser on the profile folder `profile` (created when missing, kept after `quit`): a
    /// second browser on the same folder is the same browser after a restart, with its
    /// localStorage, service workers and caches. Quit the first before starting the second.
    pub async fn start_with_profile(profile: &Path) -> Result<Browser> {
        std::fs::create_dir_all(profile)?;
        Browser::start_in(Some(profile), &[]).await
    }

    async fn start_in(persistent: Option<&Path>, extra: &[&str]) -> Result<Browser> {
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
        Ok(Browser {
            driver,
            chromedriver,
            _profile: temporary,
        })
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

    /// Saves a screenshot for the README when `ANSWERDESK_SCREENSHOTS` names a folder.
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

    async fn sign_in_with_role(&self, email: &str, name: &str, role: &str) -> Result<AgentClient> {
        let out = self.answerdesk(&["agent", "add", email, "--name", name, "--role", role])?;
        let password = out
            .lines()
            .find_map(|l| l.strip_prefix("password: "))
            .with_context(|| format!("no password in `agent add` output: {out}"))?
            .trim()
            .to_string();
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
        self.send(
            reqwest::Method::POST,
            &path,
            serde_json::json!({ "body": body }),
        )
        .await
    }

    /// Moves the ticket to `status` (`open`, `pending`, `resolved`, `closed`).
    pub async fn set_status(&self, ticket: &str, status: &str) -> Result<serde_json::Value> {
        let path = format!("/api/v1/desk/tickets/{ticket}");
        self.send(
            reqwest::Method::PATCH,
            &path,
            serde_json::json!({ "status": status }),
        )
        .await
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
        let response = self
            .http
            .get(format!("{}/api/v1/desk/tickets/{ticket}", self.base_url))
            .header(reqwest::header::COOKIE, &self.cookie)
            .send()
            .await?
            .error_for_status()?;
        Ok(response.json().await?)
    }
}
