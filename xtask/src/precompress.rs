//! Compresses the built web app once, at build: `NAME.br` (brotli, quality 11) and `NAME.gz`
//! (gzip, best) beside every text and wasm file of `dist/`, which the server sends to browsers
//! that accept them. Compressing per request would make every visitor's download cost the server
//! a CPU burst, at a lower quality.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Extensions of the files worth compressing (images and fonts are compressed already).
const COMPRESSIBLE: &[&str] = &[
    "html",
    "js",
    "mjs",
    "css",
    "wasm",
    "json",
    "svg",
    "txt",
    "webmanifest",
];

/// Writes the compressed copies for every compressible file under `dir`; returns how many files
/// got them. A copy that would not be smaller than its file is not written: the file goes out
/// as it is.
pub fn dist(dir: &Path) -> Result<usize> {
    let mut done = 0;
    for file in files(dir)? {
        let bytes =
            std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
        for (suffix, compressed) in [("br", brotli(&bytes)?), ("gz", gzip(&bytes)?)] {
            let mut name = file.clone().into_os_string();
            name.push(".");
            name.push(suffix);
            let target = PathBuf::from(name);
            if compressed.len() < bytes.len() {
                std::fs::write(&target, &compressed)
                    .with_context(|| format!("cannot write {}", target.display()))?;
            } else if target.exists() {
                std::fs::remove_file(&target)?;
            }
        }
        done += 1;
    }
    Ok(done)
}

fn files(dir: &Path) -> Result<Vec<PathBuf>> {
    files_where(dir, |extension| COMPRESSIBLE.contains(&extension))
}

/// Every file under `dir` (recursively) whose extension `keep` accepts, sorted.
pub fn files_where(dir: &Path, keep: impl Fn(&str) -> bool) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("cannot read {}", dir.display()))?
        {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().and_then(|e| e.to_str()).is_some_and(&keep) {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Brotli at its best quality, with a 4 MiB window (more than any file of the app).
pub fn brotli(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).context("brotli failed")?;
    Ok(out)
}

/// Gzip at its best compression, for browsers that do not send brotli (Chromium asks for it
/// from secure contexts only: HTTPS, and `localhost` or `127.0.0.1`).
pub fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_smaller_copies_beside_text_and_wasm_files_only() {
        let dir = tempfile_dir();
        std::fs::create_dir_all(dir.join("agent")).unwrap();
        let text = "a question and its answer ".repeat(200);
        std::fs::write(dir.join("app.js"), &text).unwrap();
        std::fs::write(dir.join("agent/index.html"), &text).unwrap();
        std::fs::write(dir.join("tiny.css"), "a{}").unwrap();
        std::fs::write(dir.join("logo.png"), &text).unwrap();
        assert_eq!(dist(&dir).unwrap(), 3);
        for name in ["app.js", "agent/index.html"] {
            let br = std::fs::read(dir.join(format!("{name}.br"))).unwrap();
            let mut decoded = Vec::new();
            brotli::BrotliDecompress(&mut &br[..], &mut decoded).unwrap();
            assert_eq!(decoded, text.as_bytes());
            assert!(dir.join(format!("{name}.gz")).exists());
        }
        // Three bytes do not get smaller; a PNG is not recompressed.
        assert!(!dir.join("tiny.css.br").exists() && !dir.join("tiny.css.gz").exists());
        assert!(!dir.join("logo.png.br").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-precompress-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
