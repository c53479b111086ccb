//! Phrasing vectors, derived from the entries' text when an engine loads, and
//! searched for the nearest ones to a query: each phrasing's unit vector is
//! stored in int8 and compared by an exact scan (one int8 dot product per
//! phrasing, [`super::kernels`]). Below [`EXACT_SEARCH_LIMIT`] phrasings the scan
//! is faster than the HNSW graph of [`super::graph`] (feature `hnsw`).

use super::kernels::{dot_i8, quantize};
use crate::index::Scoring;

/// Up to this many phrasings, exact search is used; past it an engine built
/// with feature `hnsw` searches a graph. Measured (`benches/dense_graph.rs`,
/// `docs/QUALITY.md` "The dense half"): the int8 scan is faster than the graph
/// up to ≈100k phrasings and even there the graph gains ≈10% while costing
/// minutes to build at load and 4% of best entries, so no size uses it yet.
pub const EXACT_SEARCH_LIMIT: usize = usize::MAX;

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
    #[cfg(feature = "hnsw")]
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
        out.searched_past(EXACT_SEARCH_LIMIT)
    }

    /// The same phrasings, searched through a graph when there are more than
    /// `exact_limit` of them and the engine has feature `hnsw`, else exactly.
    pub(crate) fn searched_past(self, exact_limit: usize) -> DensePhrasings {
        let past_limit = self.len() > exact_limit;
        #[cfg(feature = "hnsw")]
        if past_limit {
            return self.with_graph();
        }
        // Without the feature every size is searched exactly.
        let _ = past_limit;
        self.without_graph()
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

    /// The mean of the phrasing vectors (in floats); `None` without phrasings.
    pub(crate) fn mean(&self) -> Option<Vec<f32>> {
        let count = self.len();
        if count == 0 {
            return None;
        }
        let mut mean = vec![0.0f32; self.dims];
        for p in 0..count {
            let scale = self.scales[p] / count as f32;
            mean.iter_mut()
                .zip(self.vector(p))
                .for_each(|(m, &x)| *m += x as f32 * scale);
        }
        Some(mean)
    }

    /// The vectors back in floats, one row per phrasing: for build-time work
    /// (a graph, a projection), not for search.
    #[cfg(any(feature = "build", feature = "hnsw"))]
    pub fn vectors(&self) -> Vec<f32> {
        (0..self.len())
            .flat_map(|p| {
                let scale = self.scales[p];
                self.vector(p).iter().map(move |&x| x as f32 * scale)
            })
            .collect()
    }

    /// The entry of each phrasing.
    #[cfg(feature = "build")]
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
    /// [`super::graph::GRAPH_EF`] candidates), else exactly. For tests and
    /// `benches/dense_graph.rs`; search itself goes through [`DensePhrasings::score`].
    #[cfg(any(test, feature = "hnsw"))]
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

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

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
    fn a_graph_only_past_the_limit_and_only_with_the_feature() {
        let phrasings = crafted_phrasings(&crafted(60, 8), 8);
        assert_eq!(phrasings.len(), 60);
        // Past the limit: a graph, if the engine has the feature.
        let past = phrasings.clone().searched_past(59);
        assert_eq!(past.has_graph(), cfg!(feature = "hnsw"));
        // At or below it, exact search whatever the features, even after a graph.
        assert!(!past.clone().searched_past(60).has_graph());
        assert!(!phrasings.clone().searched_past(1000).has_graph());
        // The limit in force keeps every knowledge base of today on exact search.
        assert!(!phrasings.searched_past(EXACT_SEARCH_LIMIT).has_graph());
        // Searched either way, the same phrasings find the same nearest one.
        let q = &crafted(60, 8)[17];
        let s = Scoring::default();
        assert_eq!(
            best_entry(&past.score(q, &s, None, &[])),
            best_entry(&past.without_graph().score(q, &s, None, &[]))
        );
    }
}
