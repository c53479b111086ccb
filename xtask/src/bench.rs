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
            "engine" => cmd::run(
                Command::new(env!("CARGO"))
                    .args(["bench", "-p", "engine"])
                    .current_dir(&root),
                "The engine benchmarks failed.",
            )?,
            "size" => {
                let mut steps = cmd::Steps::new(5);
                toolchain::ensure_web_tools(&root, &mut steps)?;
                crate::build::web_app(&root)?;
                size_report(&root)?;
            }
            "server" => crate::bench_server::run()?,
            other => bail!("unknown benchmark `{other}` (engine, size, server)"),
        }
    }
    Ok(())
}

/// Transfer sizes of what a visitor downloads, brotli-compressed as the server sends them.
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
    println!("\n    size report (brotli -q 11)");
    let mut wasm_js = 0;
    for file in &files {
        let bytes = std::fs::read(file)?;
        let compressed = brotli_len(&bytes)?;
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        if name.ends_with(".wasm")
            || (name.ends_with(".js") && name != "embed.js" && name != "sw.js")
        {
            wasm_js += compressed;
        }
        println!(
            "      {:<44} {:>9} B raw {:>9} B brotli",
            name,
            bytes.len(),
            compressed
        );
    }
    println!(
        "      {:<44} {:>9} KiB brotli (app wasm + JS, before the snapshot)",
        "total",
        format!("{:.1}", wasm_js as f64 / 1024.0)
    );
    Ok(())
}

fn brotli_len(bytes: &[u8]) -> Result<usize> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).context("brotli failed")?;
    Ok(out.len())
}
