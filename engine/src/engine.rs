//! The query path: a loaded snapshot answering questions.

use serde::{Deserialize, Serialize};

use crate::analysis::{normalize, Analyzer, Query};
use crate::decision::{asks_for_human, decide, Decision, EscalateReason, Thresholds};
use crate::index::{DensePhrasings, TokenWeights, TypoTable};
use crate::kb::Entry;
use crate::rank::{rank, Candidate, Ranker};
use crate::search::{DenseSearch, Searcher};
use crate::snapshot::{Snapshot, SnapshotError};

/// How many candidates a [`Reply`] carries.
pub const REPLY_CANDIDATES: usize = 5;
/// Queries are cut to this many characters: visitors' questions are short, and
/// a pasted document must not cost more than a question.
pub const MAX_QUERY_CHARS: usize = 1000;

/// A query that only names a topic ("refund", "退款") is answered only when no other entry
/// comes within this share of the best one's confidence; otherwise the visitor chooses. Held-out
/// alternates, which calibrate the thresholds, are whole questions and never teach this.
pub const TOPIC_RUNNER_UP: f32 = 0.6;

/// Whether the normalized query `text` is a single Latin word or at most two Chinese characters:
/// a topic, not a question.
fn names_a_topic(text: &str) -> bool {
    let cjk = text
        .chars()
        .filter(|&c| crate::analysis::segment::is_cjk(c))
        .count();
    let words = text
        .split(|c: char| !c.is_alphanumeric() || crate::analysis::segment::is_cjk(c))
        .filter(|w| !w.is_empty())
        .count();
    match (words, cjk) {
        (1, 0) => !text.chars().any(|c| c.is_ascii_digit()),
        (0, 1..=2) => true,
        _ => false,
    }
}

/// What the visitor path gets for a question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// What to show.
    pub decision: Decision,
    /// Up to five best entries, best first, for "related questions" and for the
    /// agent who picks up an escalation.
    pub candidates: Vec<Candidate>,
}

/// A loaded snapshot, ready to answer. Cheap to query from any thread: `ask` and
/// `search` take `&self` and allocate per query.
#[derive(Debug, Clone)]
pub struct Engine {
    snapshot: Snapshot,
    ranker: Ranker,
    thresholds: Thresholds,
    typos: TypoTable,
    /// Rewrites synonyms as the build did.
    analyzer: Analyzer,
    /// Token weights and phrasing vectors, derived from the dense index.
    dense: Option<(TokenWeights, DensePhrasings)>,
}

impl Engine {
    /// Prepares lookup tables for a snapshot: typo candidates and, with a dense
    /// index, the vector of every phrasing.
    pub fn new(snapshot: Snapshot) -> Engine {
        let body = &snapshot.body;
        // Only the visitor's side knows the table's words: calibration keeps every
        // correction, so its general-domain negatives stay as hard as the worst a
        // visitor can type. (Knowing them there too loosened the demo's thresholds:
        // a third of its development questions got choices instead of an answer.)
        let typos = TypoTable::new(&body.index).knowing(body.dense.as_ref().map(|d| &d.table));
        let analyzer = Analyzer::with_synonyms(body.synonyms.clone());
        let dense = body.dense.as_ref().map(|d| {
            let weights = d.weights();
            let phrasings = d.phrasings(&weights, &body.entries, &[]);
            (weights, phrasings)
        });
        Engine {
            ranker: Ranker::Fused,
            thresholds: snapshot.thresholds(),
            snapshot,
            typos,
            analyzer,
            dense,
        }
    }

    /// Reads and loads a snapshot file's contents.
    pub fn from_bytes(bytes: &[u8]) -> Result<Engine, SnapshotError> {
        Snapshot::from_bytes(bytes).map(Engine::new)
    }

    /// An engine from the first bytes of a snapshot download, as soon as its core is in
    /// (`Ok(None)` before): it ranks with [`Ranker::Lexical`] and that ranker's own calibration
    /// and thresholds, so what it answers early is held to the same standard as the whole
    /// snapshot's answers. [`Engine::from_bytes`] on the whole download replaces it.
    pub fn from_prefix(bytes: &[u8]) -> Result<Option<Engine>, SnapshotError> {
        Ok(Snapshot::core_from_prefix(bytes)?
            .map(|core| Engine::new(core).with_ranker(Ranker::Lexical)))
    }

    /// Ranks with `ranker` (and its calibration and thresholds) instead of the
    /// fused default; for measuring what each half contributes.
    pub fn with_ranker(mut self, ranker: Ranker) -> Engine {
        self.ranker = ranker;
        self.thresholds = self.snapshot.thresholds_for(ranker);
        self
    }

    /// The ranker in use.
    pub fn ranker(&self) -> Ranker {
        self.ranker
    }

    /// Replaces the snapshot's thresholds, e.g. from site configuration.
    pub fn with_thresholds(mut self, thresholds: Thresholds) -> Engine {
        self.thresholds = thresholds;
        self
    }

    /// The thresholds in force.
    pub fn thresholds(&self) -> Thresholds {
        self.thresholds
    }

    /// The loaded snapshot.
    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    /// The knowledge base; candidates and decisions index into it.
    pub fn entries(&self) -> &[Entry] {
        self.snapshot.entries()
    }

    /// Answers a visitor's question: honours requests for a person, otherwise
    /// ranks the entries and decides on their calibrated confidence. The
    /// question is cut to [`MAX_QUERY_CHARS`] and normalized once, for every
    /// rule and index that reads it.
    pub fn ask(&self, query: &str) -> Reply {
        let text = normalize(truncate_chars(query, MAX_QUERY_CHARS));
        if !text.chars().any(char::is_alphanumeric) {
            return escalate(EscalateReason::EmptyQuery, Vec::new());
        }
        if asks_for_human(&text) {
            return escalate(EscalateReason::AskedForHuman, Vec::new());
        }
        let query = Query::new(&self.analyzer, text);
        let candidates = self.rank(&query, REPLY_CANDIDATES);
        let mut decision = decide(&candidates, &self.thresholds);
        if matches!(decision, Decision::Answer { .. }) && names_a_topic(&query.text) {
            if let [top, runner_up, ..] = candidates.as_slice() {
                if runner_up.score >= top.score * TOPIC_RUNNER_UP {
                    // Offer the close entries instead of guessing which one the visitor meant.
                    let no_answer = Thresholds {
                        answer: f32::INFINITY,
                        ..self.thresholds
                    };
                    decision = decide(&candidates, &no_answer);
                }
            }
        }
        Reply {
            decision,
            candidates,
        }
    }

    /// The `k` best entries for `query`, best first, with calibrated confidence;
    /// entries that share no term with the query are left out.
    pub fn search(&self, query: &str, k: usize) -> Vec<Candidate> {
        let text = normalize(truncate_chars(query, MAX_QUERY_CHARS));
        self.rank(&Query::new(&self.analyzer, text), k)
    }

    /// The analyzer the snapshot's questions are read with (its synonyms).
    pub(crate) fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    /// The dense index with the knowledge base's token weights, when the snapshot has one.
    pub(crate) fn dense_index(&self) -> Option<(&crate::index::DenseIndex, &TokenWeights)> {
        let index = self.snapshot.body.dense.as_ref()?;
        let (weights, _) = self.dense.as_ref()?;
        Some((index, weights))
    }

    /// The mean of the knowledge base's phrasing vectors: the direction every sentence vector
    /// shares, which makes unrelated questions look alike until it is taken out.
    pub(crate) fn dense_mean(&self) -> Option<Vec<f32>> {
        self.dense.as_ref()?.1.mean()
    }

    /// [`Engine::search`] of an analysed query.
    fn rank(&self, query: &Query, k: usize) -> Vec<Candidate> {
        let body = &self.snapshot.body;
        let searcher = Searcher {
            lexical: &body.index,
            typos: &self.typos,
            scoring: &body.scoring,
            classifier: body.classifier.as_ref(),
            dense: body.dense.as_ref().zip(self.dense.as_ref()).map(
                |(index, (weights, phrasings))| DenseSearch {
                    index,
                    weights,
                    phrasings,
                },
            ),
        };
        let need_dense = self.ranker != Ranker::Lexical;
        let evidence = searcher.evidence(query, None, need_dense);
        let scores = evidence.fused(self.ranker, self.snapshot.shares());
        let calibration = &body.rankers.get(self.ranker).calibration;
        rank(&scores, calibration, k)
    }
}

fn escalate(reason: EscalateReason, candidates: Vec<Candidate>) -> Reply {
    Reply {
        decision: Decision::Escalate { reason },
        candidates,
    }
}

pub(crate) fn truncate_chars(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}
