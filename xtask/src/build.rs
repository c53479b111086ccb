//! Builds shared by `run`, `test`, `dist` and `bench`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::{cmd, minify, precompress, toolchain};

/// Cargo's target directory (honours `CARGO_TARGET_DIR`, which CI points outside the clone).
pub fn target_dir(root: &Path) -> Result<PathBuf> {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(root)
        .output()
        .context("cannot run cargo metadata")?;
    let meta: serde_json::Value =
        serde_json::from_slice(&out.stdout).context("cargo metadata printed no JSON")?;
    meta["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .context("cargo metadata has no target_directory")
}

/// The two web apps, both with the size-optimized `wasm-release` profile (Trunk.toml): the
/// visitor's into `dist/`, then the agent workbench (`agent.html`) into `dist/agent/`, served
/// under `/agent/`. Visitors never download the workbench. The visitor's build goes first
/// because Trunk empties its `dist/`, the workbench's folder included. Then the apps' JavaScript
/// glue is minified ([`minify`]) and every text and wasm file gets its brotli and gzip copy
/// ([`precompress`]), which the server sends.
pub fn web_app(root: &Path) -> Result<()> {
    // Trunk.toml sets offline = true (it must never download tools), which passes --offline to
    // cargo: fetch the locked dependencies first.
    cmd::run(
        Command::new(env!("CARGO"))
            .args(["fetch", "--locked"])
            .current_dir(root),
        "Cargo.lock may be out of date: run `cargo update -w` and commit it.",
    )?;
    for target in [
        &["build", "--release"][..],
        // The HTML target comes before `--release`, whose optional value would swallow it.
        &[
            "build",
            "agent.html",
            "--release",
            "--dist",
            "dist/agent",
            "--public-url",
            "/agent/",
        ],
    ] {
        let mut trunk = Command::new("trunk");
        trunk
            .args(target)
            .current_dir(root)
            .env("PATH", toolchain::tool_path(root))
            .env("TRUNK_SKIP_VERSION_CHECK", "true");
        cmd::run(
            &mut trunk,
            "See the errors above: a compile error in app/, or a tool Trunk could not find.",
        )?;
    }
    let minified = minify::dist(root, &root.join("dist"))?;
    println!("    minified {minified} JavaScript file(s) of dist/ (esbuild), re-pinned the pages");
    let compressed = precompress::dist(&root.join("dist"))?;
    println!("    compressed {compressed} file(s) of dist/ (brotli .br, gzip .gz)");
    Ok(())
}

/// The `answerdesk` binary, release profile.
pub fn answerdesk_release(root: &Path) -> Result<PathBuf> {
    cmd::run(
        Command::new(env!("CARGO"))
            .args(["build", "--release", "--package", "cli"])
            .current_dir(root),
        "The answerdesk binary did not compile.",
    )?;
    Ok(target_dir(root)?.join("release").join("answerdesk"))
}

/// The `answerdesk` binary, debug profile: what the end-to-end tests, the fuzz targets' snapshot
/// and the OpenAPI checks run.
pub fn answerdesk_debug(root: &Path) -> Result<PathBuf> {
    cmd::run(
        Command::new(env!("CARGO"))
            .args(["build", "--package", "cli"])
            .current_dir(root),
        "The answerdesk binary did not compile.",
    )?;
    Ok(target_dir(root)?.join("debug").join("answerdesk"))
}

/// The debug `answerdesk` and the demo snapshot it compiles (`target/xtask/demo.snapshot`).
pub fn debug_demo(root: &Path) -> Result<(PathBuf, PathBuf)> {
    let answerdesk = answerdesk_debug(root)?;
    let snapshot = target_dir(root)?.join("xtask").join("demo.snapshot");
    demo_snapshot(root, &answerdesk, &snapshot)?;
    Ok((answerdesk, snapshot))
}

/// Compiles the bundled demo knowledge base.
pub fn demo_snapshot(root: &Path, answerdesk: &Path, output: &Path) -> Result<()> {
    snapshot(root, answerdesk, &root.join("examples/demo-kb"), output)
}

/// Compiles the knowledge base at `source` with `answerdesk kb build` (which also writes the
/// snapshot's compressed copies beside it).
pub fn snapshot(root: &Path, answerdesk: &Path, source: &Path, output: &Path) -> Result<()> {
    cmd::run(
        Command::new(answerdesk)
            .args(["kb", "build"])
            .arg(source)
            .arg("--output")
            .arg(output)
            .current_dir(root),
        &format!("The knowledge base {} did not compile.", source.display()),
    )
}
