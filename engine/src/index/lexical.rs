//! A lexical index with two views of each entry, fused into one score.
//!
//! - **Phrasings**: the question and every alternate are separate short documents
//!   scored with BM25. A visitor's question usually paraphrases one phrasing, and a
//!   long alternate list should not dilute a short exact match. An entry's
//!   phrasing evidence is its best phrasing plus a vote of its other top-ranked
//!   phrasings (a k-nearest-neighbour vote), so an entry backed by many similar
//!   phrasings beats one lucky match.
//! - **Fields**: BM25F over the entry's question, alternates, answer and tags with
//!   per-field weights, so words that only occur in the answer ("5 business days")
//!   still count, and so do tags.
//!
//! Each view is divided by the score a perfect match of the query would get, which
//! puts both on a 0..≈1 scale that does not depend on query length; the fused score
//! is their weighted sum. Unknown Latin words are matched to vocabulary words within
//! a small edit distance at a discount (see [`crate::analysis::typo`]).

use serde::{Deserialize, Serialize};

use crate::analysis::frames::FRAME_WEIGHT;
use crate::analysis::typo::{distance_within, max_edits};
use crate::analysis::{Term, TermKind};
use crate::index::TokenTable;

/// Indexed fields of an entry, in the order of [`Scoring::field_weights`].
pub const FIELD_COUNT: usize = 4;

/// Unknown words of one query that get a typo lookup; a query full of unknown
/// words is not about this knowledge base, and lookups are the costly part.
const MAX_CORRECTED_WORDS: usize = 6;

/// Parameters of the scoring functions, stored in the snapshot so that a snapshot
/// always ranks the way it was calibrated.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Scoring {
    /// BM25 term-frequency saturation.
    pub k1: f32,
    /// BM25 length normalization for phrasings.
    pub b: f32,
    /// BM25F weights of question, alternates, answer, tags.
    pub field_weights: [f32; FIELD_COUNT],
    /// BM25F length normalization per field.
    pub field_b: [f32; FIELD_COUNT],
    /// Share of the phrasing view in the fused score; the rest is BM25F.
    pub phrasing_share: f32,
    /// How many top phrasings vote for their entries.
    pub vote_k: u32,
    /// Share of the vote in the phrasing view; the rest is the best phrasing.
    pub vote_share: f32,
    /// Factor applied to matches reached through a typo correction.
    pub typo_discount: f32,
}

impl Default for Scoring {
    fn default() -> Self {
        Scoring {
            k1: 1.2,
            b: 0.75,
            field_weights: [2.0, 1.0, 0.5, 1.0],
            field_b: [0.75, 0.75, 0.75, 0.5],
            phrasing_share: 0.5,
            vote_k: 20,
            vote_share: 0.5,
            typo_discount: 0.8,
        }
    }
}

/// How often a term occurs in one phrasing.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct PhrasingPosting {
    pub(crate) phrasing: u32,
    pub(crate) tf: u16,
}

/// How often a term occurs in each field of one entry.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct FieldPosting {
    pub(crate) entry: u32,
    pub(crate) tf: [u16; FIELD_COUNT],
}

/// The serialized lexical index. Everything is a `Vec` in a fixed order, so the same
/// entries always serialize to the same bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LexicalIndex {
    /// Sorted vocabulary; a term's id is its position.
    pub(crate) terms: Vec<String>,
    /// Per term, the phrasings containing it, ascending.
    pub(crate) phrasing_postings: Vec<Vec<PhrasingPosting>>,
    /// Per term, the entries containing it in any field, ascending.
    pub(crate) field_postings: Vec<Vec<FieldPosting>>,
    /// Entry of each phrasing.
    pub(crate) phrasing_entry: Vec<u32>,
    /// Term count of each phrasing.
    pub(crate) phrasing_len: Vec<u32>,
    /// Term count of each field of each entry.
    pub(crate) field_len: Vec<[u32; FIELD_COUNT]>,
    pub(crate) avg_phrasing_len: f32,
    pub(crate) avg_field_len: [f32; FIELD_COUNT],
}

impl LexicalIndex {
    /// Checks that every id in the index points inside its tables, for snapshots
    /// read from untrusted bytes. One message for every mismatch: such a file is
    /// forged or from a buggy build (the checksum catches damage), and each
    /// string is paid for in the visitor's wasm.
    pub fn check(&self, entries: usize) -> Result<(), String> {
        let n_terms = self.terms.len();
        let n_phrasings = self.phrasing_entry.len();
        let fits = self.phrasing_postings.len() == n_terms
            && self.field_postings.len() == n_terms
            && self.field_len.len() == entries
            && self.phrasing_len.len() == n_phrasings
            && self.terms.windows(2).all(|w| w[0] < w[1])
            && self.phrasing_entry.iter().all(|&e| (e as usize) < entries)
            && self
                .phrasing_postings
                .iter()
                .flatten()
                .all(|p| (p.phrasing as usize) < n_phrasings)
            && self
                .field_postings
                .iter()
                .flatten()
                .all(|p| (p.entry as usize) < entries);
        if fits {
            Ok(())
        } else {
            Err("postings, lengths and vocabulary do not fit together".into())
        }
    }

    /// Number of entries indexed.
    pub fn entry_count(&self) -> usize {
        self.field_len.len()
    }

    /// Number of phrasings (questions and alternates) indexed.
    pub fn phrasing_count(&self) -> usize {
        self.phrasing_entry.len()
    }

    /// Number of distinct terms.
    pub fn term_count(&self) -> usize {
        self.terms.len()
    }

    /// Smoothed idf over phrasings, `ln((1 + n) / (1 + df)) + 1`: the classifier's
    /// term weight, never zero, so a term in every phrasing still counts.
    pub(crate) fn classifier_idf(&self, term: usize) -> f32 {
        let n = self.phrasing_count() as f32;
        let df = self.phrasing_postings[term].len() as f32;
        ((1.0 + n) / (1.0 + df)).ln() + 1.0
    }

    /// The query's terms as classifier features (term id, factor × idf). A term
    /// two query words reach (typo corrections) counts twice, as it would in text.
    pub(crate) fn query_features(&self, query: &PreparedQuery) -> Vec<(usize, f32)> {
        query
            .terms
            .iter()
            .flatten()
            .map(|&(id, factor)| (id, factor * self.classifier_idf(id)))
            .collect()
    }

    /// Id of a term, if it is in the vocabulary.
    fn term_id(&self, text: &str) -> Option<usize> {
        self.terms.binary_search_by(|t| t.as_str().cmp(text)).ok()
    }

    fn phrasing_idf(&self, df: usize) -> f32 {
        idf(self.phrasing_count(), df)
    }

    fn entry_idf(&self, df: usize) -> f32 {
        idf(self.entry_count(), df)
    }

    /// Resolves query terms against the vocabulary, with typo correction.
    pub fn prepare(&self, terms: &[Term], typos: &TypoTable, scoring: &Scoring) -> PreparedQuery {
        let mut unique: Vec<&Term> = terms.iter().collect();
        unique.sort_unstable();
        unique.dedup();
        let mut prepared = PreparedQuery::default();
        let mut corrections_left = MAX_CORRECTED_WORDS;
        for term in unique {
            // A question's frame ("how do I", "怎么办") says how it is asked, not
            // what about: it separates close entries but must not outweigh the subject.
            let frame = if term.kind == TermKind::Frame {
                FRAME_WEIGHT
            } else {
                1.0
            };
            let matches: Vec<(usize, f32)> = match self.term_id(&term.text) {
                Some(id) => vec![(id, frame)],
                None if term.kind == TermKind::Word && corrections_left > 0 => {
                    corrections_left -= 1;
                    typos
                        .corrections(&term.text)
                        .into_iter()
                        .map(|id| (id as usize, scoring.typo_discount))
                        .collect()
                }
                None => Vec::new(),
            };
            // A perfect match of a term worth its rarest reading.
            let (mut phr, mut ent) = (self.phrasing_idf(0), self.entry_idf(0));
            if !matches.is_empty() {
                phr = matches
                    .iter()
                    .map(|&(id, f)| f * self.phrasing_idf(self.phrasing_postings[id].len()))
                    .fold(0.0, f32::max);
                ent = matches
                    .iter()
                    .map(|&(id, f)| f * self.entry_idf(self.field_postings[id].len()))
                    .fold(0.0, f32::max);
            }
            // Unknown CJK bigrams are routine (a new pair of known characters); they
            // count for less than unknown words when judging how much was matched.
            let weight = if matches.is_empty() && term.kind == TermKind::CjkBigram {
                0.5
            } else {
                frame
            };
            if !matches.is_empty() {
                if term.kind == TermKind::Frame {
                    prepared.frame_matched = true;
                } else {
                    prepared.content_matched = true;
                }
            }
            prepared.max_phrasing += weight * phr;
            prepared.max_field += weight * ent;
            prepared.terms.push(matches);
        }
        prepared
    }

    /// Fused, normalized score of every entry (0 for entries nothing matched),
    /// ignoring `exclude` (used at build time to simulate a question the knowledge
    /// base cannot answer).
    pub fn score(
        &self,
        query: &PreparedQuery,
        scoring: &Scoring,
        exclude: Option<u32>,
    ) -> EntryScores {
        let n = self.entry_count();
        if !query.matches_anything() {
            return EntryScores::zero(n);
        }
        let (phrasing, agreement) = self.phrasing_view(query, scoring, exclude);
        let field = self.field_view(query, scoring, exclude);
        let share = scoring.phrasing_share;
        let fused = (0..n)
            .map(|e| {
                share * phrasing[e] / query.max_phrasing.max(f32::EPSILON)
                    + (1.0 - share) * field[e] / query.max_field.max(f32::EPSILON)
            })
            .collect();
        EntryScores {
            fused,
            agreement,
            dense: Vec::new(),
            accord: Vec::new(),
        }
    }

    /// BM25 of each phrasing, aggregated per entry: best phrasing blended with a
    /// vote of the top `vote_k` phrasings. Also returns each entry's share of the
    /// vote, which says how much the nearest phrasings agree.
    fn phrasing_view(
        &self,
        query: &PreparedQuery,
        s: &Scoring,
        exclude: Option<u32>,
    ) -> (Vec<f32>, Vec<f32>) {
        let mut scores = vec![0.0f32; self.phrasing_count()];
        let mut touched: Vec<u32> = Vec::new();
        for matches in &query.terms {
            for &(term, factor) in matches {
                let postings = &self.phrasing_postings[term];
                let w = factor * self.phrasing_idf(postings.len());
                for p in postings {
                    if Some(self.phrasing_entry[p.phrasing as usize]) == exclude {
                        continue;
                    }
                    let tf = p.tf as f32;
                    let norm = 1.0 - s.b
                        + s.b * self.phrasing_len[p.phrasing as usize] as f32
                            / self.avg_phrasing_len.max(1.0);
                    let slot = &mut scores[p.phrasing as usize];
                    if *slot == 0.0 {
                        touched.push(p.phrasing);
                    }
                    *slot += w * tf * (s.k1 + 1.0) / (tf + s.k1 * norm);
                }
            }
        }
        let mut best = vec![0.0f32; self.entry_count()];
        for &p in &touched {
            let e = self.phrasing_entry[p as usize] as usize;
            best[e] = best[e].max(scores[p as usize]);
        }
        // Top-k phrasings, ties broken by id for determinism.
        let by_score = |a: &u32, b: &u32| {
            scores[*b as usize]
                .total_cmp(&scores[*a as usize])
                .then(a.cmp(b))
        };
        let k = (s.vote_k as usize).max(1);
        if touched.len() > k {
            touched.select_nth_unstable_by(k - 1, by_score);
            touched.truncate(k);
        }
        let mut votes = vec![0.0f32; self.entry_count()];
        for &p in &touched {
            votes[self.phrasing_entry[p as usize] as usize] += scores[p as usize];
        }
        let total: f32 = votes.iter().sum();
        let agreement = votes.iter().map(|v| v / total.max(f32::EPSILON)).collect();
        let k = touched.len().max(1) as f32;
        let view = best
            .iter()
            .zip(&votes)
            .map(|(&b, &v)| (1.0 - s.vote_share) * b + s.vote_share * v / k)
            .collect();
        (view, agreement)
    }

    /// BM25F over the entry's fields.
    fn field_view(&self, query: &PreparedQuery, s: &Scoring, exclude: Option<u32>) -> Vec<f32> {
        let mut scores = vec![0.0f32; self.entry_count()];
        for matches in &query.terms {
            for &(term, factor) in matches {
                let postings = &self.field_postings[term];
                let w = factor * self.entry_idf(postings.len());
                for p in postings {
                    if Some(p.entry) == exclude {
                        continue;
                    }
                    let lens = &self.field_len[p.entry as usize];
                    let tf: f32 = (0..FIELD_COUNT)
                        .filter(|&f| p.tf[f] > 0)
                        .map(|f| {
                            let norm = 1.0 - s.field_b[f]
                                + s.field_b[f] * lens[f] as f32 / self.avg_field_len[f].max(1.0);
                            s.field_weights[f] * p.tf[f] as f32 / norm
                        })
                        .sum();
                    scores[p.entry as usize] += w * tf / (tf + s.k1);
                }
            }
        }
        scores
    }
}

/// Per-entry evidence for one query, indexed by entry.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryScores {
    /// Fused, normalized lexical score; 0 when nothing matched.
    pub fused: Vec<f32>,
    /// Share of the nearest phrasings' vote that went to the entry, in 0..=1.
    pub agreement: Vec<f32>,
    /// Dense score per entry once fused (see [`crate::rank::fuse`]); empty for
    /// lexical evidence alone.
    pub dense: Vec<f32>,
    /// 1 for the entry both rankers put first, once fused; else empty or 0.
    pub accord: Vec<f32>,
}

impl EntryScores {
    /// No evidence for any of `n` entries.
    pub fn zero(n: usize) -> EntryScores {
        EntryScores {
            fused: vec![0.0; n],
            agreement: vec![0.0; n],
            dense: Vec::new(),
            accord: Vec::new(),
        }
    }
}

/// A query resolved against one index.
#[derive(Debug, Default, Clone)]
pub struct PreparedQuery {
    /// Per distinct query term, the vocabulary terms it matches with their factor.
    terms: Vec<Vec<(usize, f32)>>,
    /// Score of a perfect phrasing match, for normalization.
    max_phrasing: f32,
    /// Score of a perfect entry match, for normalization.
    max_field: f32,
    /// Whether a term of the question's subject (not its frame) is known.
    content_matched: bool,
    /// Whether a term of the question's frame is known.
    frame_matched: bool,
}

impl PreparedQuery {
    /// Whether any query term exists in the index.
    pub fn matches_anything(&self) -> bool {
        self.terms.iter().any(|m| !m.is_empty())
    }

    /// Whether the question shares only its frame ("where is my …", "what's
    /// the …") with the knowledge base, none of its subject: then it shares
    /// nothing with it. (A question with no frame and no known word, such as
    /// one unknown word, is left to the dense index, which may know it.)
    pub fn matches_only_frame(&self) -> bool {
        self.frame_matched && !self.content_matched
    }
}

/// A vocabulary word as typo lookups see it.
#[derive(Debug, Clone)]
struct TypoCandidate {
    term: u32,
    signature: u64,
    chars: Vec<char>,
}

/// Vocabulary words grouped by length, for typo lookups. Derived from the index
/// when an engine loads, never serialized.
#[derive(Debug, Default, Clone)]
pub struct TypoTable {
    /// `by_len[n]`: words of `n` characters.
    by_len: Vec<Vec<TypoCandidate>>,
    /// Words of the language that the knowledge base happens not to use, sorted:
    /// such a word is what the visitor meant, not a misspelling of a knowledge-base
    /// word ("are you hiring" is not "are you here").
    known: Vec<Box<str>>,
}

impl TypoTable {
    /// Collects the index's Latin words of three letters or more.
    pub fn new(index: &LexicalIndex) -> TypoTable {
        let mut by_len: Vec<Vec<TypoCandidate>> = Vec::new();
        for (id, term) in index.terms.iter().enumerate() {
            let chars: Vec<char> = term.chars().collect();
            let is_word = chars.iter().all(|&c| c.is_alphabetic())
                && !chars.iter().any(|&c| crate::analysis::segment::is_cjk(c));
            if !is_word || chars.len() < 3 {
                continue;
            }
            if by_len.len() <= chars.len() {
                by_len.resize(chars.len() + 1, Vec::new());
            }
            by_len[chars.len()].push(TypoCandidate {
                term: id as u32,
                signature: signature(&chars),
                chars,
            });
        }
        TypoTable {
            by_len,
            known: Vec::new(),
        }
    }

    /// Takes the whole Latin words of a token table (WordPiece vocabularies hold
    /// the language's common words whole) as real words, never corrected. Only
    /// words long enough to be corrected at all are kept.
    pub fn knowing(mut self, table: Option<&TokenTable>) -> TypoTable {
        let Some(table) = table else { return self };
        self.known = table
            .tokens
            .iter()
            .filter(|t| {
                max_edits(t.chars().count()) > 0 && t.chars().all(|c| c.is_ascii_lowercase())
            })
            .map(|t| t.as_str().into())
            .collect();
        // The table's order is by bytes, which `binary_search` below relies on.
        debug_assert!(self.known.windows(2).all(|w| w[0] < w[1]));
        self
    }

    /// Vocabulary words closest to `word` within its edit budget (all of the
    /// smallest distance, at most three); none for a known word of the language
    /// (see [`TypoTable::knowing`]).
    pub fn corrections(&self, word: &str) -> Vec<u32> {
        if self.known.binary_search_by(|k| (**k).cmp(word)).is_ok() {
            return Vec::new();
        }
        let chars: Vec<char> = word.chars().collect();
        let max = max_edits(chars.len());
        if max == 0 {
            return Vec::new();
        }
        let sig = signature(&chars);
        let mut found: Vec<(usize, u32)> = Vec::new();
        let lo = chars.len().saturating_sub(max);
        let hi = (chars.len() + max).min(self.by_len.len().saturating_sub(1));
        for bucket in self.by_len.get(lo..=hi).into_iter().flatten() {
            for candidate in bucket {
                // Each edit changes at most two bits of the letter-set signature,
                // so this skips most words without computing a distance.
                if (sig ^ candidate.signature).count_ones() as usize > 2 * max {
                    continue;
                }
                if let Some(d) = distance_within(&chars, &candidate.chars, max) {
                    found.push((d, candidate.term));
                }
            }
        }
        found.sort_unstable();
        let Some(&(best, _)) = found.first() else {
            return Vec::new();
        };
        found
            .into_iter()
            .take_while(|&(d, _)| d == best)
            .take(3)
            .map(|(_, id)| id)
            .collect()
    }
}

/// The set of letters in a word, hashed into 64 bits.
fn signature(chars: &[char]) -> u64 {
    chars.iter().fold(0, |sig, &c| sig | 1 << (c as u32 % 64))
}

fn idf(n: usize, df: usize) -> f32 {
    let (n, df) = (n as f32, df as f32);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}
