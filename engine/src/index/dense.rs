//! A dense semantic index: phrasings as vectors of pretrained word meaning.
//!
//! Lexical matching needs the visitor to use the knowledge base's words; "money
//! back" never meets "refund". The dense index carries knowledge of the language
//! from outside the knowledge base: a [`TokenTable`] of static token embeddings
//! distilled offline from a sentence-embedding model (all-MiniLM-L6-v2, the
//! Model2Vec recipe: each token run alone through the model, PCA, int8 rows; see
//! `cargo xtask distill`). A text's vector is the weighted mean of its tokens'
//! rows, normalized; a token weighs its inverse entry frequency in this knowledge
//! base (`ln((N + 1) / (df + 0.5))` over N entries), so the words that tell
//! entries apart count most and words the knowledge base never uses count fully.
//! Measured on banking77_5shot (dense kNN, MiniLM table): 0.60 top-1 with these
//! weights against 0.50 with SIF weights from token frequencies.
//!
//! Tokenization follows the table's WordPiece vocabulary: [`normalize()`] (case,
//! width, accents), words split on anything not a letter or digit, each word cut
//! greedily into the longest pieces in the table (`refunded` → `refund`, `##ed`);
//! CJK characters are tokens of their own. A word that cannot be cut entirely is
//! left out, as WordPiece would map it to an unknown token.
//!
//! Only the table and token counts are serialized; phrasing vectors are derived
//! from the entries' text when an engine loads ([`DensePhrasings`]), which costs
//! milliseconds and keeps the snapshot small. Search is exact (a dot product per
//! phrasing): below [`EXACT_SEARCH_LIMIT`] phrasings it is faster than any graph.

use serde::{Deserialize, Serialize};

use crate::analysis::normalize;
use crate::analysis::segment::is_cjk;
use crate::index::projection::Projection;
use crate::index::Scoring;
use crate::kb::Entry;

/// Magic bytes of a token table file written by `cargo xtask distill`.
pub const TABLE_MAGIC: [u8; 8] = *b"ADTOK\0\0\x01";

/// Up to this many phrasings, exact search is used. Measured in
/// `docs/QUALITY.md`: at 64–128 dimensions exact search over 100k phrasings
/// stays within the latency budget on native, so no graph is built.
pub const EXACT_SEARCH_LIMIT: usize = usize::MAX;

/// A script's rows are kept when at least one phrasing in this many uses it.
pub const SCRIPT_SHARE: usize = 10;

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

/// Static token embeddings: a sorted vocabulary and one int8 row per token with
/// its own scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenTable {
    dims: u32,
    /// Sorted by bytes; a token's id is its position.
    tokens: Vec<String>,
    /// Per row, the factor turning int8 values back into floats.
    scales: Vec<f32>,
    /// `tokens.len() * dims` values, row after row.
    rows: Vec<i8>,
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

    /// Checks sizes and order, for tables read from untrusted bytes.
    pub fn check(&self) -> Result<(), &'static str> {
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

    /// The table without the tokens of a script (CJK, or the rest) that fewer
    /// than one phrasing in [`SCRIPT_SHARE`] of `entries` uses, so an English
    /// knowledge base does not ship Chinese rows, nor a Chinese one English rows
    /// for the odd brand name.
    pub fn for_entries(self, entries: &[Entry]) -> TokenTable {
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

    /// Approximate encoded size: rows, scales and token text.
    pub fn byte_size(&self) -> usize {
        self.rows.len()
            + 4 * self.scales.len()
            + self.tokens.iter().map(|t| t.len() + 1).sum::<usize>()
    }

    /// Whether the table has no tokens.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    fn id(&self, token: &str) -> Option<u32> {
        self.tokens
            .binary_search_by(|t| t.as_str().cmp(token))
            .ok()
            .map(|i| i as u32)
    }

    /// Token ids of `text`, in order, repeats included.
    pub fn tokenize(&self, text: &str) -> Vec<u32> {
        let mut out = Vec::new();
        let mut word = String::new();
        for c in normalize(text).chars() {
            if is_cjk(c) {
                self.push_word(&word, &mut out);
                word.clear();
                let mut buf = [0u8; 4];
                out.extend(self.id(c.encode_utf8(&mut buf)));
            } else if c.is_alphanumeric() {
                word.push(c);
            } else {
                self.push_word(&word, &mut out);
                word.clear();
            }
        }
        self.push_word(&word, &mut out);
        out
    }

    /// Greedy longest-match WordPiece; a word that cannot be cut entirely adds nothing.
    fn push_word(&self, word: &str, out: &mut Vec<u32>) {
        if word.is_empty() || word.chars().count() > 48 {
            return;
        }
        let start_len = out.len();
        let mut rest = word;
        let mut piece = String::with_capacity(word.len() + 2);
        while !rest.is_empty() {
            let mut found = None;
            let mut end = rest.len();
            while end > 0 {
                piece.clear();
                if rest.len() != word.len() {
                    piece.push_str("##");
                }
                piece.push_str(&rest[..end]);
                if let Some(id) = self.id(&piece) {
                    found = Some((id, end));
                    break;
                }
                end = rest[..end].char_indices().last().map_or(0, |(i, _)| i);
            }
            let Some((id, end)) = found else {
                out.truncate(start_len);
                return;
            };
            out.push(id);
            rest = &rest[end..];
        }
    }

    /// Adds `weight` times the token's row to `acc`.
    fn add_row(&self, id: u32, weight: f32, acc: &mut [f32]) {
        let d = self.dims();
        let row = &self.rows[id as usize * d..(id as usize + 1) * d];
        let w = weight * self.scales[id as usize];
        for (a, &r) in acc.iter_mut().zip(row) {
            *a += w * r as f32;
        }
    }
}

/// The serialized dense index: the token table and in how many entries each
/// token occurs (for the token weights).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DenseIndex {
    table: TokenTable,
    /// `(token id, entries whose phrasings use it)`, ascending by id, only
    /// tokens that occur.
    counts: Vec<(u32, u32)>,
    /// Number of entries.
    total: u64,
    /// Learned from the alternates at build time (see [`Projection`]); applied to
    /// every text vector.
    projection: Option<Projection>,
}

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
                    .flat_map(|text| table.tokenize(text))
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
        let idf = |df: f32| ((n + 1.0) / (df + 0.5)).ln();
        let mut weights = vec![idf(0.0); self.table.len()];
        for &(id, df) in &self.counts {
            weights[id as usize] = idf(df as f32);
        }
        TokenWeights(weights)
    }

    /// The normalized weighted mean of the text's token rows, or `None` when no
    /// token of the text is in the table.
    pub fn embed(&self, weights: &TokenWeights, text: &str) -> Option<Vec<f32>> {
        let ids = self.table.tokenize(text);
        if ids.is_empty() {
            return None;
        }
        let mut acc = vec![0.0f32; self.table.dims()];
        for id in ids {
            self.table.add_row(id, weights.0[id as usize], &mut acc);
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
        let dims = self.table.dims();
        let mut vectors = Vec::new();
        let mut phrasing_entry = Vec::new();
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
                if let Some(v) = self.embed(weights, text) {
                    vectors.extend(v);
                    phrasing_entry.push(e as u32);
                }
            }
        }
        DensePhrasings {
            dims,
            vectors,
            phrasing_entry,
            entry_count: entries.len(),
        }
    }
}

/// SIF weight of every token of the table for one knowledge base.
#[derive(Debug, Clone, Default)]
pub struct TokenWeights(Vec<f32>);

/// Phrasing vectors of a knowledge base, derived when an engine loads.
#[derive(Debug, Clone, Default)]
pub struct DensePhrasings {
    dims: usize,
    /// `phrasing_entry.len() * dims` values.
    vectors: Vec<f32>,
    phrasing_entry: Vec<u32>,
    entry_count: usize,
}

/// Per-entry dense evidence for one query.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DenseScores {
    /// Best phrasing cosine blended with the nearest phrasings' vote, like the
    /// lexical phrasing view; 0 where nothing is similar.
    pub score: Vec<f32>,
    /// Share of the nearest phrasings' vote that went to each entry.
    pub agreement: Vec<f32>,
}

impl DensePhrasings {
    /// Number of phrasings with a vector.
    pub fn len(&self) -> usize {
        self.phrasing_entry.len()
    }

    /// Whether no phrasing has a vector.
    pub fn is_empty(&self) -> bool {
        self.phrasing_entry.is_empty()
    }

    /// The vectors, one row of [`DenseIndex`]'s dimension per phrasing.
    pub fn vectors(&self) -> &[f32] {
        &self.vectors
    }

    /// The entry of each phrasing.
    pub fn phrasing_entries(&self) -> &[u32] {
        &self.phrasing_entry
    }

    /// Scores every entry by the cosine of its phrasings to `query` (a unit
    /// vector), ignoring `exclude`. Exact search: one dot product per phrasing.
    pub fn score(&self, query: &[f32], s: &Scoring, exclude: Option<u32>) -> DenseScores {
        let n = self.entry_count;
        let mut best = vec![0.0f32; n];
        let mut sims: Vec<(f32, u32)> = Vec::with_capacity(self.len());
        for (p, v) in self.vectors.chunks_exact(self.dims.max(1)).enumerate() {
            let e = self.phrasing_entry[p];
            if Some(e) == exclude {
                continue;
            }
            let sim = dot(v, query).max(0.0);
            best[e as usize] = best[e as usize].max(sim);
            sims.push((sim, p as u32));
        }
        let k = (s.vote_k as usize).max(1);
        let by_score = |a: &(f32, u32), b: &(f32, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        if sims.len() > k {
            sims.select_nth_unstable_by(k - 1, by_score);
            sims.truncate(k);
        }
        let mut votes = vec![0.0f32; n];
        for &(sim, p) in &sims {
            votes[self.phrasing_entry[p as usize] as usize] += sim;
        }
        let total: f32 = votes.iter().sum();
        let agreement = votes.iter().map(|v| v / total.max(f32::EPSILON)).collect();
        let k = sims.len().max(1) as f32;
        let score = best
            .iter()
            .zip(&votes)
            .map(|(&b, &v)| (1.0 - s.vote_share) * b + s.vote_share * v / k)
            .collect();
        DenseScores { score, agreement }
    }
}

/// Dot product with eight independent sums, which the compiler turns into SIMD
/// (a single running sum cannot be reordered, so it would stay scalar).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut sums = [0.0f32; 8];
    let (a8, a_rest) = a.split_at(a.len() / 8 * 8);
    let (b8, b_rest) = b.split_at(a8.len().min(b.len()));
    for (x, y) in a8.chunks_exact(8).zip(b8.chunks_exact(8)) {
        for i in 0..8 {
            sums[i] += x[i] * y[i];
        }
    }
    let tail: f32 = a_rest.iter().zip(b_rest).map(|(x, y)| x * y).sum();
    sums.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    /// A 4-dimensional table: every token's row is a unit axis.
    fn table() -> TokenTable {
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

    fn names(t: &TokenTable, ids: &[u32]) -> Vec<String> {
        ids.iter().map(|&i| t.tokens[i as usize].clone()).collect()
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn wordpiece_takes_the_longest_pieces() {
        let t = table();
        assert_eq!(
            names(&t, &t.tokenize("REFUNDED cards, money!")),
            ["refund", "##ed", "card", "##s", "money"]
        );
        // A word that cannot be cut entirely adds nothing, as WordPiece's [UNK].
        assert_eq!(names(&t, &t.tokenize("cardx refund")), ["refund"]);
        // CJK characters are tokens of their own; unknown ones are skipped.
        assert_eq!(
            names(&t, &t.tokenize("我要退款 card")),
            ["退", "款", "card"]
        );
        assert!(t.tokenize("").is_empty());
        assert!(t.tokenize("🙂 ?!").is_empty());
        assert_eq!(names(&t, &t.tokenize("🙂refund🙂")), ["refund"]);
        let long = "refund ".repeat(150_000);
        assert_eq!(t.tokenize(&long).len(), 150_000);
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
        let scores = phrasings.score(&q, &Scoring::default(), None);
        assert!(scores.score[0] > 0.7 && scores.score[1] < 0.1, "{scores:?}");
        assert!(scores.agreement[0] > 0.99);
        let hidden = phrasings.score(&q, &Scoring::default(), Some(0));
        assert_eq!(hidden.score[0], 0.0);
        assert!(index.embed(&weights, "unknown words").is_none());
        assert!(index.check().is_ok());
    }
}
