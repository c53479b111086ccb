//! Building the dense index: the table's rows for the scripts the knowledge
//! base uses, and in how many entries each token occurs.

use crate::analysis::normalize;
use crate::analysis::segment::is_cjk;
use crate::index::dense::{DenseIndex, TokenTable};
use crate::index::projection::Projection;
use crate::kb::Entry;

/// A script's rows are kept when at least one phrasing in this many uses it.
pub const SCRIPT_SHARE: usize = 10;

impl DenseIndex {
    /// Keeps the table's rows for the scripts the entries use and counts, per
    /// token, the entries whose phrasings use it.
    pub fn build(table: TokenTable, entries: &[Entry]) -> DenseIndex {
        let table = table.for_entries(entries);
        let mut ids: Vec<u32> = entries
            .iter()
            .flat_map(|e| {
                let mut ids: Vec<u32> = std::iter::once(&e.question)
                    .chain(&e.alternates)
                    .flat_map(|text| table.tokens(&normalize(text)))
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                ids
            })
            .collect();
        ids.sort_unstable();
        let counts = ids
            .chunk_by(|a, b| a == b)
            .map(|run| (run[0], run.len() as u32))
            .collect();
        DenseIndex {
            table,
            counts,
            total: entries.len() as u64,
            projection: None,
        }
    }

    /// The same index with text vectors mapped by `projection`.
    pub fn with_projection(mut self, projection: Option<Projection>) -> DenseIndex {
        self.projection = projection;
        self
    }
}

impl TokenTable {
    /// The table without the tokens of a script (CJK, or the rest) that fewer
    /// than one phrasing in [`SCRIPT_SHARE`] of `entries` uses, so an English
    /// knowledge base does not ship Chinese rows, nor a Chinese one English rows
    /// for the odd brand name.
    fn for_entries(self, entries: &[Entry]) -> TokenTable {
        let (mut phrasings, mut cjk, mut other) = (0usize, 0usize, 0usize);
        for text in entries
            .iter()
            .flat_map(|e| std::iter::once(&e.question).chain(&e.alternates))
        {
            phrasings += 1;
            cjk += usize::from(text.chars().any(is_cjk));
            other += usize::from(text.chars().any(|c| c.is_alphabetic() && !is_cjk(c)));
        }
        let enough = |n: usize| n > 0 && n * SCRIPT_SHARE >= phrasings;
        let (keep_cjk, keep_other) = (enough(cjk), enough(other));
        let d = self.dims();
        let mut out = TokenTable {
            dims: self.dims,
            tokens: Vec::new(),
            scales: Vec::new(),
            rows: Vec::new(),
        };
        for (i, token) in self.tokens.into_iter().enumerate() {
            let is_cjk_token = token.chars().any(is_cjk);
            if (is_cjk_token && keep_cjk) || (!is_cjk_token && keep_other) {
                out.tokens.push(token);
                out.scales.push(self.scales[i]);
                out.rows.extend_from_slice(&self.rows[i * d..(i + 1) * d]);
            }
        }
        out
    }
}
