//! `kb lint`: problems a site owner should fix before visitors meet them.

use std::collections::BTreeMap;
use std::fmt;

use crate::synonyms::LoadedGroup;
use crate::{LoadedEntry, Location};

/// One problem, with where it is.
#[derive(Debug)]
pub struct Finding {
    pub at: Location,
    pub level: Level,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// The knowledge base is wrong: the build refuses it or visitors get arbitrary answers.
    Error,
    /// Likely to confuse retrieval; worth a look.
    Warning,
}

impl Finding {
    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        write!(f, "{}: {level}: {}", self.at, self.message)
    }
}

/// Ids must be unique per locale; the finding says where both copies are.
pub fn duplicate_ids(entries: &[LoadedEntry]) -> Vec<Finding> {
    let mut seen: BTreeMap<(&str, &str), &LoadedEntry> = BTreeMap::new();
    let mut findings = Vec::new();
    for e in entries {
        if let Some(first) = seen.insert((&e.entry.id, &e.entry.locale), e) {
            findings.push(Finding {
                at: e.at.clone(),
                level: Level::Error,
                message: format!(
                    "duplicate id `{}`{} (first defined at {})",
                    e.entry.id,
                    if e.entry.locale.is_empty() {
                        String::new()
                    } else {
                        format!(" in locale {}", e.entry.locale)
                    },
                    first.at
                ),
            });
        }
    }
    findings
}

/// Folds case, spacing and trailing punctuation so trivially equal phrasings compare equal.
fn normalized(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .trim_end_matches(['?', '!', '.', '。', '？', '！'])
        .to_string()
}

/// Everything `kb lint` reports: duplicate ids and phrasings, answer markup
/// that shows as text, phrasings that retrieve another entry; and the site
/// owner's synonym groups: a word in two groups is an error; a
/// group whose first word no entry uses rewrites visitors' words to nothing
/// the knowledge base says, a warning.
pub fn check(
    entries: &[LoadedEntry],
    synonyms: &[LoadedGroup],
) -> Result<Vec<Finding>, engine::BuildError> {
    let findings = static_findings(entries, synonyms);
    if findings.iter().any(Finding::is_error) {
        return Ok(findings);
    }
    let mut findings = findings;
    findings.extend(retrieval_findings(entries, synonyms)?);
    Ok(findings)
}

/// The checks that need no snapshot (duplicate ids and phrasings, conflicting synonym groups,
/// markup that shows as text): fast enough to run on every keystroke of an editor.
pub fn static_findings(entries: &[LoadedEntry], synonyms: &[LoadedGroup]) -> Vec<Finding> {
    let mut findings = duplicate_ids(entries);
    for conflict in crate::synonyms::conflicts(synonyms) {
        findings.push(Finding {
            at: conflict.at,
            level: Level::Error,
            message: conflict.message,
        });
    }
    let corpus: Vec<String> = entries
        .iter()
        .map(|e| {
            let mut text = engine::normalize(&e.entry.question);
            for t in e
                .entry
                .alternates
                .iter()
                .chain(std::iter::once(&e.entry.answer_text))
            {
                text.push('\n');
                text.push_str(&engine::normalize(t));
            }
            text
        })
        .collect();
    for group in synonyms {
        let canonical = engine::normalize(&group.words[0]);
        if !corpus.iter().any(|text| text.contains(&canonical)) {
            findings.push(Finding {
                at: group.at.clone(),
                level: Level::Warning,
                message: format!(
                    "no entry says `{}`, the group's first word: visitors' `{}` would be rewritten to a word the knowledge base never uses; put the entries' own word first",
                    group.words[0],
                    group.words[1..].join("`, `")
                ),
            });
        }
    }

    // The same phrasing under two entries: whichever wins, half the visitors get the wrong answer.
    let mut owner: BTreeMap<(String, &str), usize> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        for phrasing in std::iter::once(&e.entry.question).chain(&e.entry.alternates) {
            let key = (normalized(phrasing), e.entry.locale.as_str());
            match owner.get(&key) {
                Some(&j) if j == i => findings.push(Finding {
                    at: e.at.clone(),
                    level: Level::Warning,
                    message: format!("`{}` repeats the phrasing \"{phrasing}\"", e.entry.id),
                }),
                Some(&j) => findings.push(Finding {
                    at: e.at.clone(),
                    level: Level::Error,
                    message: format!(
                        "conflict: \"{phrasing}\" belongs to `{}` and to `{}` ({})",
                        entries[j].entry.id, e.entry.id, entries[j].at
                    ),
                }),
                None => {
                    owner.insert(key, i);
                }
            }
        }
    }
    // CommonMark will not open `**` between a CJK character and punctuation (`在**「…」**`):
    // the visitor would see the asterisks.
    for e in entries {
        if e.entry.answer_text.contains("**") {
            findings.push(Finding {
                at: e.at.clone(),
                level: Level::Warning,
                message: format!(
                    "`{}`: `**` shows as text in the answer; next to CJK punctuation put it inside the brackets (「**…**」)",
                    e.entry.id
                ),
            });
        }
    }
    findings
}

/// Phrasings that retrieve another entry first: the entries overlap and need sharper wording.
/// Builds a lexical snapshot, so it takes a moment on a large knowledge base.
fn retrieval_findings(
    entries: &[LoadedEntry],
    synonyms: &[LoadedGroup],
) -> Result<Vec<Finding>, engine::BuildError> {
    let mut findings = Vec::new();
    let snapshot = engine::build(
        entries.iter().map(|e| e.entry.clone()).collect(),
        &engine::BuildOptions {
            synonyms: synonyms.iter().map(|g| g.words.clone()).collect(),
            ..Default::default()
        },
    )?;
    let engine = engine::Engine::new(snapshot);
    for (i, e) in entries.iter().enumerate() {
        for phrasing in &e.entry.alternates {
            if let Some(top) = engine.search(phrasing, 1).first().filter(|c| c.entry != i) {
                let other = &entries[top.entry];
                findings.push(Finding {
                    at: e.at.clone(),
                    level: Level::Warning,
                    message: format!(
                        "\"{phrasing}\" of `{}` retrieves `{}` ({}) first: reword one of them",
                        e.entry.id, other.entry.id, other.at
                    ),
                });
            }
        }
    }
    Ok(findings)
}
