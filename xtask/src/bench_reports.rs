//! `cargo xtask bench reports`: the reports and event ingest over real HTTP, at scale.
//!
//! For SQLite (a fresh file) and, when `DATABASE_URL` names a PostgreSQL server, a fresh database
//! beside it: a release `answerdesk serve`, then the load in `server/examples/reports_load.rs`
//! (release): 1,000,000 conversation events and 100,000 tickets seeded in bulk through the store,
//! every report endpoint timed (median of 5 after a warm-up), and `POST /api/v1/events` from 8
//! clients in batches of 100, counting what was stored. Then publishing (the ignored test
//! `publish_figures` in `server/tests/kb_api.rs`, release): the demo knowledge base and a
//! 10,000-entry one, with the slowest answer to requests made meanwhile. Prints the figures and
//! rewrites the section of `docs/PERFORMANCE.md` between its markers.

use std::path::Path;
use std::process::Command;

use anyhow::{ensure, Context, Result};

use crate::bench_server::{FreshDatabase, RemoveOnDrop, ServerProcess};
use crate::{build, cmd};

const EVENTS: u32 = 1_000_000;
const TICKETS: u32 = 100_000;
/// Targets of issue 15: every report answers within this, ingest keeps up with this.
const REPORT_BUDGET_MS: f64 = 500.0;
const INGEST_TARGET_PER_SECOND: f64 = 5_000.0;
/// Publishing: the demo within 10 s, 10,000 entries within 120 s, and nothing else stalls
/// meanwhile (the test itself fails past these).
const PUBLISH_DEMO_S: u32 = 10;
const PUBLISH_10K_S: u32 = 120;
const BEGIN: &str = "<!-- bench reports: begin -->";
const END: &str = "<!-- bench reports: end -->";

pub fn run() -> Result<()> {
    let root = crate::project_root();
    let mut steps = cmd::Steps::new(4);
    steps.start("answerdesk and the load, release builds");
    let answerdesk = build::answerdesk_release(&root)?;
    cmd::run(
        Command::new(env!("CARGO"))
            .args([
                "build",
                "--release",
                "--package",
                "server",
                "--example",
                "reports_load",
            ])
            .current_dir(&root),
        "The reports load did not compile.",
    )?;
    let load = build::target_dir(&root)?.join("release/examples/reports_load");

    let work =
        std::env::temp_dir().join(format!("answerdesk-bench-reports-{}", std::process::id()));
    let _cleanup = RemoveOnDrop(work.clone());
    std::fs::create_dir_all(work.join("dist"))?;
    std::fs::write(work.join("dist/index.html"), "<!doctype html>")?;

    steps.start(&format!(
        "{EVENTS} events and {TICKETS} tickets per database"
    ));
    let mut sections = Vec::new();
    let sqlite = format!("sqlite://{}", work.join("reports.db").display());
    sections.push(("SQLite", bench(&answerdesk, &load, &work, &sqlite)?));
    match std::env::var("DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => {
            let database = FreshDatabase::create(&url)?;
            sections.push((
                "PostgreSQL",
                bench(&answerdesk, &load, &work, &database.url)?,
            ));
        }
        _ => println!("    (set DATABASE_URL=postgres://… to measure PostgreSQL too)"),
    }

    steps.start("publishing: the demo and 10,000 entries (release test)");
    sections.push(("Publishing", publish(&root)?));

    steps.start("docs/PERFORMANCE.md");
    let text = markdown(&sections);
    println!("{text}");
    write_section(&root.join("docs/PERFORMANCE.md"), &text)?;
    for (name, lines) in &sections {
        for line in lines {
            if field(line, "ingest") == Some("done") {
                let number = |key| field(line, key).and_then(|v| v.parse::<f64>().ok());
                let (sent, accepted, stored) =
                    (number("sent"), number("accepted"), number("stored"));
                ensure!(
                    sent.is_some() && sent == accepted && sent == stored,
                    "{name}: ingest lost events: {line}"
                );
                ensure!(
                    *name != "SQLite"
                        || number("per_second").unwrap_or(0.0) >= INGEST_TARGET_PER_SECOND,
                    "{name}: ingest below {INGEST_TARGET_PER_SECOND} events/s: {line}"
                );
            }
            if let (Some(endpoint), Some(ms)) = (field(line, "endpoint"), field(line, "ms")) {
                let ms: f64 = ms.parse().unwrap_or(f64::MAX);
                ensure!(
                    ms <= REPORT_BUDGET_MS,
                    "{name}: {endpoint} took {ms} ms (budget {REPORT_BUDGET_MS} ms)"
                );
            }
        }
    }
    Ok(())
}

/// One database: the server, then the load; the `BENCH` lines it printed.
fn bench(answerdesk: &Path, load: &Path, work: &Path, database_url: &str) -> Result<Vec<String>> {
    let server = ServerProcess::start(answerdesk, work, database_url)?;
    let mut command = Command::new(load);
    command.args([
        database_url,
        &server.base,
        &EVENTS.to_string(),
        &TICKETS.to_string(),
    ]);
    let lines = bench_lines(&mut command, "the reports load");
    server.stop();
    lines
}

/// Runs the ignored test `publish_figures` in release; the `BENCH` lines it printed.
fn publish(root: &Path) -> Result<Vec<String>> {
    let mut command = Command::new(env!("CARGO"));
    command
        .args([
            "test",
            "--release",
            "--package",
            "server",
            "--test",
            "kb_api",
            "--",
            "--ignored",
            "--nocapture",
            "--exact",
            "publish_figures",
        ])
        .current_dir(root);
    bench_lines(&mut command, "publish_figures")
}

/// Runs `command` (`what`, for errors); the `BENCH` lines it printed, followed by one with the
/// load average after it ran.
fn bench_lines(command: &mut Command, what: &str) -> Result<Vec<String>> {
    println!("    $ {}", cmd::display(command));
    let out = command
        .output()
        .with_context(|| format!("cannot run {what}"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    ensure!(
        out.status.success(),
        "{what} failed: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(text
        .lines()
        .filter_map(|l| l.strip_prefix("BENCH "))
        .map(str::to_owned)
        .chain([format!("load_average={}", load_average())])
        .collect())
}

/// The 1-minute load average, so a reader can tell a quiet machine from a busy one (the bench
/// shares its two cores with whatever else runs).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The value of `key=` in a `BENCH` line.
fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.split_whitespace()
        .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))
}

fn markdown(sections: &[(&str, Vec<String>)]) -> String {
    let mut out = format!(
        "{BEGIN}\n## Reports, event ingest and publishing (`cargo xtask bench reports`)\n\n\
         {EVENTS} conversation events and {TICKETS} tickets over 365 days, seeded in bulk; a release \
         `answerdesk serve` on loopback; each report the median of 5 requests after a warm-up \
         (budget {REPORT_BUDGET_MS} ms). Ingest: 8 clients on one address posting batches of 100 \
         events to `POST /api/v1/events`, the server started with `--rate-limit off` as an \
         operator load-testing from one machine would (the per-address limit, 120 requests a \
         minute, is for visitors); events per second counted as stored rows over the wall time, \
         and every event sent must be stored (target {INGEST_TARGET_PER_SECOND} events/s on \
         SQLite). Publishing: the demo knowledge base (budget {PUBLISH_DEMO_S} s) and 10,000 \
         generated entries (budget {PUBLISH_10K_S} s) through `POST /api/v1/admin/kb/{{site}}/publish` \
         on SQLite, with `/healthz` and the publish status (which reads the admin's session from \
         the database) asked every 50 ms meanwhile. Two cores; the last row of each part is the \
         1-minute load average as it ended: above 2, other work shared the cores and the figures \
         are pessimistic.\n\n"
    );
    for (name, lines) in sections {
        out.push_str(&format!("### {name}\n\n| what | figure |\n|---|---|\n"));
        for line in lines {
            let row = if let Some(endpoint) = field(line, "endpoint") {
                format!(
                    "| `{endpoint}` over {} days | {} ms |",
                    field(line, "days").unwrap_or("?"),
                    field(line, "ms").unwrap_or("?")
                )
            } else if let Some(n) = field(line, "seed_events") {
                format!(
                    "| seeding {n} events | {} ms |",
                    field(line, "ms").unwrap_or("?")
                )
            } else if let Some(n) = field(line, "seed_tickets") {
                format!(
                    "| seeding {n} tickets | {} ms |",
                    field(line, "ms").unwrap_or("?")
                )
            } else if let Some(ms) = field(line, "rollup_ms") {
                format!(
                    "| first report, rolling up every seeded event ({} conversations) | {ms} ms |",
                    field(line, "conversations").unwrap_or("?")
                )
            } else if field(line, "ingest") == Some("done") {
                format!(
                    "| ingest: sent {}, stored {} in {} s | {} events/s |",
                    field(line, "sent").unwrap_or("?"),
                    field(line, "stored").unwrap_or("?"),
                    field(line, "seconds").unwrap_or("?"),
                    field(line, "per_second").unwrap_or("?")
                )
            } else if let Some(kb) = field(line, "publish") {
                format!(
                    "| publishing {kb} ({} entries); slowest `/healthz` {} ms, slowest status {} ms of {} each meanwhile | {} ms |",
                    field(line, "entries").unwrap_or("?"),
                    field(line, "health_max_ms").unwrap_or("?"),
                    field(line, "status_max_ms").unwrap_or("?"),
                    field(line, "requests").unwrap_or("?"),
                    field(line, "ms").unwrap_or("?")
                )
            } else if let Some(load) = field(line, "load_average") {
                format!("| 1-minute load average at the end (2 cores) | {load} |")
            } else if field(line, "ingest") == Some("unavailable") {
                "| ingest | not measured: this server has no `POST /api/v1/events` |".to_owned()
            } else {
                continue;
            };
            out.push_str(&row);
            out.push('\n');
        }
        out.push('\n');
    }
    out.push_str(END);
    out
}

/// Replaces the section between the markers, or appends it.
fn write_section(path: &Path, section: &str) -> Result<()> {
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let new = match (old.find(BEGIN), old.find(END)) {
        (Some(begin), Some(end)) if end > begin => {
            format!("{}{section}{}", &old[..begin], &old[end + END.len()..])
        }
        _ => format!("{}\n{section}\n", old.trim_end()),
    };
    std::fs::write(path, new).with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_and_writes_rows() {
        let line = "endpoint=sla.csv days=90 ms=12.5";
        assert_eq!(field(line, "endpoint"), Some("sla.csv"));
        assert_eq!(field(line, "ms"), Some("12.5"));
        let text = markdown(
            &[
                (
                    "SQLite",
                    vec![line.to_owned(), "ingest=unavailable status=404".to_owned()],
                ),
                (
                    "Publishing",
                    vec![
                        "publish=demo entries=79 ms=812 health_max_ms=3.5 status_max_ms=9.0 requests=14"
                            .to_owned(),
                        "load_average=0.42".to_owned(),
                    ],
                ),
            ],
        );
        assert!(text.contains("| `sla.csv` over 90 days | 12.5 ms |"));
        assert!(text.contains("not measured"));
        assert!(text.contains("| publishing demo (79 entries); slowest `/healthz` 3.5 ms, slowest status 9.0 ms of 14 each meanwhile | 812 ms |"));
        assert!(text.contains("| 1-minute load average at the end (2 cores) | 0.42 |"));
    }
}
