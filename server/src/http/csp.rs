//! The Content-Security-Policy of every HTML page the server sends.
//!
//! The policy is the last wall between a bug that lets hostile HTML into a page (an answer, a
//! visitor's message, a crafted snapshot) and script running on the server's origin, where the
//! visitor's ticket tokens and, on the workbench, the agent's session live. So scripts come only
//! from this origin (`'self'`, plus `'wasm-unsafe-eval'` to compile the app's WebAssembly) and
//! from the inline scripts the built pages themselves carry, allowed one by one by their SHA-256:
//! Trunk writes a small inline loader into each `index.html` whose text changes with every build,
//! so the hashes are taken from the files in `dist/` when the server starts rather than written
//! down. No inline event handlers, no `javascript:` URLs, no plugins, no `<base>`.

use std::collections::HashMap;
use std::path::Path;

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// The `'sha256-…'` sources of the inline scripts of each HTML file under `dist/`, by its path
/// relative to `dist/` with `/` separators (`index.html`, `agent/index.html`, `demo.html`).
#[derive(Debug, Default, Clone)]
pub struct InlineScripts {
    by_file: HashMap<String, Vec<String>>,
}

impl InlineScripts {
    /// Reads every `.html` file under `dist_dir` (two levels deep: the visitor app and the
    /// workbench in `agent/`). A file that cannot be read gets no hashes: its inline scripts are
    /// blocked, which shows as a broken page in any test, never as a weaker policy.
    pub fn from_dist(dist_dir: &Path) -> InlineScripts {
        let mut by_file = HashMap::new();
        collect(dist_dir, "", 2, &mut by_file);
        InlineScripts { by_file }
    }

    /// The hash sources for the file at `relative` (e.g. `agent/index.html`).
    pub fn of(&self, relative: &str) -> &[String] {
        self.by_file.get(relative).map_or(&[], Vec::as_slice)
    }
}

fn collect(dir: &Path, prefix: &str, depth: u8, out: &mut HashMap<String, Vec<String>>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() && depth > 0 {
            collect(&path, &format!("{prefix}{name}/"), depth - 1, out);
        } else if name.ends_with(".html") {
            if let Ok(html) = std::fs::read_to_string(&path) {
                out.insert(format!("{prefix}{name}"), inline_script_hashes(&html));
            }
        }
    }
}

/// `'sha256-BASE64'` of the text of every `<script>` without a `src` in `html`, as a browser
/// hashes it (the element's text, line endings normalized by the parser).
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut hashes = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<script").map(|i| at + i) {
        let Some(tag_end) = lower[start..].find('>').map(|i| start + i) else {
            break;
        };
        let Some(close) = lower[tag_end..].find("</script").map(|i| tag_end + i) else {
            break;
        };
        let tag = &lower[start..tag_end];
        let has_src = tag
            .split(|c: char| c.is_ascii_whitespace())
            .any(|attribute| attribute.starts_with("src="));
        if !has_src {
            let text = html[tag_end + 1..close].replace("\r\n", "\n");
            let digest = Sha256::digest(text.as_bytes());
            hashes.push(format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
        at = close;
    }
    hashes
}

/// The parts of a policy that differ between pages.
#[derive(Debug, Clone, Default)]
pub struct Policy<'a> {
    /// Hash sources of the page's own inline scripts.
    pub script_hashes: &'a [String],
    /// Origins beyond `'self'` the page may fetch from (a site's own origins, for `/widget`).
    pub connect: Vec<String>,
    /// Who may frame the page: `'none'`, `'self'` or origins.
    pub frame_ancestors: Vec<String>,
}

impl Policy<'_> {
    /// The header value.
    pub fn render(&self) -> String {
        let mut scripts = String::from("'self' 'wasm-unsafe-eval'");
        for hash in self.script_hashes {
            scripts.push(' ');
            scripts.push_str(hash);
        }
        let mut connect = String::from("'self'");
        for origin in &self.connect {
            connect.push(' ');
            connect.push_str(origin);
        }
        let ancestors = if self.frame_ancestors.is_empty() {
            "'none'".to_owned()
        } else {
            self.frame_ancestors.join(" ")
        };
        // Styles may be inline: the embed draws its launcher with a <style> in a shadow root and
        // the app sets custom properties; CSS cannot run script in the browsers we support.
        // Images may come from https: answers written in the knowledge base link pictures.
        format!(
            "default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data: https:; connect-src {connect}; object-src 'none'; \
             base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_inline_scripts_but_not_external_ones() {
        let html = "<script src=\"/embed.js\" defer></script>\
                    <SCRIPT type=\"module\">import init from '/app.js';</SCRIPT>\
                    <script>\r\nalert(1)\r\n</script>";
        let hashes = inline_script_hashes(html);
        let expected = |text: &str| {
            format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text))
            )
        };
        assert_eq!(
            hashes,
            vec![
                expected("import init from '/app.js';"),
                expected("\nalert(1)\n")
            ]
        );
    }

    #[test]
    fn a_policy_allows_only_what_it_names() {
        let hashes = vec!["'sha256-abc'".to_owned()];
        let policy = Policy {
            script_hashes: &hashes,
            connect: vec!["https://shop.example".into()],
            frame_ancestors: vec![],
        }
        .render();
        assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-abc';"));
        assert!(policy.contains("connect-src 'self' https://shop.example;"));
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(policy.contains("object-src 'none'"));
        assert!(policy.contains("base-uri 'none'"));
        let scripts = policy
            .split(';')
            .find(|d| d.contains("script-src"))
            .unwrap();
        assert!(!scripts.contains("'unsafe-inline'") && !scripts.contains("'unsafe-eval'"));
    }
}
