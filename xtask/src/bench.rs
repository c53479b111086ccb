//! `cargo xtask bench`: figures, not pass/fail.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::{cmd, project_root, toolchain};

pub fn run(args: &[String]) -> Result<()> {
    let root = project_root();
    let which: Vec<&str> = if args.is_empty() {
        vec!["engine", "size"]
    } else {
        args.iter().map(String::as_str).collect()
    };
    for name in which {
        match name {
            "engine" => engine(&root)?,
            "size" => {
                let mut steps = cmd::Steps::new(5);
                toolchain::ensure_web_tools(&root, &mut steps)?;
                crate::build::web_app(&root)?;
                size_report(&root)?;
            }
            "server" => crate::bench_server::run()?,
            "widget" => {
                let mut steps = cmd::Steps::new(5);
                toolchain::ensure_web_tools(&root, &mut steps)?;
                crate::build::web_app(&root)?;
                widget_open(&root)?;
            }
            other => bail!("unknown benchmark `{other}` (engine, size, server, widget)"),
        }
    }
    Ok(())
}

/// The size of the knowledge base the browser half runs on.
const BROWSER_ENTRIES: usize = 10_000;

/// `cargo bench -p engine` (criterion, plus p50/p99 per size), then the same queries over
/// its 10k-entry snapshot in headless Chromium (`engine/tests/browser_bench.rs`).
fn engine(root: &Path) -> Result<()> {
    let out = crate::build::target_dir(root)?.join("engine-bench");
    cmd::run(
        Command::new(env!("CARGO"))
            .args(["bench", "-p", "engine"])
            .current_dir(root)
            .env("ENGINE_BENCH_OUT", &out),
        "The engine benchmarks failed.",
    )?;
    let snapshot = out.join(format!("kb-{BROWSER_ENTRIES}.snapshot"));
    if !snapshot.exists() {
        println!(
            "    no {} (ENGINE_BENCH_SIZES left out {BROWSER_ENTRIES}?): skipping the browser run",
            snapshot.display()
        );
        return Ok(());
    }
    let mut steps = cmd::Steps::new(3);
    let versions = toolchain::Versions::load(root)?;
    toolchain::ensure_wasm_target(&mut steps)?;
    toolchain::ensure_wasm_bindgen(root, &mut steps, &versions)?;
    toolchain::ensure_browser(&mut steps)?;
    let chromedriver = cmd::output_of("which", &["chromedriver"])
        .map(|p| p.trim().to_string())
        .unwrap_or_else(|| "chromedriver".into());
    cmd::run(
        Command::new(env!("CARGO"))
            .args([
                "test",
                "-p",
                "engine",
                "--release",
                "--target",
                "wasm32-unknown-unknown",
                "--features",
                "browser-bench",
                "--test",
                "browser_bench",
                "--",
                "--nocapture",
            ])
            .current_dir(root)
            .env("ENGINE_BENCH_SNAPSHOT", &snapshot)
            .env("ENGINE_BENCH_ENTRIES", BROWSER_ENTRIES.to_string())
            .env("PATH", toolchain::tool_path(root))
            .env("CHROMEDRIVER", chromedriver)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "600"),
        "The engine benchmark in Chromium failed.",
    )
}

/// Launcher click → input focused, in headless Chromium through the e2e harness
/// (`tests/examples/widget_open.rs`), against a debug `answerdesk serve` of the demo.
fn widget_open(root: &Path) -> Result<()> {
    let (answerdesk, snapshot) = crate::build::debug_demo(root)?;
    let chromedriver = cmd::output_of("which", &["chromedriver"])
        .map(|p| p.trim().to_string())
        .unwrap_or_else(|| "chromedriver".into());
    cmd::run(
        Command::new(env!("CARGO"))
            .args(["run", "--quiet", "-p", "e2e", "--example", "widget_open"])
            .current_dir(root)
            .env("ANSWERDESK_BIN", &answerdesk)
            .env("ANSWERDESK_DIST", root.join("dist"))
            .env("ANSWERDESK_SNAPSHOT", &snapshot)
            .env("CHROMEDRIVER", chromedriver),
        "The widget benchmark failed (is chromium installed? `cargo xtask test` installs it).",
    )
}

/// Transfer sizes of what a visitor downloads: the brotli copies the build wrote beside each
/// file (`dist/NAME.br`), which the server sends to a browser that accepts brotli.
pub fn size_report(root: &Path) -> Result<()> {
    let dist = root.join("dist");
    let mut files: Vec<_> = std::fs::read_dir(&dist)
        .with_context(|| format!("cannot read {}", dist.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("wasm" | "js" | "css" | "html")
            )
        })
        .collect();
    files.sort();
    println!("\n    size report (as sent: dist/NAME.br, brotli -q 11)");
    let mut wasm_js = 0;
    let mut embed = 0;
    for file in &files {
        let raw = std::fs::metadata(file)?.len() as usize;
        let mut sent = file.clone().into_os_string();
        sent.push(".br");
        // No copy: the file was not worth compressing and goes out as it is.
        let compressed = std::fs::metadata(&sent).map_or(raw, |m| m.len() as usize);
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        if name.ends_with(".wasm")
            || (name.ends_with(".js") && name != "embed.js" && name != "sw.js")
        {
            wasm_js += compressed;
        }
        if name == "embed.js" {
            embed = compressed;
        }
        println!(
            "      {:<44} {:>9} B raw {:>9} B brotli",
            name, raw, compressed
        );
    }
    println!(
        "      {:<44} {:>9} KiB brotli (app wasm + JS, before the snapshot)",
        "total",
        format!("{:.1}", wasm_js as f64 / 1024.0)
    );
    for line in budget_verdicts(wasm_js, embed) {
        println!("      {line}");
    }
    Ok(())
}

/// Issue 4's budgets for what a visitor downloads, in brotli bytes: the widget's wasm + JS
/// before the snapshot, and the one-script-tag embed.
const WIDGET_BUDGET: usize = 160 * 1024;
const EMBED_BUDGET: usize = 4 * 1000;

/// One line per budget: the figure, the limit, and whether it holds.
fn budget_verdicts(wasm_js: usize, embed: usize) -> [String; 2] {
    let verdict = |size: usize, budget: usize| {
        if size <= budget {
            "within budget"
        } else {
            "OVER BUDGET"
        }
    };
    let margin = (WIDGET_BUDGET as f64 - wasm_js as f64) / 1024.0;
    [
        format!(
            "budget: widget wasm + JS {:.1} KiB of {} KiB: {} ({:.1} KiB {})",
            wasm_js as f64 / 1024.0,
            WIDGET_BUDGET / 1024,
            verdict(wasm_js, WIDGET_BUDGET),
            margin.abs(),
            if margin >= 0.0 { "to spare" } else { "over" }
        ),
        format!(
            "budget: embed.js {:.1} KB of {} KB: {}",
            embed as f64 / 1000.0,
            EMBED_BUDGET / 1000,
            verdict(embed, EMBED_BUDGET)
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_verdicts_say_within_or_over() {
        let [widget, embed] = budget_verdicts(150 * 1024, 2_100);
        assert_eq!(
            widget,
            "budget: widget wasm + JS 150.0 KiB of 160 KiB: within budget (10.0 KiB to spare)"
        );
        assert_eq!(embed, "budget: embed.js 2.1 KB of 4 KB: within budget");
        let [widget, embed] = budget_verdicts(161 * 1024, 4_001);
        assert!(widget.contains("OVER BUDGET (1.0 KiB over)"), "{widget}");
        assert!(embed.contains("OVER BUDGET"), "{embed}");
    }
}
