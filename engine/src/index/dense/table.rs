//! The token table as a snapshot carries it: a sorted vocabulary and one int8
//! row per token with its own scale. Its file format (`models/*.table`) and the
//! ways to make one are build-side (`crate::build::token_table`).

use serde::{Deserialize, Serialize};

/// Static token embeddings: a sorted vocabulary and one int8 row per token with
/// its own scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenTable {
    pub(crate) dims: u32,
    /// Sorted by bytes; a token's id is its position.
    pub(crate) tokens: Vec<String>,
    /// Per row, the factor turning int8 values back into floats.
    pub(crate) scales: Vec<f32>,
    /// `tokens.len() * dims` values, row after row.
    pub(crate) rows: Vec<i8>,
}

impl TokenTable {
    /// Checks sizes and order, for tables read from untrusted bytes.
    pub(crate) fn check(&self) -> Result<(), &'static str> {
        if self.dims == 0 || self.dims > 4096 {
            return Err("dimension out of range");
        }
        if self.scales.len() != self.tokens.len()
            || self.rows.len() != self.tokens.len() * self.dims as usize
        {
            return Err("row count does not match the vocabulary");
        }
        if !self.tokens.windows(2).all(|w| w[0] < w[1]) {
            return Err("vocabulary is not sorted");
        }
        Ok(())
    }

    /// Vector length.
    pub fn dims(&self) -> usize {
        self.dims as usize
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Whether the table has no tokens.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// Approximate encoded size: rows, scales and token text.
    pub fn byte_size(&self) -> usize {
        self.rows.len()
            + 4 * self.scales.len()
            + self.tokens.iter().map(|t| t.len() + 1).sum::<usize>()
    }

    /// The id of `token`, if the table has it.
    pub(crate) fn id(&self, token: &str) -> Option<u32> {
        self.tokens
            .binary_search_by(|t| t.as_str().cmp(token))
            .ok()
            .map(|i| i as u32)
    }

    /// Adds `weight` times the token's row to `acc`.
    pub(crate) fn add_row(&self, id: u32, weight: f32, acc: &mut [f32]) {
        let d = self.dims();
        let row = &self.rows[id as usize * d..(id as usize + 1) * d];
        let w = weight * self.scales[id as usize];
        for (a, &r) in acc.iter_mut().zip(row) {
            *a += w * r as f32;
        }
    }
}
