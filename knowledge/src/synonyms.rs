//! `synonyms.yaml`: the site owner's synonym groups, beside the entries.
//!
//! ```yaml
//! # Words visitors use for what the knowledge base calls otherwise.
//! # The first word of a group is the one the entries use.
//! synonyms:
//!   - [退货, 退掉, 退回去]
//!   - [gift card, giftcard, e-gift]
//! ```
//!
//! The engine merges them with its bundled list (`engine/data/synonyms.txt`);
//! a word named here is taken out of the bundled groups.

use std::path::Path;

use serde::Deserialize;

use super::{Location, SourceError};

/// File names (any folder, any case) that hold synonyms rather than entries.
pub fn is_synonym_file(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
        n.eq_ignore_ascii_case("synonyms.yaml") || n.eq_ignore_ascii_case("synonyms.yml")
    })
}

/// One group as written, with where it is.
#[derive(Debug, Clone)]
pub struct LoadedGroup {
    pub words: Vec<String>,
    pub at: Location,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    synonyms: Vec<Vec<String>>,
}

/// Parses one synonyms file; each group is located at the line of its `-`.
pub fn parse(path: &Path, text: &str) -> Result<Vec<LoadedGroup>, SourceError> {
    let file: File = super::yaml::from_str(path, text, 0)?;
    let starts: Vec<usize> = text
        .lines()
        .enumerate()
        .skip_while(|(_, l)| !l.starts_with("synonyms:"))
        .skip(1)
        .filter(|(_, l)| l.trim_start().starts_with('-'))
        .map(|(n, _)| n + 1)
        .collect();
    file.synonyms
        .into_iter()
        .enumerate()
        .map(|(i, words)| {
            let line = starts.get(i).copied();
            let words: Vec<String> = words.iter().map(|w| w.trim().to_string()).collect();
            if words.len() < 2 {
                return Err(SourceError::new(
                    path,
                    line,
                    "a synonym group needs at least two words: the knowledge base's word first, then what visitors say",
                ));
            }
            if words.iter().any(String::is_empty) {
                return Err(SourceError::new(path, line, "a synonym group has an empty word"));
            }
            Ok(LoadedGroup {
                words,
                at: Location {
                    file: path.to_path_buf(),
                    line,
                },
            })
        })
        .collect()
}

/// Every synonyms file under `root` (a folder; a single file has none), in path order.
pub fn load(root: &Path) -> Result<Vec<LoadedGroup>, SourceError> {
    if root.is_file() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    super::walk_all(root, &mut files)?;
    files.retain(|f| is_synonym_file(f));
    files.sort();
    let mut groups = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| SourceError::new(&file, None, format!("cannot read: {e}")))?;
        groups.extend(parse(&file, &text)?);
    }
    Ok(groups)
}

/// A word in two groups, named with both places: it could not be rewritten to both.
pub fn conflicts(groups: &[LoadedGroup]) -> Vec<SourceError> {
    let mut seen: Vec<(String, &Location)> = Vec::new();
    let mut problems = Vec::new();
    for g in groups {
        for w in &g.words {
            let key = engine::normalize(w);
            match seen.iter().find(|(k, _)| *k == key) {
                Some((_, first)) => problems.push(SourceError {
                    at: g.at.clone(),
                    message: format!("`{w}` is already in the synonym group at {first}; a word belongs to one group"),
                }),
                None => seen.push((key, &g.at)),
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_parse_with_their_lines() {
        let path = Path::new("kb/synonyms.yaml");
        let text = "# ours\nsynonyms:\n  - [退货, 退掉]\n  - - gift card\n    - giftcard\n";
        let groups = parse(path, text).unwrap();
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].words, ["退货", "退掉"]);
        assert_eq!(groups[0].at.line, Some(3));
        assert_eq!(groups[1].words, ["gift card", "giftcard"]);
        assert_eq!(groups[1].at.line, Some(4));
    }

    #[test]
    fn bad_lists_name_the_file_and_line() {
        let path = Path::new("kb/synonyms.yaml");
        let err = parse(path, "synonyms:\n  - [退货, 退掉]\n  - [only]\n").unwrap_err();
        assert_eq!(
            err.to_string().split(": ").next(),
            Some("kb/synonyms.yaml:3")
        );
        assert!(err.to_string().contains("at least two words"), "{err}");
        let err = parse(path, "synonym:\n  - [a, b]\n").unwrap_err();
        assert!(err.to_string().contains("synonym"), "{err}");
        let groups = parse(path, "synonyms:\n  - [a, b]\n  - [c, B]\n").unwrap();
        let problems = conflicts(&groups);
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].to_string().starts_with(
                "kb/synonyms.yaml:3: `B` is already in the synonym group at kb/synonyms.yaml:2"
            ),
            "{}",
            problems[0]
        );
    }

    #[test]
    fn synonym_files_are_recognised_by_name() {
        assert!(is_synonym_file(Path::new("kb/zh-CN/Synonyms.yml")));
        assert!(!is_synonym_file(Path::new("kb/returns.yaml")));
    }
}
