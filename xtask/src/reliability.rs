//! `cargo xtask reliability`: the long proofs of issue 12, each command with what it printed,
//! written to `docs/RELIABILITY.md`.
//!
//! - fuzzing: every cargo-fuzz target for `--fuzz-seconds` (default 60);
//! - crash without loss: `tests/tests/crash_recovery.rs` with `--crash-rounds` kill -9 rounds
//!   (default 10), on SQLite and, with `DATABASE_URL`, PostgreSQL;
//! - offline durability: `tests/tests/outbox_restart.rs`;
//! - hostile input: `tests/tests/hostile_input.rs` (the XSS corpus), when present;
//! - authorization: `server/tests/authorization.rs` (route × role table), when present.
//!
//! The quick versions of the same run in `cargo xtask test`.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};

use crate::cmd::{self, Steps};
use crate::test::{self as tests, E2e};
use crate::{build, fuzz, project_root, toolchain};

struct Options {
    fuzz_seconds: u64,
    crash_rounds: u64,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options> {
        let mut options = Options {
            fuzz_seconds: 60,
            crash_rounds: 10,
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut number = |name: &str| -> Result<u64> {
                let value = args
                    .next()
                    .with_context(|| format!("{name} needs a number"))?;
                value
                    .parse()
                    .with_context(|| format!("{name} {value}: not a number"))
            };
            match arg.as_str() {
                "--fuzz-seconds" => options.fuzz_seconds = number("--fuzz-seconds")?,
                "--crash-rounds" => options.crash_rounds = number("--crash-rounds")?,
                other => bail!("unknown argument `{other}` (--fuzz-seconds N, --crash-rounds N)"),
            }
        }
        Ok(options)
    }
}

/// One section of the report.
struct Section {
    title: &'static str,
    /// What it proves, in a sentence.
    claim: &'static str,
    commands: Vec<String>,
    /// What the commands printed that matters (figures, tables).
    printed: String,
    /// `None`: not run (the reason is in `printed`).
    ok: Option<bool>,
}

pub fn run(args: &[String]) -> Result<()> {
    let options = Options::parse(args)?;
    let root = project_root();
    let started = Instant::now();
    let mut steps = Steps::new(12);
    let versions = toolchain::Versions::load(&root)?;
    versions.check_consistency(&root)?;
    toolchain::ensure_web_tools(&root, &mut steps)?;
    toolchain::ensure_browser(&mut steps)?;

    let mut sections = vec![fuzzing(&root, &options, &mut steps)];

    steps.start("Build for the end-to-end proofs (web apps, answerdesk, demo snapshot)");
    let e2e = tests::prepare_e2e(&root)?;
    let reports = build::target_dir(&root)?.join("reliability");
    std::fs::create_dir_all(&reports)?;

    steps.start(&format!(
        "Crash without loss: {} kill -9 round(s)",
        options.crash_rounds
    ));
    sections.push(crash(&root, &e2e, &reports, options.crash_rounds)?);
    steps.start("Offline durability: the outbox across a browser restart");
    sections.push(outbox(&root, &e2e)?);
    steps.start("Hostile input: the XSS corpus in Chromium");
    sections.push(hostile_input(&root, &e2e, &reports)?);
    steps.start("Authorization: every route × role");
    sections.push(authorization(&root, &reports)?);

    let document = render(&sections, &options, started.elapsed().as_secs());
    let path = root.join("docs/RELIABILITY.md");
    std::fs::write(&path, &document).with_context(|| format!("cannot write {}", path.display()))?;
    println!("\n==> Reliability summary (written to docs/RELIABILITY.md)");
    for section in &sections {
        let status = match section.ok {
            Some(true) => "ok",
            Some(false) => "FAILED",
            None => "not run",
        };
        println!("    {:<22} {status}", section.title);
    }
    let failed = sections.iter().filter(|s| s.ok == Some(false)).count();
    if failed > 0 {
        bail!("{failed} proof(s) failed: see docs/RELIABILITY.md");
    }
    Ok(())
}

fn fuzzing(root: &Path, options: &Options, steps: &mut Steps) -> Section {
    let mut section = Section {
        title: "Fuzzing",
        claim: "libFuzzer (cargo fuzz, no sanitizer, debug assertions and overflow checks on) on \
                snapshot decoding, query analysis and search over the demo snapshot, \
                knowledge-source parsing (YAML, Markdown front matter, JSON Lines, CSV), identity \
                tokens, and API requests through the real server: no panic, no 5xx, no hang.",
        commands: vec![format!(
            "cargo xtask fuzz --seconds {}",
            options.fuzz_seconds
        )],
        printed: String::new(),
        ok: Some(false),
    };
    let fuzz_options = fuzz::Options {
        seconds: options.fuzz_seconds,
        targets: Vec::new(),
        replay_test: true,
    };
    match fuzz::session(root, &fuzz_options, steps) {
        Ok(report) => {
            for run in &report.runs {
                section.commands.push(run.command.clone());
            }
            let _ = writeln!(
                section.printed,
                "regression inputs replayed: {} ({})",
                report.replayed,
                if report.replay_ok { "ok" } else { "FAILED" }
            );
            for line in report.lines() {
                let _ = writeln!(section.printed, "{line}");
            }
            let executions: u64 = report.runs.iter().map(|r| r.executions).sum();
            let _ = writeln!(
                section.printed,
                "total: {executions} executions, {} crash(es); instrumented build {} s",
                report.crashes(),
                report.build_seconds
            );
            section.ok = Some(report.ok());
        }
        Err(e) => {
            let _ = writeln!(section.printed, "failed: {e:#}");
        }
    }
    section
}

fn read_report(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn crash(root: &Path, e2e: &E2e, reports: &Path, rounds: u64) -> Result<Section> {
    let report = reports.join("crash.txt");
    let _ = std::fs::remove_file(&report);
    let postgres = std::env::var_os("DATABASE_URL").is_some();
    let (ok, counts) = tests::run_e2e(
        root,
        e2e,
        &["--test", "crash_recovery"],
        &[
            (
                "ANSWERDESK_CRASH_ROUNDS",
                OsString::from(rounds.to_string()),
            ),
            ("ANSWERDESK_CRASH_REPORT", report.clone().into_os_string()),
        ],
    )?;
    let mut printed = read_report(&report);
    if !postgres {
        printed.push_str("PostgreSQL: not run (DATABASE_URL not set)\n");
    }
    let _ = writeln!(printed, "tests: {} passed, {} failed", counts.0, counts.1);
    Ok(Section {
        title: "Crash without loss",
        claim: "Under a bounded loopback load of escalations and visitor messages (each with an \
                Idempotency-Key) with visitors' event streams open, the server is killed with \
                SIGKILL and restarted on the same database, round after round; every request is \
                retried with its key. Every acknowledged escalation and message exists exactly \
                once afterwards.",
        commands: vec![format!(
            "ANSWERDESK_CRASH_ROUNDS={rounds} cargo nextest run -p e2e --test crash_recovery{}",
            if postgres { " (with DATABASE_URL)" } else { "" }
        )],
        printed,
        ok: Some(ok && counts.0 > 0),
    })
}

fn outbox(root: &Path, e2e: &E2e) -> Result<Section> {
    let (ok, counts) = tests::run_e2e(root, e2e, &["--test", "outbox_restart"], &[])?;
    Ok(Section {
        title: "Offline durability",
        claim: "An escalation made while the server is unreachable waits in the widget's outbox, \
                survives closing the browser and starting it again on the same profile, and \
                reaches the server exactly once (one ticket, with the visitor's transcript).",
        commands: vec!["cargo nextest run -p e2e --test outbox_restart".into()],
        printed: format!("tests: {} passed, {} failed\n", counts.0, counts.1),
        ok: Some(ok && counts.0 > 0),
    })
}

fn hostile_input(root: &Path, e2e: &E2e, reports: &Path) -> Result<Section> {
    let mut section = Section {
        title: "Hostile input",
        claim: "An XSS corpus sent through every field a visitor, an agent or an admin controls \
                renders inert in the widget, the workbench and the admin pages; malformed \
                requests get a clear 4xx and the server stays up.",
        commands: vec![
            "ANSWERDESK_XSS_REPORT=… cargo nextest run -p e2e --test hostile_input".into(),
        ],
        printed: String::new(),
        ok: None,
    };
    if !root.join("tests/tests/hostile_input.rs").is_file() {
        section.printed =
            "not present (tests/tests/hostile_input.rs is not on this branch)\n".into();
        return Ok(section);
    }
    let report = reports.join("xss.txt");
    let _ = std::fs::remove_file(&report);
    let (ok, counts) = tests::run_e2e(
        root,
        e2e,
        &["--test", "hostile_input"],
        &[("ANSWERDESK_XSS_REPORT", report.clone().into_os_string())],
    )?;
    section.printed = read_report(&report);
    let _ = writeln!(
        section.printed,
        "tests: {} passed, {} failed",
        counts.0, counts.1
    );
    section.ok = Some(ok && counts.0 > 0);
    Ok(section)
}

fn authorization(root: &Path, reports: &Path) -> Result<Section> {
    let mut section = Section {
        title: "Authorization",
        claim: "Every route of the OpenAPI document × (anonymous, another ticket's token, agent \
                of another group, agent, admin, disabled agent, expired session) answers the \
                expected status; a route without a row fails the test.",
        commands: vec![
            "ANSWERDESK_AUTHZ_REPORT=… cargo nextest run -p server --test authorization".into(),
        ],
        printed: String::new(),
        ok: None,
    };
    if !root.join("server/tests/authorization.rs").is_file() {
        section.printed =
            "not present (server/tests/authorization.rs is not on this branch)\n".into();
        return Ok(section);
    }
    let report = reports.join("authz.md");
    let _ = std::fs::remove_file(&report);
    let mut command = Command::new(env!("CARGO"));
    command
        .current_dir(root)
        .env("ANSWERDESK_AUTHZ_REPORT", &report);
    let with_postgres = std::env::var_os("DATABASE_URL").is_some();
    let (ok, counts) = if tests::has_nextest() {
        command.args(["nextest", "run", "-p", "server", "--test", "authorization"]);
        if !with_postgres {
            command.args(["-E", "not test(/postgres_/)"]);
        }
        let (ok, out) = cmd::run_tee(&mut command)?;
        (ok, tests::nextest_counts(&out))
    } else {
        command.args(["test", "-p", "server", "--test", "authorization"]);
        if !with_postgres {
            command.args(["--", "--skip", "postgres_"]);
        }
        let (ok, out) = cmd::run_tee(&mut command)?;
        (ok, tests::libtest_counts(&out))
    };
    section.printed = read_report(&report);
    let _ = writeln!(
        section.printed,
        "\ntests: {} passed, {} failed",
        counts.0, counts.1
    );
    section.ok = Some(ok && counts.0 > 0);
    Ok(section)
}

fn render(sections: &[Section], options: &Options, seconds: u64) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Reliability: what was tried, and what it printed\n");
    let _ = writeln!(
        out,
        "Written by `cargo xtask reliability --fuzz-seconds {} --crash-rounds {}` (do not edit by \
         hand: run it again). The whole run took {} min on this machine ({}). \
         `cargo xtask test` runs the quick versions of the same proofs on every CI run: a fuzz \
         smoke of 5 s per target after replaying `fuzz/regressions/`, one kill -9 round, the \
         offline-outbox restart, and the XSS corpus and authorization table with the other \
         tests.\n",
        options.fuzz_seconds,
        options.crash_rounds,
        seconds.div_ceil(60),
        machine()
    );
    let _ = writeln!(out, "| proof | result |\n|---|---|");
    for section in sections {
        let result = match section.ok {
            Some(true) => "passed",
            Some(false) => "**FAILED**",
            None => "not run",
        };
        let _ = writeln!(
            out,
            "| [{}](#{}) | {result} |",
            section.title,
            anchor(section.title)
        );
    }
    for section in sections {
        let _ = writeln!(out, "\n## {}\n\n{}\n", section.title, section.claim);
        for command in &section.commands {
            let _ = writeln!(out, "    $ {command}");
        }
        let printed = section.printed.trim_end();
        if printed.contains("\n|") || printed.starts_with('|') {
            // A Markdown table (the authorization report) is shown as a table.
            let _ = writeln!(out, "\n{printed}");
        } else {
            let _ = writeln!(out);
            for line in printed.lines() {
                let _ = writeln!(out, "    {line}");
            }
        }
    }
    out
}

fn anchor(title: &str) -> String {
    title.to_lowercase().replace(' ', "-")
}

fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let rustc = cmd::output_of("rustc", &["--version"]).unwrap_or_default();
    format!("{cores} cores, {rustc}")
}
