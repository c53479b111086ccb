//! Markdown sources with YAML front matter: one entry, or an article split into passages.

use std::path::Path;

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
use serde::Deserialize;

use super::{yaml, SourceEntry, SourceError};

#[derive(Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Kind {
    /// The body is the answer to `question`.
    #[default]
    Entry,
    /// A long help text: every `## ` section becomes its own searchable passage.
    Article,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    id: String,
    #[serde(default)]
    kind: Kind,
    question: String,
    #[serde(default)]
    alternates: Vec<String>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    locale: Option<String>,
    #[serde(default)]
    links: Vec<engine::Link>,
}

pub(super) fn parse(
    path: &Path,
    text: &str,
) -> Result<Vec<(SourceEntry, Option<usize>)>, SourceError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return Err(SourceError::new(
            path,
            Some(1),
            "Markdown entries start with YAML front matter between `---` lines (id, question, ...)",
        ));
    };
    let Some(end) = find_closing_fence(rest) else {
        return Err(SourceError::new(
            path,
            Some(1),
            "front matter is not closed by a `---` line",
        ));
    };
    let front: FrontMatter = yaml::from_str(path, &rest[..end], 1)?;
    let after_fence = rest[end..].find('\n').map_or(rest.len(), |i| end + i + 1);
    let body = &rest[after_fence..];
    // 1-based line of the body's first line: the opening fence, the front matter, the closing fence.
    let body_line = 1 + rest[..after_fence].matches('\n').count() + 1;

    let entry = |id: String, question: String, alternates: Vec<String>, answer: &str| SourceEntry {
        id,
        question,
        alternates,
        answer: answer.trim().to_string(),
        category: front.category.clone(),
        tags: front.tags.clone(),
        locale: front.locale.clone(),
        links: front.links.clone(),
    };

    if front.kind == Kind::Entry {
        return Ok(vec![(
            entry(
                front.id.clone(),
                front.question.clone(),
                front.alternates.clone(),
                body,
            ),
            Some(body_line),
        )]);
    }

    let sections = sections(body);
    let mut out = Vec::with_capacity(sections.len() + 1);
    let intro_end = sections.first().map_or(body.len(), |s| s.start);
    if !body[..intro_end].trim().is_empty() {
        out.push((
            entry(
                front.id.clone(),
                front.question.clone(),
                front.alternates.clone(),
                &body[..intro_end],
            ),
            Some(body_line),
        ));
    }
    for (i, section) in sections.iter().enumerate() {
        let end = sections.get(i + 1).map_or(body.len(), |next| next.start);
        let line = body_line + body[..section.start].matches('\n').count();
        out.push((
            entry(
                format!("{}#{}", front.id, slug(&section.title)),
                format!("{}: {}", front.question, section.title),
                vec![section.title.clone()],
                &body[section.body_start..end],
            ),
            Some(line),
        ));
    }
    if out.is_empty() {
        return Err(SourceError::new(
            path,
            Some(body_line),
            "article has no text",
        ));
    }
    Ok(out)
}

fn find_closing_fence(rest: &str) -> Option<usize> {
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

struct Section {
    title: String,
    /// Byte offset of the heading line.
    start: usize,
    /// Byte offset just past the heading.
    body_start: usize,
}

/// Level-2 headings found by a real Markdown parser, so `## ` inside code blocks is not a heading.
fn sections(body: &str) -> Vec<Section> {
    let mut out = Vec::new();
    let mut current: Option<Section> = None;
    for (event, range) in Parser::new(body).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H2,
                ..
            }) => {
                current = Some(Section {
                    title: String::new(),
                    start: range.start,
                    body_start: range.end,
                });
            }
            Event::Text(t) | Event::Code(t) if current.is_some() => {
                if let Some(s) = current.as_mut() {
                    s.title.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(HeadingLevel::H2)) => {
                if let Some(s) = current.take() {
                    out.push(Section {
                        title: s.title.trim().to_string(),
                        ..s
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// A URL fragment for a heading: lowercase words joined by `-`; CJK kept as is.
fn slug(title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_string()
}
