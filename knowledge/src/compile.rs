//! A knowledge base → a snapshot, as `answerdesk kb build` and the server's publish make it.
//!
//! Both use the same bundled token tables and the same checks, so a folder built on a laptop and
//! the same folder published from the app answer alike.

use engine::{BuildOptions, Snapshot, TokenTable};

use crate::lint;
use crate::synonyms::LoadedGroup;
use crate::LoadedEntry;

/// Static token embeddings distilled by `cargo xtask distill` from all-MiniLM-L6-v2
/// (English, Apache-2.0) and multilingual-e5-small (Chinese characters, MIT); see
/// `models/NOTICE`. Merged into one table; each build keeps the rows of the
/// scripts its knowledge base uses.
const BUNDLED_TABLES: [&[u8]; 2] = [
    include_bytes!("../../models/minilm-l6-en-64.table"),
    include_bytes!("../../models/e5-small-zh-64.table"),
];

/// The bundled English and Chinese token tables, merged.
pub fn bundled_token_table() -> Result<TokenTable, engine::TableError> {
    let [english, chinese] = BUNDLED_TABLES.map(TokenTable::from_bytes);
    english?.merge(chinese?)
}

/// Why a knowledge base does not compile.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    /// A duplicate id or a word in two synonym groups, with where it is.
    #[error("{0}")]
    Source(String),
    #[error("the bundled token tables: {0}")]
    Table(#[from] engine::TableError),
    #[error("cannot build the snapshot: {0}")]
    Build(#[from] engine::BuildError),
}

/// Refuses what the build must not accept (the first duplicate id, the first word in two
/// synonym groups), then builds; `build_time` is recorded in the snapshot's header.
pub fn compile(
    entries: Vec<LoadedEntry>,
    synonyms: &[LoadedGroup],
    token_table: Option<TokenTable>,
    build_time: u64,
) -> Result<Snapshot, CompileError> {
    if let Some(duplicate) = lint::duplicate_ids(&entries).into_iter().next() {
        return Err(CompileError::Source(duplicate.to_string()));
    }
    if let Some(conflict) = crate::synonyms::conflicts(synonyms).into_iter().next() {
        return Err(CompileError::Source(conflict.to_string()));
    }
    Ok(engine::build(
        entries.into_iter().map(|l| l.entry).collect(),
        &BuildOptions {
            build_time,
            thresholds: None,
            token_table,
            synonyms: synonyms.iter().map(|g| g.words.clone()).collect(),
        },
    )?)
}
