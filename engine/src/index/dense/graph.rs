//! An HNSW graph over phrasing vectors (`instant-distance`), for knowledge bases
//! past [`EXACT_SEARCH_LIMIT`] phrasings, where a graph search beats the exact
//! scan of [`super::phrasings`].
//!
//! Behind the engine feature `hnsw`: the graph brings rand, rayon and getrandom,
//! which the visitor's wasm has no room for (see `docs/QUALITY.md`, "The dense
//! half"). An engine built without the feature scans the same vectors exactly,
//! so a snapshot means the same thing to both; only the time differs.
//!
//! The graph is derived from the phrasing vectors when an engine loads, like the
//! vectors themselves, so the snapshot format does not change. It is built on one
//! thread from a fixed seed, so the same snapshot always gives the same graph and
//! the same answers.

use std::sync::Arc;

use instant_distance::{Builder, Hnsw, Point, Search};

use super::kernels::dot;
#[cfg(doc)]
use super::phrasings::EXACT_SEARCH_LIMIT;

/// How many nearest phrasings a graph search keeps (`ef` of HNSW): the vote
/// needs `Scoring::vote_k` (20), and more candidates keep the recall of the
/// nearest phrasing near 1 (measured in `benches/dense_graph.rs`).
pub const GRAPH_EF: usize = 100;

/// Same seed, same graph.
const SEED: u64 = 0x5EED_0FA2_5EDE_5C00;

/// A unit phrasing vector; distance is 1 − cosine.
#[derive(Clone)]
struct Vector(Box<[f32]>);

impl Point for Vector {
    fn distance(&self, other: &Self) -> f32 {
        1.0 - dot(&self.0, &other.0)
    }
}

/// The graph and, per graph point, the phrasing it stands for.
#[derive(Clone)]
pub struct PhrasingGraph {
    hnsw: Arc<Hnsw<Vector>>,
    phrasing: Arc<[u32]>,
}

impl std::fmt::Debug for PhrasingGraph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PhrasingGraph({} phrasings)", self.phrasing.len())
    }
}

impl PhrasingGraph {
    /// A graph over `vectors` (`dims` values per phrasing, row after row).
    pub fn build(vectors: &[f32], dims: usize) -> PhrasingGraph {
        let points: Vec<Vector> = vectors
            .chunks_exact(dims.max(1))
            .map(|v| Vector(v.into()))
            .collect();
        let builder = Builder::default()
            .seed(SEED)
            .ef_search(GRAPH_EF)
            .ef_construction(GRAPH_EF);
        // instant-distance inserts in parallel, and the graph would depend on the
        // threads' timing; one thread makes it a function of the vectors. In the
        // browser no thread can be spawned and rayon runs on the caller's anyway.
        let (hnsw, ids) = match rayon::ThreadPoolBuilder::new().num_threads(1).build() {
            Ok(pool) => pool.install(|| builder.build_hnsw(points)),
            Err(_) => builder.build_hnsw(points),
        };
        let mut phrasing = vec![0u32; ids.len()];
        for (p, id) in ids.iter().enumerate() {
            phrasing[id.into_inner() as usize] = p as u32;
        }
        PhrasingGraph {
            hnsw: Arc::new(hnsw),
            phrasing: phrasing.into(),
        }
    }

    /// The [`GRAPH_EF`] phrasings nearest to `query` (a unit vector) as
    /// `(cosine, phrasing)`, nearest first.
    pub fn nearest(&self, query: &[f32]) -> Vec<(f32, u32)> {
        let mut search = Search::default();
        self.hnsw
            .search(&Vector(query.into()), &mut search)
            .map(|item| {
                (
                    1.0 - item.distance,
                    self.phrasing[item.pid.into_inner() as usize],
                )
            })
            .collect()
    }
}
