//! A dense semantic index: phrasings as vectors of pretrained word meaning.
//!
//! Lexical matching needs the visitor to use the knowledge base's words; "money
//! back" never meets "refund". The dense index carries knowledge of the language
//! from outside the knowledge base: a [`TokenTable`] of static token embeddings
//! distilled offline from a sentence-embedding model (all-MiniLM-L6-v2, the
//! Model2Vec recipe: each token run alone through the model, PCA, int8 rows; see
//! `cargo xtask distill`). A text's vector is the weighted mean of its tokens'
//! rows, normalized; a token weighs its inverse entry frequency in this knowledge
//! base (`ln((N + 1) / (df + 1))` over N entries), so the words that tell
//! entries apart count most, a token every entry uses counts nothing and words
//! the knowledge base never uses count fully. Chosen on validation data only
//! (issue 14: massive_zh's `queries_val.jsonl`, the demo's development set,
//! held-out alternates of banking77 and banking77_5shot; fused top-1): it beat
//! `ln((N + 1) / (df + 0.5))`, its square root and square, SIF weights and
//! uniform weights (docs/QUALITY.md, "Constants re-chosen on validation data").
//!
//! Tokenization follows the table's WordPiece vocabulary ([`tokenizer`]).
//! Only the table and token counts are serialized; phrasing vectors are derived
//! from the entries' text when an engine loads ([`DensePhrasings`]), which costs
//! milliseconds and keeps the snapshot small, and searched exactly
//! ([`phrasings`]) or, past a size and with feature `hnsw`, through a graph
//! ([`graph`]).
//!
//! Files by concern: [`table`] (the token table as a snapshot carries it),
//! [`tokenizer`] (text to token ids), [`phrasings`] (the int8 vector store and
//! its scan), [`kernels`] (the SIMD-friendly arithmetic), [`graph`]; this file
//! turns a text into a vector. Reading a table file and building the index are
//! build-side (`crate::build`).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::analysis::normalize;
use crate::index::projection::Projection;
use crate::kb::Entry;

#[cfg(feature = "hnsw")]
pub(crate) mod graph;
pub(crate) mod kernels;
pub(crate) mod phrasings;
pub(crate) mod table;
pub(crate) mod tokenizer;

pub use phrasings::{DensePhrasings, DenseScores};
pub use table::TokenTable;

/// The serialized dense index: the token table and in how many entries each
/// token occurs (for the token weights).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DenseIndex {
    pub(crate) table: TokenTable,
    /// `(token id, entries whose phrasings use it)`, ascending by id, only
    /// tokens that occur.
    pub(crate) counts: Vec<(u32, u32)>,
    /// Number of entries.
    pub(crate) total: u64,
    /// Learned from the alternates at build time (see [`Projection`]); applied to
    /// every text vector.
    pub(crate) projection: Option<Projection>,
}

impl DenseIndex {
    /// The learned projection, if the build kept one.
    pub fn projection(&self) -> Option<&Projection> {
        self.projection.as_ref()
    }

    /// The token table.
    pub fn table(&self) -> &TokenTable {
        &self.table
    }

    /// Checks ids against the table, for snapshots read from untrusted bytes.
    pub fn check(&self) -> Result<(), String> {
        self.table.check().map_err(str::to_string)?;
        let n = self.table.len() as u32;
        if !self.counts.windows(2).all(|w| w[0].0 < w[1].0) || self.counts.iter().any(|c| c.0 >= n)
        {
            return Err("token counts do not match the table".into());
        }
        if let Some(p) = &self.projection {
            p.check(self.table.dims()).map_err(str::to_string)?;
        }
        Ok(())
    }

    /// The per-token weights, derived once when an engine loads.
    pub fn weights(&self) -> TokenWeights {
        let n = self.total as f32;
        let idf = |df: f32| ((n + 1.0) / (df + 1.0)).ln();
        let mut weights = vec![idf(0.0); self.table.len()];
        for &(id, df) in &self.counts {
            weights[id as usize] = idf(df as f32);
        }
        TokenWeights(weights)
    }

    /// The normalized weighted mean of the token rows of `normalized` (text
    /// already through [`normalize()`]), or `None` when no token of it is in
    /// the table.
    pub fn embed(&self, weights: &TokenWeights, normalized: &str) -> Option<Vec<f32>> {
        self.embed_tokens(weights, self.table.tokens(normalized))
    }

    fn embed_tokens(&self, weights: &TokenWeights, ids: Vec<u32>) -> Option<Vec<f32>> {
        self.embed_weighted(&ids, |id| weights.0[id as usize])
    }

    /// The table's token ids of `normalized`, in order, repeats included.
    pub(crate) fn token_ids(&self, normalized: &str) -> Vec<u32> {
        self.table.tokens(normalized)
    }

    /// The normalized `weight`ed mean of the rows of `ids` (projected when the index has a
    /// projection): [`DenseIndex::embed`] with weights other than the knowledge base's.
    pub(crate) fn embed_weighted(
        &self,
        ids: &[u32],
        weight: impl Fn(u32) -> f32,
    ) -> Option<Vec<f32>> {
        if ids.is_empty() {
            return None;
        }
        let mut acc = vec![0.0f32; self.table.dims()];
        for &id in ids {
            self.table.add_row(id, weight(id), &mut acc);
        }
        let norm = acc.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm <= f32::EPSILON {
            return None;
        }
        acc.iter_mut().for_each(|x| *x /= norm);
        match &self.projection {
            Some(p) => p.apply(&acc),
            None => Some(acc),
        }
    }

    /// Vectors of every phrasing (question, then alternates) of every entry,
    /// leaving out alternates at the positions in `skip[entry]` (held out for
    /// calibration). Phrasings without a known token get no vector.
    pub fn phrasings(
        &self,
        weights: &TokenWeights,
        entries: &[Entry],
        skip: &[Vec<usize>],
    ) -> DensePhrasings {
        let mut vectors = Vec::new();
        let mut pieces = HashMap::new();
        for (e, entry) in entries.iter().enumerate() {
            let held_out = skip.get(e).map_or(&[][..], Vec::as_slice);
            let texts = std::iter::once(&entry.question).chain(
                entry
                    .alternates
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !held_out.contains(i))
                    .map(|(_, a)| a),
            );
            for text in texts {
                let ids = self.table.tokens_cached(&normalize(text), &mut pieces);
                vectors.extend(self.embed_tokens(weights, ids).map(|v| (e as u32, v)));
            }
        }
        DensePhrasings::new(self.table.dims(), entries.len(), vectors)
    }
}

/// Inverse entry frequency weight of every token of the table for one knowledge base.
#[derive(Debug, Clone, Default)]
pub struct TokenWeights(Vec<f32>);

impl TokenWeights {
    /// The weight of token `id`.
    pub(crate) fn get(&self, id: u32) -> f32 {
        self.0[id as usize]
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::index::Scoring;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    /// A 4-dimensional table: every token's row is a unit axis.
    pub(crate) fn table() -> TokenTable {
        let tokens = [
            ("##ed", 3),
            ("##s", 3),
            ("card", 0),
            ("money", 1),
            ("refund", 1),
            ("款", 1),
            ("退", 1),
        ];
        let mut rows = Vec::new();
        for &(_, axis) in &tokens {
            let mut row = [0i8; 4];
            row[axis] = 127;
            rows.extend(row);
        }
        TokenTable::new(
            4,
            tokens.iter().map(|(t, _)| t.to_string()).collect(),
            vec![1.0 / 127.0; tokens.len()],
            rows,
        )
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn synonyms_meet_in_the_vector_space() {
        let entry = |id: &str, question: &str| Entry {
            id: id.into(),
            locale: "en".into(),
            question: question.into(),
            alternates: vec![],
            answer_html: String::new(),
            answer_text: String::new(),
            category: String::new(),
            tags: vec![],
            links: vec![],
        };
        let entries = [entry("refund", "refund"), entry("cards", "cards")];
        let index = DenseIndex::build(table(), &entries);
        let weights = index.weights();
        let phrasings = index.phrasings(&weights, &entries, &[]);
        assert_eq!(phrasings.len(), 2);
        let q = index.embed(&weights, "money").unwrap();
        let scores = phrasings.score(&q, &Scoring::default(), None, &[]);
        assert!(scores.score[0] > 0.7 && scores.score[1] < 0.1, "{scores:?}");
        assert!(scores.agreement[0] > 0.99);
        let hidden = phrasings.score(&q, &Scoring::default(), Some(0), &[]);
        assert_eq!(hidden.score[0], 0.0);
        assert!(index.embed(&weights, "unknown words").is_none());
        assert!(index.check().is_ok());
    }
}
