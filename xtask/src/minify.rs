//! Minifies the JavaScript glue Trunk writes for each app (`dist/app-HASH.js`,
//! `dist/agent/agent-HASH.js`) with esbuild, then rewrites the `integrity` attributes of the
//! built pages, which pin each file's bytes (Subresource Integrity).
//!
//! Trunk's own minifier cannot parse wasm-bindgen's glue (it gives up at `export default` and
//! leaves the file as it was), and the glue is bytes every visitor downloads before the first
//! answer: about a quarter of its brotli size goes.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use base64::Engine as _;
use sha2::{Digest, Sha384};

use crate::{cmd, precompress, toolchain};

/// Minifies every app's glue under `dist` and re-pins the pages; returns how many files shrank.
pub fn dist(root: &Path, dist: &Path) -> Result<usize> {
    let glue: Vec<PathBuf> = files(dist, "js")?
        .into_iter()
        .filter(|file| is_glue(file))
        .collect();
    for file in &glue {
        cmd::run(
            Command::new("esbuild")
                .arg(file)
                .args([
                    "--minify",
                    "--format=esm",
                    "--allow-overwrite",
                    "--log-level=warning",
                ])
                .arg(format!("--outfile={}", file.display()))
                .env("PATH", toolchain::tool_path(root)),
            "esbuild could not minify the app's JavaScript (is `npm ci` done? `cargo xtask` runs it).",
        )?;
    }
    for page in files(dist, "html")? {
        let html = std::fs::read_to_string(&page)
            .with_context(|| format!("cannot read {}", page.display()))?;
        let pinned = repin(&html, |href| {
            let file = dist.join(href.trim_start_matches('/'));
            std::fs::read(&file).with_context(|| {
                format!(
                    "{} names {href}, which is not in {}",
                    page.display(),
                    dist.display()
                )
            })
        })?;
        if pinned != html {
            std::fs::write(&page, pinned)
                .with_context(|| format!("cannot write {}", page.display()))?;
        }
    }
    Ok(glue.len())
}

/// Trunk's glue: `NAME-HASH.js`, its hash 12 to 16 hex digits. Files copied as they are
/// (`embed.js`, `sw.js`) keep their readable source.
fn is_glue(file: &Path) -> bool {
    let Some(stem) = file.file_stem().and_then(|s| s.to_str()) else {
        return false;
    };
    stem.rsplit_once('-').is_some_and(|(_, hash)| {
        (12..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// `html` with every `integrity="sha384-…"` recomputed from the bytes of the file its tag's
/// `href` or `src` names (`read` gets them).
fn repin(html: &str, mut read: impl FnMut(&str) -> Result<Vec<u8>>) -> Result<String> {
    const ATTRIBUTE: &str = "integrity=\"";
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(ATTRIBUTE) {
        let tag_start = rest[..at]
            .rfind('<')
            .context("an integrity attribute outside a tag")?;
        let tag_end = at + rest[at..].find('>').context("a tag that does not end")?;
        let tag = &rest[tag_start..tag_end];
        let Some(href) = ["href=\"", "src=\""].iter().find_map(|name| {
            let from = tag.find(name)? + name.len();
            Some(&tag[from..from + tag[from..].find('"')?])
        }) else {
            bail!("a tag with an integrity attribute names no file: {tag}");
        };
        let value_start = at + ATTRIBUTE.len();
        let value_end = value_start
            + rest[value_start..]
                .find('"')
                .context("an integrity attribute that does not end")?;
        let digest = Sha384::digest(read(href)?);
        out.push_str(&rest[..value_start]);
        out.push_str("sha384-");
        out.push_str(&base64::engine::general_purpose::STANDARD.encode(digest));
        rest = &rest[value_end..];
    }
    out.push_str(rest);
    Ok(out)
}

fn files(dir: &Path, extension: &str) -> Result<Vec<PathBuf>> {
    precompress::files_where(dir, |e| e == extension)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_glue_is_told_from_files_copied_as_they_are() {
        assert!(is_glue(Path::new("dist/app-95af52d277ae87d4.js")));
        assert!(is_glue(Path::new("dist/agent/agent-5af52d277ae87d4.js")));
        assert!(!is_glue(Path::new("dist/embed.js")));
        assert!(!is_glue(Path::new("dist/sw.js")));
        assert!(!is_glue(Path::new("dist/app-notahash.js")));
    }

    #[test]
    fn integrity_is_recomputed_from_the_file_each_tag_names() {
        let html = r#"<link rel="modulepreload" href="/app-1.js" crossorigin="anonymous" integrity="sha384-old">
<link rel="preload" href="/app-1_bg.wasm" integrity="sha384-old2" as="fetch"><p>integrity</p>"#;
        let pinned = repin(html, |href| Ok(href.as_bytes().to_vec())).unwrap();
        let expect = |text: &str| {
            format!(
                "integrity=\"sha384-{}\"",
                base64::engine::general_purpose::STANDARD.encode(Sha384::digest(text))
            )
        };
        assert!(pinned.contains(&expect("/app-1.js")), "{pinned}");
        assert!(pinned.contains(&expect("/app-1_bg.wasm")), "{pinned}");
        assert!(!pinned.contains("old"), "{pinned}");
        assert!(pinned.ends_with("<p>integrity</p>"));
        // SHA-384 of "abc" (FIPS 180-2), as a browser checks it.
        let abc = repin(
            r#"<script src="/x.js" integrity="sha384-"></script>"#,
            |_| Ok(b"abc".to_vec()),
        )
        .unwrap();
        assert!(
            abc.contains(
                "integrity=\"sha384-ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn\""
            ),
            "{abc}"
        );
        assert!(repin(r#"<link integrity="sha384-x">"#, |_| Ok(vec![])).is_err());
    }
}
