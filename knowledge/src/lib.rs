//! Knowledge sources → [`engine::Entry`] values, and back.
//!
//! The one place that reads and writes the knowledge-base folder format. The CLI (`answerdesk kb
//! build|lint|import|export`) and the server (the editor API and publishing) both use it, so a
//! file means the same thing wherever it is read. It parses and renders natively: the visitor's
//! wasm never links this crate, so it carries neither a YAML/Markdown parser nor an HTML
//! sanitizer; answers reach the snapshot as sanitized HTML plus plain text.
//!
//! Accepted inputs (a single file or a folder walked recursively, in sorted
//! order so builds are deterministic; names starting with `_` or `.` and
//! `README.md` are skipped):
//! - `*.yaml` / `*.yml`: a collection (`locale`, `category`, `entries: [...]`) or one entry;
//! - `*.md`: one entry, or with `kind: article` a help article split into passages at `## ` headings,
//!   with YAML front matter between `---` lines;
//! - `*.jsonl`: one entry per line, the `../shared/datasets/*/kb.jsonl` format;
//! - `*.csv`: header `id,question,alternates,answer,category,tags,locale`, lists separated by `|`;
//! - `synonyms.yaml`: not entries but the site owner's synonym groups ([`synonyms`]).
//!
//! Beside the parsers: [`folder`] (a whole folder in memory, as a site's knowledge base is
//! stored), [`write`] (entries written back into their files), [`lint`] (what `kb lint` reports)
//! and [`compile`] (the snapshot, with the bundled token tables).
//!
//! ```
//! let entries = knowledge::parse_source(
//!     std::path::Path::new("faq.yaml"),
//!     "id: hours\nquestion: When are you open?\nanswer: From **9 to 5**.\n",
//! )
//! .unwrap();
//! assert_eq!(entries[0].entry.answer_text, "From 9 to 5.");
//! ```

pub mod compile;
mod csv;
pub mod folder;
mod jsonl;
pub mod lint;
mod markdown;
mod render;
pub mod synonyms;
pub mod write;
mod yaml;

pub use render::{markdown as render_markdown, Rendered};

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// An entry as an author writes it, before rendering. Shared by every format; serialized (by
/// [`write`]) with empty lists and absent values left out, as an author would write it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SourceEntry {
    pub id: String,
    pub question: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternates: Vec<String>,
    pub answer: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<engine::Link>,
}

/// A field of an entry that cannot be accepted, named so a form can point at it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FieldError {
    /// The field as the formats name it: `id`, `question`, `answer`, `links`, …
    pub field: &'static str,
    pub message: String,
}

impl SourceEntry {
    /// What every format requires of an entry (the checks `kb build` applies to each file).
    pub fn check(&self) -> Result<(), FieldError> {
        let fail = |field, message: String| Err(FieldError { field, message });
        let id = self.id.trim();
        if id.is_empty() {
            return fail("id", "entry has an empty `id`".into());
        }
        if id.chars().any(char::is_whitespace) {
            return fail("id", format!("entry id `{id}` contains whitespace"));
        }
        if self.question.trim().is_empty() {
            return fail("question", format!("entry `{id}` has an empty `question`"));
        }
        if self.answer.trim().is_empty() {
            return fail("answer", format!("entry `{id}` has an empty `answer`"));
        }
        for link in &self.links {
            if !(link.url.starts_with("https://")
                || link.url.starts_with("http://")
                || link.url.starts_with('/'))
            {
                return fail(
                    "links",
                    format!(
                        "entry `{id}`: link `{}` must be an http(s) URL or a site path",
                        link.url
                    ),
                );
            }
        }
        Ok(())
    }

    /// The locale as the snapshot records it (absent is the empty locale).
    pub fn locale(&self) -> &str {
        self.locale.as_deref().unwrap_or_default().trim()
    }
}

/// Where a problem is, so that the author can jump to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub line: Option<usize>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.file.display()),
            None => write!(f, "{}", self.file.display()),
        }
    }
}

/// A knowledge source that cannot be compiled, with the place to fix it.
#[derive(Debug)]
pub struct SourceError {
    pub at: Location,
    pub message: String,
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

impl std::error::Error for SourceError {}

impl SourceError {
    pub(crate) fn new(file: &Path, line: Option<usize>, message: impl Into<String>) -> Self {
        SourceError {
            at: Location {
                file: file.to_path_buf(),
                line,
            },
            message: message.into(),
        }
    }
}

/// An entry ready for the engine, with where it came from (for lint messages) and as it was
/// written (for an editor).
#[derive(Debug, Clone)]
pub struct LoadedEntry {
    pub entry: engine::Entry,
    pub at: Location,
    pub source: SourceEntry,
}

/// The files a source path stands for, in a stable order.
pub fn source_files(root: &Path) -> Result<Vec<PathBuf>, SourceError> {
    let meta = std::fs::metadata(root)
        .map_err(|e| SourceError::new(root, None, format!("cannot read: {e}")))?;
    if meta.is_file() {
        return Ok(vec![root.to_path_buf()]);
    }
    let mut files = Vec::new();
    walk_all(root, &mut files)?;
    files.retain(|f| !synonyms::is_synonym_file(f));
    files.sort();
    if files.is_empty() {
        return Err(SourceError::new(
            root,
            None,
            "no knowledge files here (expected .yaml, .yml, .md, .jsonl or .csv)",
        ));
    }
    Ok(files)
}

/// Every file of a known format under `dir`, entries and synonym lists alike.
fn walk_all(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), SourceError> {
    let read = std::fs::read_dir(dir)
        .map_err(|e| SourceError::new(dir, None, format!("cannot list: {e}")))?;
    for item in read {
        let item = item.map_err(|e| SourceError::new(dir, None, format!("cannot list: {e}")))?;
        let path = item.path();
        let name = item.file_name().to_string_lossy().into_owned();
        if name.starts_with('_') || name.starts_with('.') || name.eq_ignore_ascii_case("README.md")
        {
            continue;
        }
        if path.is_dir() {
            walk_all(&path, out)?;
        } else if Format::of(&path).is_some() {
            out.push(path);
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Yaml,
    Markdown,
    JsonLines,
    Csv,
}

impl Format {
    pub(crate) fn of(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "yaml" | "yml" => Some(Format::Yaml),
            "md" | "markdown" => Some(Format::Markdown),
            "jsonl" | "ndjson" => Some(Format::JsonLines),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// Reads and renders one file.
pub fn load_file(path: &Path) -> Result<Vec<LoadedEntry>, SourceError> {
    let format = Format::of(path).ok_or_else(|| {
        SourceError::new(
            path,
            None,
            "unknown file type (expected .yaml, .yml, .md, .jsonl or .csv)",
        )
    })?;
    let text = std::fs::read_to_string(path)
        .map_err(|e| SourceError::new(path, None, format!("cannot read: {e}")))?;
    parse_text(path, format, &text)
}

/// Parses and renders `text` as if read from `path`, whose extension names the format (`.yaml`,
/// `.md`, `.jsonl`, `.csv`); a name with another extension is refused. Split from [`load_file`]
/// so that the fuzz targets in `fuzz/` reach every parser without touching the disk.
pub fn parse_source(path: &Path, text: &str) -> Result<Vec<LoadedEntry>, SourceError> {
    let format = Format::of(path).ok_or_else(|| {
        SourceError::new(
            path,
            None,
            "unknown file type (expected .yaml, .yml, .md, .jsonl or .csv)",
        )
    })?;
    parse_text(path, format, text)
}

fn parse_text(path: &Path, format: Format, text: &str) -> Result<Vec<LoadedEntry>, SourceError> {
    let located = match format {
        Format::Yaml => yaml::parse(path, text)?,
        Format::Markdown => markdown::parse(path, text)?,
        Format::JsonLines => jsonl::parse(path, text)?,
        Format::Csv => csv::parse(path, text)?,
    };
    located
        .into_iter()
        .map(|(source, line)| finish(path, line, source))
        .collect()
}

/// Validates an authored entry and renders its answer.
fn finish(
    path: &Path,
    line: Option<usize>,
    source: SourceEntry,
) -> Result<LoadedEntry, SourceError> {
    source
        .check()
        .map_err(|e| SourceError::new(path, line, e.message))?;
    let written = source.clone();
    let id = source.id.trim().to_string();
    let question = source.question.trim().to_string();
    let rendered = render::markdown(&source.answer);
    let alternates = source
        .alternates
        .into_iter()
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect();
    Ok(LoadedEntry {
        entry: engine::Entry {
            id,
            locale: source.locale.unwrap_or_default().trim().to_string(),
            question,
            alternates,
            answer_html: rendered.html,
            answer_text: rendered.text,
            category: source.category.unwrap_or_default().trim().to_string(),
            tags: source.tags,
            links: source.links,
        },
        at: Location {
            file: path.to_path_buf(),
            line,
        },
        source: written,
    })
}

/// Loads every source under `root`, calling `progress` after each file.
pub fn load(root: &Path, mut progress: impl FnMut(&Path)) -> Result<Vec<LoadedEntry>, SourceError> {
    let mut entries = Vec::new();
    for file in source_files(root)? {
        entries.extend(load_file(&file)?);
        progress(&file);
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn yaml_collection_applies_file_defaults() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "en/shipping.yaml",
            "locale: en\ncategory: shipping\nentries:\n  - id: delivery-time\n    question: How long does delivery take?\n    alternates: [When will it arrive?]\n    answer: |\n      Standard shipping takes **3–5 days**.\n",
        );
        let entries = load(dir.path(), |_| {}).unwrap();
        assert_eq!(entries.len(), 1);
        let e = &entries[0].entry;
        assert_eq!(
            (e.id.as_str(), e.locale.as_str(), e.category.as_str()),
            ("delivery-time", "en", "shipping")
        );
        assert_eq!(
            e.answer_html.trim(),
            "<p>Standard shipping takes <strong>3–5 days</strong>.</p>"
        );
        assert_eq!(e.answer_text, "Standard shipping takes 3–5 days.");
    }

    #[test]
    fn yaml_error_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "bad.yaml",
            "locale: en\nentries:\n  - id: a\n    question: Q?\n    answer: A\n  - id: b\n    question: Q2?\n",
        );
        let err = load(dir.path(), |_| {}).unwrap_err();
        assert_eq!(err.at.file, path);
        assert!(err.to_string().contains("answer"), "{err}");
        assert!(err.at.line.is_some_and(|l| l >= 6), "{err}");
    }

    #[test]
    fn unknown_field_is_refused_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "x.yaml", "id: a\nquestion: Q?\nanswr: typo\n");
        let err = load(dir.path(), |_| {}).unwrap_err();
        assert!(err.to_string().contains("answr"), "{err}");
        assert!(err.to_string().contains("x.yaml:"), "{err}");
    }

    #[test]
    fn jsonl_dataset_format_loads_and_errors_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let good = write(
            dir.path(),
            "kb.jsonl",
            "{\"id\": \"card_arrival\", \"question\": \"Where is my card?\", \"alternates\": [\"card not here\"], \"answer\": \"It ships in 3 days.\", \"category\": \"cards\", \"tags\": []}\n\n",
        );
        assert_eq!(
            load(&good, |_| {}).unwrap()[0].entry.alternates,
            vec!["card not here"]
        );
        let bad = write(
            dir.path(),
            "bad.jsonl",
            "{\"id\":\"a\",\"question\":\"q\",\"answer\":\"a\"}\n{oops\n",
        );
        let err = load(&bad, |_| {}).unwrap_err();
        assert_eq!(err.at.line, Some(2), "{err}");
    }

    #[test]
    fn csv_splits_lists_on_bars() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "faq.csv",
            "id,question,alternates,answer,category,tags,locale\nreset,How do I reset my password?,forgot password|cannot log in,Use the reset link.,account,login|password,en\n",
        );
        let e = &load(&path, |_| {}).unwrap()[0].entry;
        assert_eq!(e.alternates, vec!["forgot password", "cannot log in"]);
        assert_eq!(e.tags, vec!["login", "password"]);
    }

    #[test]
    fn article_is_split_into_passages_by_heading() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "guide.md",
            "---\nid: returns-guide\nkind: article\nlocale: en\ncategory: returns\nquestion: Returns guide\n---\nIntro text.\n\n## Preparing your return\nPack it well.\n\n```\n## not a heading\n```\n\n## Shipping it back\nUse the label.\n",
        );
        let entries = load(&path, |_| {}).unwrap();
        let ids: Vec<_> = entries.iter().map(|e| e.entry.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "returns-guide",
                "returns-guide#preparing-your-return",
                "returns-guide#shipping-it-back"
            ]
        );
        assert_eq!(
            entries[1].entry.question,
            "Returns guide: Preparing your return"
        );
        assert!(entries[1].entry.answer_text.contains("not a heading"));
        assert_eq!(entries[1].at.line, Some(10));
        assert_eq!(entries[2].at.line, Some(17));
    }

    #[test]
    fn html_in_answers_is_sanitized() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "x.yaml",
            "id: a\nquestion: Q?\nanswer: \"Hi <script>alert(1)</script><a href='javascript:x'>x</a>\"\n",
        );
        let html = &load(&path, |_| {}).unwrap()[0].entry.answer_html;
        assert!(
            !html.contains("<script") && !html.contains("javascript:"),
            "{html}"
        );
    }
}
