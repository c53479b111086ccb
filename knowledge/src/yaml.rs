//! YAML sources: a collection of entries sharing defaults, or a single entry.

use std::path::Path;

use serde::Deserialize;

use super::{SourceEntry, SourceError};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Collection {
    #[serde(default)]
    locale: Option<String>,
    #[serde(default)]
    category: Option<String>,
    entries: Vec<SourceEntry>,
}

/// Parses `text`; `line_offset` shifts reported lines when the YAML is embedded (front matter).
pub(super) fn parse(
    path: &Path,
    text: &str,
) -> Result<Vec<(SourceEntry, Option<usize>)>, SourceError> {
    if is_collection(text) {
        let collection: Collection = from_str(path, text, 0)?;
        let starts = item_lines(text);
        Ok(collection
            .entries
            .into_iter()
            .enumerate()
            .map(|(i, mut entry)| {
                if entry.locale.is_none() {
                    entry.locale.clone_from(&collection.locale);
                }
                if entry.category.is_none() {
                    entry.category.clone_from(&collection.category);
                }
                (entry, starts.get(i).copied())
            })
            .collect())
    } else {
        Ok(vec![(from_str(path, text, 0)?, Some(1))])
    }
}

/// Deserializes YAML, turning errors into messages with the file and line.
pub(super) fn from_str<T: for<'de> Deserialize<'de>>(
    path: &Path,
    text: &str,
    line_offset: usize,
) -> Result<T, SourceError> {
    serde_yaml_ng::from_str(text).map_err(|e| {
        let line = e.location().map(|l| l.line() + line_offset);
        // The library appends "at line N column M"; we already report the line up front.
        let message = e.to_string();
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_string();
        SourceError::new(path, line, format!("invalid YAML: {message}"))
    })
}

fn is_collection(text: &str) -> bool {
    text.lines().any(|l| l.starts_with("entries:"))
}

/// 1-based line numbers where each item of the top-level `entries:` list starts.
fn item_lines(text: &str) -> Vec<usize> {
    let mut lines = text
        .lines()
        .enumerate()
        .skip_while(|(_, l)| !l.starts_with("entries:"));
    lines.next();
    let mut indent = None;
    let mut starts = Vec::new();
    for (n, line) in lines {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let depth = line.len() - trimmed.len();
        if depth == 0 && !trimmed.starts_with('-') {
            break; // the next top-level key
        }
        if trimmed.starts_with("- ") || trimmed == "-" {
            match indent {
                None => {
                    indent = Some(depth);
                    starts.push(n + 1);
                }
                Some(d) if d == depth => starts.push(n + 1),
                _ => {}
            }
        }
    }
    starts
}
