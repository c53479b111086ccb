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
                let (_, snapshot) = crate::build::debug_demo(&root)?;
                size_report(&root, &snapshot)?;
            }
            "server" => crate::bench_server::run()?,
            "reports" => crate::bench_reports::run()?,
            "peers" => crate::bench_peers::run(&root)?,
            "first-answer" => {
                let mut steps = cmd::Steps::new(5);
                toolchain::ensure_web_tools(&root, &mut steps)?;
                toolchain::ensure_browser(&mut steps)?;
                crate::build::web_app(&root)?;
                first_answer(&root)?;
            }
            "widget" => {
                let mut steps = cmd::Steps::new(5);
                toolchain::ensure_web_tools(&root, &mut steps)?;
                crate::build::web_app(&root)?;
                widget_open(&root)?;
            }
            other => {
                bail!("unknown benchmark `{other}` (engine, size, server, reports, widget, first-answer, peers)")
            }
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
            .env("CHROMEDRIVER", cmd::which("chromedriver"))
            .env("WASM_BINDGEN_TEST_TIMEOUT", "600"),
        "The engine benchmark in Chromium failed.",
    )
}

/// Launcher click → input focused, in headless Chromium through the e2e harness
/// (`tests/examples/widget_open.rs`), against a debug `answerdesk serve` of the demo.
fn widget_open(root: &Path) -> Result<()> {
    let (answerdesk, snapshot) = crate::build::debug_demo(root)?;
    e2e_example(
        root,
        "widget_open",
        &answerdesk,
        &snapshot,
        &[],
        "The widget benchmark failed (is chromium installed? `cargo xtask test` installs it).",
    )
}

/// Runs `tests/examples/EXAMPLE.rs` through the e2e harness, against `answerdesk` serving
/// `snapshot` and the built `dist/`, with `env` besides.
fn e2e_example(
    root: &Path,
    example: &str,
    answerdesk: &Path,
    snapshot: &Path,
    env: &[(&str, String)],
    failure: &str,
) -> Result<()> {
    let mut command = Command::new(env!("CARGO"));
    command
        .args(["run", "--quiet", "-p", "e2e", "--example", example])
        .current_dir(root)
        .env("ANSWERDESK_BIN", answerdesk)
        .env("ANSWERDESK_DIST", root.join("dist"))
        .env("ANSWERDESK_SNAPSHOT", snapshot)
        .env("CHROMEDRIVER", cmd::which("chromedriver"))
        .envs(env.iter().map(|(k, v)| (k, v)));
    cmd::run(&mut command, failure)
}

/// Time to the assistant's first reply for a first-time visitor on throttled networks, in
/// headless Chromium (`tests/examples/first_answer.rs`), against a release `answerdesk serve` of the demo and of
/// the demo grown to 1,000 and 10,000 entries with generated product questions, each snapshot
/// compressed by `kb build` as the server sends it.
fn first_answer(root: &Path) -> Result<()> {
    let answerdesk = crate::build::answerdesk_release(root)?;
    let out = crate::build::target_dir(root)?
        .join("xtask")
        .join("first-answer");
    let mut snapshots = Vec::new();
    for entries in [None, Some(1_000), Some(10_000)] {
        let name = entries.map_or("demo".to_string(), |n| format!("{n} entries"));
        let snapshot = match entries {
            None => {
                let snapshot = out.join("demo.snapshot");
                crate::build::demo_snapshot(root, &answerdesk, &snapshot)?;
                size_report(root, &snapshot)?;
                snapshot
            }
            Some(n) => {
                let source = grown_demo(root, &out, n)?;
                let snapshot = out.join(format!("kb-{n}.snapshot"));
                crate::build::snapshot(root, &answerdesk, &source, &snapshot)?;
                snapshot
            }
        };
        snapshots.push(format!("{name}={}", snapshot.display()));
    }
    e2e_example(
        root,
        "first_answer",
        &answerdesk,
        &out.join("demo.snapshot"),
        &[("FIRST_ANSWER_SNAPSHOTS", snapshots.join(";"))],
        "The first-answer benchmark failed (is chromium installed? `cargo xtask test` installs it).",
    )
}

/// The demo knowledge base grown to `entries` with generated product questions (half English,
/// half Chinese, each about one product code): a shop's catalogue questions beside its policies.
pub(crate) fn grown_demo(root: &Path, out: &Path, entries: usize) -> Result<std::path::PathBuf> {
    let dir = out.join(format!("kb-{entries}"));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    for locale in ["en", "zh-CN"] {
        let from = root.join("examples/demo-kb").join(locale);
        let to = dir.join(locale);
        std::fs::create_dir_all(&to)?;
        for file in std::fs::read_dir(&from)? {
            let file = file?.path();
            if file.extension().is_some_and(|e| e == "yaml") {
                std::fs::copy(&file, to.join(file.file_name().unwrap_or_default()))?;
            }
        }
    }
    const ITEMS: [(&str, &str); 10] = [
        ("rain jacket", "雨衣"),
        ("backpack", "双肩包"),
        ("kettle", "电热水壶"),
        ("desk lamp", "台灯"),
        ("running shoe", "跑鞋"),
        ("yoga mat", "瑜伽垫"),
        ("water bottle", "水杯"),
        ("headphones", "耳机"),
        ("blender", "搅拌机"),
        ("duvet", "被子"),
    ];
    const COLOURS: [(&str, &str); 6] = [
        ("black", "黑色"),
        ("navy", "藏青色"),
        ("olive", "橄榄绿"),
        ("red", "红色"),
        ("white", "白色"),
        ("grey", "灰色"),
    ];
    // The demo's own entries (184) count toward the total.
    let mut lines = String::new();
    for i in 0..entries.saturating_sub(184) {
        let (item, item_zh) = ITEMS[i % ITEMS.len()];
        let (colour, colour_zh) = COLOURS[(i / ITEMS.len()) % COLOURS.len()];
        let code = format!("MM-{:05}", 10_000 + i * 7);
        let (question, alternates, answer, locale) = if i % 2 == 0 {
            (
                format!("What sizes does the {colour} {item} {code} come in?"),
                vec![
                    format!("{item} {code} sizes"),
                    format!("is the {colour} {item} {code} true to size"),
                ],
                format!("The {colour} {item} {code} comes in S, M, L and XL; its product page has the size guide."),
                "en",
            )
        } else {
            (
                format!("{colour_zh}{item_zh} {code} 有哪些尺寸？"),
                vec![
                    format!("{item_zh} {code} 尺码"),
                    format!("{code} {item_zh}偏大还是偏小"),
                ],
                format!("{colour_zh}{item_zh} {code} 有 S、M、L、XL 四个尺寸，商品页有尺码表。"),
                "zh-CN",
            )
        };
        lines.push_str(&serde_json::to_string(&serde_json::json!({
            "id": format!("product-{code}"),
            "question": question,
            "alternates": alternates,
            "answer": answer,
            "category": "products",
            "locale": locale,
        }))?);
        lines.push('\n');
    }
    std::fs::write(dir.join("catalogue.jsonl"), lines)?;
    Ok(dir)
}

/// What a visitor downloads that has a budget, in brotli bytes as the server sends them.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    /// The widget's wasm and JS glue (not the service worker, not the embed script).
    pub widget: usize,
    /// The one-script-tag embed (`embed.js`).
    pub embed: usize,
}

impl Sizes {
    /// One verdict per budget: whether it holds, and the line that says so.
    pub fn verdicts(&self) -> [(bool, String); 2] {
        budget_verdicts(self.widget, self.embed)
    }
}

/// Transfer sizes of what a visitor downloads: the brotli copies the build wrote beside each
/// file (`dist/NAME.br`, `kb.snapshot.br`), which the server sends to a browser that accepts
/// brotli; and of those, what arrives before the first answer: the page, the app, and the
/// snapshot up to the end of its core. Prints the figures and each budget's verdict; returns
/// the budgeted sizes, which `cargo xtask test` holds to their budgets.
pub fn size_report(root: &Path, snapshot: &Path) -> Result<Sizes> {
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
    let mut page = 0;
    for file in &files {
        let raw = std::fs::metadata(file)?.len() as usize;
        // No copy: the file was not worth compressing and goes out as it is.
        let compressed =
            std::fs::metadata(with_suffix(file, ".br")).map_or(raw, |m| m.len() as usize);
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        if name.ends_with(".wasm")
            || (name.ends_with(".js") && name != "embed.js" && name != "sw.js")
        {
            wasm_js += compressed;
        }
        if name == "index.html" || name.ends_with(".css") {
            page += compressed;
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
    let raw =
        std::fs::read(snapshot).with_context(|| format!("cannot read {}", snapshot.display()))?;
    let sent = std::fs::read(with_suffix(snapshot, ".br")).with_context(|| {
        format!(
            "cannot read {}.br (written by kb build)",
            snapshot.display()
        )
    })?;
    let core_end = engine::Snapshot::core_end(&raw)
        .with_context(|| format!("{} is not a snapshot", snapshot.display()))?;
    let core_sent = wire_bytes_until(&sent, core_end)?;
    println!(
        "      {:<44} {:>9} B raw {:>9} B brotli",
        "demo snapshot",
        raw.len(),
        sent.len()
    );
    println!(
        "      {:<44} {:>9} B raw {:>9} B brotli (the stream up to the core's end)",
        "  of it, the core (answers from here)", core_end, core_sent
    );
    println!(
        "      {:<44} {:>9} B brotli (index.html + CSS + app + the snapshot's core)",
        "before the first answer",
        page + wasm_js + core_sent
    );
    println!(
        "      {:<44} {:>9} B brotli",
        "whole first visit",
        page + wasm_js + sent.len()
    );
    let sizes = Sizes {
        widget: wasm_js,
        embed,
    };
    for (_, line) in sizes.verdicts() {
        println!("      {line}");
    }
    Ok(sizes)
}

/// `path` with `suffix` appended to its file name.
fn with_suffix(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    name.into()
}

/// How many bytes of the brotli stream `compressed` a browser must have received before it has
/// decoded `wanted` bytes (to the next KiB): a decoder hands out what it decoded at the end of
/// each meta-block, which `kb build` ends where a snapshot's core ends.
fn wire_bytes_until(compressed: &[u8], wanted: usize) -> Result<usize> {
    /// Hands the stream to the decoder a KiB at a time, counting.
    struct Arriving<'a> {
        stream: &'a [u8],
        at: usize,
    }
    impl std::io::Read for Arriving<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(1024).min(self.stream.len() - self.at);
            buf[..n].copy_from_slice(&self.stream[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }
    let mut decoder = brotli::Decompressor::new(
        Arriving {
            stream: compressed,
            at: 0,
        },
        1024,
    );
    let mut decoded = 0;
    let mut buf = vec![0; 1 << 16];
    while decoded < wanted {
        let n = std::io::Read::read(&mut decoder, &mut buf)?;
        if n == 0 {
            anyhow::bail!("the brotli stream decodes to fewer than {wanted} bytes");
        }
        decoded += n;
    }
    Ok(decoder.get_ref().at)
}

/// Issue 4's budgets for what a visitor downloads, in brotli bytes: the widget's wasm + JS
/// before the snapshot, and the one-script-tag embed.
const WIDGET_BUDGET: usize = 160 * 1024;
const EMBED_BUDGET: usize = 4 * 1000;

/// One verdict per budget: whether it holds, and a line with the figure and the limit.
fn budget_verdicts(wasm_js: usize, embed: usize) -> [(bool, String); 2] {
    let verdict = |size: usize, budget: usize| {
        if size <= budget {
            "within budget"
        } else {
            "OVER BUDGET"
        }
    };
    let margin = (WIDGET_BUDGET as f64 - wasm_js as f64) / 1024.0;
    [
        (
            wasm_js <= WIDGET_BUDGET,
            format!(
                "budget: widget wasm + JS {:.1} KiB of {} KiB: {} ({:.1} KiB {})",
                wasm_js as f64 / 1024.0,
                WIDGET_BUDGET / 1024,
                verdict(wasm_js, WIDGET_BUDGET),
                margin.abs(),
                if margin >= 0.0 { "to spare" } else { "over" }
            ),
        ),
        (
            embed <= EMBED_BUDGET,
            format!(
                "budget: embed.js {:.1} KB of {} KB: {}",
                embed as f64 / 1000.0,
                EMBED_BUDGET / 1000,
                verdict(embed, EMBED_BUDGET)
            ),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_bytes_before_a_prefix_decodes_are_counted_from_the_stream() {
        // Text first, then bytes that do not compress: the text's end arrives early.
        let mut raw: Vec<u8> = "how long does delivery take? ".repeat(2000).into_bytes();
        let text_end = raw.len();
        let mut x: u32 = 1;
        raw.extend((0..200_000).map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        }));
        // Flushed where the text ends, as `kb build` flushes where a snapshot's core ends.
        let mut writer = brotli::CompressorWriter::new(Vec::new(), 4096, 9, 22);
        std::io::Write::write_all(&mut writer, &raw[..text_end]).unwrap();
        std::io::Write::flush(&mut writer).unwrap();
        std::io::Write::write_all(&mut writer, &raw[text_end..]).unwrap();
        let compressed = writer.into_inner();
        let early = wire_bytes_until(&compressed, text_end).unwrap();
        assert!(early < 20_000, "{early} of {} bytes", compressed.len());
        assert!(wire_bytes_until(&compressed, raw.len()).unwrap() > 190_000);
        assert!(wire_bytes_until(&compressed, raw.len() + 1).is_err());
    }

    #[test]
    fn budget_verdicts_say_within_or_over() {
        let [widget, embed] = budget_verdicts(150 * 1024, 2_100);
        assert_eq!(
            widget,
            (
                true,
                "budget: widget wasm + JS 150.0 KiB of 160 KiB: within budget (10.0 KiB to spare)"
                    .to_string()
            )
        );
        assert_eq!(
            embed,
            (
                true,
                "budget: embed.js 2.1 KB of 4 KB: within budget".to_string()
            )
        );
        let [widget, embed] = budget_verdicts(161 * 1024, 4_001);
        assert!(
            !widget.0 && widget.1.contains("OVER BUDGET (1.0 KiB over)"),
            "{widget:?}"
        );
        assert!(!embed.0 && embed.1.contains("OVER BUDGET"), "{embed:?}");
        // A budget holds up to and including its last byte.
        assert!(budget_verdicts(160 * 1024, 4_000).iter().all(|(ok, _)| *ok));
    }
}
