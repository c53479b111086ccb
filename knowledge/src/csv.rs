//! CSV sources, for knowledge bases exported from spreadsheets or other help desks.

use std::path::Path;

use super::{SourceEntry, SourceError};

/// Column names a CSV file may use; `id`, `question` and `answer` are required.
const COLUMNS: [&str; 7] = [
    "id",
    "question",
    "alternates",
    "answer",
    "category",
    "tags",
    "locale",
];

pub(super) fn parse(
    path: &Path,
    text: &str,
) -> Result<Vec<(SourceEntry, Option<usize>)>, SourceError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| SourceError::new(path, Some(1), format!("invalid CSV header: {e}")))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    for h in headers.iter() {
        if !COLUMNS.iter().any(|c| c.eq_ignore_ascii_case(h.trim())) {
            return Err(SourceError::new(
                path,
                Some(1),
                format!(
                    "unknown CSV column `{h}` (expected some of: {})",
                    COLUMNS.join(", ")
                ),
            ));
        }
    }
    let required = |name: &str| {
        column(name)
            .ok_or_else(|| SourceError::new(path, Some(1), format!("CSV needs a `{name}` column")))
    };
    let (id, question, answer) = (required("id")?, required("question")?, required("answer")?);
    let (alternates, category, tags, locale) = (
        column("alternates"),
        column("category"),
        column("tags"),
        column("locale"),
    );

    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line() as usize);
            SourceError::new(path, line, format!("invalid CSV row: {e}"))
        })?;
        let line = record.position().map(|p| p.line() as usize);
        let cell = |i: Option<usize>| {
            i.and_then(|i| record.get(i))
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let list = |i: Option<usize>| -> Vec<String> {
            cell(i)
                .split('|')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        };
        let optional = |i: Option<usize>| Some(cell(i)).filter(|s| !s.is_empty());
        out.push((
            SourceEntry {
                id: cell(Some(id)),
                question: cell(Some(question)),
                alternates: list(alternates),
                answer: cell(Some(answer)),
                category: optional(category),
                tags: list(tags),
                locale: optional(locale),
                links: Vec::new(),
            },
            line,
        ));
    }
    Ok(out)
}
