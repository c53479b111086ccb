//! `cargo xtask bench peers`: Answerdesk beside the browser search libraries a site might use
//! instead (MiniSearch, FlexSearch, Orama, Lunr, Fuse.js, pinned in `bench/package.json`), in
//! the same headless Chromium page, on every shared dataset and the demo; rewrites
//! `docs/BENCHMARKS.md` and its two plots.
//!
//! Every library gets the same entries (those `kb build` read, taken from our snapshot, so the
//! demo's Markdown articles are the same passages for all), is configured as its documentation
//! suggests (`bench/page/adapters/`), and is scored with `kb eval`'s definitions
//! (`bench/page/runner.js`). Bytes shipped are what the page downloads for it: the library's
//! bundle and the entries as JSON, or our engine's wasm, its glue and the snapshot.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use crate::{build, cmd, precompress, toolchain};

/// The libraries: the page's adapter name, the name people know, the npm package.
const LIBS: [(&str, &str, &str); 6] = [
    ("answerdesk", "Answerdesk", ""),
    ("minisearch", "MiniSearch", "minisearch"),
    ("flexsearch", "FlexSearch", "flexsearch"),
    ("orama", "Orama", "@orama/orama"),
    ("lunr", "Lunr", "lunr"),
    ("fuse", "Fuse.js", "fuse.js"),
];

/// The knowledge bases scored for quality: name, source, scored queries, validation queries.
const SETS: [(&str, &str, &str, Option<&str>); 4] = [
    (
        "banking77",
        "../shared/datasets/banking77/kb.jsonl",
        "../shared/datasets/banking77/queries.jsonl",
        None,
    ),
    (
        "banking77_5shot",
        "../shared/datasets/banking77_5shot/kb.jsonl",
        "../shared/datasets/banking77_5shot/queries.jsonl",
        None,
    ),
    (
        "massive_zh",
        "../shared/datasets/massive_zh/kb.jsonl",
        "../shared/datasets/massive_zh/queries.jsonl",
        Some("../shared/datasets/massive_zh/queries_val.jsonl"),
    ),
    (
        "demo",
        "examples/demo-kb",
        "examples/demo-queries.jsonl",
        None,
    ),
];

/// The demo grown with generated catalogue entries, for latency against size.
const GROWN: [usize; 2] = [1_000, 10_000];

const QUESTION: &str = "How long does shipping take?";

pub fn run(root: &Path) -> Result<()> {
    let out = build::target_dir(root)?.join("xtask").join("peers");
    let figures = out.join("figures.json");
    // Prose edits need no new measurements: render the last run's figures again.
    if std::env::var_os("PEERS_DOCS_ONLY").is_some() {
        let measured: Value = serde_json::from_str(
            &std::fs::read_to_string(&figures)
                .with_context(|| format!("no figures yet in {}", figures.display()))?,
        )?;
        return write_docs(root, &out.join("site"), &measured);
    }
    let mut steps = cmd::Steps::new(6);
    let versions = toolchain::Versions::load(root)?;
    toolchain::ensure_wasm_target(&mut steps)?;
    toolchain::ensure_wasm_bindgen(root, &mut steps, &versions)?;
    toolchain::ensure_wasm_opt(root, &mut steps, &versions)?;
    toolchain::ensure_browser(&mut steps)?;
    steps.start("the peer libraries (bench/package-lock.json)");
    toolchain::ensure_npm_packages(&root.join("bench"))?;
    steps.start("our engine for the page (bench/engine-js, wasm-release)");

    let site = out.join("site");
    if site.exists() {
        std::fs::remove_dir_all(&site)?;
    }
    std::fs::create_dir_all(site.join("lib"))?;
    engine_wasm(root, &out, &site)?;
    bundles(root, &out, &site)?;
    for file in ["index.html", "runner.js"] {
        std::fs::copy(root.join("bench/page").join(file), site.join(file))?;
    }

    let answerdesk = build::answerdesk_release(root)?;
    let mut kb_build_s: Vec<(String, Value)> = Vec::new();
    for (name, source, queries, val) in SETS {
        let source = root.join(source);
        if !source.exists() {
            bail!(
                "{} is missing (the shared datasets belong beside the project)",
                source.display()
            );
        }
        let seconds = data(
            root,
            &answerdesk,
            &site,
            name,
            &source,
            &root.join(queries),
            val.map(|v| root.join(v)).as_deref(),
        )?;
        kb_build_s.push((name.to_string(), json!(seconds)));
    }
    for n in GROWN {
        let source = crate::bench::grown_demo(root, &out, n)?;
        let name = format!("demo-{n}");
        let queries = root.join("examples/demo-queries.jsonl");
        let seconds = data(root, &answerdesk, &site, &name, &source, &queries, None)?;
        kb_build_s.push((name, json!(seconds)));
    }
    let compressed = precompress::dist(&site)?;
    println!("    compressed {compressed} file(s) of the page (brotli .br, gzip .gz)");

    let mut sets: Vec<String> = SETS.iter().map(|s| s.0.to_string()).collect();
    sets.extend(GROWN.iter().map(|n| format!("demo-{n}")));
    // `PEERS_LIBS=lunr,fuse`: measure only these again, keeping the last run's other figures.
    let only: Option<Vec<String>> = std::env::var("PEERS_LIBS")
        .ok()
        .map(|v| v.split(',').map(str::to_string).collect());
    let libs: Vec<&str> = LIBS
        .iter()
        .map(|l| l.0)
        .filter(|l| only.as_ref().is_none_or(|o| o.iter().any(|x| x == l)))
        .collect();
    let fresh = out.join("figures-fresh.json");
    let mut command = Command::new(env!("CARGO"));
    command
        .args(["run", "--quiet", "-p", "e2e", "--example", "peers"])
        .current_dir(root)
        .env("ANSWERDESK_BIN", &answerdesk)
        .env("ANSWERDESK_DIST", &site)
        .env("ANSWERDESK_SNAPSHOT", site.join("data/demo/kb.snapshot"))
        .env("CHROMEDRIVER", cmd::which("chromedriver"))
        .env("PEERS_LIBS", libs.join(","))
        .env("PEERS_SETS", sets.join(","))
        .env("PEERS_FIRST_SET", "demo")
        .env("PEERS_QUESTION", QUESTION)
        .env("PEERS_OUT", &fresh);
    cmd::run(&mut command, "The peer benchmark failed in Chromium.")?;
    let mut measured: Value = serde_json::from_str(&std::fs::read_to_string(&fresh)?)?;
    if only.is_some() {
        let last: Value = serde_json::from_str(
            &std::fs::read_to_string(&figures)
                .context("PEERS_LIBS needs a complete earlier run")?,
        )?;
        for key in ["runs", "first_answer"] {
            let kept = last[key]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|r| !libs.iter().any(|l| r["lib"] == *l));
            let mut merged: Vec<Value> = kept.cloned().collect();
            merged.extend(measured[key].as_array().into_iter().flatten().cloned());
            measured[key] = Value::Array(merged);
        }
    }
    measured["kb_build_s"] = kb_build_s.into_iter().collect();
    std::fs::write(&figures, serde_json::to_string_pretty(&measured)?)?;
    write_docs(root, &site, &measured)
}

/// `bench/engine-js` for wasm32 with the widget's profile, through wasm-bindgen (`--target web`)
/// and wasm-opt -Oz as Trunk treats the widget: `site/lib/engine_js_bg.wasm` and the glue in
/// `out/engine-js/`, which the adapter's bundle takes in.
fn engine_wasm(root: &Path, out: &Path, site: &Path) -> Result<()> {
    cmd::run(
        Command::new(env!("CARGO"))
            .args([
                "build",
                "-p",
                "engine-js",
                "--target",
                "wasm32-unknown-unknown",
                "--profile",
                "wasm-release",
            ])
            .current_dir(root),
        "bench/engine-js did not compile for wasm32.",
    )?;
    let wasm = build::target_dir(root)?.join("wasm32-unknown-unknown/wasm-release/engine_js.wasm");
    let glue = out.join("engine-js");
    cmd::run(
        Command::new("wasm-bindgen")
            .arg(&wasm)
            .args(["--target", "web", "--no-typescript", "--out-dir"])
            .arg(&glue)
            .env("PATH", toolchain::tool_path(root)),
        "wasm-bindgen failed on bench/engine-js.",
    )?;
    cmd::run(
        Command::new("wasm-opt")
            .arg(glue.join("engine_js_bg.wasm"))
            .args([
                "-Oz",
                "--enable-simd",
                "--enable-bulk-memory",
                "--enable-nontrapping-float-to-int",
                "--enable-sign-ext",
                "--enable-mutable-globals",
                "--enable-multivalue",
                "--enable-reference-types",
                "-o",
            ])
            .arg(site.join("lib/engine_js_bg.wasm"))
            .env("PATH", toolchain::tool_path(root)),
        "wasm-opt failed on bench/engine-js.",
    )
}

/// One minified ES module per library: the adapter with the library in it (`site/lib/NAME.js`).
fn bundles(root: &Path, out: &Path, site: &Path) -> Result<()> {
    let bench = root.join("bench");
    for (lib, _, _) in LIBS {
        let mut esbuild = Command::new(bench.join("node_modules/.bin/esbuild"));
        esbuild
            .arg(format!("page/adapters/{lib}.js"))
            .args([
                "--bundle",
                "--format=esm",
                "--minify",
                "--target=es2022",
                "--log-level=warning",
            ])
            .arg(format!(
                "--outfile={}",
                site.join("lib").join(format!("{lib}.js")).display()
            ))
            .current_dir(&bench);
        if lib == "answerdesk" {
            esbuild.arg(format!(
                "--alias:answerdesk-engine={}",
                out.join("engine-js/engine_js.js").display()
            ));
        }
        cmd::run(&mut esbuild, "esbuild could not bundle a peer's adapter.")?;
    }
    Ok(())
}

/// The knowledge base `name` for the page: its snapshot (with the compressed copies `kb build`
/// writes), its entries as JSON, its scored queries and validation queries. Returns the seconds
/// `kb build` took.
fn data(
    root: &Path,
    answerdesk: &Path,
    site: &Path,
    name: &str,
    source: &Path,
    queries: &Path,
    val: Option<&Path>,
) -> Result<f64> {
    let dir = site.join("data").join(name);
    std::fs::create_dir_all(&dir)?;
    let snapshot = dir.join("kb.snapshot");
    let started = Instant::now();
    build::snapshot(root, answerdesk, source, &snapshot)?;
    let seconds = started.elapsed().as_secs_f64();
    let bytes = std::fs::read(&snapshot)?;
    let engine = engine::Engine::from_bytes(&bytes)
        .map_err(|e| anyhow::anyhow!("{}: {e}", snapshot.display()))?;
    let entries: Vec<Value> = engine
        .entries()
        .iter()
        .map(|e| {
            json!({
                "id": e.id,
                "question": e.question,
                "alternates": e.alternates,
                "answer": e.answer_text,
            })
        })
        .collect();
    std::fs::write(dir.join("entries.json"), serde_json::to_string(&entries)?)?;
    std::fs::write(dir.join("queries.json"), jsonl_to_json(queries)?)?;
    if let Some(val) = val {
        std::fs::write(dir.join("val.json"), jsonl_to_json(val)?)?;
    }
    Ok(seconds)
}

fn jsonl_to_json(path: &Path) -> Result<String> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let lines: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()
        .with_context(|| format!("{} is not JSON Lines", path.display()))?;
    Ok(serde_json::to_string(&lines)?)
}

/// Raw, gzip and brotli bytes of `files` as the server sends them (the `.gz` / `.br` copy beside
/// a file, or the file itself when compressing did not pay).
fn shipped(files: &[PathBuf]) -> Result<[u64; 3]> {
    let mut total = [0; 3];
    for file in files {
        let raw = std::fs::metadata(file)
            .with_context(|| format!("cannot read {}", file.display()))?
            .len();
        let copy = |suffix: &str| {
            let mut name = file.clone().into_os_string();
            name.push(suffix);
            std::fs::metadata(PathBuf::from(name)).map_or(raw, |m| m.len())
        };
        total[0] += raw;
        total[1] += copy(".gz");
        total[2] += copy(".br");
    }
    Ok(total)
}

fn bytes_of(site: &Path, lib: &str, set: &str) -> Result<[u64; 3]> {
    let data = site.join("data").join(set);
    let mut files = vec![site.join("lib").join(format!("{lib}.js"))];
    if lib == "answerdesk" {
        files.push(site.join("lib/engine_js_bg.wasm"));
        files.push(data.join("kb.snapshot"));
    } else {
        files.push(data.join("entries.json"));
    }
    shipped(&files)
}

fn version_of(root: &Path, package: &str) -> String {
    if package.is_empty() {
        let commit = cmd::output_of("git", &["rev-parse", "--short", "HEAD"]).unwrap_or_default();
        return format!("{} ({})", env!("CARGO_PKG_VERSION"), commit.trim());
    }
    std::fs::read_to_string(
        root.join("bench/node_modules")
            .join(package)
            .join("package.json"),
    )
    .ok()
    .and_then(|t| serde_json::from_str::<Value>(&t).ok())
    .and_then(|v| v["version"].as_str().map(str::to_string))
    .unwrap_or_else(|| "?".into())
}

/// One library's figures on one set.
struct Row {
    lib: &'static str,
    name: &'static str,
    version: String,
    run: Value,
    bytes: [u64; 3],
}

fn f(run: &Value, key: &str) -> Option<f64> {
    run[key].as_f64()
}

fn ratio(v: Option<f64>) -> String {
    v.map_or("n/a".into(), |v| format!("{v:.3}"))
}

fn kb(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1024.0)
}

fn write_docs(root: &Path, site: &Path, measured: &Value) -> Result<()> {
    let runs = measured["runs"].as_array().context("no runs")?;
    let run_of = |lib: &str, set: &str| {
        runs.iter()
            .find(|r| r["lib"] == lib && r["set"] == set)
            .cloned()
            .unwrap_or(Value::Null)
    };
    let rows = |set: &str| -> Result<Vec<Row>> {
        LIBS.iter()
            .map(|&(lib, name, package)| {
                Ok(Row {
                    lib,
                    name,
                    version: version_of(root, package),
                    run: run_of(lib, set),
                    bytes: bytes_of(site, lib, set)?,
                })
            })
            .collect()
    };
    let chromium = cmd::output_of("chromium", &["--version"]).unwrap_or_default();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|m| m.trim_start_matches([' ', '\t', ':']).to_string())
            })
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let date = cmd::output_of("date", &["-u", "+%Y-%m-%d"]).unwrap_or_default();

    let mut md = String::new();
    let _ = writeln!(
        md,
        "# Answerdesk beside the browser search libraries\n\n\
         Rewritten by `cargo xtask bench peers` ({}, {cores} cores of a shared {cpu}, {}). \
         Figures from one run; latencies move by tens of percent between runs on a shared machine.\n",
        date.trim(),
        chromium.trim()
    );
    md.push_str(
        "## How it is measured\n\n\
         - **One page, one browser.** Every library runs in the same headless Chromium page \
         (`bench/page/`), served by `answerdesk serve` with brotli as a widget is; one fresh page \
         per library and knowledge base. Our engine is `bench/engine-js`: the engine's query side \
         compiled with the widget's `wasm-release` profile, wasm-bindgen and `wasm-opt -Oz`, \
         loading the snapshot `answerdesk kb build` made.\n\
         - **The same entries.** Each peer indexes the entries of our snapshot (question, \
         alternates, answer text) from a JSON file, the demo's Markdown articles as the same \
         passages. Each is configured as its documentation suggests for a search box, with its \
         Chinese tokenizer where it has one (`bench/page/adapters/`, one file per library, with \
         the reasons): MiniSearch and FlexSearch with `Intl.Segmenter` words (FlexSearch's own CJK \
         charset splits English into characters, and ranked lower on massive_zh's validation \
         queries), Orama with `@orama/tokenizers/mandarin`, Lunr with `lunr-languages`' `zh` \
         (beside `en` on the bilingual demo); Fuse.js matches characters in any script.\n\
         - **Quality** as `answerdesk kb eval` defines it (`cli/src/eval.rs`): top-1, recall@5 \
         and MRR@10 over the in-scope queries of `queries.jsonl`. Escalation recall is the share \
         of out-of-scope queries sent to a person, and balanced the mean of in-scope accuracy \
         (right entry first and not escalated) and escalation recall. Answerdesk decides with the \
         thresholds its snapshot calibrated on the knowledge base alone. A peer escalates when its \
         best score is under a threshold chosen for the best balanced accuracy on \
         `queries_val.jsonl`, never on the scored queries; only massive_zh has such a split, so \
         elsewhere a peer's escalation is n/a (BANKING77 has no out-of-scope queries). FlexSearch \
         returns no scores at all.\n\
         - **Index build** is the time to build the index in the page from the downloaded \
         entries. Answerdesk builds nothing in the browser: its figure is the time to load the \
         snapshot; `kb build` ran ahead of time (seconds given under each table).\n\
         - **Bytes shipped** are what the page downloads for a library: its minified bundle \
         (esbuild, the adapter included) and the entries as JSON; for Answerdesk the wasm, its \
         JavaScript glue and the snapshot. Raw, gzip -9 and brotli -q 11, as the server sends \
         them (the runner page itself is the same for all and not counted).\n\
         - **Query p50/p99** per query, in the page, with `performance.now()` (coarsened to \
         100 µs, so a fast query is repeated for at least 2 ms and the mean taken). \
         Answerdesk's time is `Engine::ask`, the widget's call, which ranks and decides; a \
         peer's is its search for 10 results. A library slower than 20 ms a query is scored on \
         an evenly spaced sample of about 300 queries (the table says so).\n\
         - **First answer**: a fresh browser with its cache disabled and the network throttled \
         as in `cargo xtask bench first-answer` (4G: 9 Mbit/s, 60 ms; Fast 3G: 1.6 Mbit/s, \
         150 ms), from navigation start to the best entry for \"How long does shipping take?\" \
         on the demo: the page, the library and the data downloaded, the index built (ours: the \
         snapshot loaded), the question searched. Median of 3. This is the engine alone in a \
         bare page, and it downloads the whole snapshot before answering (the demo's carries a \
         dense token table); the widget answers from the snapshot's core as soon as it arrives, \
         and its own figure, its Leptos app included, is in the README.\n\n",
    );

    let mut quality_points = Vec::new();
    for (set, ..) in SETS {
        let rows = rows(set)?;
        let _ = writeln!(md, "## {set}\n");
        let _ = writeln!(
            md,
            "| library | version | top-1 | recall@5 | MRR@10 | escalation recall | balanced | index build ms | bytes raw | gzip | brotli | query p50 µs | p99 µs |\n\
             |---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        );
        for r in &rows {
            let sampled = if r.run["sampled"].as_bool() == Some(true) {
                format!(" ({} of {} queries)", r.run["queries"], r.run["of_queries"])
            } else {
                String::new()
            };
            let _ = writeln!(
                md,
                "| {}{sampled} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                if r.lib == "answerdesk" {
                    format!("**{}**", r.name)
                } else {
                    r.name.to_string()
                },
                r.version,
                ratio(f(&r.run, "top1")),
                ratio(f(&r.run, "recall5")),
                ratio(f(&r.run, "mrr10")),
                ratio(f(&r.run, "escalation_recall")),
                ratio(f(&r.run, "balanced")),
                f(&r.run, "build_ms").map_or("n/a".into(), |v| format!("{v:.0}")),
                r.bytes[0],
                r.bytes[1],
                r.bytes[2],
                f(&r.run, "p50_us").map_or("n/a".into(), |v| format!("{v:.0}")),
                f(&r.run, "p99_us").map_or("n/a".into(), |v| format!("{v:.0}")),
            );
            quality_points.push((set, r.lib, r.bytes[2], f(&r.run, "top1")));
        }
        let seconds = measured["kb_build_s"][set].as_f64().unwrap_or(f64::NAN);
        let _ = writeln!(
            md,
            "\nAnswerdesk's snapshot took {seconds:.1} s to build with `answerdesk kb build` (release, \
             ahead of time; its index build above is the snapshot's load in the page).\n"
        );
        md.push_str(&verdicts(&rows));
        md.push('\n');
    }

    let first = measured["first_answer"]
        .as_array()
        .context("no first answers")?;
    md.push_str(
        "## Time to the first answer (demo)\n\n\
         | library | 4G ms | Fast 3G ms | bytes brotli | best entry found |\n|---|---:|---:|---:|---|\n",
    );
    let mut first_rows = Vec::new();
    for (lib, name, _) in LIBS {
        let ms = |network: &str| {
            first
                .iter()
                .find(|r| r["lib"] == lib && r["network"] == network)
                .and_then(|r| r["ms"].as_f64())
        };
        let answer = first
            .iter()
            .find(|r| r["lib"] == lib)
            .and_then(|r| r["answer"].as_str())
            .unwrap_or("")
            .to_string();
        let bytes = bytes_of(site, lib, "demo")?;
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | `{answer}` |",
            if lib == "answerdesk" {
                format!("**{name}**")
            } else {
                name.to_string()
            },
            ms("4G").map_or("n/a".into(), |v| format!("{v:.0}")),
            ms("Fast 3G").map_or("n/a".into(), |v| format!("{v:.0}")),
            bytes[2],
        );
        first_rows.push((name, ms("4G")));
    }
    let ours = first_rows
        .iter()
        .find(|r| r.0 == "Answerdesk")
        .and_then(|r| r.1);
    let faster: Vec<String> = first_rows
        .iter()
        .filter(|r| r.0 != "Answerdesk" && r.1.zip(ours).is_some_and(|(t, o)| t < o))
        .map(|r| format!("{} ({:.0} ms)", r.0, r.1.unwrap_or_default()))
        .collect();
    if let (false, Some(o)) = (faster.is_empty(), ours) {
        let _ = writeln!(
            md,
            "\nOn 4G, {} answer first sooner than Answerdesk ({o:.0} ms): they download less \
             before the first answer.",
            faster.join(", ")
        );
    } else if let Some(o) = ours {
        let _ = writeln!(md, "\nOn 4G, Answerdesk answers first soonest ({o:.0} ms).");
    }

    let sizes: Vec<String> = std::iter::once("demo".to_string())
        .chain(GROWN.iter().map(|n| format!("demo-{n}")))
        .collect();
    md.push_str(
        "\n## Latency against the knowledge base's size\n\n\
         The demo, then the demo grown with generated catalogue questions (half English, half \
         Chinese, as `bench first-answer` grows it), asked the demo's queries: query p50 in µs \
         (p99 in brackets), and the index build in ms. `kb build` leaves the dense index out of \
         a snapshot when it measures no gain on held-out phrasings, as it did for the grown \
         demo in this run, so Answerdesk's grown figures can sit below the demo's.\n\n",
    );
    let mut header = "| library |".to_string();
    let mut rule = "|---|".to_string();
    let mut entries_per_set = Vec::new();
    for set in &sizes {
        let count = std::fs::read_to_string(site.join("data").join(set).join("entries.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<Vec<Value>>(&t).ok())
            .map_or(0, |v| v.len());
        entries_per_set.push(count);
        let _ = write!(header, " {count} entries: p50 (p99) | build ms |");
        rule.push_str("---:|---:|");
    }
    let _ = writeln!(md, "{header}\n{rule}");
    let mut latency_lines = Vec::new();
    for (lib, name, _) in LIBS {
        let mut line = format!("| {name} |");
        let mut points = Vec::new();
        for (set, &count) in sizes.iter().zip(&entries_per_set) {
            let run = run_of(lib, set);
            let p50 = f(&run, "p50_us");
            let _ = write!(
                line,
                " {} ({}) | {} |",
                p50.map_or("n/a".into(), |v| format!("{v:.0}")),
                f(&run, "p99_us").map_or("n/a".into(), |v| format!("{v:.0}")),
                f(&run, "build_ms").map_or("n/a".into(), |v| format!("{v:.0}")),
            );
            if let Some(p50) = p50 {
                points.push((count as f64, p50));
            }
        }
        let _ = writeln!(md, "{line}");
        latency_lines.push((lib, name, points));
    }
    md.push_str(
        "\nThe demo's queries still have their entries in the grown knowledge bases; top-1 there \
         (a figure of the catalogue's distraction, not a dataset of its own):\n\n",
    );
    for (set, &count) in sizes.iter().zip(&entries_per_set).skip(1) {
        let scores: Vec<String> = LIBS
            .iter()
            .map(|(lib, name, _)| format!("{name} {}", ratio(f(&run_of(lib, set), "top1"))))
            .collect();
        let _ = writeln!(md, "- {count} entries: {}", scores.join(", "));
    }

    md.push_str(
        "\n## Plots\n\n\
         ![top-1 against bytes shipped (brotli), per dataset](peers-quality-bytes.svg)\n\n\
         ![query p50 against the knowledge base's size](peers-latency-size.svg)\n",
    );
    let docs = root.join("docs");
    std::fs::write(docs.join("BENCHMARKS.md"), md)?;
    std::fs::write(
        docs.join("peers-quality-bytes.svg"),
        quality_svg(&quality_points),
    )?;
    std::fs::write(
        docs.join("peers-latency-size.svg"),
        latency_svg(&latency_lines),
    )?;
    println!(
        "    wrote docs/BENCHMARKS.md, docs/peers-quality-bytes.svg, docs/peers-latency-size.svg"
    );
    Ok(())
}

/// Plain sentences: where Answerdesk leads and where it does not (top-1, p50, bytes, build).
fn verdicts(rows: &[Row]) -> String {
    let Some(ours) = rows.iter().find(|r| r.lib == "answerdesk") else {
        return String::new();
    };
    let peers: Vec<&Row> = rows.iter().filter(|r| r.lib != "answerdesk").collect();
    let mut out = String::new();
    let mut say =
        |what: &str, key: &dyn Fn(&Row) -> Option<f64>, higher_better: bool, unit: &str| {
            let Some(mine) = key(ours) else {
                return;
            };
            let better: Vec<String> = peers
                .iter()
                .filter_map(|p| {
                    let v = key(p)?;
                    let wins = if higher_better { v > mine } else { v < mine };
                    wins.then(|| format!("{} ({})", p.name, fmt_unit(v, unit)))
                })
                .collect();
            if better.is_empty() {
                let _ = writeln!(
                    out,
                    "- {what}: Answerdesk leads ({}).",
                    fmt_unit(mine, unit)
                );
            } else {
                let _ = writeln!(
                    out,
                    "- {what}: Answerdesk ({}) is **not** the best; better: {}.",
                    fmt_unit(mine, unit),
                    better.join(", ")
                );
            }
        };
    say("Top-1", &|r| f(&r.run, "top1"), true, "");
    say("Query p50", &|r| f(&r.run, "p50_us"), false, "µs");
    say(
        "Bytes shipped (brotli)",
        &|r| Some(r.bytes[2] as f64),
        false,
        "B",
    );
    say(
        "Index build / load in the page",
        &|r| f(&r.run, "build_ms"),
        false,
        "ms",
    );
    out
}

fn fmt_unit(v: f64, unit: &str) -> String {
    match unit {
        "" => format!("{v:.3}"),
        "B" => format!("{} KiB", kb(v as u64)),
        _ => format!("{v:.0} {unit}"),
    }
}

const COLOURS: [(&str, &str); 6] = [
    ("answerdesk", "#d62728"),
    ("minisearch", "#1f77b4"),
    ("flexsearch", "#2ca02c"),
    ("orama", "#9467bd"),
    ("lunr", "#ff7f0e"),
    ("fuse", "#8c564b"),
];

fn colour(lib: &str) -> &'static str {
    COLOURS.iter().find(|c| c.0 == lib).map_or("#000", |c| c.1)
}

/// A log-scale axis from `lo` to `hi` onto `from..to` pixels.
fn log_scale(v: f64, lo: f64, hi: f64, from: f64, to: f64) -> f64 {
    from + (v.max(lo).ln() - lo.ln()) / (hi.ln() - lo.ln()) * (to - from)
}

fn legend(svg: &mut String, x: f64, y: f64) {
    for (i, (lib, name, _)) in LIBS.iter().enumerate() {
        let yy = y + i as f64 * 16.0;
        let _ = write!(
            svg,
            r#"<circle cx="{x}" cy="{yy}" r="5" fill="{}"/><text x="{}" y="{}">{name}</text>"#,
            colour(lib),
            x + 10.0,
            yy + 4.0
        );
    }
}

/// Powers of ten (and 2×, 5×) between `lo` and `hi`, for log-axis ticks.
fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let mut out = Vec::new();
    let mut p = 10f64.powf(lo.log10().floor());
    while p <= hi {
        for m in [1.0, 2.0, 5.0] {
            let v = p * m;
            if v >= lo && v <= hi {
                out.push(v);
            }
        }
        p *= 10.0;
    }
    out
}

fn short(v: f64) -> String {
    if v >= 1_000_000.0 {
        format!("{}M", v / 1_000_000.0)
    } else if v >= 1000.0 {
        format!("{}k", v / 1000.0)
    } else {
        format!("{v}")
    }
}

/// Top-1 against brotli bytes shipped, one panel per dataset, one dot per library.
fn quality_svg(points: &[(&str, &str, u64, Option<f64>)]) -> String {
    let (pw, ph, left, top) = (220.0, 200.0, 50.0, 40.0);
    let width = left + 4.0 * (pw + 30.0) + 110.0;
    let height = top + ph + 60.0;
    let kib: Vec<f64> = points.iter().map(|p| p.2 as f64 / 1024.0).collect();
    let lo = kib.iter().copied().fold(f64::INFINITY, f64::min).max(1.0) * 0.8;
    let hi = kib.iter().copied().fold(0.0, f64::max) * 1.25;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11"><rect width="100%" height="100%" fill="white"/><text x="{left}" y="18" font-size="13">Top-1 against bytes shipped (KiB brotli, log scale): up and to the left is better</text>"#
    );
    for (i, (set, ..)) in SETS.iter().enumerate() {
        let x0 = left + i as f64 * (pw + 30.0);
        let _ = write!(
            svg,
            r##"<text x="{}" y="{}" text-anchor="middle" font-weight="bold">{set}</text><rect x="{x0}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>"##,
            x0 + pw / 2.0,
            top - 6.0
        );
        for q in [0.0, 0.25, 0.5, 0.75, 1.0] {
            let y = top + ph - q * ph;
            let _ = write!(
                svg,
                r##"<line x1="{x0}" x2="{}" y1="{y}" y2="{y}" stroke="#eee"/><text x="{}" y="{}" text-anchor="end">{q}</text>"##,
                x0 + pw,
                x0 - 3.0,
                y + 4.0
            );
        }
        for t in ticks(lo, hi) {
            let x = log_scale(t, lo, hi, x0, x0 + pw);
            x_gridline(&mut svg, x, top, top + ph, &short(t));
        }
        for (s, lib, bytes, top1) in points {
            let (true, Some(top1)) = (s == set, top1) else {
                continue;
            };
            let _ = write!(
                svg,
                r#"<circle cx="{:.1}" cy="{:.1}" r="5" fill="{}" fill-opacity="0.85"><title>{lib} {set}: top-1 {top1:.3}, {} KiB</title></circle>"#,
                log_scale(*bytes as f64 / 1024.0, lo, hi, x0, x0 + pw),
                top + ph - top1 * ph,
                colour(lib),
                kb(*bytes)
            );
        }
    }
    let _ = write!(
        svg,
        r#"<text x="{}" y="{}" text-anchor="middle">KiB shipped (brotli)</text>"#,
        left + 2.0 * (pw + 30.0),
        top + ph + 34.0
    );
    legend(&mut svg, left + 4.0 * (pw + 30.0) + 5.0, top + 10.0);
    svg.push_str("</svg>\n");
    svg
}

/// A vertical grid line from `top` to `bottom` at `x`, labelled under the plot.
fn x_gridline(svg: &mut String, x: f64, top: f64, bottom: f64, label: &str) {
    let _ = write!(
        svg,
        r##"<line x1="{x}" x2="{x}" y1="{top}" y2="{bottom}" stroke="#eee"/><text x="{x}" y="{}" text-anchor="middle">{label}</text>"##,
        bottom + 14.0
    );
}

/// One library's line: adapter name, display name, (entries, p50 µs) points.
type LatencyLine<'a> = (&'a str, &'a str, Vec<(f64, f64)>);

/// Query p50 against the number of entries, one line per library, log-log.
fn latency_svg(lines: &[LatencyLine]) -> String {
    let (w, h, left, top) = (460.0, 300.0, 60.0, 40.0);
    let all: Vec<(f64, f64)> = lines.iter().flat_map(|l| l.2.iter().copied()).collect();
    let (xlo, xhi) = (
        all.iter().map(|p| p.0).fold(f64::INFINITY, f64::min) * 0.8,
        all.iter().map(|p| p.0).fold(0.0, f64::max) * 1.25,
    );
    let (ylo, yhi) = (
        all.iter()
            .map(|p| p.1)
            .fold(f64::INFINITY, f64::min)
            .max(1.0)
            * 0.8,
        all.iter().map(|p| p.1).fold(0.0, f64::max) * 1.25,
    );
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" font-family="sans-serif" font-size="11"><rect width="100%" height="100%" fill="white"/><text x="{left}" y="18" font-size="13">Query p50 (µs, log) against entries in the knowledge base (log)</text><rect x="{left}" y="{top}" width="{w}" height="{h}" fill="none" stroke="#999"/>"##,
        left + w + 130.0,
        top + h + 50.0
    );
    for t in ticks(ylo, yhi) {
        let y = top + h - log_scale(t, ylo, yhi, 0.0, h);
        let _ = write!(
            svg,
            r##"<line x1="{left}" x2="{}" y1="{y}" y2="{y}" stroke="#eee"/><text x="{}" y="{}" text-anchor="end">{}</text>"##,
            left + w,
            left - 4.0,
            y + 4.0,
            short(t)
        );
    }
    for t in ticks(xlo, xhi) {
        let x = log_scale(t, xlo, xhi, left, left + w);
        x_gridline(&mut svg, x, top, top + h, &short(t));
    }
    for (lib, name, points) in lines {
        let coords: Vec<String> = points
            .iter()
            .map(|&(x, y)| {
                format!(
                    "{:.1},{:.1}",
                    log_scale(x, xlo, xhi, left, left + w),
                    top + h - log_scale(y, ylo, yhi, 0.0, h)
                )
            })
            .collect();
        let _ = write!(
            svg,
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2"><title>{name}</title></polyline>"#,
            coords.join(" "),
            colour(lib)
        );
        for c in &coords {
            let (x, y) = c.split_once(',').unwrap_or(("0", "0"));
            let _ = write!(
                svg,
                r#"<circle cx="{x}" cy="{y}" r="3" fill="{}"/>"#,
                colour(lib)
            );
        }
    }
    let _ = write!(
        svg,
        r#"<text x="{}" y="{}" text-anchor="middle">entries</text>"#,
        left + w / 2.0,
        top + h + 32.0
    );
    legend(&mut svg, left + w + 15.0, top + 10.0);
    svg.push_str("</svg>\n");
    svg
}
