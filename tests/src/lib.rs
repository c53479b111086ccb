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
}

impl Server {
    pub fn start() -> Result<Server> {
        let dir = tempfile::tempdir()?;
        let database_url = format!("sqlite://{}", dir.path().join("answerdesk.db").display());
        let mut child = Command::new(env_path("ANSWERDESK_BIN")?)
            .arg("serve")
            .args(["--addr", "127.0.0.1:0"])
            .args(["--database-url", &database_url])
            .arg("--dist")
            .arg(env_path("ANSWERDESK_DIST")?)
            .arg("--snapshot")
            .arg(env_path("ANSWERDESK_SNAPSHOT")?)
            .env("RUST_LOG", "info")
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
        let mut server = Server {
            child,
            base_url: String::new(),
            database_url,
            _dir: dir,
            log,
        };
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            match server.log.recv_timeout(Duration::from_millis(200)) {
                Ok(line) => {
                    if let Some(url) = line.split("listening on ").nth(1) {
                        server.base_url = url.trim().to_string();
                        return Ok(server);
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Some(status) = server.child.try_wait()? {
                        std::thread::sleep(Duration::from_millis(100));
                        bail!(
                            "answerdesk serve exited early ({status}):\n{}",
                            server.log_lines().join("\n")
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
    _profile: tempfile::TempDir,
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Browser {
    pub async fn start() -> Result<Browser> {
        use std::os::unix::process::CommandExt as _;
        let port = free_port()?;
        let chromedriver = Command::new(env_path("CHROMEDRIVER")?)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .context("cannot start chromedriver")?;
        let profile = tempfile::tempdir()?;
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
        caps.add_arg(&format!("--user-data-dir={}", profile.path().display()))?;
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
            _profile: profile,
        })
    }

    /// Ends the session; the process group is killed on drop either way.
    pub async fn quit(self) -> Result<()> {
        self.driver.clone().quit().await?;
        Ok(())
    }

    /// Waits until `css` matches a visible element.
    pub async fn find(&self, css: &str) -> Result<WebElement> {
        self.driver
            .query(By::Css(css))
            .wait(PATIENCE, Duration::from_millis(50))
            .and_displayed()
            .first()
            .await
            .with_context(|| format!("nothing matched `{css}` within {PATIENCE:?}"))
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
