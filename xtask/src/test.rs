//! `cargo xtask test`: the checks CI runs, stage by stage, each with its count of tests.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Result};

use crate::cmd::{self, Steps};
use crate::{bench, build, fuzz, openapi, project_root, quality, tidy, toolchain};

/// What one stage ran.
#[derive(Default)]
struct Outcome {
    name: &'static str,
    ok: bool,
    /// Whether the stage counts tests; one that counts none has failed, not passed: a runner
    /// that silently ran nothing proves nothing.
    counted: bool,
    passed: usize,
    failed: usize,
    skipped: usize,
    note: String,
}

impl Outcome {
    fn counted(
        name: &'static str,
        ok: bool,
        (passed, failed, skipped): (usize, usize, usize),
    ) -> Outcome {
        Outcome {
            name,
            ok,
            counted: true,
            passed,
            failed,
            skipped,
            note: String::new(),
        }
    }

    fn note(mut self, note: impl Into<String>) -> Outcome {
        self.note = note.into();
        self
    }

    /// A stage with counts passes only when it ran at least one test.
    fn settle(&mut self) {
        if self.counted && self.ok && self.passed == 0 {
            self.ok = false;
            self.note = format!("no test ran; {}", self.note);
        }
    }
}

/// The stages, in the order they run; `cargo xtask test --only a,b` runs some of them.
const STAGES: &[&str] = &[
    "tidy",
    "fmt",
    "clippy",
    "native",
    "quality",
    "doc",
    "workbench",
    "hnsw",
    "openapi",
    "fuzz",
    "wasm",
    "e2e",
];

pub fn run(args: &[String]) -> Result<()> {
    let only: Option<Vec<&str>> = match args {
        [] => None,
        [flag, list] if flag == "--only" => {
            let names: Vec<&str> = list.split(',').collect();
            if let Some(unknown) = names.iter().find(|n| !STAGES.contains(n)) {
                bail!("no stage `{unknown}`; the stages: {}", STAGES.join(", "));
            }
            Some(names)
        }
        _ => bail!(
            "usage: cargo xtask test [--only STAGE,…] (stages: {})",
            STAGES.join(", ")
        ),
    };
    let wanted = |stage: &str| only.as_ref().is_none_or(|o| o.contains(&stage));
    let root = project_root();
    let mut steps = Steps::new(20);
    let versions = toolchain::Versions::load(&root)?;
    versions.check_consistency(&root)?;

    let mut outcomes = Vec::new();
    if wanted("tidy") {
        steps.start("Tidy: the architecture invariants (cargo xtask tidy)");
        outcomes.push(tidy_stage(&root));
    }

    if ["clippy", "fuzz", "wasm", "e2e"].iter().any(|s| wanted(s)) {
        toolchain::ensure_wasm_target(&mut steps)?;
        toolchain::ensure_wasm_bindgen(&root, &mut steps, &versions)?;
        toolchain::ensure_trunk(&root, &mut steps, &versions)?;
        toolchain::ensure_wasm_opt(&root, &mut steps, &versions)?;
        toolchain::ensure_browser(&mut steps)?;
    }

    if wanted("fmt") {
        steps.start("Formatting (cargo fmt --check)");
        outcomes.push(simple(
            "fmt",
            Command::new(env!("CARGO"))
                .args(["fmt", "--all", "--check"])
                .current_dir(&root),
        )?);
    }

    if wanted("clippy") {
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
    }

    if wanted("native") || wanted("doc") || wanted("workbench") {
        steps.start("Native unit and integration tests");
    }
    if wanted("native") {
        outcomes.push(native_tests(&root)?);
    }
    if wanted("quality") {
        steps.start("Answer quality: kb eval on held-out and validation questions, against floors");
        outcomes.push(quality_stage(&root));
    }
    if wanted("doc") {
        outcomes.push(doc_tests(&root)?);
    }
    if wanted("workbench") {
        outcomes.push(workbench_tests(&root)?);
    }

    if wanted("hnsw") {
        steps.start("Engine tests with the HNSW graph (feature hnsw)");
        outcomes.push(hnsw_tests(&root)?);
    }

    if wanted("openapi") {
        outcomes.push(openapi_stage(&root, &mut steps));
    }

    if wanted("fuzz") {
        steps.start("Fuzz smoke: every cargo-fuzz target for a few seconds");
        outcomes.push(fuzz_smoke(&root, &mut steps));
    }

    if wanted("wasm") {
        steps.start("Engine tests compiled to wasm32, in headless Chromium");
        outcomes.push(wasm_tests(&root)?);
    }

    if wanted("e2e") {
        steps.start("End-to-end tests in headless Chromium");
        let (e2e, sizes) = end_to_end(&root)?;
        outcomes.push(e2e);
        outcomes.push(visitor_wasm_stage(&root));
        outcomes.push(budget_stage(sizes));
    }

    println!("\n==> Summary");
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for o in &mut outcomes {
        o.settle();
    }
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
/// Each figure bound of [`quality::gate`] counts as one test.
fn quality_stage(root: &Path) -> Outcome {
    match quality::gate(root) {
        Ok((held, broken)) => Outcome::counted("quality", broken == 0, (held, broken, 0))
            .note("kb eval floors (docs/QUALITY.md)"),
        Err(error) => Outcome {
            name: "quality",
            note: format!("{error:#}"),
            ..Default::default()
        },
    }
}

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

/// Runs `cargo nextest run` (or `cargo test` without nextest) with `args` (packages, features,
/// `--workspace` …) and counts what ran. Without `DATABASE_URL` the PostgreSQL tests (named
/// `postgres_*`) are left out and counted once as skipped; helpers (see [`helper_tests`]) are
/// not tests and not counted.
fn cargo_tests(
    root: &Path,
    name: &'static str,
    args: &[&str],
    helpers: &[String],
) -> Result<Outcome> {
    let with_postgres = std::env::var_os("DATABASE_URL").is_some();
    let mut command = Command::new(env!("CARGO"));
    command.current_dir(root);
    let nextest = has_nextest();
    let mut postgres = Vec::new();
    if nextest {
        command
            .args(["nextest", "run", "--no-fail-fast"])
            .args(args);
        if !with_postgres {
            // nextest counts the tests its filter leaves out as skipped.
            command.args(["-E", "not test(/postgres_/)"]);
        }
    } else {
        if !with_postgres {
            // libtest's --skip leaves no trace in its counts: list them to count them.
            postgres = postgres_tests(root, args);
        }
        command.args(["test", "--no-fail-fast"]).args(args);
        if !with_postgres {
            command.args(["--", "--skip", "postgres_"]);
        }
    }
    let (ok, out) = cmd::run_tee(&mut command)?;
    let (passed, failed, skipped) = if nextest {
        nextest_counts(&out)
    } else {
        libtest_counts(&out)
    };
    let skipped = (skipped + postgres.len()).saturating_sub(helpers.len());
    let mut notes = Vec::new();
    if !with_postgres {
        notes.push("PostgreSQL tests skipped (DATABASE_URL not set)".to_string());
    }
    if !helpers.is_empty() {
        notes.push(format!("helpers not counted: {}", helpers.join(", ")));
    }
    Ok(Outcome::counted(name, ok, (passed, failed, skipped)).note(notes.join("; ")))
}

/// The PostgreSQL tests (`postgres_*`) among `args`' tests, for libtest, which does not count
/// the tests `--skip` leaves out.
fn postgres_tests(root: &Path, args: &[&str]) -> Vec<String> {
    let out = Command::new(env!("CARGO"))
        .arg("test")
        .args(args)
        .args(["--quiet", "--", "--list", "--format", "terse"])
        .current_dir(root)
        .output();
    let Ok(out) = out else { return Vec::new() };
    let names: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_suffix(": test"))
        .filter(|name| {
            name.rsplit("::")
                .next()
                .is_some_and(|n| n.starts_with("postgres_"))
        })
        .map(String::from)
        .collect();
    for name in &names {
        println!("      skipped: {name}");
    }
    names
}

/// Ignored tests that are not tests but the body of a child process another test starts, known
/// by their reason: `#[ignore = "run as a child process …"]`. Always ignored, never skipped.
fn helper_tests(root: &Path, under: &[&str]) -> Vec<String> {
    let Ok(tree) = tidy::Tree::load(root) else {
        return Vec::new();
    };
    let mut helpers = Vec::new();
    for (path, text) in &tree.files {
        // xtask's own tests hold examples of the attribute.
        let scanned = path.ends_with(".rs") && !path.starts_with("xtask/");
        if !scanned || !under.iter().any(|u| path.starts_with(u)) {
            continue;
        }
        helpers.extend(helpers_in(text));
    }
    helpers
}

fn helpers_in(text: &str) -> Vec<String> {
    const MARK: &str = "#[ignore = \"run as a child process";
    text.match_indices(MARK)
        .filter_map(|(at, _)| {
            let rest = &text[at..];
            let after_fn = &rest[rest.find("fn ")? + 3..];
            let name: String = after_fn
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            (!name.is_empty()).then_some(name)
        })
        .collect()
}

fn native_tests(root: &Path) -> Result<Outcome> {
    cargo_tests(
        root,
        "native",
        &["--workspace", "--exclude", "e2e", "--exclude", "app"],
        &helper_tests(root, &[""]),
    )
}

/// The engine again, with the HNSW graph compiled in: its tests never build otherwise.
fn hnsw_tests(root: &Path) -> Result<Outcome> {
    Ok(cargo_tests(
        root,
        "hnsw",
        &["-p", "engine", "--features", "hnsw"],
        &helper_tests(root, &["engine/"]),
    )?
    .note("engine --features hnsw"))
}

fn doc_tests(root: &Path) -> Result<Outcome> {
    let (ok, out) = cmd::run_tee(
        Command::new(env!("CARGO"))
            .args(["test", "--doc", "-p", "engine", "-p", "server"])
            .current_dir(root),
    )?;
    Ok(Outcome::counted("doc", ok, libtest_counts(&out)))
}

/// The workbench's pure logic (templates, summary, inbox views, model parsing) as native unit
/// tests: `app` is left out of the workspace run above, whose build of it would lack the feature.
fn workbench_tests(root: &Path) -> Result<Outcome> {
    let (ok, out) = cmd::run_tee(
        Command::new(env!("CARGO"))
            .args(["test", "-p", "app", "--features", "workbench", "--lib"])
            .current_dir(root),
    )?;
    Ok(Outcome::counted("workbench", ok, libtest_counts(&out))
        .note("app --features workbench, native"))
}

fn wasm_tests(root: &Path) -> Result<Outcome> {
    let run = || {
        cmd::run_tee(
            Command::new(env!("CARGO"))
                .args(["test", "-p", "engine", "--target", "wasm32-unknown-unknown"])
                .current_dir(root)
                .env("PATH", toolchain::tool_path(root))
                .env("CHROMEDRIVER", cmd::which("chromedriver"))
                .env("WASM_BINDGEN_TEST_TIMEOUT", "300"),
        )
    };
    let (mut ok, mut out) = run()?;
    let mut note = "engine in Chromium";
    // A run that failed before any test reported (chromedriver or Chromium not coming up on a
    // loaded machine) says nothing about the engine: it is tried once more. A test that ran and
    // failed is never retried.
    if !ok && libtest_counts(&out) == (0, 0, 0) {
        println!("wasm: no test reported a result (the browser or its driver did not come up); once more");
        (ok, out) = run()?;
        note = "engine in Chromium; the first run reported no test, run twice";
    }
    Ok(Outcome::counted("wasm", ok, libtest_counts(&out)).note(note))
}

/// The tidy checks, one count per check.
fn tidy_stage(root: &Path) -> Outcome {
    match tidy::report(root) {
        Ok((passed, failed)) => Outcome::counted("tidy", failed == 0, (passed, failed, 0)),
        Err(e) => Outcome {
            name: "tidy",
            note: format!("failed: {e:#}"),
            ..Default::default()
        },
    }
}

/// The OpenAPI document: valid OpenAPI 3.1, and a generated client that compiles.
fn openapi_stage(root: &Path, steps: &mut Steps) -> Outcome {
    match openapi::check(root, steps) {
        Ok((passed, failed)) => Outcome::counted("openapi", failed == 0, (passed, failed, 0))
            .note("openapi-spec-validator 3.1; openapi-typescript client, tsc"),
        Err(e) => Outcome::counted("openapi", false, (0, 1, 0)).note(format!("{e:#}")),
    }
}

/// The visitor's wasm holds none of the workbench's strings (built just before, for e2e).
fn visitor_wasm_stage(root: &Path) -> Outcome {
    let outcome =
        |ok, counts, note: String| Outcome::counted("visitor-wasm", ok, counts).note(note);
    match tidy::visitor_wasm(&root.join("dist")) {
        Ok(Some(found)) if found.is_empty() => outcome(
            true,
            (1, 0, 0),
            format!(
                "none of {} workbench markers",
                tidy::WORKBENCH_MARKERS.len()
            ),
        ),
        Ok(Some(found)) => {
            for v in &found {
                println!("    {v}");
            }
            outcome(
                false,
                (0, 1, 0),
                format!("{} violation(s), see above", found.len()),
            )
        }
        Ok(None) => outcome(false, (0, 1, 0), "no build in dist/ and dist/agent/".into()),
        Err(e) => outcome(false, (0, 1, 0), format!("{e:#}")),
    }
}

/// What the end-to-end tests run against: the debug `answerdesk` and the demo snapshot, with
/// both web apps built into `dist/`.
pub struct E2e {
    pub answerdesk: PathBuf,
    pub snapshot: PathBuf,
    /// What the visitor downloads, against its budgets.
    pub sizes: bench::Sizes,
}

/// Builds the web apps, the debug `answerdesk` and the demo snapshot.
pub fn prepare_e2e(root: &Path) -> Result<E2e> {
    build::web_app(root)?;
    let (answerdesk, snapshot) = build::debug_demo(root)?;
    let sizes = bench::size_report(root, &snapshot)?;
    Ok(E2e {
        answerdesk,
        snapshot,
        sizes,
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
        // Into the target dir: a test run never changes tracked files (`cargo xtask screenshots`
        // copies them to docs/screenshots/ when asked).
        .env("ANSWERDESK_SCREENSHOTS", screenshot_dir(root)?)
        .env("CHROMEDRIVER", cmd::which("chromedriver"));
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

/// The end-to-end tests, and the budgeted sizes of the build they ran against (none when the
/// build failed).
fn end_to_end(root: &Path) -> Result<(Outcome, Option<bench::Sizes>)> {
    let mut outcome = Outcome {
        name: "e2e",
        counted: true,
        ..Default::default()
    };
    let e2e = match prepare_e2e(root) {
        Ok(e2e) => e2e,
        Err(e) => {
            outcome.note = format!("build failed: {e:#}");
            return Ok((outcome, None));
        }
    };
    if std::env::var_os("DATABASE_URL").is_none() {
        outcome.note = "PostgreSQL tests skipped (DATABASE_URL not set)".into();
    }
    let (ok, counts) = run_e2e(root, &e2e, &[], &[])?;
    (outcome.passed, outcome.failed, outcome.skipped) = counts;
    outcome.ok = ok;
    Ok((outcome, Some(e2e.sizes)))
}

/// The download budgets, each one check: sizes are deterministic (the same sources give the
/// same wasm and the same brotli bytes), so a change that outgrows a budget fails here rather
/// than in a report nobody reads.
fn budget_stage(sizes: Option<bench::Sizes>) -> Outcome {
    let Some(sizes) = sizes else {
        return Outcome::counted("budget", false, (0, 1, 0)).note("no web build to measure");
    };
    let verdicts = sizes.verdicts();
    let over: Vec<&str> = verdicts
        .iter()
        .filter(|(ok, _)| !ok)
        .map(|(_, line)| line.as_str())
        .collect();
    let passed = verdicts.len() - over.len();
    let note = if over.is_empty() {
        format!(
            "widget {:.1} KiB, embed.js {:.1} KB (brotli)",
            sizes.widget as f64 / 1024.0,
            sizes.embed as f64 / 1000.0
        )
    } else {
        over.join("; ")
    };
    Outcome::counted("budget", over.is_empty(), (passed, over.len(), 0)).note(note)
}

/// Where the end-to-end tests save their screenshots.
fn screenshot_dir(root: &Path) -> Result<PathBuf> {
    Ok(build::target_dir(root)?.join("xtask").join("screenshots"))
}

/// `cargo xtask screenshots`: runs the end-to-end tests that take screenshots (those whose file
/// calls `.screenshot(`) and copies what they saved to docs/screenshots/, the README's pictures.
pub fn screenshots(root: &Path) -> Result<()> {
    let mut steps = Steps::new(9);
    toolchain::ensure_web_tools(root, &mut steps)?;
    toolchain::ensure_browser(&mut steps)?;
    steps.start("Web apps, the debug answerdesk and the demo snapshot");
    let e2e = prepare_e2e(root)?;
    let mut tests = Vec::new();
    for entry in std::fs::read_dir(root.join("tests/tests"))? {
        let path = entry?.path();
        let takes_screenshots =
            std::fs::read_to_string(&path).is_ok_and(|t| t.contains(".screenshot("));
        if let (true, Some(stem)) = (takes_screenshots, path.file_stem()) {
            tests.push(stem.to_string_lossy().into_owned());
        }
    }
    tests.sort();
    if tests.is_empty() {
        bail!("no end-to-end test in tests/tests/ takes a screenshot");
    }
    steps.start(&format!(
        "End-to-end tests that take screenshots: {}",
        tests.join(", ")
    ));
    let shots = screenshot_dir(root)?;
    if shots.exists() {
        std::fs::remove_dir_all(&shots)?;
    }
    std::fs::create_dir_all(&shots)?;
    let selection: Vec<&str> = tests.iter().flat_map(|t| ["--test", t.as_str()]).collect();
    let (ok, _) = run_e2e(root, &e2e, &selection, &[])?;
    if !ok {
        bail!("the end-to-end tests failed: docs/screenshots/ is left as it was");
    }
    steps.start("Copying the screenshots to docs/screenshots/");
    let docs = root.join("docs/screenshots");
    let mut copied = 0;
    for entry in std::fs::read_dir(&shots)? {
        let path = entry?.path();
        if let (Some("png"), Some(name)) =
            (path.extension().and_then(|e| e.to_str()), path.file_name())
        {
            std::fs::copy(&path, docs.join(name))?;
            println!("    {}", name.to_string_lossy());
            copied += 1;
        }
    }
    if copied == 0 {
        bail!("the tests saved no screenshot in {}", shots.display());
    }
    println!(
        "    {copied} screenshot(s) copied; review them with `git diff --stat docs/screenshots`"
    );
    Ok(())
}

/// A few seconds per fuzz target, after replaying the regression inputs: catches a target that
/// no longer builds and a crash that is easy to find, without costing CI minutes.
fn fuzz_smoke(root: &Path, steps: &mut Steps) -> Outcome {
    let mut outcome = Outcome {
        name: "fuzz",
        counted: true,
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
    fn finds_helpers_by_their_ignore_reason() {
        let source = r#"
#[tokio::test]
async fn postgres_instances_deliver_each_others_events() {}

#[tokio::test]
#[ignore = "run as a child process by postgres_instances_deliver_each_others_events"]
async fn instance_process() {}

#[test]
#[ignore = "slow"]
fn a_slow_test() {}
"#;
        assert_eq!(helpers_in(source), ["instance_process"]);
    }

    #[test]
    fn a_stage_that_ran_nothing_fails() {
        let mut empty = Outcome::counted("native", true, (0, 0, 3));
        empty.settle();
        assert!(!empty.ok);
        let mut ran = Outcome::counted("native", true, (1, 0, 0));
        ran.settle();
        assert!(ran.ok);
        let mut unchecked = Outcome {
            ok: true,
            ..Default::default()
        };
        unchecked.settle();
        assert!(unchecked.ok, "fmt and clippy count no tests");
    }

    #[test]
    fn a_widget_over_its_budget_fails_the_budget_stage() {
        let within = budget_stage(Some(bench::Sizes {
            widget: 150 * 1024,
            embed: 2_000,
        }));
        assert!(
            within.ok && (within.passed, within.failed) == (2, 0),
            "{}",
            within.note
        );
        let over = budget_stage(Some(bench::Sizes {
            widget: 160 * 1024 + 1,
            embed: 2_000,
        }));
        assert!(!over.ok && (over.passed, over.failed) == (1, 1));
        assert!(over.note.contains("OVER BUDGET"), "{}", over.note);
        assert!(!budget_stage(None).ok, "no build is no proof");
    }

    #[test]
    fn sums_libtest_results() {
        let out = "test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured\n\
                   test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured\n";
        assert_eq!(libtest_counts(out), (5, 1, 1));
    }
}
