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
//! milliseconds and keeps the snapshot small. Search is exact (an int8 dot product
//! per phrasing): below [`EXACT_SEARCH_LIMIT`] phrasings it is faster than the
//! graph of `graph.rs` (feature `hnsw`).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::analysis::normalize;
use crate::analysis::segment::is_cjk;
use crate::index::projection::Projection;
use crate::index::Scoring;
use crate::kb::Entry;

/// Magic bytes of a token table file written by `cargo xtask distill`.
pub const TABLE_MAGIC: [u8; 8] = *b"ADTOK\0\0\x01";

/// Up to this many phrasings, exact search is used; past it an engine built
/// with feature `hnsw` searches a graph. Measured (`benches/dense_graph.rs`,
/// `docs/QUALITY.md` "The dense half"): the int8 scan is faster than the graph
/// up to ≈100k phrasings and even there the graph gains ≈10% while costing
/// minutes to build at load and 4% of best entries, so no size uses it yet.
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
        self.split(text, |word, out| self.push_word(word, out))
    }

    /// [`TokenTable::tokenize`], cutting each distinct word only once: a
    /// knowledge base's phrasings repeat their words, and the cutting (a
    /// vocabulary search per candidate piece) was most of an engine's load time.
    fn tokenize_cached(&self, text: &str, pieces: &mut HashMap<String, Vec<u32>>) -> Vec<u32> {
        self.split(text, |word, out| match pieces.get(word) {
            Some(ids) => out.extend_from_slice(ids),
            None => {
                let start = out.len();
                self.push_word(word, out);
                pieces.insert(word.to_string(), out[start..].to_vec());
            }
        })
    }

    /// CJK characters as tokens, words handed to `push_word`.
    fn split(&self, text: &str, mut push_word: impl FnMut(&str, &mut Vec<u32>)) -> Vec<u32> {
        let mut out = Vec::new();
        let mut word = String::new();
        for c in normalize(text).chars() {
            if is_cjk(c) {
                push_word(&word, &mut out);
                word.clear();
                let mut buf = [0u8; 4];
                out.extend(self.id(c.encode_utf8(&mut buf)));
            } else if c.is_alphanumeric() {
                word.push(c);
            } else {
                push_word(&word, &mut out);
                word.clear();
            }
        }
        push_word(&word, &mut out);
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
        self.embed_tokens(weights, self.table.tokenize(text))
    }

    fn embed_tokens(&self, weights: &TokenWeights, ids: Vec<u32>) -> Option<Vec<f32>> {
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
                let ids = self.table.tokenize_cached(text, &mut pieces);
                vectors.extend(self.embed_tokens(weights, ids).map(|v| (e as u32, v)));
            }
        }
        DensePhrasings::new(self.table.dims(), entries.len(), vectors)
    }
}

/// SIF weight of every token of the table for one knowledge base.
#[derive(Debug, Clone, Default)]
pub struct TokenWeights(Vec<f32>);

/// Phrasing vectors of a knowledge base, derived when an engine loads.
#[derive(Debug, Clone, Default)]
pub struct DensePhrasings {
    dims: usize,
    /// `phrasing_entry.len() * dims` values: each phrasing's unit vector in
    /// int8, so a scan reads a quarter of the bytes (at 10k entries, 2.6 MB
    /// instead of 10 MB, which is what the scan's time went to).
    vectors: Vec<i8>,
    /// Per phrasing, the factor turning its int8 values back into floats.
    scales: Vec<f32>,
    /// Entry of each phrasing, ascending: an entry's phrasings are contiguous.
    phrasing_entry: Vec<u32>,
    entry_count: usize,
    /// Past [`EXACT_SEARCH_LIMIT`] phrasings, a graph over the same vectors.
    #[cfg(feature = "hnsw")]
    graph: Option<super::graph::PhrasingGraph>,
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

/// Nearest first, ties to the lower phrasing id, so results never depend on
/// the order candidates were found in.
fn by_similarity(a: &(f32, u32), b: &(f32, u32)) -> std::cmp::Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
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

    /// Phrasings from `(entry, unit vector)` pairs in entry order, searched
    /// through a graph past [`EXACT_SEARCH_LIMIT`] of them (feature `hnsw`).
    pub fn new(
        dims: usize,
        entry_count: usize,
        vectors: impl IntoIterator<Item = (u32, Vec<f32>)>,
    ) -> DensePhrasings {
        let mut out = DensePhrasings {
            dims,
            entry_count,
            ..DensePhrasings::default()
        };
        for (e, v) in vectors {
            debug_assert!(out.phrasing_entry.last().is_none_or(|&last| last <= e));
            debug_assert!(v.len() == dims && (e as usize) < entry_count);
            out.scales.push(quantize(&v, &mut out.vectors));
            out.phrasing_entry.push(e);
        }
        out.index()
    }

    /// Adds the graph when there are more than [`EXACT_SEARCH_LIMIT`] phrasings.
    #[allow(clippy::absurd_extreme_comparisons)] // the limit is usize::MAX today
    fn index(self) -> DensePhrasings {
        #[cfg(feature = "hnsw")]
        if self.len() > EXACT_SEARCH_LIMIT {
            return self.with_graph();
        }
        self
    }

    /// The same phrasings searched through an HNSW graph, whatever their number.
    #[cfg(feature = "hnsw")]
    pub fn with_graph(mut self) -> DensePhrasings {
        let vectors = self.vectors();
        self.graph = Some(super::graph::PhrasingGraph::build(&vectors, self.dims));
        self
    }

    /// The same phrasings searched exactly, whatever their number.
    pub fn without_graph(self) -> DensePhrasings {
        DensePhrasings {
            #[cfg(feature = "hnsw")]
            graph: None,
            ..self
        }
    }

    /// Whether search goes through a graph (and leaves entries it does not
    /// reach at 0 unless asked for).
    pub fn has_graph(&self) -> bool {
        #[cfg(feature = "hnsw")]
        return self.graph.is_some();
        #[cfg(not(feature = "hnsw"))]
        false
    }

    /// The vectors back in floats, one row per phrasing: for build-time work
    /// (a graph, a projection), not for search.
    pub fn vectors(&self) -> Vec<f32> {
        (0..self.len())
            .flat_map(|p| {
                let scale = self.scales[p];
                self.vector(p).iter().map(move |&x| x as f32 * scale)
            })
            .collect()
    }

    /// The entry of each phrasing.
    pub fn phrasing_entries(&self) -> &[u32] {
        &self.phrasing_entry
    }

    fn vector(&self, p: usize) -> &[i8] {
        &self.vectors[p * self.dims..(p + 1) * self.dims]
    }

    /// The phrasings of entry `e`.
    #[cfg(feature = "hnsw")]
    fn phrasings_of(&self, e: u32) -> std::ops::Range<usize> {
        self.phrasing_entry.partition_point(|&x| x < e)
            ..self.phrasing_entry.partition_point(|&x| x <= e)
    }

    /// The `k` phrasings nearest to `query` as `(cosine, phrasing)`, nearest
    /// first: through the graph when there is one (up to its
    /// [`super::graph::GRAPH_EF`] candidates), else exactly.
    pub fn nearest(&self, query: &[f32], k: usize) -> Vec<(f32, u32)> {
        #[cfg(feature = "hnsw")]
        if let Some(graph) = &self.graph {
            let mut near = graph.nearest(query);
            near.sort_by(by_similarity);
            near.truncate(k);
            return near;
        }
        let mut best = Vec::new();
        let mut near = self.scan(query, k, None, &mut best);
        near.sort_by(by_similarity);
        near
    }

    /// Exact search: the `k` nearest phrasings (unordered), and in `best` each
    /// entry's best cosine (at least 0), leaving out the phrasings of `exclude`.
    fn scan(
        &self,
        query: &[f32],
        k: usize,
        exclude: Option<u32>,
        best: &mut Vec<f32>,
    ) -> Vec<(f32, u32)> {
        best.clear();
        best.resize(self.entry_count, 0.0);
        let k = k.max(1);
        // Candidates above the k-th best seen so far; compacted to k whenever
        // 2k gather, so this stays a few dozen pairs instead of every phrasing.
        let mut near: Vec<(f32, u32)> = Vec::with_capacity(2 * k);
        let mut floor = f32::NEG_INFINITY;
        let mut q = Vec::with_capacity(self.dims);
        let q_scale = quantize(query, &mut q);
        for (p, v) in self.vectors.chunks_exact(self.dims.max(1)).enumerate() {
            let e = self.phrasing_entry[p];
            if Some(e) == exclude {
                continue;
            }
            let sim = (dot_i8(v, &q) as f32 * q_scale * self.scales[p]).max(0.0);
            let slot = &mut best[e as usize];
            *slot = slot.max(sim);
            // A later phrasing of equal similarity has a higher id and loses the tie.
            if sim > floor {
                near.push((sim, p as u32));
                if near.len() == 2 * k {
                    near.select_nth_unstable_by(k - 1, by_similarity);
                    near.truncate(k);
                    floor = near[k - 1].0;
                }
            }
        }
        if near.len() > k {
            near.select_nth_unstable_by(k - 1, by_similarity);
            near.truncate(k);
        }
        near
    }

    /// Scores every entry by the cosine of its phrasings to `query` (a unit
    /// vector), ignoring `exclude`. Exact search is one dot product per
    /// phrasing; with a graph, the entries the graph does not reach score 0
    /// except those in `also` (say, the lexical ranker's best), whose phrasings
    /// are compared exactly, so fusion sees the same evidence for them.
    pub fn score(
        &self,
        query: &[f32],
        s: &Scoring,
        exclude: Option<u32>,
        also: &[u32],
    ) -> DenseScores {
        let k = (s.vote_k as usize).max(1);
        let mut best = Vec::new();
        #[cfg(feature = "hnsw")]
        if let Some(graph) = &self.graph {
            let mut near = graph.nearest(query);
            near.retain(|&(_, p)| Some(self.phrasing_entry[p as usize]) != exclude);
            best.resize(self.entry_count, 0.0f32);
            for near in near.iter_mut() {
                near.0 = near.0.max(0.0);
                let e = self.phrasing_entry[near.1 as usize] as usize;
                best[e] = best[e].max(near.0);
            }
            let mut q = Vec::with_capacity(self.dims);
            let q_scale = quantize(query, &mut q);
            for &e in also.iter().filter(|&&e| Some(e) != exclude) {
                for p in self.phrasings_of(e) {
                    let sim =
                        (dot_i8(self.vector(p), &q) as f32 * q_scale * self.scales[p]).max(0.0);
                    best[e as usize] = best[e as usize].max(sim);
                }
            }
            near.sort_by(by_similarity);
            near.truncate(k);
            return self.vote(best, &near, s);
        }
        let _ = also; // exact search already compares every phrasing
        let near = self.scan(query, k, exclude, &mut best);
        self.vote(best, &near, s)
    }

    /// Each entry's best cosine blended with the vote of the `near` phrasings.
    fn vote(&self, best: Vec<f32>, near: &[(f32, u32)], s: &Scoring) -> DenseScores {
        let mut votes = vec![0.0f32; self.entry_count];
        for &(sim, p) in near {
            votes[self.phrasing_entry[p as usize] as usize] += sim;
        }
        let total: f32 = votes.iter().sum();
        let agreement = votes.iter().map(|v| v / total.max(f32::EPSILON)).collect();
        let k = near.len().max(1) as f32;
        let score = best
            .iter()
            .zip(&votes)
            .map(|(&b, &v)| (1.0 - s.vote_share) * b + s.vote_share * v / k)
            .collect();
        DenseScores { score, agreement }
    }
}

/// Appends `v` in int8 (its largest value becomes ±127) and returns the factor
/// turning those values back into floats.
fn quantize(v: &[f32], out: &mut Vec<i8>) -> f32 {
    let max = v.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
    out.extend(
        v.iter()
            .map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8),
    );
    scale
}

/// Integer dot product with sixteen independent sums, which the compiler turns
/// into SIMD multiply-adds (SSE2/AVX2 natively, simd128 in the browser).
fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    let (a16, b16) = (a.chunks_exact(16), b.chunks_exact(16));
    let tail: i32 = a16
        .remainder()
        .iter()
        .zip(b16.remainder())
        .map(|(&x, &y)| i32::from(x) * i32::from(y))
        .sum();
    let mut sums = [0i32; 16];
    for (x, y) in a16.zip(b16) {
        // Fixed-size arrays: no bounds checks left in the loop, so it vectorizes.
        let x: &[i8; 16] = x.try_into().expect("16 values");
        let y: &[i8; 16] = y.try_into().expect("16 values");
        for i in 0..16 {
            sums[i] += i32::from(x[i]) * i32::from(y[i]);
        }
    }
    sums.iter().sum::<i32>() + tail
}

/// Dot product with eight independent sums, which the compiler turns into SIMD
/// (a single running sum cannot be reordered, so it would stay scalar).
#[cfg(feature = "hnsw")]
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
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
        // Cutting each word once gives the same tokens, the second time from the cache.
        let mut pieces = HashMap::new();
        for text in [
            "REFUNDED cards, money!",
            "cardx refund",
            "我要退款 card",
            "cards refunded",
        ] {
            for _ in 0..2 {
                assert_eq!(
                    t.tokenize_cached(text, &mut pieces),
                    t.tokenize(text),
                    "{text}"
                );
            }
        }
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
        let scores = phrasings.score(&q, &Scoring::default(), None, &[]);
        assert!(scores.score[0] > 0.7 && scores.score[1] < 0.1, "{scores:?}");
        assert!(scores.agreement[0] > 0.99);
        let hidden = phrasings.score(&q, &Scoring::default(), Some(0), &[]);
        assert_eq!(hidden.score[0], 0.0);
        assert!(index.embed(&weights, "unknown words").is_none());
        assert!(index.check().is_ok());
    }

    /// `n` unit vectors over `dims` dimensions, the same on every run; every
    /// fourth one repeats an earlier one, so some similarities tie exactly.
    fn crafted(n: usize, dims: usize) -> Vec<Vec<f32>> {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut out: Vec<Vec<f32>> = Vec::with_capacity(n);
        for p in 0..n {
            if p % 4 == 3 {
                out.push(out[p / 2].clone());
                continue;
            }
            let mut v: Vec<f32> = (0..dims)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5
                })
                .collect();
            let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            v.iter_mut().for_each(|x| *x /= norm);
            out.push(v);
        }
        out
    }

    /// Three phrasings per entry.
    fn crafted_phrasings(vectors: &[Vec<f32>], dims: usize) -> DensePhrasings {
        let entries = vectors.len().div_ceil(3);
        DensePhrasings::new(
            dims,
            entries,
            vectors
                .iter()
                .enumerate()
                .map(|(p, v)| ((p / 3) as u32, v.clone())),
        )
    }

    fn best_entry(scores: &DenseScores) -> usize {
        (0..scores.score.len())
            .max_by(|&a, &b| scores.score[a].total_cmp(&scores.score[b]).then(b.cmp(&a)))
            .expect("entries")
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn exact_search_keeps_the_nearest_phrasings_ties_to_the_lower_id() {
        let vectors = crafted(600, 16);
        let phrasings = crafted_phrasings(&vectors, 16).without_graph();
        assert!(!phrasings.has_graph());
        let s = Scoring::default();
        for q in vectors.iter().step_by(29) {
            // Every phrasing's int8 similarity, sorted: what the scan must keep.
            let mut q8 = Vec::new();
            let q_scale = quantize(q, &mut q8);
            let mut all: Vec<(f32, u32)> = (0..phrasings.len())
                .map(|p| {
                    let v = &phrasings.vectors[p * 16..(p + 1) * 16];
                    let sim = dot_i8(v, &q8) as f32 * q_scale * phrasings.scales[p];
                    (sim.max(0.0), p as u32)
                })
                .collect();
            all.sort_by(by_similarity);
            all.truncate(20);
            assert_eq!(phrasings.nearest(q, 20), all);
            // int8 similarities stay within 0.02 of the float cosines.
            for &(sim, p) in &all {
                let cos: f32 = vectors[p as usize].iter().zip(q).map(|(a, b)| a * b).sum();
                assert!((sim - cos.max(0.0)).abs() < 0.02, "{sim} vs {cos}");
            }
            let scores = phrasings.score(q, &s, None, &[]);
            assert_eq!(best_entry(&scores), all[0].1 as usize / 3);
        }
    }

    #[cfg(feature = "hnsw")]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    fn the_graph_finds_the_same_best_entry_as_exact_search() {
        let vectors = crafted(1200, 16);
        let exact = crafted_phrasings(&vectors, 16).without_graph();
        let graph = exact.clone().with_graph();
        assert!(graph.has_graph());
        let s = Scoring::default();
        // Queries near a phrasing: each phrasing nudged along another one.
        for (i, p) in (0..vectors.len()).step_by(41).enumerate() {
            let other = &vectors[(p + 7 * i + 1) % vectors.len()];
            let mut q: Vec<f32> = vectors[p]
                .iter()
                .zip(other)
                .map(|(a, b)| a + 0.3 * b)
                .collect();
            let norm = q.iter().map(|x| x * x).sum::<f32>().sqrt();
            q.iter_mut().for_each(|x| *x /= norm);
            let (a, b) = (
                exact.score(&q, &s, None, &[]),
                graph.score(&q, &s, None, &[]),
            );
            assert_eq!(best_entry(&a), best_entry(&b), "query near phrasing {p}");
        }
        // The same vectors always give the same graph.
        let again = exact.clone().with_graph();
        assert_eq!(
            again.nearest(&vectors[5], 20),
            graph.nearest(&vectors[5], 20)
        );

        // An entry the graph does not reach scores 0, unless asked for by name:
        // then its phrasings are compared exactly.
        let q = &vectors[0];
        let exact_scores = exact.score(q, &s, None, &[]);
        let mut order: Vec<usize> = (0..exact_scores.score.len()).collect();
        order.sort_by(|&a, &b| exact_scores.score[b].total_cmp(&exact_scores.score[a]));
        let far = order[order.len() / 4] as u32;
        assert!(exact_scores.score[far as usize] > 0.0);
        assert_eq!(graph.score(q, &s, None, &[]).score[far as usize], 0.0);
        let asked = graph.score(q, &s, None, &[far]);
        assert_eq!(asked.score[far as usize], exact_scores.score[far as usize]);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    #[allow(clippy::absurd_extreme_comparisons)] // the limit is usize::MAX today
    fn a_graph_only_past_the_limit_and_only_with_the_feature() {
        let phrasings = crafted_phrasings(&crafted(60, 8), 8);
        let past_limit = phrasings.len() > EXACT_SEARCH_LIMIT;
        assert_eq!(phrasings.has_graph(), cfg!(feature = "hnsw") && past_limit);
        // Without the feature, or below the limit, the same vectors are searched exactly.
        assert!(!phrasings.clone().without_graph().has_graph());
    }
}
