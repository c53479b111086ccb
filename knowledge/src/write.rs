//! Entries written back into source files, for an editor that changes one entry at a time.
//!
//! What an edit does to the file an entry lives in, by format:
//! - a file of one entry (Markdown with front matter, or YAML): the file is written anew from the
//!   entry (front matter or YAML in the writer's layout); removing the entry removes the file;
//! - a YAML collection (`entries:`): the whole file is written anew in the writer's layout, its
//!   `locale` and `category` defaults kept (an entry repeats them only where it differs); the
//!   other entries keep their content, but the file's comments and hand layout are not kept;
//! - JSON Lines: only the entry's line changes (or goes); every other line stays byte for byte;
//! - CSV: the file is written anew with its own columns; other rows keep their cells, though
//!   their quoting may change. CSV has no `links` column and separates lists with `|`, so an
//!   entry with links, or a list item containing `|`, is refused there;
//! - a passage of a Markdown article (`kind: article`) is refused: it is a section of a longer
//!   text, edited as that text.
//!
//! New entries go into files of their own, [`new_entry_path`], as Markdown with front matter.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{parse_source, Format, SourceEntry, SourceError};

/// What to do to the entry found in a file.
#[derive(Debug, Clone)]
pub enum Edit {
    /// Put this entry in its place (its id and locale may differ from the old one's).
    Replace(SourceEntry),
    /// Take it out.
    Remove,
}

/// Why an entry cannot be written into its file.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("no entry `{id}` in {file}")]
    NotFound { id: String, file: String },
    #[error("`{0}` is a passage of a Markdown article: edit the article's file")]
    ArticlePassage(String),
    /// The format cannot hold the entry as written; names the field.
    #[error("{message}")]
    Unsupported {
        field: &'static str,
        message: String,
    },
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("cannot write YAML: {0}")]
    Yaml(String),
}

/// Applies `edit` to the entry `id` of `locale` in the file `path` holding `text`. Answers the
/// file's new text, or `None` when no entry is left in it (the file should go).
pub fn edit_file(
    path: &Path,
    text: &str,
    id: &str,
    locale: &str,
    edit: &Edit,
) -> Result<Option<String>, WriteError> {
    let not_found = || WriteError::NotFound {
        id: id.to_owned(),
        file: path.display().to_string(),
    };
    let format = Format::of(path).ok_or_else(not_found)?;
    // The file as the build reads it, so an entry the build would not find is not edited either.
    let loaded = parse_source(path, text)?;
    if !loaded
        .iter()
        .any(|l| l.entry.id == id && l.entry.locale == locale)
    {
        return Err(not_found());
    }
    let matches = |e: &SourceEntry, default_locale: Option<&String>| {
        e.id.trim() == id
            && e.locale
                .as_ref()
                .or(default_locale)
                .map_or("", |l| l.trim())
                == locale
    };
    match format {
        Format::Markdown => {
            if is_article(text) {
                return Err(WriteError::ArticlePassage(id.to_owned()));
            }
            match edit {
                Edit::Replace(entry) => markdown_file(entry).map(Some),
                Edit::Remove => Ok(None),
            }
        }
        Format::Yaml if text.lines().any(|l| l.starts_with("entries:")) => {
            let mut collection: Collection =
                serde_yaml_ng::from_str(text).map_err(|e| WriteError::Yaml(e.to_string()))?;
            let at = collection
                .entries
                .iter()
                .position(|e| matches(e, collection.locale.as_ref()))
                .ok_or_else(not_found)?;
            match edit {
                Edit::Replace(entry) => {
                    let mut entry = entry.clone();
                    let same = |value: &Option<String>, default: &Option<String>| {
                        value.as_deref().map(str::trim) == default.as_deref().map(str::trim)
                    };
                    if same(&entry.locale, &collection.locale) {
                        entry.locale = None;
                    } else if entry.locale.is_none() && collection.locale.is_some() {
                        entry.locale = Some(String::new());
                    }
                    if same(&entry.category, &collection.category) {
                        entry.category = None;
                    } else if entry.category.is_none() && collection.category.is_some() {
                        entry.category = Some(String::new());
                    }
                    collection.entries[at] = entry;
                }
                Edit::Remove => {
                    collection.entries.remove(at);
                }
            }
            if collection.entries.is_empty() {
                return Ok(None);
            }
            serde_yaml_ng::to_string(&collection)
                .map(Some)
                .map_err(|e| WriteError::Yaml(e.to_string()))
        }
        Format::Yaml => match edit {
            Edit::Replace(entry) => serde_yaml_ng::to_string(entry)
                .map(Some)
                .map_err(|e| WriteError::Yaml(e.to_string())),
            Edit::Remove => Ok(None),
        },
        Format::JsonLines => {
            let mut out = String::with_capacity(text.len());
            let mut found = false;
            let mut left = 0;
            for line in text.split_inclusive('\n') {
                let content = line.trim_end_matches(['\n', '\r']);
                let ending = &line[content.len()..];
                let this = !found
                    && serde_json::from_str::<SourceEntry>(content)
                        .is_ok_and(|e| matches(&e, None));
                if !this {
                    out.push_str(line);
                    left += usize::from(!content.trim().is_empty());
                    continue;
                }
                found = true;
                if let Edit::Replace(entry) = edit {
                    out.push_str(
                        &serde_json::to_string(entry).expect("an entry serializes to JSON"),
                    );
                    out.push_str(if ending.is_empty() { "\n" } else { ending });
                    left += 1;
                }
            }
            if !found {
                return Err(not_found());
            }
            Ok((left > 0).then_some(out))
        }
        Format::Csv => csv_edit(text, &matches, edit, not_found).map(Some),
    }
    .and_then(|written| match written {
        // The writer's output must read back as what was meant: checked here, not hoped.
        Some(written) => {
            parse_source(path, &written)?;
            Ok(Some(written))
        }
        None => Ok(None),
    })
}

/// A YAML collection as written: defaults, then entries without the defaults filled in.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Collection {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    locale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    category: Option<String>,
    entries: Vec<SourceEntry>,
}

/// Front matter as the writer lays it out: the answer is the body.
#[derive(Serialize)]
struct FrontMatter<'a> {
    id: &'a str,
    question: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    alternates: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    tags: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    locale: Option<&'a str>,
    #[serde(skip_serializing_if = "<[engine::Link]>::is_empty")]
    links: &'a [engine::Link],
}

/// One entry as a Markdown file: YAML front matter between `---` lines, the answer below.
pub fn markdown_file(entry: &SourceEntry) -> Result<String, WriteError> {
    let front = serde_yaml_ng::to_string(&FrontMatter {
        id: entry.id.trim(),
        question: &entry.question,
        alternates: &entry.alternates,
        category: entry.category.as_deref(),
        tags: &entry.tags,
        locale: entry.locale.as_deref(),
        links: &entry.links,
    })
    .map_err(|e| WriteError::Yaml(e.to_string()))?;
    Ok(format!("---\n{front}---\n\n{}\n", entry.answer.trim()))
}

/// Where a new entry made in an editor goes: `app/LOCALE/ID.md` (`app/ID.md` without a locale),
/// the id kept to letters, digits, `-` and `_`; a taken name gets `-2`, `-3`, ….
pub fn new_entry_path(entry: &SourceEntry, taken: impl Fn(&str) -> bool) -> String {
    let stem: String = entry
        .id
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let stem = stem.trim_start_matches(['-', '_', '.']);
    let stem = if stem.is_empty() { "entry" } else { stem };
    let folder = match entry.locale() {
        "" => "app".to_owned(),
        locale => format!("app/{}", locale.replace(['/', '\\', '.'], "-")),
    };
    let mut path = format!("{folder}/{stem}.md");
    let mut n = 2;
    while taken(&path) {
        path = format!("{folder}/{stem}-{n}.md");
        n += 1;
    }
    path
}

/// Whether a Markdown file is an article (`kind: article`), split into passages.
pub fn is_article(text: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let front = text.split("\n---").next().unwrap_or("");
    front
        .lines()
        .any(|l| l.trim_start().starts_with("kind:") && l.contains("article"))
}

fn csv_edit(
    text: &str,
    matches: &dyn Fn(&SourceEntry, Option<&String>) -> bool,
    edit: &Edit,
    not_found: impl Fn() -> WriteError,
) -> Result<String, WriteError> {
    let csv_error = |e: csv::Error| WriteError::Yaml(format!("CSV: {e}"));
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(csv_error)?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let cell = |record: &csv::StringRecord, name: &str| {
        column(name)
            .and_then(|i| record.get(i))
            .unwrap_or("")
            .trim()
            .to_owned()
    };
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    writer.write_record(&headers).map_err(csv_error)?;
    let mut found = false;
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let locale = Some(cell(&record, "locale")).filter(|l| !l.is_empty());
        let probe = SourceEntry {
            id: cell(&record, "id"),
            question: String::new(),
            alternates: Vec::new(),
            answer: String::new(),
            category: None,
            tags: Vec::new(),
            locale,
            links: Vec::new(),
        };
        if found || !matches(&probe, None) {
            writer.write_record(&record).map_err(csv_error)?;
            continue;
        }
        found = true;
        let Edit::Replace(entry) = edit else {
            continue;
        };
        writer
            .write_record(csv_row(entry, &headers)?)
            .map_err(csv_error)?;
    }
    if !found {
        return Err(not_found());
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| WriteError::Yaml(format!("CSV: {e}")))?;
    Ok(String::from_utf8(bytes).expect("CSV of strings is UTF-8"))
}

/// An entry as a row of a CSV file with these columns.
fn csv_row(entry: &SourceEntry, headers: &csv::StringRecord) -> Result<Vec<String>, WriteError> {
    if !entry.links.is_empty() {
        return Err(WriteError::Unsupported {
            field: "links",
            message: "this entry lives in a CSV file, which has no column for links".into(),
        });
    }
    let list = |field: &'static str, items: &[String]| {
        if items.iter().any(|i| i.contains('|')) {
            return Err(WriteError::Unsupported {
                field,
                message: format!("this entry lives in a CSV file, where `|` separates {field}"),
            });
        }
        Ok(items.join("|"))
    };
    let mut row = Vec::with_capacity(headers.len());
    for header in headers {
        let value = match header.trim().to_ascii_lowercase().as_str() {
            "id" => entry.id.trim().to_owned(),
            "question" => entry.question.clone(),
            "alternates" => list("alternates", &entry.alternates)?,
            "answer" => entry.answer.clone(),
            "category" => entry.category.clone().unwrap_or_default(),
            "tags" => list("tags", &entry.tags)?,
            "locale" => entry.locale.clone().unwrap_or_default(),
            _ => String::new(),
        };
        row.push(value);
    }
    for (field, present) in [
        ("alternates", !entry.alternates.is_empty()),
        ("category", entry.category.is_some()),
        ("tags", !entry.tags.is_empty()),
        ("locale", entry.locale.is_some()),
    ] {
        if present && !headers.iter().any(|h| h.trim().eq_ignore_ascii_case(field)) {
            return Err(WriteError::Unsupported {
                field,
                message: format!("this entry lives in a CSV file without a `{field}` column"),
            });
        }
    }
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, locale: Option<&str>, answer: &str) -> SourceEntry {
        SourceEntry {
            id: id.into(),
            question: format!("What about {id}?"),
            alternates: vec![format!("{id} please")],
            answer: answer.into(),
            category: None,
            tags: Vec::new(),
            locale: locale.map(Into::into),
            links: Vec::new(),
        }
    }

    fn answers(path: &str, text: &str) -> Vec<(String, String, String)> {
        parse_source(Path::new(path), text)
            .unwrap()
            .into_iter()
            .map(|l| (l.entry.id, l.entry.locale, l.entry.answer_text))
            .collect()
    }

    #[test]
    fn a_collection_keeps_its_defaults_and_other_entries() {
        let text = "# comment\nlocale: en\ncategory: orders\nentries:\n  - id: a\n    question: A?\n    answer: First.\n  - id: b\n    question: B?\n    answer: |\n      Second,\n      in **two** lines.\n";
        let new = edit_file(
            Path::new("x.yaml"),
            text,
            "a",
            "en",
            &Edit::Replace(SourceEntry {
                category: Some("orders".into()),
                ..entry("a", Some("en"), "Changed.")
            }),
        )
        .unwrap()
        .unwrap();
        assert!(new.starts_with("locale: en\ncategory: orders\n"), "{new}");
        assert_eq!(new.matches("orders").count(), 1, "{new}");
        assert_eq!(
            answers("x.yaml", &new),
            [
                ("a".into(), "en".into(), "Changed.".into()),
                ("b".into(), "en".into(), "Second, in two lines.".into())
            ]
        );
        let parsed = parse_source(Path::new("x.yaml"), &new).unwrap();
        assert_eq!(parsed[0].entry.category, "orders");
        let removed = edit_file(Path::new("x.yaml"), &new, "b", "en", &Edit::Remove)
            .unwrap()
            .unwrap();
        assert_eq!(answers("x.yaml", &removed).len(), 1);
        assert!(
            edit_file(Path::new("x.yaml"), &removed, "a", "en", &Edit::Remove)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn jsonl_changes_only_the_entry_line() {
        let text = "{\"id\":\"a\",\"question\":\"A?\",\"answer\":\"1\"}\r\n{\"id\":\"b\",  \"question\":\"B?\",\"answer\":\"2\"}\n";
        let new = edit_file(
            Path::new("k.jsonl"),
            text,
            "b",
            "",
            &Edit::Replace(entry("b", None, "Two")),
        )
        .unwrap()
        .unwrap();
        assert!(new.starts_with("{\"id\":\"a\",\"question\":\"A?\",\"answer\":\"1\"}\r\n"));
        assert_eq!(answers("k.jsonl", &new)[1].2, "Two");
    }

    #[test]
    fn markdown_entries_round_trip_and_articles_are_refused() {
        let mut e = entry(
            "hours",
            Some("zh-CN"),
            "我们 **9 点**开门。\n\n- 周一\n- 周二",
        );
        e.links = vec![engine::Link {
            title: "Hours".into(),
            url: "/hours".into(),
        }];
        let text = markdown_file(&e).unwrap();
        let parsed = parse_source(Path::new("h.md"), &text).unwrap();
        assert_eq!(parsed[0].source, e);
        let article = "---\nid: g\nkind: article\nquestion: Guide\n---\nIntro.\n\n## Part\nText.\n";
        assert!(matches!(
            edit_file(Path::new("g.md"), article, "g#part", "", &Edit::Remove),
            Err(WriteError::ArticlePassage(_))
        ));
    }

    #[test]
    fn csv_rows_are_rewritten_and_links_refused() {
        let text = "id,question,answer,locale\na,A?,One,en\nb,B?,\"Two, quoted\",en\n";
        let new = edit_file(
            Path::new("f.csv"),
            text,
            "a",
            "en",
            &Edit::Replace(SourceEntry {
                alternates: Vec::new(),
                ..entry("a", Some("en"), "Uno")
            }),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            new,
            "id,question,answer,locale\na,What about a?,Uno,en\nb,B?,\"Two, quoted\",en\n"
        );
        let mut linked = entry("a", Some("en"), "Uno");
        linked.alternates.clear();
        linked.links = vec![engine::Link {
            title: "x".into(),
            url: "/x".into(),
        }];
        assert!(matches!(
            edit_file(Path::new("f.csv"), text, "a", "en", &Edit::Replace(linked)),
            Err(WriteError::Unsupported { field: "links", .. })
        ));
    }

    #[test]
    fn new_entries_get_a_file_of_their_own() {
        let e = entry("gift cards/balance", Some("en"), "x");
        assert_eq!(
            new_entry_path(&e, |_| false),
            "app/en/gift-cards-balance.md"
        );
        assert_eq!(
            new_entry_path(&e, |p| p == "app/en/gift-cards-balance.md"),
            "app/en/gift-cards-balance-2.md"
        );
    }
}
