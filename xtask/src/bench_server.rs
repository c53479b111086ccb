//! `cargo xtask bench server`: escalations per second through the real server, on loopback.
//!
//! A release `answerdesk serve --rate-limit off` on a fresh SQLite file (and, when
//! `DATABASE_URL` names a PostgreSQL server, on a fresh database beside it, dropped afterwards),
//! loaded by `wrk` with a Lua script that POSTs escalations with varying bodies. Each run is
//! bounded in time; the figures go to `docs/PERFORMANCE.md` by hand.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{bail, ensure, Context, Result};

use crate::{build, cmd, toolchain};

/// How long each measured run lasts (after a short warm-up).
const SECONDS: u32 = 10;
/// wrk's threads and open connections: two cores are shared with the server.
const THREADS: u32 = 1;
const CONNECTIONS: u32 = 32;

/// The load: every request a different escalation (message, transcript, contact), as widgets
/// send them. `done` prints one machine-readable line for [`Figures::parse`].
const SCRIPT: &str = r#"
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local n = 0
function request()
  n = n + 1
  local contact = ""
  if n % 2 == 0 then
    contact = string.format(',"contact":{"name":"Visitor %d","email":"v%d.%d@example.com"}', n, tid, n)
  end
  local body = string.format(
    '{"site":"demo","message":"Order %d-%d has not arrived yet%s, could someone check?",' ..
    '"transcript":[{"role":"visitor","text":"where is my order %d","at":1700000000000},' ..
    '{"role":"bot","text":"Orders ship within two working days.","at":1700000001000}],' ..
    '"page_url":"http://localhost/shop/orders","locale":"en",' ..
    '"bot":{"decision":"escalate","candidates":[{"id":"shipping-times","score":0.41},{"id":"tracking","score":0.22}]}%s}',
    tid, n, string.rep(" and I am worried", n % 7), n, contact)
  return wrk.format("POST", "/api/v1/escalations", {["Content-Type"] = "application/json"}, body)
end

function done(summary, latency, requests)
  io.write(string.format(
    "BENCH requests=%d duration_us=%d status_errors=%d connect=%d read=%d write=%d timeout=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"#;

pub fn run() -> Result<()> {
    let root = crate::project_root();
    let mut steps = cmd::Steps::new(3);
    steps.start("wrk (Debian package)");
    ensure_wrk()?;
    steps.start("answerdesk, release build");
    let answerdesk = build::answerdesk_release(&root)?;

    let work = std::env::temp_dir().join(format!("answerdesk-bench-{}", std::process::id()));
    let _cleanup = RemoveOnDrop(work.clone());
    std::fs::create_dir_all(work.join("dist"))?;
    // The server insists on a built app; the benchmark never asks for it.
    std::fs::write(work.join("dist/index.html"), "<!doctype html>")?;
    let script = work.join("escalations.lua");
    std::fs::write(&script, SCRIPT)?;

    steps.start(&format!(
        "load: {SECONDS} s per database, {CONNECTIONS} connections"
    ));
    let mut results = Vec::new();
    let sqlite = format!("sqlite://{}", work.join("bench.db").display());
    results.push(("SQLite", bench(&answerdesk, &work, &sqlite, &script)?));
    match std::env::var("DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => {
            let database = FreshDatabase::create(&url)?;
            results.push((
                "PostgreSQL",
                bench(&answerdesk, &work, &database.url, &script)?,
            ));
        }
        _ => println!("    (set DATABASE_URL=postgres://… to measure PostgreSQL too)"),
    }

    println!("\n    escalations (POST /api/v1/escalations), wrk -t{THREADS} -c{CONNECTIONS} -d{SECONDS}s");
    println!(
        "      {:<12} {:>14} {:>9} {:>9} {:>8}",
        "database", "escalations/s", "p50 ms", "p99 ms", "errors"
    );
    for (name, f) in &results {
        println!(
            "      {:<12} {:>14.0} {:>9.2} {:>9.2} {:>8}",
            name,
            f.per_second(),
            f.p50_us as f64 / 1000.0,
            f.p99_us as f64 / 1000.0,
            f.errors()
        );
    }
    for (name, f) in &results {
        ensure!(
            f.errors() == 0,
            "{name}: {} requests failed or were not 2xx",
            f.errors()
        );
    }
    Ok(())
}

fn ensure_wrk() -> Result<()> {
    // `wrk -v` prints its version but exits 1: that it runs at all is the test.
    if Command::new("wrk").arg("-v").output().is_ok() {
        println!("    present");
        return Ok(());
    }
    if !cmd::is_root() {
        bail!("wrk is missing: run `sudo apt-get install wrk`");
    }
    toolchain::apt_install(&["wrk"])
}

/// One database: start the server, warm up, measure, stop.
fn bench(answerdesk: &Path, work: &Path, database_url: &str, script: &Path) -> Result<Figures> {
    let server = ServerProcess::start(answerdesk, work, database_url)?;
    let url = format!("{}/", server.base);
    wrk(script, &url, 2)?; // warm-up: connections, caches, the first pages of the file
    let figures = wrk(script, &url, SECONDS)?;
    server.stop();
    Ok(figures)
}

fn wrk(script: &Path, url: &str, seconds: u32) -> Result<Figures> {
    let mut command = Command::new("wrk");
    command
        .arg(format!("-t{THREADS}"))
        .arg(format!("-c{CONNECTIONS}"))
        .arg(format!("-d{seconds}s"))
        .args(["--timeout", "5s", "-s"])
        .arg(script)
        .arg(url);
    println!("    $ {}", cmd::display(&command));
    let out = command.output().context("cannot run wrk")?;
    let text = String::from_utf8_lossy(&out.stdout);
    ensure!(
        out.status.success(),
        "wrk failed: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Figures::parse(&text).with_context(|| format!("wrk printed no figures:\n{text}"))
}

/// What wrk's `done` reported for one run.
#[derive(Debug, Default)]
struct Figures {
    requests: u64,
    duration_us: u64,
    status_errors: u64,
    socket_errors: u64,
    p50_us: u64,
    p99_us: u64,
}

impl Figures {
    fn parse(text: &str) -> Option<Figures> {
        let line = text.lines().find_map(|l| l.strip_prefix("BENCH "))?;
        let mut f = Figures::default();
        for pair in line.split_whitespace() {
            let (key, value) = pair.split_once('=')?;
            let value: u64 = value.parse().ok()?;
            match key {
                "requests" => f.requests = value,
                "duration_us" => f.duration_us = value,
                "status_errors" => f.status_errors = value,
                "connect" | "read" | "write" | "timeout" => f.socket_errors += value,
                "p50_us" => f.p50_us = value,
                "p99_us" => f.p99_us = value,
                _ => {}
            }
        }
        Some(f)
    }

    fn per_second(&self) -> f64 {
        self.requests as f64 / (self.duration_us.max(1) as f64 / 1e6)
    }

    fn errors(&self) -> u64 {
        self.status_errors + self.socket_errors
    }
}

/// `answerdesk serve` on a free loopback port, stopped with SIGTERM like in production.
pub(crate) struct ServerProcess {
    child: Child,
    pub(crate) base: String,
}

impl ServerProcess {
    pub(crate) fn start(
        answerdesk: &Path,
        work: &Path,
        database_url: &str,
    ) -> Result<ServerProcess> {
        let mut child = Command::new(answerdesk)
            .args(["serve", "--addr", "127.0.0.1:0", "--rate-limit", "off"])
            .arg("--database-url")
            .arg(database_url)
            .arg("--dist")
            .arg(work.join("dist"))
            .arg("--snapshot")
            .arg(work.join("none.snapshot"))
            .env("RUST_LOG", "warn")
            .env_remove("ANSWERDESK_CONFIG")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("cannot start answerdesk serve")?;
        let stdout = child.stdout.take().context("piped")?;
        let mut base = None;
        for line in BufReader::new(stdout).lines() {
            let line = line?;
            if let Some(rest) = line.strip_prefix("Answerdesk is listening on ") {
                base = Some(rest.trim().to_owned());
                break;
            }
        }
        let Some(base) = base else {
            let _ = child.kill();
            bail!("answerdesk serve exited before listening");
        };
        Ok(ServerProcess { child, base })
    }

    pub(crate) fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// A PostgreSQL database made for one run beside `DATABASE_URL`, dropped afterwards, so the
/// benchmark never touches the tests' data.
pub(crate) struct FreshDatabase {
    admin_url: String,
    name: String,
    pub(crate) url: String,
}

impl FreshDatabase {
    pub(crate) fn create(admin_url: &str) -> Result<FreshDatabase> {
        let name = format!("answerdesk_bench_{}", std::process::id());
        psql(
            admin_url,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        )?;
        psql(admin_url, &format!("CREATE DATABASE {name}"))?;
        let (base, query) = match admin_url.split_once('?') {
            Some((base, query)) => (base, format!("?{query}")),
            None => (admin_url, String::new()),
        };
        let scheme_end = base.find("://").map_or(0, |i| i + 3);
        let host_end = base[scheme_end..]
            .find('/')
            .map_or(base.len(), |i| scheme_end + i);
        Ok(FreshDatabase {
            admin_url: admin_url.to_owned(),
            url: format!("{}/{name}{query}", &base[..host_end]),
            name,
        })
    }
}

impl Drop for FreshDatabase {
    fn drop(&mut self) {
        let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        if let Err(err) = psql(&self.admin_url, &drop) {
            eprintln!("    could not drop the benchmark database: {err:#}");
        }
    }
}

fn psql(url: &str, sql: &str) -> Result<()> {
    cmd::run(
        Command::new("psql").args([url, "-qc", sql]),
        "psql (Debian package postgresql-client) must reach DATABASE_URL.",
    )
}

pub(crate) struct RemoveOnDrop(pub(crate) PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_line_the_script_prints() {
        let f = Figures::parse(
            "Running 10s test\nBENCH requests=30000 duration_us=10000000 status_errors=0 \
             connect=0 read=1 write=0 timeout=0 p50_us=4000 p99_us=20000\n",
        )
        .unwrap();
        assert_eq!(f.per_second(), 3000.0);
        assert_eq!(f.errors(), 1);
        assert_eq!((f.p50_us, f.p99_us), (4000, 20000));
    }
}
