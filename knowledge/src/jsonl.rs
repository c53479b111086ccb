//! JSON Lines sources: one entry per line, as in the shared evaluation datasets.

use std::path::Path;

use super::{SourceEntry, SourceError};

pub(super) fn parse(
    path: &Path,
    text: &str,
) -> Result<Vec<(SourceEntry, Option<usize>)>, SourceError> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(n, line)| {
            serde_json::from_str::<SourceEntry>(line)
                .map(|entry| (entry, Some(n + 1)))
                .map_err(|e| {
                    SourceError::new(path, Some(n + 1), format!("invalid JSON entry: {e}"))
                })
        })
        .collect()
}
