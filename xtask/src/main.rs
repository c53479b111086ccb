//! Developer workflows, written in Rust so they run wherever cargo does.
//!
//! - `cargo xtask run [--addr ADDR]`: install what is missing, build, start the demo;
//! - `cargo xtask test`: every check CI runs, with a count of tests per stage;
//! - `cargo xtask tidy`: the architecture invariants a program can check (the first stage of
//!   `test`);
//! - `cargo xtask openapi`: the OpenAPI document validated, and a client generated from it
//!   compiled (a stage of `test`);
//! - `cargo xtask screenshots`: the README's screenshots, taken by the end-to-end tests;
//! - `cargo xtask dist`: release build of the web app (`dist/`) and of `answerdesk`;
//! - `cargo xtask bench [engine|size|server|reports|widget|first-answer|peers]`: benchmarks that print
//!   figures (`server`: escalations per second under `wrk`, on SQLite and, with `DATABASE_URL`,
//!   PostgreSQL; `first-answer`: a first-time visitor's wait on throttled 4G and Fast 3G, in
//!   Chromium; `peers`: beside five browser search libraries, rewrites `docs/BENCHMARKS.md`);
//! - `cargo xtask fuzz [--seconds N] [TARGET...]`: the libFuzzer targets in `fuzz/`, N seconds each;
//! - `cargo xtask reliability`: the long proofs (fuzzing, kill -9 rounds, XSS corpus, authorization
//!   table), written to `docs/RELIABILITY.md`;
//! - `cargo xtask distill`: regenerate the dense index's token tables in `models/`.

mod bench;
mod bench_peers;
mod bench_reports;
mod bench_server;
mod build;
mod cmd;
mod distill;
mod fuzz;
mod minify;
mod openapi;
mod precompress;
mod quality;
mod reliability;
mod run;
mod test;
mod tidy;
mod toolchain;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};

const USAGE: &str = "usage: cargo xtask <command>

commands:
  run [--addr ADDR]        set up, build and start the demo (default 127.0.0.1:8080)
  test [--only STAGE,...]  tidy, fmt, clippy, native tests, hnsw, OpenAPI, fuzz smoke, engine tests
                           in Chromium, end-to-end tests (--only: some of them, e.g. tidy,hnsw)
  tidy [--root DIR]        the architecture invariants that a program can check (in DIR, another
                           checkout, when given)
  openapi                  validate the OpenAPI document (openapi-spec-validator) and compile a
                           TypeScript client generated from it (openapi-typescript, tsc)
  screenshots              run the end-to-end tests that take screenshots, copy them to
                           docs/screenshots/
  dist                     release build of the web app into dist/ and of the answerdesk binary
  bench [engine|size|server|reports|widget|first-answer|peers]
                           benchmarks that print figures (engine and size when no name is given;
                           server: escalations/s under wrk, SQLite and DATABASE_URL's PostgreSQL;
                           first-answer: time to the first reply on throttled 4G and Fast 3G;
                           peers: beside MiniSearch, FlexSearch, Orama, Lunr and Fuse.js in
                           Chromium, rewrites docs/BENCHMARKS.md)
  fuzz [--seconds N] [TARGET...]
                           run each cargo-fuzz target N seconds (default 10): executions, crashes
  reliability [--fuzz-seconds N] [--crash-rounds N]
                           fuzzing (default 60 s per target), kill -9 rounds on SQLite and
                           PostgreSQL, XSS corpus, authorization table: rewrites docs/RELIABILITY.md
  distill                  regenerate the token tables in models/ (Python venv under target/)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match dispatch(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("\nxtask: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(args: &[String]) -> Result<()> {
    let Some((command, rest)) = args.split_first() else {
        println!("{USAGE}");
        return Ok(());
    };
    match command.as_str() {
        "run" => run::run(&run::Options::parse(rest)?),
        "test" => test::run(rest),
        "tidy" => match rest {
            [] => tidy::run(&project_root()),
            [flag, dir] if flag == "--root" => tidy::run(std::path::Path::new(dir)),
            _ => bail!("usage: cargo xtask tidy [--root DIR]"),
        },
        "openapi" => no_arguments(rest).and_then(|()| {
            let root = project_root();
            match openapi::check(&root, &mut cmd::Steps::new(3))? {
                (_, 0) => Ok(()),
                (_, failed) => bail!("{failed} of the 2 OpenAPI checks failed"),
            }
        }),
        "screenshots" => no_arguments(rest).and_then(|()| test::screenshots(&project_root())),
        "dist" => {
            let root = project_root();
            toolchain::ensure_web_tools(&root, &mut cmd::Steps::new(4))?;
            build::web_app(&root)?;
            build::answerdesk_release(&root)?;
            Ok(())
        }
        "bench" => bench::run(rest),
        "fuzz" => fuzz::run(rest),
        "reliability" => reliability::run(rest),
        "distill" => distill::run(&project_root()),
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown command `{other}`\n\n{USAGE}"),
    }
}

fn no_arguments(rest: &[String]) -> Result<()> {
    match rest.first() {
        Some(arg) => bail!("this command takes no arguments (got `{arg}`)"),
        None => Ok(()),
    }
}

/// The workspace root: xtask lives one level below it.
pub fn project_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
