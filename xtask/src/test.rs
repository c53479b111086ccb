//! `cargo xtask test`: the checks CI runs, stage by stage, each with its count of tests.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Result};

use crate::cmd::{self, Steps};
use crate::{bench, build, project_root, toolchain};

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
    let mut steps = Steps::new(10);
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

fn has_nextest() -> bool {
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
        outcome.ok = ok;
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
        outcome.ok = ok;
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

fn end_to_end(root: &Path) -> Result<Outcome> {
    let mut outcome = Outcome {
        name: "e2e",
        ..Default::default()
    };
    let built = (|| -> Result<_> {
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
        Ok((answerdesk, snapshot))
    })();
    let (answerdesk, snapshot) = match built {
        Ok(paths) => paths,
        Err(e) => {
            outcome.note = format!("build failed: {e:#}");
            return Ok(outcome);
        }
    };
    let mut command = Command::new(env!("CARGO"));
    command
        .current_dir(root)
        .env("ANSWERDESK_BIN", &answerdesk)
        .env("ANSWERDESK_DIST", root.join("dist"))
        .env("ANSWERDESK_SNAPSHOT", &snapshot)
        .env("ANSWERDESK_SCREENSHOTS", root.join("docs/screenshots"))
        .env("CHROMEDRIVER", which("chromedriver"));
    let (ok, out) = if has_nextest() {
        command.args([
            "nextest",
            "run",
            "-p",
            "e2e",
            "--no-fail-fast",
            "--test-threads",
            "2",
        ]);
        let (ok, out) = cmd::run_tee(&mut command)?;
        let c = nextest_counts(&out);
        (ok, c)
    } else {
        command.args([
            "test",
            "-p",
            "e2e",
            "--no-fail-fast",
            "--",
            "--test-threads",
            "2",
        ]);
        let (ok, out) = cmd::run_tee(&mut command)?;
        (ok, libtest_counts(&out))
    };
    (outcome.passed, outcome.failed, outcome.skipped) = out;
    outcome.ok = ok && outcome.passed > 0;
    Ok(outcome)
}

fn which(program: &str) -> String {
    cmd::output_of("which", &[program]).unwrap_or_else(|| program.to_string())
}

/// Numbers from nextest's closing line: `N tests run: N passed, N failed, N skipped`.
fn nextest_counts(output: &str) -> (usize, usize, usize) {
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
fn libtest_counts(output: &str) -> (usize, usize, usize) {
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
