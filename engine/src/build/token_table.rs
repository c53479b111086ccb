//! The token table file format, as `cargo xtask distill` writes it
//! (`models/*.table`), and the other ways to make a [`TokenTable`]. The build
//! reads a table and copies the rows it needs into the snapshot; the visitor's
//! engine only ever sees a table inside a snapshot.
//!
//! ```text
//! offset  size            field
//! 0       8               magic  b"ADTOK\0\0\x01"
//! 8       4               dimensions, u32 little-endian
//! 12      4               token count n, u32 little-endian
//! 16      ...             n tokens: length byte, UTF-8 bytes; sorted by bytes
//! ...     4 n             per token, its scale, f32 little-endian
//! ...     n × dimensions  int8 rows, row after row
//! ```

use crate::index::dense::TokenTable;

/// Magic bytes of a token table file written by `cargo xtask distill`.
pub const TABLE_MAGIC: [u8; 8] = *b"ADTOK\0\0\x01";

/// Why a token table could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    /// Wrong magic bytes: not a table written by `cargo xtask distill`.
    #[error("not an Answerdesk token table (regenerate it with `cargo xtask distill`)")]
    NotATable,
    /// Cut short or inconsistent.
    #[error("the token table is damaged: {0}")]
    Damaged(&'static str),
}

impl TokenTable {
    /// Reads the file format of `xtask/distill/distill.py`.
    pub fn from_bytes(bytes: &[u8]) -> Result<TokenTable, TableError> {
        if bytes.len() < 16 || bytes[..8] != TABLE_MAGIC {
            return Err(TableError::NotATable);
        }
        let dims = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
        let count = u32::from_le_bytes(bytes[12..16].try_into().expect("4 bytes")) as usize;
        let mut at = 16;
        let mut tokens = Vec::with_capacity(count);
        for _ in 0..count {
            let len = *bytes
                .get(at)
                .ok_or(TableError::Damaged("tokens cut short"))? as usize;
            let text = bytes
                .get(at + 1..at + 1 + len)
                .ok_or(TableError::Damaged("tokens cut short"))?;
            let text = std::str::from_utf8(text).map_err(|_| TableError::Damaged("bad UTF-8"))?;
            tokens.push(text.to_string());
            at += 1 + len;
        }
        let scales: Vec<f32> = bytes
            .get(at..at + 4 * count)
            .ok_or(TableError::Damaged("scales cut short"))?
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")))
            .collect();
        at += 4 * count;
        let rows: Vec<i8> = bytes
            .get(at..)
            .ok_or(TableError::Damaged("rows cut short"))?
            .iter()
            .map(|&b| b as i8)
            .collect();
        let table = TokenTable {
            dims,
            tokens,
            scales,
            rows,
        };
        table.check().map_err(TableError::Damaged)?;
        Ok(table)
    }

    /// A table from parts (for tests and tools); rows are `tokens.len() * dims`
    /// int8 values. Tokens must be sorted and unique.
    pub fn new(dims: u32, tokens: Vec<String>, scales: Vec<f32>, rows: Vec<i8>) -> TokenTable {
        let table = TokenTable {
            dims,
            tokens,
            scales,
            rows,
        };
        table.check().expect("a consistent token table");
        table
    }

    /// One table from two of the same dimension, e.g. an English and a Chinese
    /// one distilled from different models; on a token in both, `self` wins.
    /// The two vector spaces differ, so only texts in one language compare well;
    /// that is what a knowledge base of one language per entry needs.
    pub fn merge(self, other: TokenTable) -> Result<TokenTable, TableError> {
        if self.dims != other.dims {
            return Err(TableError::Damaged("tables of different dimensions"));
        }
        let d = self.dims();
        let mut rows: Vec<(&String, f32, &[i8])> = Vec::with_capacity(self.len() + other.len());
        for t in [&self, &other] {
            for (i, token) in t.tokens.iter().enumerate() {
                rows.push((token, t.scales[i], &t.rows[i * d..(i + 1) * d]));
            }
        }
        // Stable: for equal tokens, `self`'s row comes first and is kept.
        rows.sort_by(|a, b| a.0.cmp(b.0));
        rows.dedup_by(|later, first| later.0 == first.0);
        Ok(TokenTable {
            dims: self.dims,
            tokens: rows.iter().map(|r| r.0.clone()).collect(),
            scales: rows.iter().map(|r| r.1).collect(),
            rows: rows.iter().flat_map(|r| r.2.iter().copied()).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::dense::tests::table;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    fn file_bytes(t: &TokenTable) -> Vec<u8> {
        let mut out = TABLE_MAGIC.to_vec();
        out.extend(t.dims.to_le_bytes());
        out.extend((t.tokens.len() as u32).to_le_bytes());
        for token in &t.tokens {
            out.push(token.len() as u8);
            out.extend(token.as_bytes());
        }
        for s in &t.scales {
            out.extend(s.to_le_bytes());
        }
        out.extend(t.rows.iter().map(|&r| r as u8));
        out
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn table_files_round_trip_and_damage_is_refused() {
        let t = table();
        let bytes = file_bytes(&t);
        assert_eq!(TokenTable::from_bytes(&bytes).unwrap(), t);
        assert_eq!(
            TokenTable::from_bytes(b"not a table at all"),
            Err(TableError::NotATable)
        );
        assert!(matches!(
            TokenTable::from_bytes(&bytes[..bytes.len() - 1]),
            Err(TableError::Damaged(_))
        ));
        assert!(matches!(
            TokenTable::from_bytes(&bytes[..20]),
            Err(TableError::Damaged(_))
        ));
    }
}
