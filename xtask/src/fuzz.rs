//! `cargo xtask fuzz [--seconds N] [TARGET...]`: every libFuzzer target in `fuzz/` for N seconds,
//! with executions and crashes per target.
//!
//! On stable Rust: cargo-fuzz passes a few `-Z` flags to rustc, which `RUSTC_BOOTSTRAP=1`
//! allows, and runs without a sanitizer (`--sanitizer none`): the project has no `unsafe` code
//! for AddressSanitizer to watch, and uninstrumented runs execute several times more inputs.
//! Debug assertions (and so overflow checks) are on.
//!
//! Before fuzzing, `fuzz/tests/regressions.rs` replays every input under
//! `fuzz/regressions/<target>/` with a plain `cargo test`; a crash found now is copied there, so
//! that it is replayed from then on (once fixed, commit it).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};

use crate::cmd::{self, Steps};
use crate::{build, project_root, toolchain};

/// What one target did.
pub struct Run {
    pub target: String,
    pub seconds: u64,
    pub executions: u64,
    /// Inputs that crashed, hung or ran out of memory (libFuzzer stops at the first).
    pub crashes: Vec<PathBuf>,
    /// The command line, for docs/RELIABILITY.md.
    pub command: String,
}

/// Everything a fuzz session did, including the regression replay.
pub struct Report {
    pub replay_ok: bool,
    pub replayed: usize,
    pub runs: Vec<Run>,
    pub build_seconds: u64,
}

impl Report {
    pub fn crashes(&self) -> usize {
        self.runs.iter().map(|r| r.crashes.len()).sum()
    }

    pub fn ok(&self) -> bool {
        self.replay_ok && self.crashes() == 0 && !self.runs.is_empty()
    }

    /// One line per target, as printed and written to docs/RELIABILITY.md.
    pub fn lines(&self) -> Vec<String> {
        self.runs
            .iter()
            .map(|r| {
                format!(
                    "fuzz {:<16} {:>9} executions in {:>3} s, {} crash(es){}",
                    r.target,
                    r.executions,
                    r.seconds,
                    r.crashes.len(),
                    r.crashes
                        .iter()
                        .map(|c| format!(" {}", c.display()))
                        .collect::<String>()
                )
            })
            .collect()
    }
}

pub struct Options {
    pub seconds: u64,
    pub targets: Vec<String>,
    /// Also replay `fuzz/regressions/` with a plain (uninstrumented) `cargo test`. The fuzz runs
    /// read those inputs first anyway (they are one of each run's corpus folders), so the quick
    /// CI smoke leaves this off and saves a second build of the server's dependency tree.
    pub replay_test: bool,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Options> {
        let mut options = Options {
            seconds: 10,
            targets: Vec::new(),
            replay_test: true,
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--seconds" => {
                    let value = args.next().context("--seconds needs a number")?;
                    options.seconds = value
                        .parse()
                        .with_context(|| format!("--seconds {value}: not a number"))?;
                }
                other if other.starts_with('-') => bail!("unknown option `{other}`"),
                target => options.targets.push(target.to_string()),
            }
        }
        Ok(options)
    }
}

pub fn run(args: &[String]) -> Result<()> {
    let options = Options::parse(args)?;
    let report = session(&project_root(), &options, &mut Steps::new(4))?;
    println!("\n==> Fuzzing summary");
    for line in report.lines() {
        println!("    {line}");
    }
    println!(
        "    regression inputs replayed: {} ({})",
        report.replayed,
        if report.replay_ok { "ok" } else { "FAILED" }
    );
    if !report.ok() {
        bail!(
            "{} crash(es){}; the inputs are under fuzz/regressions/",
            report.crashes(),
            if report.replay_ok {
                ""
            } else {
                ", and a regression input fails"
            }
        );
    }
    Ok(())
}

/// Installs cargo-fuzz, builds the demo snapshot and the instrumented targets, replays the
/// regression inputs, then fuzzes each target.
pub fn session(root: &Path, options: &Options, steps: &mut Steps) -> Result<Report> {
    let versions = toolchain::Versions::load(root)?;
    toolchain::ensure_cargo_fuzz(root, steps, &versions)?;

    steps.start("The demo knowledge snapshot the search and request targets use");
    let (answerdesk, snapshot) = build::debug_demo(root)?;
    let target_dir = build::target_dir(root)?;

    let fuzz_target_dir = target_dir.join("fuzz");
    let available = list_targets(root)?;
    let targets = if options.targets.is_empty() {
        available.clone()
    } else {
        for t in &options.targets {
            if !available.contains(t) {
                bail!("no fuzz target `{t}` (there are: {})", available.join(", "));
            }
        }
        options.targets.clone()
    };

    let (mut replay_ok, mut replayed) = (true, 0);
    if options.replay_test {
        steps.start("Regression inputs (fuzz/regressions), replayed by a plain cargo test");
        let (ok, out) = cmd::run_tee(
            Command::new(env!("CARGO"))
                .args(["test", "--manifest-path", "fuzz/Cargo.toml"])
                .args(["--test", "regressions", "--", "--nocapture"])
                .current_dir(root)
                // The main target dir: some of the fuzz crate's uninstrumented dependencies are
                // the workspace's, already compiled there.
                .env("CARGO_TARGET_DIR", &target_dir)
                .env("ANSWERDESK_FUZZ_SNAPSHOT", &snapshot),
        )?;
        replay_ok = ok;
        replayed = out.lines().filter(|l| l.starts_with("replaying ")).count();
    }

    steps.start("Instrumented build of the fuzz targets (cargo fuzz build)");
    let started = Instant::now();
    cmd::run(
        &mut fuzz_command(root, &fuzz_target_dir, &["build"]),
        "The fuzz targets did not compile.",
    )?;
    let build_seconds = started.elapsed().as_secs();

    let mut runs = Vec::new();
    for target in &targets {
        steps.start(&format!("Fuzzing {target} for {} s", options.seconds));
        runs.push(fuzz_one(
            root,
            &fuzz_target_dir,
            &answerdesk,
            &snapshot,
            target,
            options.seconds,
        )?);
    }
    Ok(Report {
        replay_ok,
        replayed,
        runs,
        build_seconds,
    })
}

/// `cargo fuzz SUBCOMMAND` on stable, uninstrumented by sanitizers, with debug assertions.
fn fuzz_command(root: &Path, target_dir: &Path, subcommand: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO"));
    command
        .arg("fuzz")
        .args(subcommand)
        .args(["--sanitizer", "none", "--debug-assertions", "--target-dir"])
        .arg(target_dir)
        .current_dir(root)
        .env("RUSTC_BOOTSTRAP", "1")
        .env("PATH", toolchain::tool_path(root));
    command
}

fn list_targets(root: &Path) -> Result<Vec<String>> {
    let out = Command::new(env!("CARGO"))
        .args(["fuzz", "list"])
        .current_dir(root)
        .env("PATH", toolchain::tool_path(root))
        .output()
        .context("cannot run `cargo fuzz list`")?;
    if !out.status.success() {
        bail!(
            "`cargo fuzz list` failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect())
}

fn fuzz_one(
    root: &Path,
    fuzz_target_dir: &Path,
    answerdesk: &Path,
    snapshot: &Path,
    target: &str,
    seconds: u64,
) -> Result<Run> {
    // The corpus grows across runs (CI keeps the target dir warm); seeds and regression inputs
    // are read, never written.
    let corpus = fuzz_target_dir.join("corpus").join(target);
    let artifacts = fuzz_target_dir.join("artifacts").join(target);
    std::fs::create_dir_all(&corpus)?;
    let _ = std::fs::remove_dir_all(&artifacts);
    std::fs::create_dir_all(&artifacts)?;
    let mut max_len = 4096;
    if target == "snapshot_decode" {
        // A real snapshot small enough to mutate (fuzz/tiny-kb.yaml, lexical only), raw (first
        // byte 0) and as a body to frame (first byte 1).
        let tiny = fuzz_target_dir.join("tiny.snapshot");
        cmd::run(
            Command::new(answerdesk)
                .args(["kb", "build"])
                .arg(root.join("fuzz/tiny-kb.yaml"))
                .arg("--no-dense")
                .arg("--output")
                .arg(&tiny)
                .current_dir(root),
            "fuzz/tiny-kb.yaml did not compile.",
        )?;
        let bytes = std::fs::read(&tiny)?;
        let mut raw = vec![0u8];
        raw.extend_from_slice(&bytes);
        let mut body = vec![1u8];
        body.extend_from_slice(bytes.get(28..).unwrap_or_default());
        std::fs::write(corpus.join("demo-raw"), &raw)?;
        std::fs::write(corpus.join("demo-body"), &body)?;
        max_len = max_len.max(raw.len() + 1024);
    }
    let mut command = fuzz_command(root, fuzz_target_dir, &["run", target]);
    command.arg(&corpus);
    // Seeds and regressions are folders git keeps only when they hold a file; libFuzzer stops
    // at a folder that does not exist.
    for dir in ["fuzz/seeds", "fuzz/regressions"] {
        let dir = root.join(dir).join(target);
        if dir.is_dir() {
            command.arg(dir);
        }
    }
    command
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-max_len={max_len}"))
        .arg("-timeout=20")
        .arg("-rss_limit_mb=3072")
        .arg("-print_final_stats=1")
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .env("ANSWERDESK_FUZZ_SNAPSHOT", snapshot);
    let command_line = format!(
        "cargo fuzz run {target} --sanitizer none --debug-assertions -- -max_total_time={seconds}"
    );
    let (_ok, out) = cmd::run_tee(&mut command)?;
    let executions = out
        .lines()
        .find_map(|l| l.strip_prefix("stat::number_of_executed_units:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    let mut crashes = Vec::new();
    for found in std::fs::read_dir(&artifacts)?.filter_map(Result::ok) {
        let name = found.file_name().to_string_lossy().into_owned();
        if ["crash-", "timeout-", "oom-", "leak-"]
            .iter()
            .any(|p| name.starts_with(p))
        {
            let keep = root.join("fuzz/regressions").join(target).join(&name);
            std::fs::copy(found.path(), &keep)?;
            println!("    {target}: {name} kept as {}", keep.display());
            crashes.push(keep);
        }
    }
    if executions == 0 && crashes.is_empty() {
        bail!("{target}: libFuzzer printed no statistics; see its output above");
    }
    Ok(Run {
        target: target.to_string(),
        seconds,
        executions,
        crashes,
        command: command_line,
    })
}
