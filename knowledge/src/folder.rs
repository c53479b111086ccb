//! A knowledge-base folder in memory: every file as its bytes, by its path in the folder.
//!
//! This is how a site's knowledge base is stored (`answerdesk kb import` reads a folder into one,
//! `kb export` writes one back out): the files themselves are the truth, byte for byte, so an
//! export of an import is the folder that was imported, notes (`_*.md`), README and scripts
//! included. Only the files [`Folder::load`] reads are parsed; the rest travel along untouched.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::synonyms::{self, LoadedGroup};
use crate::{parse_source, Format, LoadedEntry, SourceError};

/// The largest file a folder may hold: a knowledge file is text; this keeps a stray archive or
/// video out of the database.
pub const MAX_FILE_BYTES: usize = 16 << 20;

/// Files by their path in the folder (`/`-separated, relative).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Folder {
    pub files: BTreeMap<String, Vec<u8>>,
}

/// What a folder says: its entries, in build order, and its synonym groups.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub entries: Vec<LoadedEntry>,
    pub synonyms: Vec<LoadedGroup>,
}

/// Whether a file at `path` (relative, `/`-separated) holds entries: a known format, no part of
/// its path starting with `_` or `.` (notes, hidden files), not a README and not a synonym list.
/// The same rule `kb build` walks a folder by.
pub fn holds_entries(path: &str) -> bool {
    is_read(path) && !synonyms::is_synonym_file(Path::new(path))
}

/// Whether `kb build` reads the file at all (entries or synonyms).
fn is_read(path: &str) -> bool {
    let mut parts = path.split('/').peekable();
    while let Some(part) = parts.next() {
        if part.starts_with('_') || part.starts_with('.') {
            return false;
        }
        if parts.peek().is_none() {
            return !part.eq_ignore_ascii_case("README.md")
                && Format::of(Path::new(part)).is_some();
        }
    }
    false
}

impl Folder {
    /// Every regular file under `dir` except hidden ones (`.git`, `.DS_Store`), verbatim.
    pub fn read(dir: &Path) -> Result<Folder, SourceError> {
        let mut folder = Folder::default();
        read_into(dir, "", &mut folder.files)?;
        if !folder.files.keys().any(|p| holds_entries(p)) {
            return Err(SourceError::new(
                dir,
                None,
                "no knowledge files here (expected .yaml, .yml, .md, .jsonl or .csv)",
            ));
        }
        Ok(folder)
    }

    /// Writes every file under `dir`, creating folders as needed.
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        for (path, bytes) in &self.files {
            let target = dir.join(path);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&target, bytes)?;
        }
        Ok(())
    }

    /// The text of a file `kb build` reads; a file that is not UTF-8 is an error naming it.
    pub fn text(&self, path: &str, shown_under: &Path) -> Result<&str, SourceError> {
        let shown = shown_under.join(path);
        let bytes = self
            .files
            .get(path)
            .ok_or_else(|| SourceError::new(&shown, None, "no such file"))?;
        std::str::from_utf8(bytes)
            .map_err(|e| SourceError::new(&shown, None, format!("cannot read: not UTF-8 ({e})")))
    }

    /// Parses and renders every entry and synonym group, in the order `kb build` reads the same
    /// files from disk. Errors and lint locations name files as `shown_under/path`.
    pub fn load(&self, shown_under: &Path) -> Result<Loaded, SourceError> {
        let mut read: Vec<(PathBuf, &str)> = self
            .files
            .keys()
            .filter(|p| is_read(p))
            .map(|p| (shown_under.join(p), p.as_str()))
            .collect();
        // Component by component, as the disk walk sorts: `en/x` before `en-GB/x`.
        read.sort();
        let mut loaded = Loaded {
            entries: Vec::new(),
            synonyms: Vec::new(),
        };
        for (shown, path) in &read {
            let text = self.text(path, shown_under)?;
            if synonyms::is_synonym_file(shown) {
                loaded.synonyms.extend(synonyms::parse(shown, text)?);
            } else {
                loaded.entries.extend(parse_source(shown, text)?);
            }
        }
        if !read
            .iter()
            .any(|(shown, _)| !synonyms::is_synonym_file(shown))
        {
            return Err(SourceError::new(
                shown_under,
                None,
                "no knowledge files here (expected .yaml, .yml, .md, .jsonl or .csv)",
            ));
        }
        Ok(loaded)
    }
}

fn read_into(
    dir: &Path,
    prefix: &str,
    files: &mut BTreeMap<String, Vec<u8>>,
) -> Result<(), SourceError> {
    let read = std::fs::read_dir(dir)
        .map_err(|e| SourceError::new(dir, None, format!("cannot list: {e}")))?;
    for item in read {
        let item = item.map_err(|e| SourceError::new(dir, None, format!("cannot list: {e}")))?;
        let name = item.file_name();
        let Some(name) = name.to_str() else {
            return Err(SourceError::new(
                &item.path(),
                None,
                "the file name is not UTF-8",
            ));
        };
        if name.starts_with('.') {
            continue;
        }
        let path = item.path();
        let relative = format!("{prefix}{name}");
        if path.is_dir() {
            read_into(&path, &format!("{relative}/"), files)?;
        } else if path.is_file() {
            let bytes = std::fs::read(&path)
                .map_err(|e| SourceError::new(&path, None, format!("cannot read: {e}")))?;
            if bytes.len() > MAX_FILE_BYTES {
                return Err(SourceError::new(
                    &path,
                    None,
                    format!("larger than {} MiB", MAX_FILE_BYTES >> 20),
                ));
            }
            files.insert(relative, bytes);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_readmes_and_synonyms_hold_no_entries() {
        assert!(holds_entries("en/shipping.yaml"));
        assert!(holds_entries("faq.csv"));
        assert!(!holds_entries("_policies.md"));
        assert!(!holds_entries("en/_drafts/x.yaml"));
        assert!(!holds_entries("README.md"));
        assert!(!holds_entries("zh-CN/synonyms.yaml"));
        assert!(!holds_entries("_validate.py"));
        assert!(is_read("zh-CN/synonyms.yaml"));
    }

    #[test]
    fn a_folder_round_trips_and_loads_like_the_disk() {
        let dir = tempfile::tempdir().unwrap();
        let write = |p: &str, t: &str| {
            let path = dir.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, t).unwrap();
        };
        write("en/a.yaml", "id: a\nquestion: A?\nanswer: Yes.\n");
        write("en-GB/b.yaml", "id: b\nquestion: B?\nanswer: Yes.\n");
        write("_notes.md", "not an entry\n");
        write(".hidden", "skipped");
        let folder = Folder::read(dir.path()).unwrap();
        assert_eq!(
            folder.files.keys().collect::<Vec<_>>(),
            ["_notes.md", "en-GB/b.yaml", "en/a.yaml"]
        );
        let from_memory: Vec<_> = folder
            .load(dir.path())
            .unwrap()
            .entries
            .into_iter()
            .map(|e| (e.entry.id, e.at))
            .collect();
        let from_disk: Vec<_> = crate::load(dir.path(), |_| {})
            .unwrap()
            .into_iter()
            .map(|e| (e.entry.id, e.at))
            .collect();
        assert_eq!(from_memory, from_disk);

        let out = tempfile::tempdir().unwrap();
        folder.write(out.path()).unwrap();
        assert_eq!(Folder::read(out.path()).unwrap(), folder);
    }
}
