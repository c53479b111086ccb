//! `cargo xtask test`: the checks CI runs, stage by stage, each with its count of tests.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Result};

use crate::cmd::{self, Steps};
use crate::{bench, build, fuzz, project_root, toolchain};

/// What one stage ran.
#[derive(Default)]
struct Outcome {
    name: &'static str,
    ok: bool,
    passed: usize,
    failed: usize,
    skipped: usize,
    note: String,
}

pub fn run(args: &[String]) -> Result<()> {
    if let Some(arg) = args.first() {
        bail!("`cargo xtask test` takes no arguments (got `{arg}`)");
    }
    let root = project_root();
    let mut steps = Steps::new(16);
    let versions = toolchain::Versions::load(&root)?;
    versions.check_consistency(&root)?;
    toolchain::ensure_wasm_target(&mut steps)?;
    toolchain::ensure_wasm_bindgen(&root, &mut steps, &versions)?;
    toolchain::ensure_trunk(&root, &mut steps, &versions)?;
    toolchain::ensure_wasm_opt(&root, &mut steps, &versions)?;
    toolchain::ensure_browser(&mut steps)?;

    let mut outcomes = Vec::new();
    steps.start("Formatting (cargo fmt --check)");
    outcomes.push(simple(
        "fmt",
        Command::new(env!("CARGO"))
            .args(["fmt", "--all", "--check"])
            .current_dir(&root),
    )?);

    steps.start("Lints (cargo clippy -D warnings, native and wasm32)");
    let native = simple(
        "clippy",
        Command::new(env!("CARGO"))
            .args([
                "clippy",
                "--workspace",
                "--exclude",
                "app",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ])
            .current_dir(&root),
    )?;
    let wasm = simple(
        "clippy-wasm",
        Command::new(env!("CARGO"))
            .args([
                "clippy",
                "-p",
                "engine",
                "-p",
                "app",
                // The workbench's code sits behind a feature; lint it as well.
                "--all-features",
                "--target",
                "wasm32-unknown-unknown",
                "--",
                "-D",
                "warnings",
            ])
            .current_dir(&root),
    )?;
    outcomes.push(native);
    outcomes.push(wasm);

    steps.start("Native unit and integration tests");
    outcomes.push(native_tests(&root)?);
    outcomes.push(doc_tests(&root)?);
    outcomes.push(workbench_tests(&root)?);

    steps.start("Fuzz smoke: every cargo-fuzz target for a few seconds");
    outcomes.push(fuzz_smoke(&root, &mut steps));

    steps.start("Engine tests compiled to wasm32, in headless Chromium");
    outcomes.push(wasm_tests(&root)?);

    steps.start("End-to-end tests in headless Chromium");
    outcomes.push(end_to_end(&root)?);

    println!("\n==> Summary");
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for o in &outcomes {
        let status = if o.ok { "ok" } else { "FAILED" };
        println!(
            "    {:<12} {:<6} {:>4} passed {:>3} failed {:>3} skipped  {}",
            o.name, status, o.passed, o.failed, o.skipped, o.note
        );
        passed += o.passed;
        failed += o.failed;
        skipped += o.skipped;
    }
    let stages_failed = outcomes.iter().filter(|o| !o.ok).count();
    println!("\nxtask: {passed} passed, {failed} failed, {skipped} skipped");
    if stages_failed > 0 {
        bail!("{stages_failed} stage(s) failed");
    }
    Ok(())
}

/// A check with no test count: it passes or it does not.
fn simple(name: &'static str, command: &mut Command) -> Result<Outcome> {
    let ok = cmd::run(command, "").is_ok();
    Ok(Outcome {
        name,
        ok,
        note: if ok {
            String::new()
        } else {
            "see output above".into()
        },
        ..Default::default()
    })
}

pub(crate) fn has_nextest() -> bool {
    cmd::output_of(env!("CARGO"), &["nextest", "--version"]).is_some()
}

/// Postgres-backed tests are named `postgres_*`; without DATABASE_URL they are listed as skipped.
fn native_tests(root: &Path) -> Result<Outcome> {
    let with_postgres = std::env::var_os("DATABASE_URL").is_some();
    let mut outcome = Outcome {
        name: "native",
        ..Default::default()
    };
    if !with_postgres {
        let skipped = postgres_tests(root);
        println!(
            "    DATABASE_URL is not set: skipping {} PostgreSQL test(s):",
            skipped.len()
        );
        for name in &skipped {
            println!("      skipped: {name}");
        }
        outcome.skipped = skipped.len();
        outcome.note = "PostgreSQL tests skipped (DATABASE_URL not set)".into();
    }
    let mut command = Command::new(env!("CARGO"));
    command.current_dir(root);
    if has_nextest() {
        command.args([
            "nextest",
            "run",
            "--workspace",
            "--exclude",
            "e2e",
            "--exclude",
            "app",
            "--no-fail-fast",
        ]);
        if !with_postgres {
            command.args(["-E", "not test(/postgres_/)"]);
        }
        let (ok, out) = cmd::run_tee(&mut command)?;
        let (p, f, s) = nextest_counts(&out);
        // A runner that silently ran nothing is a failure, not a pass.
        outcome.ok = ok && p > 0;
        (outcome.passed, outcome.failed, outcome.skipped) = (p, f, s + outcome.skipped);
    } else {
        command.args([
            "test",
            "--workspace",
            "--exclude",
            "e2e",
            "--exclude",
            "app",
            "--no-fail-fast",
        ]);
        if !with_postgres {
            command.args(["--", "--skip", "postgres_"]);
        }
        let (ok, out) = cmd::run_tee(&mut command)?;
        let (p, f, s) = libtest_counts(&out);
        outcome.ok = ok && p > 0;
        (outcome.passed, outcome.failed) = (p, f);
        outcome.skipped += s;
    }
    Ok(outcome)
}

fn postgres_tests(root: &Path) -> Vec<String> {
    let out = Command::new(env!("CARGO"))
        .args([
            "test",
            "--workspace",
            "--exclude",
            "e2e",
            "--exclude",
            "app",
            "--quiet",
            "--",
            "--list",
            "--format",
            "terse",
        ])
        .current_dir(root)
        .output();
    let Ok(out) = out else { return Vec::new() };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_suffix(": test"))
        .filter(|name| {
            name.rsplit("::")
                .next()
                .is_some_and(|n| n.starts_with("postgres_"))
        })
        .map(String::from)
        .collect()
}

fn doc_tests(root: &Path) -> Result<Outcome> {
    let (ok, out) = cmd::run_tee(
        Command::new(env!("CARGO"))
            .args(["test", "--doc", "-p", "engine", "-p", "server"])
            .current_dir(root),
    )?;
    let (passed, failed, skipped) = libtest_counts(&out);
    Ok(Outcome {
        name: "doc",
        ok,
        passed,
        failed,
        skipped,
        ..Default::default()
    })
}

/// The workbench's pure logic (templates, summary, inbox views, model parsing) as native unit
/// tests: `app` is left out of the workspace run above, whose build of it would lack the feature.
fn workbench_tests(root: &Path) -> Result<Outcome> {
    let (ok, out) = cmd::run_tee(
        Command::new(env!("CARGO"))
            .args(["test", "-p", "app", "--features", "workbench", "--lib"])
            .current_dir(root),
    )?;
    let (passed, failed, skipped) = libtest_counts(&out);
    Ok(Outcome {
        name: "workbench",
        ok: ok && passed > 0,
        passed,
        failed,
        skipped,
        note: "app --features workbench, native".into(),
    })
}

fn wasm_tests(root: &Path) -> Result<Outcome> {
    let (ok, out) = cmd::run_tee(
        Command::new(env!("CARGO"))
            .args(["test", "-p", "engine", "--target", "wasm32-unknown-unknown"])
            .current_dir(root)
            .env("PATH", toolchain::tool_path(root))
            .env("CHROMEDRIVER", which("chromedriver"))
            .env("WASM_BINDGEN_TEST_TIMEOUT", "300"),
    )?;
    let (passed, failed, skipped) = libtest_counts(&out);
    // A runner that silently ran nothing is a failure, not a pass.
    let ok = ok && passed > 0;
    Ok(Outcome {
        name: "wasm",
        ok,
        passed,
        failed,
        skipped,
        note: "engine in Chromium".into(),
    })
}

/// What the end-to-end tests run against: the debug `answerdesk` and the demo snapshot, with
/// both web apps built into `dist/`.
pub struct E2e {
    pub answerdesk: PathBuf,
    pub snapshot: PathBuf,
}

/// Builds the web apps, the debug `answerdesk` and the demo snapshot.
pub fn prepare_e2e(root: &Path) -> Result<E2e> {
    build::web_app(root)?;
    bench::size_report(root)?;
    cmd::run(
        Command::new(env!("CARGO"))
            .args(["build", "--package", "cli"])
            .current_dir(root),
        "The answerdesk binary did not compile.",
    )?;
    let answerdesk = build::target_dir(root)?.join("debug").join("answerdesk");
    let snapshot = build::target_dir(root)?.join("xtask").join("demo.snapshot");
    build::demo_snapshot(root, &answerdesk, &snapshot)?;
    Ok(E2e {
        answerdesk,
        snapshot,
    })
}

/// Runs end-to-end tests (`selection`: nextest filter arguments, e.g. `["--test", "x"]`, empty
/// for all) with `env` added; PostgreSQL tests only when `DATABASE_URL` is set. Returns whether
/// they passed and their counts.
pub fn run_e2e(
    root: &Path,
    e2e: &E2e,
    selection: &[&str],
    env: &[(&str, OsString)],
) -> Result<(bool, (usize, usize, usize))> {
    let with_postgres = std::env::var_os("DATABASE_URL").is_some();
    let mut command = Command::new(env!("CARGO"));
    command
        .current_dir(root)
        .env("ANSWERDESK_BIN", &e2e.answerdesk)
        .env("ANSWERDESK_DIST", root.join("dist"))
        .env("ANSWERDESK_SNAPSHOT", &e2e.snapshot)
        .env("ANSWERDESK_SCREENSHOTS", root.join("docs/screenshots"))
        .env("CHROMEDRIVER", which("chromedriver"));
    for (name, value) in env {
        command.env(name, value);
    }
    if has_nextest() {
        command.args([
            "nextest",
            "run",
            "-p",
            "e2e",
            "--no-fail-fast",
            "--test-threads",
            "2",
        ]);
        command.args(selection);
        if !with_postgres {
            command.args(["-E", "not test(/postgres_/)"]);
        }
        let (ok, out) = cmd::run_tee(&mut command)?;
        Ok((ok, nextest_counts(&out)))
    } else {
        command.args(["test", "-p", "e2e", "--no-fail-fast"]);
        command.args(selection);
        command.args(["--", "--test-threads", "2"]);
        if !with_postgres {
            command.args(["--skip", "postgres_"]);
        }
        let (ok, out) = cmd::run_tee(&mut command)?;
        Ok((ok, libtest_counts(&out)))
    }
}

fn end_to_end(root: &Path) -> Result<Outcome> {
    let mut outcome = Outcome {
        name: "e2e",
        ..Default::default()
    };
    let e2e = match prepare_e2e(root) {
        Ok(e2e) => e2e,
        Err(e) => {
            outcome.note = format!("build failed: {e:#}");
            return Ok(outcome);
        }
    };
    if std::env::var_os("DATABASE_URL").is_none() {
        outcome.note = "PostgreSQL tests skipped (DATABASE_URL not set)".into();
    }
    let (ok, counts) = run_e2e(root, &e2e, &[], &[])?;
    (outcome.passed, outcome.failed, outcome.skipped) = counts;
    outcome.ok = ok && outcome.passed > 0;
    Ok(outcome)
}

/// A few seconds per fuzz target, after replaying the regression inputs: catches a target that
/// no longer builds and a crash that is easy to find, without costing CI minutes.
fn fuzz_smoke(root: &Path, steps: &mut Steps) -> Outcome {
    let mut outcome = Outcome {
        name: "fuzz",
        ..Default::default()
    };
    let options = fuzz::Options {
        seconds: 5,
        targets: Vec::new(),
        replay_test: false,
    };
    match fuzz::session(root, &options, steps) {
        Ok(report) => {
            for line in report.lines() {
                println!("    {line}");
            }
            outcome.passed = report.runs.iter().filter(|r| r.crashes.is_empty()).count();
            outcome.failed = report.runs.len() - outcome.passed + usize::from(!report.replay_ok);
            outcome.ok = report.ok();
            let executions: u64 = report.runs.iter().map(|r| r.executions).sum();
            outcome.note = format!(
                "{executions} executions, {} crash(es), build {} s",
                report.crashes(),
                report.build_seconds
            );
        }
        Err(e) => outcome.note = format!("failed: {e:#}"),
    }
    outcome
}

fn which(program: &str) -> String {
    cmd::output_of("which", &[program]).unwrap_or_else(|| program.to_string())
}

/// Numbers from nextest's closing line: `N tests run: N passed, N failed, N skipped`.
pub(crate) fn nextest_counts(output: &str) -> (usize, usize, usize) {
    let Some(line) = output
        .lines()
        .rev()
        .find(|l| l.contains("tests run:") || l.contains("test run:"))
    else {
        return (0, 0, 0);
    };
    (
        count_before(line, "passed"),
        count_before(line, "failed"),
        count_before(line, "skipped"),
    )
}

/// Sums libtest's `test result: ok. N passed; N failed; N ignored` lines.
pub(crate) fn libtest_counts(output: &str) -> (usize, usize, usize) {
    output
        .lines()
        .filter(|l| l.contains("test result:"))
        .fold((0, 0, 0), |(p, f, s), line| {
            (
                p + count_before(line, "passed"),
                f + count_before(line, "failed"),
                s + count_before(line, "ignored"),
            )
        })
}

/// The number written just before `word`, as in `12 passed`.
fn count_before(line: &str, word: &str) -> usize {
    let words: Vec<&str> = line
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|w| !w.is_empty())
        .collect();
    words
        .windows(2)
        .find(|w| w[1].starts_with(word))
        .and_then(|w| w[0].parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nextest_summary() {
        let out = "   Summary [  3.2s] 42 tests run: 40 passed, 2 failed, 3 skipped\n";
        assert_eq!(nextest_counts(out), (40, 2, 3));
        assert_eq!(
            nextest_counts("     Summary [ 0.1s] 7 tests run: 7 passed, 0 skipped"),
            (7, 0, 0)
        );
    }

    #[test]
    fn sums_libtest_results() {
        let out = "test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured\n\
                   test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured\n";
        assert_eq!(libtest_counts(out), (5, 1, 1));
    }
}
