//! The query path: a loaded snapshot answering questions.

use serde::{Deserialize, Serialize};

use crate::analysis::{normalize, Analyzer};
use crate::decision::{asks_for_human, decide, Decision, EscalateReason, Thresholds};
use crate::index::TypoTable;
use crate::kb::Entry;
use crate::rank::{rank, Candidate};
use crate::snapshot::{Snapshot, SnapshotError};

/// How many candidates a [`Reply`] carries.
pub const REPLY_CANDIDATES: usize = 5;
/// Queries are cut to this many characters: visitors' questions are short, and
/// a pasted document must not cost more than a question.
pub const MAX_QUERY_CHARS: usize = 1000;

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
    thresholds: Thresholds,
    typos: TypoTable,
}

impl Engine {
    /// Prepares lookup tables for a snapshot.
    pub fn new(snapshot: Snapshot) -> Engine {
        let typos = TypoTable::new(&snapshot.body.index);
        Engine {
            thresholds: snapshot.thresholds(),
            snapshot,
            typos,
        }
    }

    /// Reads and loads a snapshot file's contents.
    pub fn from_bytes(bytes: &[u8]) -> Result<Engine, SnapshotError> {
        Snapshot::from_bytes(bytes).map(Engine::new)
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
    /// ranks the entries and decides on their calibrated confidence.
    pub fn ask(&self, query: &str) -> Reply {
        let query = truncate_chars(query, MAX_QUERY_CHARS);
        if !normalize(query).chars().any(char::is_alphanumeric) {
            return escalate(EscalateReason::EmptyQuery, Vec::new());
        }
        if asks_for_human(query) {
            return escalate(EscalateReason::AskedForHuman, Vec::new());
        }
        let candidates = self.search(query, REPLY_CANDIDATES);
        Reply {
            decision: decide(&candidates, &self.thresholds),
            candidates,
        }
    }

    /// The `k` best entries for `query`, best first, with calibrated confidence;
    /// entries that share no term with the query are left out.
    pub fn search(&self, query: &str, k: usize) -> Vec<Candidate> {
        let query = truncate_chars(query, MAX_QUERY_CHARS);
        let body = &self.snapshot.body;
        let terms = Analyzer::new().analyze(query);
        let prepared = body.index.prepare(&terms, &self.typos, &body.scoring);
        let scores = body.index.score(&prepared, &body.scoring, None);
        rank(&scores, &body.calibration, k)
    }
}

fn escalate(reason: EscalateReason, candidates: Vec<Candidate>) -> Reply {
    Reply {
        decision: Decision::Escalate { reason },
        candidates,
    }
}

fn truncate_chars(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}
